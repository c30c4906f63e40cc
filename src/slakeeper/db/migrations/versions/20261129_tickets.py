"""tickets: a ticket per client request and its append-only event log

Revision ID: 20261129_tickets
Revises: 20261129_idempotency_keys
Create Date: 2026-11-29 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261129_tickets"
down_revision = "20261129_idempotency_keys"
branch_labels = None
depends_on = None

IMMUTABLE_MESSAGE = "is immutable: ticket events are appended, never changed"


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _instant(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


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
        _instant("created_at"),
        sa.Column("priority", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        _instant("computed_at"),
        sa.Column("response_state", sa.String(length=10), nullable=True),
        _instant("response_due_at", nullable=True),
        sa.Column("response_breached", sa.Boolean(), nullable=False),
        sa.Column("resolution_state", sa.String(length=10), nullable=True),
        _instant("resolution_due_at", nullable=True),
        sa.Column("resolution_breached", sa.Boolean(), nullable=False),
        sa.Column("update_state", sa.String(length=10), nullable=True),
        _instant("update_due_at", nullable=True),
        sa.Column("update_breaches", sa.Integer(), nullable=False),
        _instant("due_at", nullable=True),
        sa.Column("at_risk", sa.Boolean(), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        _instant("next_check_at", nullable=True),
        _fk("ticket", "workspace_id", "workspace"),
        _fk("ticket", "client_id", "client"),
        _fk("ticket", "agreement_version_id", "agreement_version"),
        _fk("ticket", "requester_id", "user_account"),
        _fk("ticket", "assignee_id", "user_account"),
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
        _instant("at"),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        _fk("ticket_event", "workspace_id", "workspace"),
        _fk("ticket_event", "ticket_id", "ticket"),
        _fk("ticket_event", "actor_id", "user_account"),
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
    _immutable("ticket_event")


def _immutable(table: str) -> None:
    """Refuse UPDATE and DELETE of a table's rows in the database itself (as the
    first migration does for audit_entry)."""
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} {IMMUTABLE_MESSAGE}'); END"
            )
        return
    op.execute(
        f"""
        CREATE FUNCTION {table}_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{table} {IMMUTABLE_MESSAGE}';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_change()"
    )


def downgrade() -> None:
    table = "ticket_event"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"DROP TRIGGER {table}_no_delete")
    else:
        op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION {table}_refuse_change()")
    op.drop_index("ix_ticket_event_workspace_ticket", table_name="ticket_event")
    op.drop_table("ticket_event")
    op.drop_index("ix_ticket_workspace_next_check", table_name="ticket")
    op.drop_index("ix_ticket_workspace_client_status", table_name="ticket")
    op.drop_table("ticket")
