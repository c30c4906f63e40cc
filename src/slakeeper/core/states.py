"""The named values of every stored state set: one `StrEnum` each, used by the
rows (stored with a CHECK constraint), the rules, the read models (so OpenAPI
lists the values) and the CLI.

A new state set gets its enum here, never a string literal repeated in files.
The event kinds and clock states that the engine itself defines stay beside
their rules (`core.tickets.EventKind`, `core.milestones.MilestoneKind`,
`core.clock.ClockState`); their columns are constrained the same way.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdjustmentCause",
    "AdjustmentKind",
    "AdjustmentStatus",
    "ChangeRequestStatus",
    "InvoiceGrouping",
    "InvoiceKind",
    "InvoiceStatus",
    "LineKind",
    "MailOutcome",
    "MilestoneStatus",
    "ObligationKind",
    "ObligationStatus",
    "Party",
    "RateSource",
    "Role",
    "ShiftMode",
    "VersionStatus",
]


class Role(StrEnum):
    """What a user is in a workspace."""

    OWNER = "owner"
    STAFF = "staff"
    CLIENT = "client"


class VersionStatus(StrEnum):
    """Where an agreement version is in its life (docs/lifecycle.md)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class MailOutcome(StrEnum):
    """What became of an inbound e-mail when it was taken."""

    TICKET = "ticket"  # opened a ticket
    REPLY = "reply"  # a client reply on a ticket
    QUARANTINED = "quarantined"  # held for the provider (see MailQuarantine)


class Party(StrEnum):
    """A side of an agreement: who approves a version, who owes an obligation."""

    PROVIDER = "provider"
    CLIENT = "client"


class ShiftMode(StrEnum):
    """How a delay is measured and a due time moved (docs/sla-clock.md section 6):
    working time of the agreement's calendar (seconds), or calendar days."""

    WORKING_TIME = "working_time"
    CALENDAR_DAYS = "calendar_days"


class MilestoneStatus(StrEnum):
    """Where a milestone is (`core.milestones.STATUS_OF` says which event sets
    which)."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


class ObligationKind(StrEnum):
    """What an obligation is for."""

    INPUT = "input"  # the client's inputs a milestone needs (also recorded)
    FEEDBACK = "feedback"  # the client's review of a submission
    DECISION = "decision"  # the client's decision on an estimated change
    ESTIMATE = "estimate"  # the provider's estimate of a change request
    APPROVAL = "approval"  # recorded by the provider
    PAYMENT = "payment"  # recorded by the provider
    OTHER = "other"  # recorded by the provider


class ObligationStatus(StrEnum):
    """Where an obligation is: open until met, waived by the provider, or lapsed
    (the feedback on a submission deemed accepted)."""

    OPEN = "open"
    MET = "met"
    WAIVED = "waived"
    LAPSED = "lapsed"


class AdjustmentCause(StrEnum):
    """Whose delay an adjustment of a milestone's due time makes up for."""

    PROVIDER = "provider"
    CLIENT = "client"
    THIRD_PARTY = "third_party"


class AdjustmentKind(StrEnum):
    """Why a milestone's due time moves: a recorded delay, or an approved change."""

    DELAY = "delay"
    CHANGE = "change"


class AdjustmentStatus(StrEnum):
    """An adjustment is proposed, then accepted (in effect) or rejected."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ChangeRequestStatus(StrEnum):
    """A change request is requested, estimated by the provider, then approved or
    rejected by the client."""

    REQUESTED = "requested"
    ESTIMATED = "estimated"
    APPROVED = "approved"
    REJECTED = "rejected"


class InvoiceKind(StrEnum):
    """An invoice, or a credit note that cancels one."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    """Where an invoice is: a draft (no number) until issued, then paid, overdue
    or cancelled (by a credit note)."""

    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


class InvoiceGrouping(StrEnum):
    """How an invoice's time lines are grouped: by rate, or by ticket and rate."""

    RATE = "rate"
    TICKET = "ticket"


class LineKind(StrEnum):
    """What an invoice line bills."""

    TIME = "time"  # time entries
    FIXED = "fixed"  # a fixed-price milestone
    CREDIT = "credit"  # a manual credit (negative)
    OTHER = "other"


class RateSource(StrEnum):
    """The rule that chose an hourly rate (`core.billing`), by precedence."""

    OUT_OF_HOURS = "out_of_hours"
    PRIORITY = "priority"
    ROLE = "role"
    DEFAULT = "default"
