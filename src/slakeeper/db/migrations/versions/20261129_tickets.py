"""tickets: a ticket per client request and its append-only event log

Revision ID: 20261129_tickets
Revises: 20261129_idempotency_keys
Create Date: 2026-11-29 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slakeeper.db.ddl import allow_changes, foreign_key, instant, refuse_changes

revision = "20261129_tickets"
down_revision = "20261129_idempotency_keys"
branch_labels = None
depends_on = None

IMMUTABLE_MESSAGE = "is immutable: ticket events are appended, never changed"


def upgrade() -> None:
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("agreement_version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        instant("created_at"),
        sa.Column("priority", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        instant("computed_at"),
        sa.Column("response_state", sa.String(length=10), nullable=True),
        instant("response_due_at", nullable=True),
        sa.Column("response_breached", sa.Boolean(), nullable=False),
        sa.Column("resolution_state", sa.String(length=10), nullable=True),
        instant("resolution_due_at", nullable=True),
        sa.Column("resolution_breached", sa.Boolean(), nullable=False),
        sa.Column("update_state", sa.String(length=10), nullable=True),
        instant("update_due_at", nullable=True),
        sa.Column("update_breaches", sa.Integer(), nullable=False),
        instant("due_at", nullable=True),
        sa.Column("at_risk", sa.Boolean(), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        instant("next_check_at", nullable=True),
        foreign_key("ticket", "workspace_id", "workspace"),
        foreign_key("ticket", "client_id", "client"),
        foreign_key("ticket", "agreement_version_id", "agreement_version"),
        foreign_key("ticket", "requester_id", "user_account"),
        foreign_key("ticket", "assignee_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint(
            "workspace_id",
            "client_id",
            "number",
            name=op.f("uq_ticket_workspace_id_client_id_number"),
        ),
        sa.UniqueConstraint(
            "workspace_id", "key", name=op.f("uq_ticket_workspace_id_key")
        ),
    )
    op.create_index(
        "ix_ticket_workspace_client_status",
        "ticket",
        ["workspace_id", "client_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_ticket_workspace_next_check",
        "ticket",
        ["workspace_id", "next_check_at"],
        unique=False,
    )
    op.create_table(
        "ticket_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        instant("at"),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        foreign_key("ticket_event", "workspace_id", "workspace"),
        foreign_key("ticket_event", "ticket_id", "ticket"),
        foreign_key("ticket_event", "actor_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_event")),
        sa.UniqueConstraint(
            "ticket_id", "seq", name=op.f("uq_ticket_event_ticket_id_seq")
        ),
    )
    op.create_index(
        "ix_ticket_event_workspace_ticket",
        "ticket_event",
        ["workspace_id", "ticket_id"],
        unique=False,
    )
    refuse_changes("ticket_event", IMMUTABLE_MESSAGE)


def downgrade() -> None:
    allow_changes("ticket_event")
    op.drop_index("ix_ticket_event_workspace_ticket", table_name="ticket_event")
    op.drop_table("ticket_event")
    op.drop_index("ix_ticket_workspace_next_check", table_name="ticket")
    op.drop_index("ix_ticket_workspace_client_status", table_name="ticket")
    op.drop_table("ticket")
