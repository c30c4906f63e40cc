"""The rows. Every row carries `workspace_id`, and every tenant index starts with it.

Agreement versions and approvals are immutable (database triggers refuse UPDATE
and DELETE, see the first migration); a version's lifecycle lives in
`VersionState`, which moves on.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slakeeper.core.clock import ClockState
from slakeeper.core.milestones import MilestoneKind
from slakeeper.core.states import (
    AdjustmentCause,
    AdjustmentKind,
    AdjustmentStatus,
    ChangeRequestStatus,
    InvoiceGrouping,
    InvoiceKind,
    InvoiceStatus,
    LineKind,
    MailOutcome,
    MilestoneStatus,
    ObligationKind,
    ObligationStatus,
    Party,
    RateSource,
    Role,
    ShiftMode,
    VersionStatus,
)
from slakeeper.core.tickets import PAYMENT_KINDS, EventKind
from slakeeper.db.base import Base, UTCDateTime

__all__ = [
    "Adjustment",
    "Agreement",
    "AgreementVersion",
    "ApiToken",
    "Approval",
    "AuditEntry",
    "BillingParty",
    "ChangeRequest",
    "Client",
    "Comment",
    "CommitmentUpdate",
    "Counter",
    "FeedToken",
    "IdempotencyKey",
    "InboundMail",
    "Invoice",
    "InvoiceLine",
    "InvoiceLineEntry",
    "MailOutcome",
    "MailQuarantine",
    "ManualCredit",
    "Milestone",
    "MilestoneEvent",
    "Obligation",
    "Payment",
    "Role",
    "RunningTimer",
    "Ticket",
    "TicketEvent",
    "TimeEntry",
    "User",
    "VersionState",
    "VersionStatus",
    "Workspace",
]


def _enum(cls: type[enum.StrEnum], column: str, length: int = 20) -> Enum:
    """A column holding one of `cls`'s values (stored as the value, in a VARCHAR
    of `length`), refused by the database otherwise: the CHECK constraint
    `ck_<table>_<column>`. Migrations add it with `ddl.check_values` (on SQLite
    as triggers, so append-only tables keep theirs)."""
    return Enum(
        cls,
        name=column,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class Workspace(Base):
    __tablename__ = "workspace"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Client(Base):
    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(20))  # ticket prefix: ACME-42
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_workspace_user", "workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    prefix: Mapped[str] = mapped_column(String(16))  # shown to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Agreement(Base):
    """One agreement with a client: a thread of versions."""

    __tablename__ = "agreement"
    __table_args__ = (
        Index("ix_agreement_workspace_client", "workspace_id", "client_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementVersion(Base):
    """Immutable content of one version: the file, its canonical bytes and hash."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        Index(
            "ix_agreement_version_workspace_agreement", "workspace_id", "agreement_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    number: Mapped[int] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    canonical_json: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    effective_on: Mapped[date] = mapped_column(Date)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_version.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VersionState(Base):
    """Where a version is in its lifecycle (the part of a version that moves on)."""

    __tablename__ = "version_state"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus, "status"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Approval(Base):
    """Who approved which exact content (immutable)."""

    __tablename__ = "approval"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    party: Mapped[Party] = mapped_column(_enum(Party, "party", 10))
    sha256: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_workspace_version", "workspace_id", "version_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    anchor: Mapped[str | None] = mapped_column(String(300))  # e.g. priorities.high
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AuditEntry(Base):
    """One link of a workspace's hash-chained, append-only audit log."""

    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("workspace_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Milestone(Base):
    """A milestone of an agreement, taken from the active version (and from later
    amendments). Everything after `created_at` is materialised from its events and
    accepted adjustments (services/delivery/milestones.py) at `computed_at`."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("agreement_id", "key"),
        Index("ix_milestone_workspace_client", "workspace_id", "client_id"),
        Index("ix_milestone_workspace_next_check", "workspace_id", "next_check_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    # the version whose terms define it now (the newest that names it)
    agreement_version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id")
    )
    key: Mapped[str] = mapped_column(String(100))  # the agreement's milestone id
    title: Mapped[str] = mapped_column(String(300))
    after_key: Mapped[str | None] = mapped_column(String(100))
    base_due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # as agreed
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # -- materialised from the events and accepted adjustments -------------------
    status: Mapped[MilestoneStatus] = mapped_column(
        _enum(MilestoneStatus, "status", 30)
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # after adjustments
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean)
    at_risk: Mapped[bool] = mapped_column(Boolean)
    last_seq: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # -- read-only paths for loading a page's children at once (selectinload) -----
    version: Mapped[AgreementVersion] = relationship(viewonly=True, lazy="raise")
    events: Mapped[list[MilestoneEvent]] = relationship(
        viewonly=True, order_by="MilestoneEvent.seq", lazy="raise"
    )
    adjustments: Mapped[list[Adjustment]] = relationship(
        viewonly=True, order_by="Adjustment.id", lazy="raise"
    )


class MilestoneEvent(Base):
    """One step of a milestone (append-only: the database refuses UPDATE and
    DELETE)."""

    __tablename__ = "milestone_event"
    __table_args__ = (
        UniqueConstraint("milestone_id", "seq"),
        Index("ix_milestone_event_workspace_milestone", "workspace_id", "milestone_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[MilestoneKind] = mapped_column(_enum(MilestoneKind, "kind", 30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Obligation(Base):
    """Something one party owes by a due time: the client's inputs, feedback,
    decisions and payments, and the provider's estimates of change requests."""

    __tablename__ = "obligation"
    __table_args__ = (
        Index(
            "ix_obligation_workspace_client_status",
            "workspace_id",
            "client_id",
            "status",
        ),
        Index("ix_obligation_workspace_due", "workspace_id", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"))
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_request.id")
    )
    kind: Mapped[ObligationKind] = mapped_column(_enum(ObligationKind, "kind"))
    party: Mapped[Party] = mapped_column(_enum(Party, "party", 10))  # who owes it
    title: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ObligationStatus] = mapped_column(_enum(ObligationStatus, "status"))
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    met_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # how late it was met: working seconds or calendar days, per `shift_mode`
    lateness: Mapped[int | None] = mapped_column(Integer)
    shift_mode: Mapped[ShiftMode] = mapped_column(_enum(ShiftMode, "shift_mode"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Adjustment(Base):
    """A move of a milestone's due time, with its cause and reason: proposed when
    an obligation is met late (or a delay is recorded, or a change approved),
    in effect once accepted by both sides or automatically where agreed."""

    __tablename__ = "adjustment"
    __table_args__ = (
        Index("ix_adjustment_workspace_milestone", "workspace_id", "milestone_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligation.id"))
    change_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_request.id")
    )
    cause: Mapped[AdjustmentCause] = mapped_column(_enum(AdjustmentCause, "cause"))
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind, "kind"))
    reason: Mapped[str] = mapped_column(Text)
    mode: Mapped[ShiftMode] = mapped_column(_enum(ShiftMode, "mode"))
    amount: Mapped[int] = mapped_column(Integer)  # working seconds or days
    status: Mapped[AdjustmentStatus] = mapped_column(_enum(AdjustmentStatus, "status"))
    automatic: Mapped[bool] = mapped_column(Boolean)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    provider_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id")
    )
    client_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    client_accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ChangeRequest(Base):
    """A change the client asks for: estimated by the provider, then approved or
    rejected by the client; an approved change moves the milestones it names."""

    __tablename__ = "change_request"
    __table_args__ = (
        UniqueConstraint("workspace_id", "client_id", "number"),
        UniqueConstraint("workspace_id", "key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    number: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))  # ACME-CR-3
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        _enum(ChangeRequestStatus, "status")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    estimate_seconds: Mapped[int | None] = mapped_column(Integer)  # effort
    cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    # [{"milestone": key, "mode": ..., "amount": int}]
    effects: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    estimated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    estimated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)


class CommitmentUpdate(Base):
    """An update the provider recorded for a cadenced commitment (append-only)."""

    __tablename__ = "commitment_update"
    __table_args__ = (
        Index(
            "ix_commitment_update_workspace_agreement", "workspace_id", "agreement_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    commitment: Mapped[str] = mapped_column(String(300))  # as the agreement words it
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)


class IdempotencyKey(Base):
    """The first response to a creating API request sent with an `Idempotency-Key`:
    a retry with the same key (per user) gets it back and creates nothing."""

    __tablename__ = "idempotency_key"
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path, body
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)  # the JSON sent the first time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Ticket(Base):
    """A request from a client, governed for its whole life by the agreement version
    in force when it was opened. Everything after `created_at` is materialised
    from the ticket's events (services/tickets.py) and always equals a
    recomputation from them at `computed_at`."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("workspace_id", "client_id", "number"),
        UniqueConstraint("workspace_id", "key"),
        Index(
            "ix_ticket_workspace_client_status", "workspace_id", "client_id", "status"
        ),
        Index("ix_ticket_workspace_next_check", "workspace_id", "next_check_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id")
    )
    number: Mapped[int] = mapped_column(Integer)  # per client
    key: Mapped[str] = mapped_column(String(40))  # ACME-42
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # -- materialised from the events --------------------------------------------
    priority: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(50))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_seq: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_state: Mapped[ClockState | None] = mapped_column(
        _enum(ClockState, "response_state", 10)
    )
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_breached: Mapped[bool] = mapped_column(Boolean)
    resolution_state: Mapped[ClockState | None] = mapped_column(
        _enum(ClockState, "resolution_state", 10)
    )
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_breached: Mapped[bool] = mapped_column(Boolean)
    update_state: Mapped[ClockState | None] = mapped_column(
        _enum(ClockState, "update_state", 10)
    )
    update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    update_breaches: Mapped[int] = mapped_column(Integer)  # cycles past due
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # next running due
    at_risk: Mapped[bool] = mapped_column(Boolean)
    breached: Mapped[bool] = mapped_column(Boolean)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TicketEvent(Base):
    """One change of a ticket (append-only: the database refuses UPDATE and
    DELETE). `seq` counts a ticket's events from 1 (`created`)."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        # the engine's event kinds and the payment pauses the invoice service writes
        CheckConstraint(
            "kind IN ({})".format(
                ", ".join(f"'{k}'" for k in (*EventKind, *PAYMENT_KINDS))
            ),
            name="kind",
        ),
        UniqueConstraint("ticket_id", "seq"),
        Index("ix_ticket_event_workspace_ticket", "workspace_id", "ticket_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class TimeEntry(Base):
    """Time worked for a client, kept as tracked: `seconds` is the raw duration
    (rounding and rates apply only when an invoice is built). An entry given by
    its start and end has `seconds == ended_at - started_at` (whole seconds); one
    given as a duration has neither and is dated by `worked_at` alone.

    `worked_at` is the instant the entry counts at in periods (its start, or the
    instant given with a duration). Approved or invoiced entries are locked
    (services/time_entries.py). `invoice_id` will reference the invoice table,
    which comes later: a plain integer until then. Edits go to the audit log.
    """

    __tablename__ = "time_entry"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source", "external_id"),
        CheckConstraint("seconds >= 0", name="seconds_not_negative"),
        CheckConstraint(
            "(started_at IS NULL) = (ended_at IS NULL)", name="start_and_end_together"
        ),
        CheckConstraint(
            "started_at IS NULL OR ended_at >= started_at", name="ends_after_start"
        ),
        Index(
            "ix_time_entry_workspace_client_worked",
            "workspace_id",
            "client_id",
            "worked_at",
        ),
        Index(
            "ix_time_entry_workspace_user_worked",
            "workspace_id",
            "user_id",
            "worked_at",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # who worked
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    milestone_key: Mapped[str | None] = mapped_column(String(100))  # agreement's id
    worked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    billable: Mapped[bool] = mapped_column(Boolean)
    # timer, manual, upwork_tracked, upwork_manual or import:<tool>
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    invoice_id: Mapped[int | None] = mapped_column(Integer)  # invoice table: later


class RunningTimer(Base):
    """A user's running timer: at most one per user, enforced by the database
    (`user_id` is unique). Stopping it deletes the row and writes its time entry
    in the same transaction."""

    __tablename__ = "running_timer"
    __table_args__ = (
        UniqueConstraint("user_id"),
        Index("ix_running_timer_workspace_client", "workspace_id", "client_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    milestone_key: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
    billable: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboundMail(Base):
    """An e-mail taken from the inbound mailbox: at most one row per Message-ID
    and workspace, written in the transaction that acts on it (services/mail.py),
    so a message is never taken twice nor half-taken."""

    __tablename__ = "inbound_mail"
    __table_args__ = (UniqueConstraint("workspace_id", "message_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    message_id: Mapped[str] = mapped_column(String(250))  # without <>, or sha256:...
    sender: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its Date
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the fetch run
    outcome: Mapped[MailOutcome] = mapped_column(_enum(MailOutcome, "outcome"))
    # the ticket it opened or replied to (also once a quarantined mail is released)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))


class MailQuarantine(Base):
    """An inbound e-mail nobody could be found to act for, kept whole until a
    provider releases it (as sent by a client contact) or discards it. Never
    deleted: a discarded one keeps `discarded_at` and the reason."""

    __tablename__ = "mail_quarantine"
    __table_args__ = (
        Index("ix_mail_quarantine_workspace_received", "workspace_id", "received_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    inbound_mail_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_mail.id"), unique=True
    )
    message_id: Mapped[str] = mapped_column(String(250))
    sender: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)  # unknown sender, ...
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # the whole message as received
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_as_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    discard_reason: Mapped[str | None] = mapped_column(Text)


class FeedToken(Base):
    """A token that reads one client's deadlines as an iCalendar feed
    (services/feeds.py). It goes into a URL that calendar apps store, so it can do
    nothing else; only its SHA-256 is stored, and it can be revoked."""

    __tablename__ = "feed_token"
    __table_args__ = (
        Index("ix_feed_token_workspace_client", "workspace_id", "client_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    prefix: Mapped[str] = mapped_column(String(16))  # shown to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BillingParty(Base):
    """Who an invoice is from or to, as invoices name them: the provider's own
    details (`client_id` NULL; also its invoice number pattern and bank account)
    or one client's. One row per workspace and client at most (services/
    invoices.py keeps it so, under the workspace's write lock)."""

    __tablename__ = "billing_party"
    __table_args__ = (
        Index("ix_billing_party_workspace_client", "workspace_id", "client_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    name: Mapped[str | None] = mapped_column(String(200))  # else the agreement's
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    address_lines: Mapped[list[str]] = mapped_column(JSON)
    postcode: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    tax_id: Mapped[str | None] = mapped_column(String(50))  # VAT id
    email: Mapped[str | None] = mapped_column(String(320))
    iban: Mapped[str | None] = mapped_column(String(34))  # the provider's
    number_pattern: Mapped[str | None] = mapped_column(String(100))  # the provider's
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Invoice(Base):
    """An invoice or a credit note for a client. A draft has no number and can be
    deleted; issuing assigns the next number of the workspace's series and
    freezes it. An issued invoice is never edited or deleted: it is paid, turns
    overdue, or is cancelled by a credit note (`kind` credit_note, `refers_to_id`
    the invoice) that mirrors it with negative amounts
    (services/invoicing/invoices.py)."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        CheckConstraint(
            "(status = 'draft') = (number IS NULL)", name="numbered_once_issued"
        ),
        Index("ix_invoice_workspace_client", "workspace_id", "client_id"),
        Index("ix_invoice_workspace_status_due", "workspace_id", "status", "due_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id")
    )
    kind: Mapped[InvoiceKind] = mapped_column(_enum(InvoiceKind, "kind"))
    number: Mapped[str | None] = mapped_column(String(100))  # set when issued
    status: Mapped[InvoiceStatus] = mapped_column(_enum(InvoiceStatus, "status"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # the last day, included
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    net_amount: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    tax_amount: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    gross_amount: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))  # percent
    tax_id: Mapped[str | None] = mapped_column(String(50))  # the provider's
    group_by: Mapped[InvoiceGrouping] = mapped_column(
        _enum(InvoiceGrouping, "group_by")
    )
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    note: Mapped[str | None] = mapped_column(Text)  # a credit note's reason
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # when the agreement's payment-delay rule paused the named ticket clocks
    payment_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ManualCredit(Base):
    """A credit owed to a client, entered with its reason (an amount, or a
    percentage of the net of the invoice it goes on); it becomes a negative line
    of the client's next invoice and is consumed (`invoice_id`) when that
    invoice is issued."""

    __tablename__ = "manual_credit"
    __table_args__ = (
        CheckConstraint(
            "(amount IS NULL) != (percent IS NULL)", name="amount_or_percent"
        ),
        Index("ix_manual_credit_workspace_client", "workspace_id", "client_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    currency: Mapped[str | None] = mapped_column(String(3))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))


class InvoiceLine(Base):
    """One line of an invoice: `quantity` `unit`s at `unit_price`, net `amount`.
    A time line keeps the raw and the rounded seconds it bills; a fixed line its
    milestone; a credit line its manual credit."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        Index("ix_invoice_line_workspace_invoice", "workspace_id", "invoice_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    position: Mapped[int] = mapped_column(Integer)  # from 1
    kind: Mapped[LineKind] = mapped_column(_enum(LineKind, "kind"))
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit: Mapped[str] = mapped_column(String(3))  # HUR, C62
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    raw_seconds: Mapped[int] = mapped_column(Integer)
    rounded_seconds: Mapped[int] = mapped_column(Integer)
    rate_source: Mapped[RateSource | None] = mapped_column(
        _enum(RateSource, "rate_source")
    )
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"))
    credit_id: Mapped[int | None] = mapped_column(ForeignKey("manual_credit.id"))


class InvoiceLineEntry(Base):
    """A time entry billed on a line, with its raw and rounded seconds, the rate
    and the rule that chose it. An entry split by the office calendar is on two
    lines. `entry_updated_at` is the entry as the draft saw it: issuing a draft
    whose entries changed since is refused."""

    __tablename__ = "invoice_line_entry"
    __table_args__ = (
        UniqueConstraint("line_id", "time_entry_id"),
        Index("ix_invoice_line_entry_workspace_entry", "workspace_id", "time_entry_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("invoice_line.id"))
    # a draft does not lock its entries: deleting one drops it from the draft
    time_entry_id: Mapped[int] = mapped_column(
        ForeignKey("time_entry.id", ondelete="CASCADE")
    )
    entry_updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    raw_seconds: Mapped[int] = mapped_column(Integer)
    rounded_seconds: Mapped[int] = mapped_column(Integer)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    rate_source: Mapped[RateSource] = mapped_column(_enum(RateSource, "rate_source"))


class Payment(Base):
    """Money received against an issued invoice (append-only: the database
    refuses UPDATE and DELETE)."""

    __tablename__ = "payment"
    __table_args__ = (
        Index("ix_payment_workspace_invoice", "workspace_id", "invoice_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Counter(Base):
    """The next value of one numbered series of a workspace (services/counters.py
    hands them out under a lock, in the caller's transaction). `series` names
    what is numbered: `invoice/<pattern with its date parts filled in>`
    (`invoice/2027-{seq}`), `ticket/<client id>`, `change_request/<client id>`."""

    __tablename__ = "counter"
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id"), primary_key=True
    )
    series: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)
