"""Tickets, their clocks and their events as every door shows them: the API's
answers (each with an example for the OpenAPI document), `slakeeper ticket
list/show --json`, and the CLI's tables. Durations are whole seconds
(`*_seconds`), truncated toward zero. Built by `services.tickets`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from slakeeper.core import ClockState, ClockStatus
from slakeeper.db.models import Ticket, TicketEvent
from slakeeper.services.views.base import ReadModel, examples

__all__ = [
    "ClockRead",
    "ClocksRead",
    "EventCreatedRead",
    "EventRead",
    "TicketClocksRead",
    "TicketDetailRead",
    "TicketList",
    "TicketRead",
    "seconds",
]

AT = "2027-01-04T09:00:00Z"


def seconds(d: timedelta) -> int:
    return int(d.total_seconds())


# -- clocks ------------------------------------------------------------------------

_CLOCK_EXAMPLE: dict[str, Any] = {
    "state": "running",
    "is_paused": False,
    "at_risk": False,
    "target_seconds": 3600,
    "due_at": "2027-01-04T10:00:00Z",
    "elapsed_seconds": 1200,
    "remaining_seconds": 2400,
    "overdue_by_seconds": 0,
    "paused_total_seconds": 0,
    "paused_by_cause": {},
    "breached_at": None,
    "next_check_at": "2027-01-04T09:45:00Z",
}


class ClockRead(ReadModel):
    """One SLA clock measured at an instant (docs/sla-clock.md section 4)."""

    model_config = examples(_CLOCK_EXAMPLE)
    state: ClockState = Field(description="running, paused, met or breached.")
    is_paused: bool = Field(
        description="Paused now (a breached clock stays breached when paused)."
    )
    at_risk: bool = Field(
        description="Past the agreement's warning share of its target and not met."
    )
    target_seconds: int = Field(description="The target in working time.")
    due_at: datetime | None = Field(
        description="When the target is reached if no further pause happens; null"
        " while paused."
    )
    elapsed_seconds: int = Field(description="Working time counted so far.")
    remaining_seconds: int = Field(
        description="Working time left; negative once breached, frozen while paused."
    )
    overdue_by_seconds: int = Field(description="Working time after `due_at`.")
    paused_total_seconds: int = Field(description="Working time spent paused.")
    paused_by_cause: dict[str, int] = Field(
        description="Paused working time in seconds by cause (waiting_on_client, ...)."
    )
    breached_at: datetime | None = Field(description="The due time that was missed.")
    next_check_at: datetime | None = Field(
        description="When the state could next change without an event (a warning"
        " threshold or the due time)."
    )

    @classmethod
    def of(cls, clock: ClockStatus) -> ClockRead:
        return cls(
            state=clock.state,
            is_paused=clock.is_paused,
            at_risk=clock.at_risk,
            target_seconds=seconds(clock.target),
            due_at=clock.due_at,
            elapsed_seconds=seconds(clock.elapsed),
            remaining_seconds=seconds(clock.remaining),
            overdue_by_seconds=seconds(clock.overdue_by),
            paused_total_seconds=seconds(clock.paused_total),
            paused_by_cause={
                cause: seconds(d) for cause, d in clock.paused_by_cause.items()
            },
            breached_at=clock.breached_at,
            next_check_at=clock.next_check_at,
        )


_CLOCKS_EXAMPLE: dict[str, Any] = {
    "at": "2027-01-04T09:20:00Z",
    "response": _CLOCK_EXAMPLE,
    "resolution": {
        **_CLOCK_EXAMPLE,
        "target_seconds": 28800,
        "due_at": "2027-01-04T17:00:00Z",
        "remaining_seconds": 27600,
        "next_check_at": "2027-01-04T15:00:00Z",
    },
    "update": None,
}
_NO_CLOCK = " Null when the ticket's priority has no such target."


class ClocksRead(ReadModel):
    """A ticket's clocks measured at `at`, each under the target of the ticket's
    current priority in the agreement version that governs it."""

    model_config = examples(_CLOCKS_EXAMPLE)
    at: datetime = Field(description="The instant the clocks are measured at.")
    response: ClockRead | None = Field(
        description="From opening to the provider's first public reply." + _NO_CLOCK
    )
    resolution: ClockRead | None = Field(
        description="From opening to resolved; paused while the status is one the"
        " agreement lists under `pause_on`." + _NO_CLOCK
    )
    update: ClockRead | None = Field(
        description="The current update cycle: after the first response the"
        " provider must post an update this often."
        + _NO_CLOCK
        + " Also null before the first response."
    )

    @classmethod
    def fields_of(
        cls, clocks: Mapping[str, ClockStatus], at: datetime
    ) -> dict[str, Any]:
        def one(name: str) -> ClockRead | None:
            clock = clocks.get(name)
            return None if clock is None else ClockRead.of(clock)

        return {
            "at": at,
            "response": one("response"),
            "resolution": one("resolution"),
            "update": one("update"),
        }

    @classmethod
    def of(cls, clocks: Mapping[str, ClockStatus], at: datetime) -> ClocksRead:
        return cls(**cls.fields_of(clocks, at))


class TicketClocksRead(ClocksRead):
    """A ticket's clocks at an instant."""

    model_config = examples({"ticket_id": 7, "key": "ACME-42", **_CLOCKS_EXAMPLE})
    ticket_id: int
    key: str = Field(description="The ticket's key, e.g. ACME-42.")

    @classmethod
    def of_ticket(
        cls, ticket: Ticket, clocks: Mapping[str, ClockStatus], at: datetime
    ) -> TicketClocksRead:
        return cls(
            ticket_id=ticket.id, key=ticket.key, **ClocksRead.fields_of(clocks, at)
        )


