"""inbound mail: every message taken once by Message-ID, unknown senders quarantined

Revision ID: 20261129_mail
Revises: 20261129_tickets
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slakeeper.db.ddl import foreign_key, instant

revision = "20261129_mail"
down_revision = "20261129_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        instant("sent_at", nullable=True),
        instant("received_at"),
        sa.Column(
            "outcome",
            sa.Enum(
                "ticket",
                "reply",
                "quarantined",
                name="mail_outcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        foreign_key("inbound_mail", "workspace_id", "workspace"),
        foreign_key("inbound_mail", "ticket_id", "ticket"),
        foreign_key("inbound_mail", "event_id", "ticket_event"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint(
            "workspace_id",
            "message_id",
            name=op.f("uq_inbound_mail_workspace_id_message_id"),
        ),
    )
    op.create_table(
        "mail_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("inbound_mail_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        instant("received_at"),
        instant("released_at", nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_as_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        instant("discarded_at", nullable=True),
        sa.Column("discarded_by_id", sa.Integer(), nullable=True),
        sa.Column("discard_reason", sa.Text(), nullable=True),
        foreign_key("mail_quarantine", "workspace_id", "workspace"),
        foreign_key("mail_quarantine", "inbound_mail_id", "inbound_mail"),
        foreign_key("mail_quarantine", "released_by_id", "user_account"),
        foreign_key("mail_quarantine", "released_as_id", "user_account"),
        foreign_key("mail_quarantine", "ticket_id", "ticket"),
        foreign_key("mail_quarantine", "event_id", "ticket_event"),
        foreign_key("mail_quarantine", "discarded_by_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_quarantine")),
        sa.UniqueConstraint(
            "inbound_mail_id", name=op.f("uq_mail_quarantine_inbound_mail_id")
        ),
    )
    op.create_index(
        "ix_mail_quarantine_workspace_received",
        "mail_quarantine",
        ["workspace_id", "received_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_mail_quarantine_workspace_received", table_name="mail_quarantine")
    op.drop_table("mail_quarantine")
    op.drop_table("inbound_mail")
