"""The read models of delivery: milestones and their events, adjustments,
obligations, change requests and cadenced commitments, each with an example
for the OpenAPI document. The services in `services.delivery` build them
(`of`, `of_rows`) from rows they have loaded; the API answers with them and the
CLI's `--json` prints them.

Durations of working time are whole seconds (`*_seconds`); a move or lateness in
calendar days is `*days`, never both. Money is a decimal string (`"570.00"`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from slakeeper.core import MilestoneState
from slakeeper.core.delivery import CadencePeriod
from slakeeper.core.states import (
    AdjustmentCause,
    AdjustmentKind,
    AdjustmentStatus,
    ChangeRequestStatus,
    MilestoneStatus,
    ObligationKind,
    ObligationStatus,
    Party,
    ShiftMode,
)
from slakeeper.db.models import (
    Adjustment,
    ChangeRequest,
    CommitmentUpdate,
    Milestone,
    MilestoneEvent,
    Obligation,
)
from slakeeper.services.views.base import ReadModel, examples

__all__ = [
    "AdjustmentRead",
    "AdjustmentResultRead",
    "ChangeRequestList",
    "ChangeRequestRead",
    "CommitmentPeriodRead",
    "CommitmentRead",
    "CommitmentUpdateRead",
    "CommitmentsRead",
    "EffectRead",
    "MilestoneDetailRead",
    "MilestoneEventRead",
    "MilestoneList",
    "MilestoneRead",
    "MilestoneStepRead",
    "ObligationList",
    "ObligationRead",
    "shift_amount",
]

AT = "2027-02-10T15:00:00Z"
NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page."


def _shift(mode: str, amount: int | None) -> tuple[int | None, int | None]:
    """(seconds, days) of an amount stored with its mode."""
    if amount is None:
        return None, None
    return (None, amount) if mode == "calendar_days" else (amount, None)


def shift_amount(mode: str, seconds: int | None, days: int | None) -> int | None:
    """The stored amount of a (`mode`, `*_seconds`, `*days`) triple of a read
    model: the days in mode calendar_days, else the seconds."""
    return days if mode == "calendar_days" else seconds


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount.quantize(Decimal("0.01")))


# -- milestones --------------------------------------------------------------------

_MILESTONE_EXAMPLE: dict[str, Any] = {
    "id": 4,
    "client_id": 1,
    "agreement_id": 3,
    "agreement_version_id": 12,
    "key": "redesign-mockups",
    "title": "Redesign mock-ups",
    "after": None,
    "base_due_at": "2027-02-15T23:00:00Z",
    "started_at": "2026-12-31T23:00:00Z",
    "created_at": "2026-12-31T23:00:00Z",
    "status": "submitted",
    "due_at": "2027-02-15T23:00:00Z",
    "delivered_at": AT,
    "accepted_at": None,
    "review_due_at": "2027-02-17T15:00:00Z",
    "late": False,
    "at_risk": False,
    "computed_at": AT,
    "next_check_at": "2027-02-17T15:00:00Z",
}


class MilestoneRead(ReadModel):
    """A milestone of an agreement with its state as stored after its last
    change (as of `computed_at`; `next_check_at` says when it could next change
    without anything happening)."""

    model_config = examples(_MILESTONE_EXAMPLE)
    id: int
    client_id: int
    agreement_id: int
    agreement_version_id: int = Field(
        description="The agreement version whose terms define it now."
    )
    key: str = Field(description="The agreement's id of the milestone.")
    title: str
    after: str | None = Field(description="The key of the milestone it follows.")
    base_due_at: datetime = Field(
        description="The due time as agreed: the end (24:00) of the agreed date in"
        " the agreement's time zone."
    )
    started_at: datetime = Field(description="When its working time started.")
    created_at: datetime
    status: MilestoneStatus = Field(
        description="planned, in_progress, submitted, changes_requested, accepted"
        " or cancelled."
    )
    due_at: datetime = Field(
        description="The due time after the adjustments that took effect."
    )
    delivered_at: datetime | None = Field(
        description="When the submission under review or accepted came."
    )
    accepted_at: datetime | None = Field(
        description="When the client accepted it (or it was deemed accepted)."
    )
    review_due_at: datetime | None = Field(
        description="When the client's review window for the submission closes."
    )
    late: bool = Field(
        description="Delivered after `due_at`, or nothing delivered and `due_at`"
        " has passed."
    )
    at_risk: bool = Field(
        description="Nothing delivered yet and past the agreement's warning share"
        " of its working time."
    )
    computed_at: datetime = Field(description="The instant the state is of.")
    next_check_at: datetime | None = Field(
        description="When the state could next change without an event."
    )

    @classmethod
    def fields_of(
        cls,
        row: Milestone,
        state: MilestoneState | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """The row's fields; with a `state` derived at `at`, the state then."""
        stored = {
            "id": row.id,
            "client_id": row.client_id,
            "agreement_id": row.agreement_id,
            "agreement_version_id": row.agreement_version_id,
            "key": row.key,
            "title": row.title,
            "after": row.after_key,
            "base_due_at": row.base_due_at,
            "started_at": row.started_at,
            "created_at": row.created_at,
            "status": row.status,
            "due_at": row.due_at,
            "delivered_at": row.delivered_at,
            "accepted_at": row.accepted_at,
            "review_due_at": row.review_due_at,
            "late": row.late,
            "at_risk": row.at_risk,
            "computed_at": row.computed_at,
            "next_check_at": row.next_check_at,
        }
        if state is not None and at is not None:
            stored.update(
                {
                    "status": state.status,
                    "due_at": state.due_at,
                    "delivered_at": state.delivered_at,
                    "accepted_at": state.accepted_at,
                    "review_due_at": state.review_due_at,
                    "late": state.late,
                    "at_risk": state.at_risk,
                    "computed_at": at,
                    "next_check_at": state.next_check_at,
                }
            )
        return stored

    @classmethod
    def of(
        cls,
        row: Milestone,
        state: MilestoneState | None = None,
        at: datetime | None = None,
    ) -> MilestoneRead:
        return cls(**cls.fields_of(row, state, at))