# -- tickets -----------------------------------------------------------------------


# -- tickets -----------------------------------------------------------------------

_TICKET_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "key": "ACME-42",
    "client_id": 1,
    "title": "Checkout fails",
    "priority": "critical",
    "status": "open",
    "requester_id": 4,
    "assignee_id": None,
    "created_at": AT,
    "computed_at": AT,
    "response_state": "running",
    "response_due_at": "2027-01-04T10:00:00Z",
    "response_breached": False,
    "resolution_state": "running",
    "resolution_due_at": "2027-01-04T17:00:00Z",
    "resolution_breached": False,
    "update_state": None,
    "update_due_at": None,
    "update_breaches": 0,
    "due_at": "2027-01-04T10:00:00Z",
    "at_risk": False,
    "breached": False,
    "next_check_at": "2027-01-04T09:45:00Z",
}


class TicketRead(ReadModel):
    """A ticket with its clock state as stored after its last event (as of
    `computed_at`; a worker refreshes it when `next_check_at` comes)."""

    model_config = examples(_TICKET_EXAMPLE)
    id: int
    key: str = Field(description="The client's key and the ticket's number: ACME-42.")
    client_id: int
    title: str
    priority: str = Field(description="The current priority.")
    status: str = Field(
        description="open, in_progress, waiting_on_client, resolved, closed, or a"
        " pause status the agreement names."
    )
    requester_id: int = Field(description="The user who opened it.")
    assignee_id: int | None = Field(description="The provider user working on it.")
    created_at: datetime
    computed_at: datetime = Field(description="The instant the state below is of.")
    response_state: ClockState | None = Field(
        description="The response clock's state; null without a response target."
    )
    response_due_at: datetime | None
    response_breached: bool
    resolution_state: ClockState | None = Field(
        description="The resolution clock's state; null without a resolution target."
    )
    resolution_due_at: datetime | None
    resolution_breached: bool
    update_state: ClockState | None = Field(
        description="The current update cycle's state; null before the first"
        " response or without an update target."
    )
    update_due_at: datetime | None
    update_breaches: int = Field(description="Update cycles that passed their due.")
    due_at: datetime | None = Field(
        description="The earliest due time of a running clock."
    )
    at_risk: bool = Field(description="A clock is past its warning level.")
    breached: bool = Field(description="A clock, or an update cycle, is breached.")
    next_check_at: datetime | None = Field(
        description="When the state could next change without an event."
    )

    @classmethod
    def fields_of(cls, row: Ticket) -> dict[str, Any]:
        return {
            "id": row.id,
            "key": row.key,
            "client_id": row.client_id,
            "title": row.title,
            "priority": row.priority,
            "status": row.status,
            "requester_id": row.requester_id,
            "assignee_id": row.assignee_id,
            "created_at": row.created_at,
            "computed_at": row.computed_at,
            "response_state": row.response_state,
            "response_due_at": row.response_due_at,
            "response_breached": row.response_breached,
            "resolution_state": row.resolution_state,
            "resolution_due_at": row.resolution_due_at,
            "resolution_breached": row.resolution_breached,
            "update_state": row.update_state,
            "update_due_at": row.update_due_at,
            "update_breaches": row.update_breaches,
            "due_at": row.due_at,
            "at_risk": row.at_risk,
            "breached": row.breached,
            "next_check_at": row.next_check_at,
        }

    @classmethod
    def of(cls, row: Ticket) -> TicketRead:
        return cls(**cls.fields_of(row))


