"""counters: one table of numbered series (invoice numbers, ticket and
change-request keys) in place of invoice_counter; the ticket and change-request
series start after each client's highest number

Revision ID: 20261207_counters
Revises: 20261207_agreement_roles
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slakeeper.db.ddl import foreign_key

revision = "20261207_counters"
down_revision = "20261207_agreement_roles"
branch_labels = None
depends_on = None


def _counter_table(name: str) -> None:
    """`counter`, or `invoice_counter` as 20261129_invoices made it."""
    op.create_table(
        name,
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        foreign_key(name, "workspace_id", "workspace"),
        sa.PrimaryKeyConstraint("workspace_id", "series", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _counter_table("counter")
    op.execute(
        "INSERT INTO counter (workspace_id, series, next_value)"
        " SELECT workspace_id, 'invoice/' || series, next_value FROM invoice_counter"
    )
    for table in ("ticket", "change_request"):
        op.execute(
            "INSERT INTO counter (workspace_id, series, next_value)"
            f" SELECT workspace_id, '{table}/' || CAST(client_id AS VARCHAR),"
            f" MAX(number) + 1 FROM {table} GROUP BY workspace_id, client_id"
        )
    op.drop_table("invoice_counter")


def downgrade() -> None:
    _counter_table("invoice_counter")
    op.execute(
        "INSERT INTO invoice_counter (workspace_id, series, next_value)"
        " SELECT workspace_id, SUBSTR(series, 9), next_value FROM counter"
        " WHERE series LIKE 'invoice/%'"
    )
    op.drop_table("counter")
