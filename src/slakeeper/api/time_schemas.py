"""What the time-tracking API reads and writes: entries, timers and the approval
of a period, each with an example for the OpenAPI document. Times are raw whole
seconds (`*_seconds`), as tracked; instants carry their UTC offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from slakeeper.api.schemas import _examples
from slakeeper.db.models import RunningTimer, TimeEntry
from slakeeper.services.time_entries import (
    EntryStatus,
    PeriodApproval,
    Totals,
    entry_status,
)

__all__ = [
    "TimeApprovalCreate",
    "TimeApprovalRead",
    "TimeEntryCreate",
    "TimeEntryList",
    "TimeEntryRead",
    "TimeEntryUpdate",
    "TimeTotalsRead",
    "TimerCurrentRead",
    "TimerRead",
    "TimerStart",
    "TimerStop",
]

AT = "2027-01-04T09:00:00Z"
END = "2027-01-04T10:30:00Z"
SOURCE = (
    "Where the time comes from: `manual` (the default), `upwork_tracked`,"
    " `upwork_manual` or `import:<tool>` (`timer` entries come from stopping a"
    " timer)."
)

# -- entries ---------------------------------------------------------------------


class TimeEntryCreate(BaseModel):
    """Time worked for a client: `started_at` and `ended_at`, or
    `duration_seconds` (dated by `worked_at`, default now). Never in the future."""

    model_config = _examples(
        {
            "client_id": 1,
            "started_at": AT,
            "ended_at": END,
            "note": "Fixed the checkout error",
            "ticket_id": 42,
        },
        {
            "client_id": 1,
            "duration_seconds": 2700,
            "worked_at": AT,
            "note": "Weekly call",
            "billable": False,
        },
        {
            "client_id": 1,
            "started_at": AT,
            "ended_at": END,
            "source": "upwork_tracked",
            "external_id": "38123456-2027-01-04-1",
        },
    )
    client_id: int
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    duration_seconds: int | None = Field(
        default=None, ge=1, description="Instead of a start and an end."
    )
    worked_at: AwareDatetime | None = Field(
        default=None, description="When a duration was worked (default: now)."
    )
    note: str = Field(default="", max_length=2000)
    billable: bool = True
    ticket_id: int | None = None
    milestone_key: str | None = Field(
        default=None,
        max_length=100,
        description="A milestone id of the agreement in force when worked.",
    )
    user_id: int | None = Field(
        default=None, description="Whose time (owners only; default: yours)."
    )
    source: str = Field(default="manual", max_length=40, description=SOURCE)
    external_id: str | None = Field(
        default=None,
        max_length=200,
        description="The id in the source (unique per source): an import run"
        " twice records nothing twice.",
    )


class TimeEntryUpdate(BaseModel):
    """What changes (an absent field stays as it is). A `duration_seconds` sets
    the end after the start (or the duration of an entry given as one)."""

    model_config = _examples(
        {"ended_at": "2027-01-04T11:00:00Z", "note": "Checkout fix and deploy"},
        {"duration_seconds": 3600, "billable": False},
    )
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    duration_seconds: int | None = Field(default=None, ge=1)
    worked_at: AwareDatetime | None = None
    note: str | None = Field(default=None, max_length=2000)
    billable: bool | None = None


_ENTRY_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "client_id": 1,
    "user_id": 2,
    "ticket_id": 42,
    "milestone_key": None,
    "worked_at": AT,
    "started_at": AT,
    "ended_at": END,
    "seconds": 5400,
    "note": "Fixed the checkout error",
    "billable": True,
    "source": "timer",
    "external_id": None,
    "status": "open",
    "created_at": END,
    "updated_at": END,
    "approved_at": None,
    "approved_by_id": None,
    "invoice_id": None,
}


class TimeEntryRead(BaseModel):
    """An entry as tracked. `status` is `open`, `approved` or `invoiced`; approved
    and invoiced entries are locked."""

    model_config = _examples(_ENTRY_EXAMPLE)
    id: int
    client_id: int
    user_id: int = Field(description="Whose time it is.")
    ticket_id: int | None
    milestone_key: str | None
    worked_at: datetime = Field(description="When it counts in periods.")
    started_at: datetime | None
    ended_at: datetime | None
    seconds: int = Field(description="Raw seconds, as tracked (never rounded).")
    note: str
    billable: bool
    source: str
    external_id: str | None
    status: EntryStatus
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    approved_by_id: int | None
    invoice_id: int | None

    @classmethod
    def of(cls, row: TimeEntry) -> TimeEntryRead:
        return cls(
            id=row.id,
            client_id=row.client_id,
            user_id=row.user_id,
            ticket_id=row.ticket_id,
            milestone_key=row.milestone_key,
            worked_at=row.worked_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            seconds=row.seconds,
            note=row.note,
            billable=row.billable,
            source=row.source,
            external_id=row.external_id,
            status=entry_status(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
            approved_at=row.approved_at,
            approved_by_id=row.approved_by_id,
            invoice_id=row.invoice_id,
        )


class TimeTotalsRead(BaseModel):
    model_config = _examples({"count": 3, "seconds": 9000, "billable_seconds": 6300})
    count: int
    seconds: int = Field(description="Raw seconds of all the entries.")
    billable_seconds: int = Field(description="Raw seconds of the billable ones.")

    @classmethod
    def of(cls, totals: Totals) -> TimeTotalsRead:
        return cls(
            count=totals.count,
            seconds=totals.seconds,
            billable_seconds=totals.billable_seconds,
        )


class TimeEntryList(BaseModel):
    model_config = _examples(
        {
            "items": [_ENTRY_EXAMPLE],
            "next_cursor": None,
            "totals": {"count": 1, "seconds": 5400, "billable_seconds": 5400},
        }
    )
    items: list[TimeEntryRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    totals: TimeTotalsRead = Field(
        description="Of every entry that matches, not only of this page."
    )


# -- timers ----------------------------------------------------------------------


class TimerStart(BaseModel):
    """Start your timer for a client (one running timer per user)."""

    model_config = _examples(
        {"client_id": 1, "ticket_id": 42, "note": "Checkout error"},
        {"client_id": 1, "milestone_key": "launch", "billable": True},
    )
    client_id: int
    ticket_id: int | None = None
    milestone_key: str | None = Field(default=None, max_length=100)
    note: str = Field(default="", max_length=2000)
    billable: bool = True


class TimerStop(BaseModel):
    """Stop your timer; a note given here replaces the one given at the start."""

    model_config = _examples({}, {"note": "Fixed and deployed"})
    note: str | None = Field(default=None, max_length=2000)


class TimerRead(BaseModel):
    model_config = _examples(
        {
            "user_id": 2,
            "client_id": 1,
            "ticket_id": 42,
            "milestone_key": None,
            "note": "Checkout error",
            "billable": True,
            "started_at": AT,
            "elapsed_seconds": 1500,
        }
    )
    user_id: int
    client_id: int
    ticket_id: int | None
    milestone_key: str | None
    note: str
    billable: bool
    started_at: datetime
    elapsed_seconds: int = Field(description="Whole seconds since the start.")

    @classmethod
    def of(cls, row: RunningTimer, now: datetime) -> TimerRead:
        return cls(
            user_id=row.user_id,
            client_id=row.client_id,
            ticket_id=row.ticket_id,
            milestone_key=row.milestone_key,
            note=row.note,
            billable=row.billable,
            started_at=row.started_at,
            elapsed_seconds=max(0, int((now - row.started_at).total_seconds())),
        )


class TimerCurrentRead(BaseModel):
    model_config = _examples({"timer": None})
    timer: TimerRead | None = Field(description="Your running timer; null: none.")


# -- approval --------------------------------------------------------------------


class TimeApprovalCreate(BaseModel):
    """Approve a client's unapproved entries worked in `[from, to)`; the period
    must be over."""

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_extra={
            "examples": [
                {
                    "client_id": 1,
                    "from": "2027-01-01T00:00:00+01:00",
                    "to": "2027-02-01T00:00:00+01:00",
                }
            ]
        },
    )
    client_id: int
    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime


class TimeApprovalRead(BaseModel):
    """What an approval approved (the entries are locked from now on)."""

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_extra={
            "examples": [
                {
                    "client_id": 1,
                    "from": "2027-01-01T00:00:00+01:00",
                    "to": "2027-02-01T00:00:00+01:00",
                    "approved_at": "2027-02-01T09:00:00Z",
                    "approved_by_id": 4,
                    "entry_ids": [17, 18],
                    "totals": {"count": 2, "seconds": 9000, "billable_seconds": 9000},
                }
            ]
        },
    )
    client_id: int
    from_: datetime = Field(alias="from")
    to: datetime
    approved_at: datetime
    approved_by_id: int
    entry_ids: list[int] = Field(description="The entries this approval approved.")
    totals: TimeTotalsRead

    @classmethod
    def of(cls, done: PeriodApproval) -> TimeApprovalRead:
        return cls.model_validate(
            {
                "client_id": done.client_id,
                "from": done.from_at,
                "to": done.to_at,
                "approved_at": done.approved_at,
                "approved_by_id": done.approved_by_id,
                "entry_ids": [e.id for e in done.entries],
                "totals": TimeTotalsRead.of(done.totals),
            }
        )