class TicketList(ReadModel):
    model_config = examples({"items": [_TICKET_EXAMPLE], "next_cursor": "aWQ6Nw"})
    items: list[TicketRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class TicketDetailRead(TicketRead):
    """A ticket with its request and its clocks measured now."""

    model_config = examples(
        {
            **_TICKET_EXAMPLE,
            "body": "Every order ends in an error page.",
            "agreement_version_id": 12,
            "clocks": _CLOCKS_EXAMPLE,
        }
    )
    body: str
    agreement_version_id: int = Field(
        description="The agreement version that governs the ticket for its whole"
        " life (the one in force when it was opened)."
    )
    clocks: ClocksRead = Field(description="The clocks measured at `clocks.at`.")

    @classmethod
    def of_ticket(
        cls, row: Ticket, clocks: Mapping[str, ClockStatus], at: datetime
    ) -> TicketDetailRead:
        return cls(
            **cls.fields_of(row),
            body=row.body,
            agreement_version_id=row.agreement_version_id,
            clocks=ClocksRead.of(clocks, at),
        )


# -- events ------------------------------------------------------------------------


_EVENT_EXAMPLE: dict[str, Any] = {
    "id": 31,
    "ticket_id": 7,
    "seq": 2,
    "at": "2027-01-04T09:20:00Z",
    "kind": "provider_reply",
    "actor_id": 1,
    "text": "We are on it.",
    "data": {},
}


class EventRead(ReadModel):
    """One event of a ticket's append-only history."""

    model_config = examples(
        {
            **_EVENT_EXAMPLE,
            "seq": 1,
            "kind": "created",
            "actor_id": 4,
            "text": "Every order ends in an error page.",
            "data": {"status": "open", "priority": "critical", "title": "Checkout"},
        },
        _EVENT_EXAMPLE,
    )
    id: int
    ticket_id: int
    seq: int = Field(description="The event's number in the ticket, from 1.")
    at: datetime
    kind: str = Field(description="created, or one of the kinds of EventCreate.")
    actor_id: int | None = Field(description="The user who acted.")
    text: str | None
    data: dict[str, Any] = Field(
        description="What the event set: status, priority (with previous and"
        " reason), assignee_id; for created also the title."
    )

    @classmethod
    def of(cls, row: TicketEvent) -> EventRead:
        return cls(
            id=row.id,
            ticket_id=row.ticket_id,
            seq=row.seq,
            at=row.at,
            kind=row.kind,
            actor_id=row.actor_id,
            text=row.text,
            data=dict(row.data or {}),
        )


class EventCreatedRead(ReadModel):
    """The event appended and the ticket as it is after it."""

    model_config = examples(
        {
            "event": _EVENT_EXAMPLE,
            "ticket": {
                **_TICKET_EXAMPLE,
                "body": "Every order ends in an error page.",
                "agreement_version_id": 12,
                "clocks": _CLOCKS_EXAMPLE,
            },
        }
    )
    event: EventRead
    ticket: TicketDetailRead
