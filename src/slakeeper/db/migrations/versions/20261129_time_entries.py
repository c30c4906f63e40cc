"""time entries and running timers

Revision ID: 20261129_time_entries
Revises: 20261129_milestones
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slakeeper.db.ddl import foreign_key, instant

revision = "20261129_time_entries"
down_revision = "20261129_milestones"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("milestone_key", sa.String(length=100), nullable=True),
        instant("worked_at"),
        instant("started_at", nullable=True),
        instant("ended_at", nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        instant("created_at"),
        instant("updated_at"),
        instant("approved_at", nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        # the invoice table comes later: a plain integer until then
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        foreign_key("time_entry", "workspace_id", "workspace"),
        foreign_key("time_entry", "client_id", "client"),
        foreign_key("time_entry", "user_id", "user_account"),
        foreign_key("time_entry", "ticket_id", "ticket"),
        foreign_key("time_entry", "approved_by_id", "user_account"),
        sa.CheckConstraint(
            "seconds >= 0", name=op.f("ck_time_entry_seconds_not_negative")
        ),
        sa.CheckConstraint(
            "(started_at IS NULL) = (ended_at IS NULL)",
            name=op.f("ck_time_entry_start_and_end_together"),
        ),
        sa.CheckConstraint(
            "started_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_time_entry_ends_after_start"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry")),
        sa.UniqueConstraint(
            "workspace_id",
            "source",
            "external_id",
            name=op.f("uq_time_entry_workspace_id_source_external_id"),
        ),
    )
    op.create_index(
        "ix_time_entry_workspace_client_worked",
        "time_entry",
        ["workspace_id", "client_id", "worked_at"],
        unique=False,
    )
    op.create_index(
        "ix_time_entry_workspace_user_worked",
        "time_entry",
        ["workspace_id", "user_id", "worked_at"],
        unique=False,
    )
    op.create_table(
        "running_timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("milestone_key", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        instant("started_at"),
        foreign_key("running_timer", "workspace_id", "workspace"),
        foreign_key("running_timer", "user_id", "user_account"),
        foreign_key("running_timer", "client_id", "client"),
        foreign_key("running_timer", "ticket_id", "ticket"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_running_timer")),
        # one running timer per user, whatever the application does
        sa.UniqueConstraint("user_id", name=op.f("uq_running_timer_user_id")),
    )
    op.create_index(
        "ix_running_timer_workspace_client",
        "running_timer",
        ["workspace_id", "client_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_running_timer_workspace_client", table_name="running_timer")
    op.drop_table("running_timer")
    op.drop_index("ix_time_entry_workspace_user_worked", table_name="time_entry")
    op.drop_index("ix_time_entry_workspace_client_worked", table_name="time_entry")
    op.drop_table("time_entry")
