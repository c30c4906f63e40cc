"""milestones, client obligations, adjustments, change requests, commitments

Revision ID: 20261129_milestones
Revises: 20261129_mail
Create Date: 2026-11-29 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from slakeeper.db.ddl import allow_changes, refuse_changes

revision = "20261129_milestones"
down_revision = "20261129_mail"
branch_labels = None
depends_on = None


APPEND_ONLY = "is append-only: rows are added, never changed"


def upgrade() -> None:
    op.create_table(
        "change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("estimate_seconds", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("effects", sa.JSON(), nullable=False),
        sa.Column("estimated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimated_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_change_request_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_change_request_client_id_client"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_request_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["estimated_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_request_estimated_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_change_request_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_change_request_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_request")),
        sa.UniqueConstraint(
            "workspace_id",
            "client_id",
            "number",
            name=op.f("uq_change_request_workspace_id_client_id_number"),
        ),
        sa.UniqueConstraint(
            "workspace_id", "key", name=op.f("uq_change_request_workspace_id_key")
        ),
    )
    op.create_table(
        "commitment_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_commitment_update_actor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_commitment_update_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_commitment_update_client_id_client"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_commitment_update_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_update")),
    )
    op.create_index(
        "ix_commitment_update_workspace_agreement",
        "commitment_update",
        ["workspace_id", "agreement_id"],
        unique=False,
    )
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("agreement_version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("after_key", sa.String(length=100), nullable=True),
        sa.Column("base_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("at_risk", sa.Boolean(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_milestone_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
            name=op.f("fk_milestone_agreement_version_id_agreement_version"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_milestone_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_milestone_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint(
            "agreement_id", "key", name=op.f("uq_milestone_agreement_id_key")
        ),
    )
    op.create_index(
        "ix_milestone_workspace_client",
        "milestone",
        ["workspace_id", "client_id"],
        unique=False,
    )
    op.create_index(
        "ix_milestone_workspace_next_check",
        "milestone",
        ["workspace_id", "next_check_at"],
        unique=False,
    )
    op.create_table(
        "milestone_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_milestone_event_actor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_milestone_event_milestone_id_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_milestone_event_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_event")),
        sa.UniqueConstraint(
            "milestone_id", "seq", name=op.f("uq_milestone_event_milestone_id_seq")
        ),
    )
    op.create_index(
        "ix_milestone_event_workspace_milestone",
        "milestone_event",
        ["workspace_id", "milestone_id"],
        unique=False,
    )
    op.create_table(
        "obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("party", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_by_id", sa.Integer(), nullable=True),
        sa.Column("lateness", sa.Integer(), nullable=True),
        sa.Column("shift_mode", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_obligation_agreement_id_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_request.id"],
            name=op.f("fk_obligation_change_request_id_change_request"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_obligation_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["met_by_id"],
            ["user_account.id"],
            name=op.f("fk_obligation_met_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_obligation_milestone_id_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_obligation_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation")),
    )
    op.create_index(
        "ix_obligation_workspace_client_status",
        "obligation",
        ["workspace_id", "client_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_obligation_workspace_due",
        "obligation",
        ["workspace_id", "due_at"],
        unique=False,
    )
    op.create_table(
        "adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=True),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("provider_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("client_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_request.id"],
            name=op.f("fk_adjustment_change_request_id_change_request"),
        ),
        sa.ForeignKeyConstraint(
            ["client_accepted_by_id"],
            ["user_account.id"],
            name=op.f("fk_adjustment_client_accepted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_adjustment_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
            name=op.f("fk_adjustment_milestone_id_milestone"),
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligation.id"],
            name=op.f("fk_adjustment_obligation_id_obligation"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["user_account.id"],
            name=op.f("fk_adjustment_proposed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_accepted_by_id"],
            ["user_account.id"],
            name=op.f("fk_adjustment_provider_accepted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["rejected_by_id"],
            ["user_account.id"],
            name=op.f("fk_adjustment_rejected_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_adjustment_workspace_id_workspace"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustment")),
    )
    op.create_index(
        "ix_adjustment_workspace_milestone",
        "adjustment",
        ["workspace_id", "milestone_id"],
        unique=False,
    )
    refuse_changes("milestone_event", APPEND_ONLY)
    refuse_changes("commitment_update", APPEND_ONLY)


def downgrade() -> None:
    allow_changes("commitment_update")
    allow_changes("milestone_event")
    op.drop_index("ix_adjustment_workspace_milestone", table_name="adjustment")
    op.drop_table("adjustment")
    op.drop_index("ix_obligation_workspace_due", table_name="obligation")
    op.drop_index("ix_obligation_workspace_client_status", table_name="obligation")
    op.drop_table("obligation")
    op.drop_index(
        "ix_milestone_event_workspace_milestone", table_name="milestone_event"
    )
    op.drop_table("milestone_event")
    op.drop_index("ix_milestone_workspace_next_check", table_name="milestone")
    op.drop_index("ix_milestone_workspace_client", table_name="milestone")
    op.drop_table("milestone")
    op.drop_index(
        "ix_commitment_update_workspace_agreement", table_name="commitment_update"
    )
    op.drop_table("commitment_update")
    op.drop_table("change_request")
