"""invoices: drafts, issued invoices and credit notes with their lines and the
time entries they bill, payments (append-only), manual credits, billing parties
and the gap-free number counters

Revision ID: 20261129_invoices
Revises: 20261129_feeds
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slakeeper.db.ddl import allow_changes, refuse_changes

revision = "20261129_invoices"
down_revision = "20261129_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_counter",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_invoice_counter_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "series", name=op.f("pk_invoice_counter")
        ),
    )
    op.create_table(
        "billing_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("address_lines", sa.JSON(), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("tax_id", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("number_pattern", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_billing_party_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_billing_party_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_party")),
    )
    op.create_index(
        "ix_billing_party_workspace_client",
        "billing_party",
        ["workspace_id", "client_id"],
        unique=False,
    )
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("agreement_version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("tax_amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("gross_amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("tax_id", sa.String(length=50), nullable=True),
        sa.Column("group_by", sa.String(length=20), nullable=False),
        sa.Column("refers_to_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'draft') = (number IS NULL)",
            name=op.f("ck_invoice_numbered_once_issued"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
            name=op.f("fk_invoice_agreement_version_id_agreement_version"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_invoice_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_invoice_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_invoice_issued_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["refers_to_id"],
            ["invoice.id"],
            name=op.f("fk_invoice_refers_to_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_invoice_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint(
            "workspace_id", "number", name=op.f("uq_invoice_workspace_id_number")
        ),
    )
    op.create_index(
        "ix_invoice_workspace_client",
        "invoice",
        ["workspace_id", "client_id"],
        unique=False,
    )
    op.create_index(
        "ix_invoice_workspace_status_due",
        "invoice",
        ["workspace_id", "status", "due_date"],
        unique=False,
    )
    op.create_table(
        "manual_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("percent", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(amount IS NULL) != (percent IS NULL)",
            name=op.f("ck_manual_credit_amount_or_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_manual_credit_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_manual_credit_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
            name=op.f("fk_manual_credit_invoice_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_manual_credit_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_credit")),
    )
    op.create_index(
        "ix_manual_credit_workspace_client",
        "manual_credit",
        ["workspace_id", "client_id"],
        unique=False,
    )
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_invoice_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_payment_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_payment_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    op.create_index(
        "ix_payment_workspace_invoice",
        "payment",
        ["workspace_id", "invoice_id"],
        unique=False,
    )
    op.create_table(
        "invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("raw_seconds", sa.Integer(), nullable=False),
        sa.Column("rounded_seconds", sa.Integer(), nullable=False),
        sa.Column("rate_source", sa.String(length=20), nullable=True),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("credit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["credit_id"],
            ["manual_credit.id"],
            name=op.f("fk_invoice_line_credit_id_manual_credit"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
            name=op.f("fk_invoice_line_invoice_id_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_invoice_line_milestone_id_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_invoice_line_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_invoice_line_invoice_id_position")
        ),
    )
    op.create_index(
        "ix_invoice_line_workspace_invoice",
        "invoice_line",
        ["workspace_id", "invoice_id"],
        unique=False,
    )
    op.create_table(
        "invoice_line_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("time_entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_seconds", sa.Integer(), nullable=False),
        sa.Column("rounded_seconds", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("rate_source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["invoice_line.id"],
            name=op.f("fk_invoice_line_entry_line_id_invoice_line"),
        ),
        sa.ForeignKeyConstraint(
            ["time_entry_id"],
            ["time_entry.id"],
            name=op.f("fk_invoice_line_entry_time_entry_id_time_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_invoice_line_entry_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line_entry")),
        sa.UniqueConstraint(
            "line_id",
            "time_entry_id",
            name=op.f("uq_invoice_line_entry_line_id_time_entry_id"),
        ),
    )
    op.create_index(
        "ix_invoice_line_entry_workspace_entry",
        "invoice_line_entry",
        ["workspace_id", "time_entry_id"],
        unique=False,
    )

    refuse_changes(
        "payment", "rows are append-only: a payment is never changed or deleted"
    )


def downgrade() -> None:
    allow_changes("payment")
    op.drop_index(
        "ix_invoice_line_entry_workspace_entry", table_name="invoice_line_entry"
    )
    op.drop_table("invoice_line_entry")
    op.drop_index("ix_invoice_line_workspace_invoice", table_name="invoice_line")
    op.drop_table("invoice_line")
    op.drop_index("ix_payment_workspace_invoice", table_name="payment")
    op.drop_table("payment")
    op.drop_index("ix_manual_credit_workspace_client", table_name="manual_credit")
    op.drop_table("manual_credit")
    op.drop_index("ix_invoice_workspace_status_due", table_name="invoice")
    op.drop_index("ix_invoice_workspace_client", table_name="invoice")
    op.drop_table("invoice")
    op.drop_index("ix_billing_party_workspace_client", table_name="billing_party")
    op.drop_table("billing_party")
    op.drop_table("invoice_counter")