class MilestoneList(ReadModel):
    model_config = examples({"items": [_MILESTONE_EXAMPLE], "next_cursor": "aWQ6NA"})
    items: list[MilestoneRead]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


_EVENT_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "milestone_id": 4,
    "seq": 3,
    "at": AT,
    "kind": "submitted",
    "actor_id": 1,
    "text": "Figma link inside",
    "data": {},
}


class MilestoneEventRead(ReadModel):
    """One step of a milestone's append-only history."""

    model_config = examples(
        {
            **_EVENT_EXAMPLE,
            "seq": 1,
            "kind": "created",
            "actor_id": None,
            "text": None,
            "data": {"version": 1},
        },
        _EVENT_EXAMPLE,
    )
    id: int
    milestone_id: int
    seq: int = Field(description="The event's number in the milestone, from 1.")
    at: datetime
    kind: str = Field(
        description="created, amended, started, submitted, changes_requested,"
        " accepted, deemed_accepted, adjusted or cancelled."
    )
    actor_id: int | None = Field(
        description="The user who acted; null for what the agreement or the"
        " service did."
    )
    text: str | None = Field(description="The note, or the reason of an adjustment.")
    data: dict[str, Any] = Field(
        description="What changed: the agreement version, the amended terms, or the"
        " adjustment (id, mode and amount)."
    )

    @classmethod
    def of(cls, row: MilestoneEvent) -> MilestoneEventRead:
        return cls(
            id=row.id,
            milestone_id=row.milestone_id,
            seq=row.seq,
            at=row.at,
            kind=row.kind,
            actor_id=row.actor_id,
            text=row.text,
            data=dict(row.data or {}),
        )


class MilestoneStepRead(ReadModel):
    """The event a submission or review appended and the milestone after it."""

    model_config = examples({"event": _EVENT_EXAMPLE, "milestone": _MILESTONE_EXAMPLE})
    event: MilestoneEventRead
    milestone: MilestoneRead


# -- adjustments -------------------------------------------------------------------

_ADJUSTMENT_EXAMPLE: dict[str, Any] = {
    "id": 9,
    "milestone_id": 5,
    "client_id": 1,
    "obligation_id": None,
    "change_request_id": None,
    "cause": "third_party",
    "kind": "delay",
    "reason": "Hosting provider migration",
    "mode": "calendar_days",
    "amount_seconds": None,
    "days": 2,
    "status": "proposed",
    "automatic": False,
    "proposed_at": "2027-03-01T08:00:00Z",
    "proposed_by_id": 1,
    "provider_accepted_at": "2027-03-01T08:00:00Z",
    "provider_accepted_by_id": 1,
    "client_accepted_at": None,
    "client_accepted_by_id": None,
    "decided_at": None,
    "rejected_by_id": None,
}


