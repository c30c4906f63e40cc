"""the agreement file alone says who approves: drop user_account.agreement_role;
e-mail addresses stored trimmed and lower-cased

Revision ID: 20261207_agreement_roles
Revises: 20261129_invoices
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

from alembic import op

revision = "20261207_agreement_roles"
down_revision = "20261129_invoices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite 3.35+ and PostgreSQL both drop a column in place (no table copy,
    # so the foreign keys that reference user_account are left alone)
    op.execute("ALTER TABLE user_account DROP COLUMN agreement_role")
    op.execute("UPDATE user_account SET email = lower(trim(email))")


def downgrade() -> None:
    op.execute("ALTER TABLE user_account ADD COLUMN agreement_role VARCHAR(50)")
