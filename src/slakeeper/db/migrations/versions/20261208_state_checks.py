"""state checks: every column that holds a state, kind or mode takes only the
values of its set (core/states.py and the engine's enums), as a CHECK
constraint ck_<table>_<column> on PostgreSQL and as insert and update triggers
on SQLite (no table rebuild, so the append-only tables keep their triggers)

Revision ID: 20261208_state_checks
Revises: 20261207_counters
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

from slakeeper.db.ddl import allow_any_value, check_values

revision = "20261208_state_checks"
down_revision = "20261207_counters"
branch_labels = None
depends_on = None

# The sets as they are today, written out: a later change of an enum is a
# migration of its own, never an edit of this one.
CLOCK_STATES = ("running", "paused", "met", "breached")
PARTIES = ("provider", "client")
SHIFT_MODES = ("working_time", "calendar_days")
RATE_SOURCES = ("out_of_hours", "priority", "role", "default")

CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("user_account", "role", ("owner", "staff", "client")),
    (
        "version_state",
        "status",
        (
            "draft",
            "in_review",
            "approved",
            "active",
            "superseded",
            "ended",
            "withdrawn",
        ),
    ),
    ("approval", "party", PARTIES),
    (
        "milestone",
        "status",
        (
            "planned",
            "in_progress",
            "submitted",
            "changes_requested",
            "accepted",
            "cancelled",
        ),
    ),
    (
        "milestone_event",
        "kind",
        (
            "created",
            "amended",
            "started",
            "submitted",
            "changes_requested",
            "accepted",
            "deemed_accepted",
            "adjusted",
            "cancelled",
        ),
    ),
    (
        "obligation",
        "kind",
        ("input", "feedback", "decision", "estimate", "approval", "payment", "other"),
    ),
    ("obligation", "party", PARTIES),
    ("obligation", "status", ("open", "met", "waived", "lapsed")),
    ("obligation", "shift_mode", SHIFT_MODES),
    ("adjustment", "cause", ("provider", "client", "third_party")),
    ("adjustment", "kind", ("delay", "change")),
    ("adjustment", "mode", SHIFT_MODES),
    ("adjustment", "status", ("proposed", "accepted", "rejected")),
    ("change_request", "status", ("requested", "estimated", "approved", "rejected")),
    ("ticket", "response_state", CLOCK_STATES),
    ("ticket", "resolution_state", CLOCK_STATES),
    ("ticket", "update_state", CLOCK_STATES),
    (
        "ticket_event",
        "kind",
        (
            "created",
            "provider_reply",
            "acknowledgement",
            "note",
            "client_reply",
            "status_changed",
            "priority_changed",
            "assigned",
            "resolved",
            "reopened",
            "payment_paused",
            "payment_resumed",
        ),
    ),
    ("inbound_mail", "outcome", ("ticket", "reply", "quarantined")),
    ("invoice", "kind", ("invoice", "credit_note")),
    ("invoice", "status", ("draft", "issued", "paid", "overdue", "cancelled")),
    ("invoice", "group_by", ("rate", "ticket")),
    ("invoice_line", "kind", ("time", "fixed", "credit", "other")),
    ("invoice_line", "rate_source", RATE_SOURCES),
    ("invoice_line_entry", "rate_source", RATE_SOURCES),
)


def upgrade() -> None:
    for table, column, values in CHECKS:
        check_values(table, column, values)


def downgrade() -> None:
    for table, column, _ in reversed(CHECKS):
        allow_any_value(table, column)