class AdjustmentRead(ReadModel):
    """A move of a milestone's due time with its cause and reason: in effect once
    both sides accepted it (or at once, where the agreement makes client-caused
    adjustments automatic, and for an approved change request)."""

    model_config = examples(_ADJUSTMENT_EXAMPLE)
    id: int
    milestone_id: int
    client_id: int
    obligation_id: int | None = Field(
        description="The client obligation met late that proposed it."
    )
    change_request_id: int | None = Field(
        description="The change request that moved the milestone."
    )
    cause: AdjustmentCause = Field(
        description="Whose delay it is: provider, client, third_party."
    )
    kind: AdjustmentKind = Field(
        description="delay, or change (an approved change request)."
    )
    reason: str
    mode: ShiftMode = Field(description="working_time or calendar_days.")
    amount_seconds: int | None = Field(
        description="The move in working time of the agreement's calendar"
        " (mode working_time)."
    )
    days: int | None = Field(
        description="The move in calendar days (mode calendar_days)."
    )
    status: AdjustmentStatus = Field(description="proposed, accepted or rejected.")
    automatic: bool = Field(description="It took effect without acceptance.")
    proposed_at: datetime
    proposed_by_id: int | None = Field(
        description="The user who proposed it; null when the service did."
    )
    provider_accepted_at: datetime | None
    provider_accepted_by_id: int | None
    client_accepted_at: datetime | None
    client_accepted_by_id: int | None
    decided_at: datetime | None = Field(
        description="When it took effect or was rejected."
    )
    rejected_by_id: int | None

    @classmethod
    def of(cls, row: Adjustment) -> AdjustmentRead:
        seconds, days = _shift(row.mode, row.amount)
        return cls(
            id=row.id,
            milestone_id=row.milestone_id,
            client_id=row.client_id,
            obligation_id=row.obligation_id,
            change_request_id=row.change_request_id,
            cause=row.cause,
            kind=row.kind,
            reason=row.reason,
            mode=row.mode,
            amount_seconds=seconds,
            days=days,
            status=row.status,
            automatic=row.automatic,
            proposed_at=row.proposed_at,
            proposed_by_id=row.proposed_by_id,
            provider_accepted_at=row.provider_accepted_at,
            provider_accepted_by_id=row.provider_accepted_by_id,
            client_accepted_at=row.client_accepted_at,
            client_accepted_by_id=row.client_accepted_by_id,
            decided_at=row.decided_at,
            rejected_by_id=row.rejected_by_id,
        )


class MilestoneDetailRead(MilestoneRead):
    """A milestone with every adjustment proposed for it, oldest first."""

    model_config = examples(
        {
            **_MILESTONE_EXAMPLE,
            "adjustments": [{**_ADJUSTMENT_EXAMPLE, "milestone_id": 4}],
        }
    )
    adjustments: list[AdjustmentRead]

    @classmethod
    def of_rows(
        cls,
        row: Milestone,
        adjustments: list[Adjustment],
        state: MilestoneState,
        at: datetime,
    ) -> MilestoneDetailRead:
        return cls(
            **cls.fields_of(row, state, at),
            adjustments=[AdjustmentRead.of(a) for a in adjustments],
        )


class AdjustmentResultRead(ReadModel):
    """An adjustment and its milestone as they are after the request."""

    model_config = examples(
        {
            "adjustment": _ADJUSTMENT_EXAMPLE,
            "milestone": {
                **_MILESTONE_EXAMPLE,
                "id": 5,
                "key": "launch",
                "title": "New site live",
                "after": "redesign-mockups",
                "status": "planned",
            },
        }
    )
    adjustment: AdjustmentRead
    milestone: MilestoneRead


# -- obligations -------------------------------------------------------------------

_OBLIGATION_EXAMPLE: dict[str, Any] = {
    "id": 6,
    "client_id": 1,
    "agreement_id": 3,
    "milestone_id": 4,
    "change_request_id": None,
    "kind": "input",
    "party": "client",
    "title": "Brand assets and logo files",
    "started_at": "2026-12-31T23:00:00Z",
    "due_at": "2027-01-15T23:00:00Z",
    "status": "met",
    "met_at": "2027-01-19T11:00:00Z",
    "met_by_id": 1,
    "shift_mode": "working_time",
    "lateness_seconds": 37800,
    "lateness_days": None,
    "note": "Received by e-mail",
    "created_at": "2026-12-31T23:00:00Z",
}


