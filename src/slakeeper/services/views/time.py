"""Time-tracking read models: entries with their totals, timers and the approval
of a period, each with an example for the OpenAPI document. Times are raw whole
seconds (`*_seconds`), as tracked; instants carry their UTC offset.

`services.time_entries` builds them (`entry_reads`, `timer_read`,
`list_entries`, `approve_period`), with the names of the people, clients and
tickets they refer to read in the same query as the rows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from slakeeper.db.models import RunningTimer, TimeEntry
from slakeeper.services.views.base import ReadModel, examples

__all__ = [
    "EntryStatus",
    "TimeApprovalRead",
    "TimeEntryList",
    "TimeEntryRead",
    "TimeTotalsRead",
    "TimerCurrentRead",
    "TimerRead",
]

AT = "2027-01-04T09:00:00Z"
END = "2027-01-04T10:30:00Z"


class EntryStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"  # locked
    INVOICED = "invoiced"  # locked


_ENTRY_EXAMPLE: dict[str, Any] = {
    "id": 17,
    "client_id": 1,
    "client_name": "Acme GmbH",
    "user_id": 2,
    "user_email": "sam@janedoe.example",
    "ticket_id": 42,
    "ticket_key": "ACME-42",
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


class TimeEntryRead(ReadModel):
    """An entry as tracked. `status` is `open`, `approved` or `invoiced`; approved
    and invoiced entries are locked."""

    model_config = examples(_ENTRY_EXAMPLE)
    id: int
    client_id: int
    client_name: str = Field(description="The client's name.")
    user_id: int = Field(description="Whose time it is.")
    user_email: str = Field(description="The e-mail of whose time it is.")
    ticket_id: int | None
    ticket_key: str | None = Field(description="The ticket's key, e.g. ACME-42.")
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
    def of(
        cls,
        row: TimeEntry,
        *,
        status: EntryStatus,
        client_name: str,
        user_email: str,
        ticket_key: str | None,
    ) -> TimeEntryRead:
        return cls(
            id=row.id,
            client_id=row.client_id,
            client_name=client_name,
            user_id=row.user_id,
            user_email=user_email,
            ticket_id=row.ticket_id,
            ticket_key=ticket_key,
            milestone_key=row.milestone_key,
            worked_at=row.worked_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            seconds=row.seconds,
            note=row.note,
            billable=row.billable,
            source=row.source,
            external_id=row.external_id,
            status=status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            approved_at=row.approved_at,
            approved_by_id=row.approved_by_id,
            invoice_id=row.invoice_id,
        )


class TimeTotalsRead(ReadModel):
    """Raw seconds of a set of entries: all of them and the billable ones."""

    model_config = examples({"count": 3, "seconds": 9000, "billable_seconds": 6300})
    count: int
    seconds: int = Field(description="Raw seconds of all the entries.")
    billable_seconds: int = Field(description="Raw seconds of the billable ones.")


class TimeEntryList(ReadModel):
    model_config = examples(
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


class TimerRead(ReadModel):
    model_config = examples(
        {
            "user_id": 2,
            "client_id": 1,
            "client_name": "Acme GmbH",
            "ticket_id": 42,
            "ticket_key": "ACME-42",
            "milestone_key": None,
            "note": "Checkout error",
            "billable": True,
            "started_at": AT,
            "elapsed_seconds": 1500,
        }
    )
    user_id: int
    client_id: int
    client_name: str = Field(description="The client's name.")
    ticket_id: int | None
    ticket_key: str | None = Field(description="The ticket's key, e.g. ACME-42.")
    milestone_key: str | None
    note: str
    billable: bool
    started_at: datetime
    elapsed_seconds: int = Field(description="Whole seconds since the start.")

    @classmethod
    def of(
        cls,
        row: RunningTimer,
        now: datetime,
        *,
        client_name: str,
        ticket_key: str | None,
    ) -> TimerRead:
        return cls(
            user_id=row.user_id,
            client_id=row.client_id,
            client_name=client_name,
            ticket_id=row.ticket_id,
            ticket_key=ticket_key,
            milestone_key=row.milestone_key,
            note=row.note,
            billable=row.billable,
            started_at=row.started_at,
            elapsed_seconds=max(0, int((now - row.started_at).total_seconds())),
        )


class TimerCurrentRead(ReadModel):
    model_config = examples({"timer": None})
    timer: TimerRead | None = Field(description="Your running timer; null: none.")


class TimeApprovalRead(ReadModel):
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