class ObligationRead(ReadModel):
    """Something one party owes by a due time: the client's inputs, feedback on
    submissions and decisions on change requests, the provider's estimates."""

    model_config = examples(_OBLIGATION_EXAMPLE)
    id: int
    client_id: int
    agreement_id: int
    milestone_id: int | None = Field(
        description="The milestone that depends on it (input, feedback)."
    )
    change_request_id: int | None = Field(
        description="The change request it is about (estimate, decision)."
    )
    kind: ObligationKind = Field(description="input, feedback, decision, estimate, ...")
    party: Party = Field(description="Who owes it: client or provider.")
    title: str
    started_at: datetime
    due_at: datetime
    status: ObligationStatus = Field(
        description="open, met, waived, or lapsed (feedback on a submission that"
        " was deemed accepted)."
    )
    met_at: datetime | None = Field(description="When it was met or waived.")
    met_by_id: int | None
    shift_mode: ShiftMode = Field(
        description="How its lateness moves milestones: working_time or calendar_days."
    )
    lateness_seconds: int | None = Field(
        description="How late it was met, in working time (shift_mode"
        " working_time); null until met."
    )
    lateness_days: int | None = Field(
        description="How late it was met, in calendar days, a started day counting"
        " as a day (shift_mode calendar_days); null until met."
    )
    note: str | None = Field(description="The note it was met with, or why waived.")
    created_at: datetime

    @classmethod
    def of(cls, row: Obligation) -> ObligationRead:
        seconds, days = _shift(row.shift_mode, row.lateness)
        return cls(
            id=row.id,
            client_id=row.client_id,
            agreement_id=row.agreement_id,
            milestone_id=row.milestone_id,
            change_request_id=row.change_request_id,
            kind=row.kind,
            party=row.party,
            title=row.title,
            started_at=row.started_at,
            due_at=row.due_at,
            status=row.status,
            met_at=row.met_at,
            met_by_id=row.met_by_id,
            shift_mode=row.shift_mode,
            lateness_seconds=seconds,
            lateness_days=days,
            note=row.note,
            created_at=row.created_at,
        )


class ObligationList(ReadModel):
    model_config = examples({"items": [_OBLIGATION_EXAMPLE], "next_cursor": None})
    items: list[ObligationRead]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


# -- change requests ---------------------------------------------------------------


class EffectRead(ReadModel):
    model_config = examples(
        {
            "milestone": "launch",
            "mode": "calendar_days",
            "amount_seconds": None,
            "days": 2,
        }
    )
    milestone: str = Field(description="The milestone's key.")
    mode: ShiftMode = Field(description="working_time or calendar_days.")
    amount_seconds: int | None = Field(description="The move in working time.")
    days: int | None = Field(description="The move in calendar days.")

    @classmethod
    def of(cls, effect: dict[str, Any]) -> EffectRead:
        mode = ShiftMode(effect["mode"])
        seconds, days = _shift(mode, int(effect["amount"]))
        return cls(
            milestone=str(effect["milestone"]),
            mode=mode,
            amount_seconds=seconds,
            days=days,
        )


_CHANGE_EXAMPLE: dict[str, Any] = {
    "id": 2,
    "key": "ACME-CR-1",
    "number": 1,
    "client_id": 1,
    "agreement_id": 3,
    "title": "Add a blog section",
    "body": "With categories.",
    "status": "estimated",
    "requested_at": "2027-02-01T09:00:00Z",
    "requested_by_id": 4,
    "effort_seconds": 21600,
    "cost": "570.00",
    "currency": "EUR",
    "effects": [
        {
            "milestone": "launch",
            "mode": "calendar_days",
            "amount_seconds": None,
            "days": 2,
        }
    ],
    "estimated_at": "2027-02-02T08:00:00Z",
    "estimated_by_id": 2,
    "decided_at": None,
    "decided_by_id": None,
    "decision_note": "Six hours, launch two days later.",
}


class ChangeRequestRead(ReadModel):
    """A change request: requested, estimated by the provider, then approved or
    rejected by the client."""

    model_config = examples(_CHANGE_EXAMPLE)
    id: int
    key: str = Field(description="The client's key and its number: ACME-CR-1.")
    number: int = Field(description="Counted per client, from 1.")
    client_id: int
    agreement_id: int
    title: str
    body: str
    status: ChangeRequestStatus = Field(
        description="requested, estimated, approved or rejected."
    )
    requested_at: datetime
    requested_by_id: int
    effort_seconds: int | None = Field(description="The estimated effort.")
    cost: str | None = Field(description="The estimated cost, a decimal string.")
    currency: str | None = Field(
        description="The currency of the cost (the agreement's billing currency)."
    )
    effects: list[EffectRead] = Field(description="How an approval moves milestones.")
    estimated_at: datetime | None
    estimated_by_id: int | None
    decided_at: datetime | None
    decided_by_id: int | None
    decision_note: str | None = Field(
        description="The note of the decision, else of the estimate."
    )

    @classmethod
    def of(cls, row: ChangeRequest) -> ChangeRequestRead:
        return cls(
            id=row.id,
            key=row.key,
            number=row.number,
            client_id=row.client_id,
            agreement_id=row.agreement_id,
            title=row.title,
            body=row.body,
            status=row.status,
            requested_at=row.requested_at,
            requested_by_id=row.requested_by_id,
            effort_seconds=row.estimate_seconds,
            cost=_money(row.cost),
            currency=row.currency,
            effects=[EffectRead.of(e) for e in row.effects or []],
            estimated_at=row.estimated_at,
            estimated_by_id=row.estimated_by_id,
            decided_at=row.decided_at,
            decided_by_id=row.decided_by_id,
            decision_note=row.decision_note,
        )


class ChangeRequestList(ReadModel):
    model_config = examples({"items": [_CHANGE_EXAMPLE], "next_cursor": None})
    items: list[ChangeRequestRead]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


# -- commitments -------------------------------------------------------------------

_PERIODS_EXAMPLE: list[dict[str, Any]] = [
    {
        "start": "2026-12-31T23:00:00Z",
        "end": "2027-01-01T23:00:00Z",
        "met_at": "2027-01-01T15:00:00Z",
        "state": "met",
    },
    {
        "start": "2027-01-01T23:00:00Z",
        "end": "2027-01-08T23:00:00Z",
        "met_at": None,
        "state": "missed",
    },
    {
        "start": "2027-01-08T23:00:00Z",
        "end": "2027-01-15T23:00:00Z",
        "met_at": None,
        "state": "open",
    },
]


class CommitmentPeriodRead(ReadModel):
    """One period of a cadenced commitment: met by an update in `[start, end)`."""

    model_config = examples(_PERIODS_EXAMPLE[0])
    start: datetime
    end: datetime = Field(
        description="The end of its due day in the agreement's time zone."
    )
    met_at: datetime | None = Field(description="The first update inside it.")
    state: Literal["met", "missed", "open"] = Field(
        description="met, missed (ended without an update) or open, at `at`."
    )


class CommitmentRead(ReadModel):
    """A cadenced commitment of the provider with its periods up to the one
    open at `at`."""

    model_config = examples(
        {
            "commitment": "Progress update by e-mail",
            "every": "1 week",
            "missed": 1,
            "periods": _PERIODS_EXAMPLE,
        }
    )
    commitment: str = Field(description="Its wording in the agreement.")
    every: str = Field(description="Its cadence: 1 week, 1 month, ...")
    missed: int = Field(description="The periods missed.")
    periods: list[CommitmentPeriodRead]

    @classmethod
    def of(
        cls, commitment: str, every: str, periods: Sequence[CadencePeriod], at: datetime
    ) -> CommitmentRead:
        """A commitment with its periods judged at `at`."""
        read = [
            CommitmentPeriodRead.model_validate(
                {
                    "start": p.start,
                    "end": p.end,
                    "met_at": p.met_at,
                    "state": p.state(at),
                }
            )
            for p in periods
        ]
        return cls(
            commitment=commitment,
            every=every,
            missed=sum(1 for p in read if p.state == "missed"),
            periods=read,
        )


class CommitmentsRead(ReadModel):
    """The cadenced commitments of the agreement in force with a client at `at`;
    none before the first agreement."""

    model_config = examples(
        {
            "client_id": 1,
            "at": "2027-01-12T08:00:00Z",
            "commitments": [
                {
                    "commitment": "Progress update by e-mail",
                    "every": "1 week",
                    "missed": 1,
                    "periods": _PERIODS_EXAMPLE,
                }
            ],
        }
    )
    client_id: int
    at: datetime = Field(description="The instant the periods are judged at.")
    commitments: list[CommitmentRead]


class CommitmentUpdateRead(ReadModel):
    model_config = examples(
        {
            "id": 3,
            "client_id": 1,
            "agreement_id": 3,
            "commitment": "Progress update by e-mail",
            "at": "2027-01-08T15:00:00Z",
            "actor_id": 1,
            "text": "Week 2: templates done.",
        }
    )
    id: int
    client_id: int
    agreement_id: int
    commitment: str = Field(description="The commitment as the agreement words it.")
    at: datetime = Field(description="When it was recorded (the update's instant).")
    actor_id: int | None
    text: str

    @classmethod
    def of(cls, row: CommitmentUpdate) -> CommitmentUpdateRead:
        return cls(
            id=row.id,
            client_id=row.client_id,
            agreement_id=row.agreement_id,
            commitment=row.commitment,
            at=row.at,
            actor_id=row.actor_id,
            text=row.text,
        )
