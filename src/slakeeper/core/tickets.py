"""Tickets in the engine (docs/sla-clock.md section 5): their vocabulary, the
agreement's terms for them, and `replay_ticket`, which turns a ticket's events
into the histories of its response, resolution and update clocks (with the
payment pause). `core.ticket_clocks` measures those clocks; the service
(`services/tickets.py`) loads the events and builds the terms from the
agreement version (`VersionTerms.tickets` in services.versions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from slakeeper.core.calendar import WorkCalendar
from slakeeper.core.clock import ClockEvent
from slakeeper.core.errors import ClockError

__all__ = [
    "BASE_STATUSES",
    "CLOCKS",
    "CLOCK_NAMES",
    "DONE",
    "PAYMENT_CAUSE",
    "PAYMENT_KINDS",
    "PAYMENT_PAUSED",
    "PAYMENT_RESUMED",
    "EventFact",
    "EventKind",
    "PriorityTerms",
    "TicketHistory",
    "TicketTerms",
    "replay_ticket",
]

BASE_STATUSES = ("open", "in_progress", "waiting_on_client", "resolved", "closed")
DONE = ("resolved", "closed")
CLOCKS = ("response", "resolution", "update")


class EventKind(StrEnum):
    """What happened to a ticket. `created` is written by `open_ticket` only."""

    CREATED = "created"
    PROVIDER_REPLY = "provider_reply"  # public: the first one is the response
    ACKNOWLEDGEMENT = "acknowledgement"  # automatic: never a response
    NOTE = "note"  # internal, never shown to the client
    CLIENT_REPLY = "client_reply"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"  # carries its reason
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    REOPENED = "reopened"


# Written by the invoice service alone: the agreement's payment-delay rule
# (`delays.payment_overdue`) pauses the clocks it names while an invoice is
# overdue by the agreed time, and resumes them when it is paid.
# `payment_paused` carries the clocks paused from then on (`clocks`, by the
# names of CLOCK_NAMES), `payment_resumed` resumes them all.
PAYMENT_PAUSED = "payment_paused"
PAYMENT_RESUMED = "payment_resumed"
PAYMENT_KINDS = (PAYMENT_PAUSED, PAYMENT_RESUMED)
PAYMENT_CAUSE = "payment_overdue"
CLOCK_NAMES = {
    "response": "response",
    "resolution": "resolution",
    "update": "update",
    "update_every": "update",
}


@dataclass(frozen=True, slots=True)
class PriorityTerms:
    """A priority's targets (None: the priority has no such clock) and the
    calendar its clocks run on."""

    name: str
    calendar: WorkCalendar
    response: timedelta | None
    update_every: timedelta | None
    resolution: timedelta | None

    def target(self, clock: str) -> timedelta | None:
        if clock == "response":
            return self.response
        if clock == "resolution":
            return self.resolution
        return self.update_every


@dataclass(frozen=True, slots=True)
class TicketTerms:
    """What an agreement version says about tickets."""

    priorities: Mapping[str, PriorityTerms]
    default_priority: str
    pause_on: tuple[str, ...]
    warn_at: float  # the share of a target at which a clock is at risk

    @property
    def statuses(self) -> tuple[str, ...]:
        return BASE_STATUSES + tuple(s for s in self.pause_on if s not in BASE_STATUSES)


@dataclass(frozen=True, slots=True)
class EventFact:
    """What the clocks need of one event: its kind, instant, and the status or
    priority it sets (None when it sets none)."""

    kind: str
    at: datetime
    status: str | None = None
    priority: str | None = None
    assignee_id: int | None = None
    clocks: tuple[str, ...] = ()  # a payment pause's clocks


@dataclass(frozen=True, slots=True)
class TicketHistory:
    """A ticket's events at `now` turned into the histories of its clocks
    (`replay_ticket`): one per update cycle, oldest first."""

    status: str
    priority: str
    assignee_id: int | None
    response: tuple[ClockEvent, ...]
    resolution: tuple[ClockEvent, ...]
    cycles: tuple[tuple[ClockEvent, ...], ...]

    def clocks(
        self, terms: TicketTerms
    ) -> list[tuple[str, timedelta, tuple[ClockEvent, ...]]]:
        """The clocks the current priority has targets for, as (name, target,
        history): the update clock is the last cycle's."""
        current = terms.priorities[self.priority]
        out = []
        if current.response is not None:
            out.append(("response", current.response, self.response))
        if current.resolution is not None:
            out.append(("resolution", current.resolution, self.resolution))
        if current.update_every is not None and self.cycles:
            out.append(("update", current.update_every, self.cycles[-1]))
        return out


def replay_ticket(
    events: Sequence[EventFact], terms: TicketTerms, now: datetime
) -> TicketHistory:
    """The ticket's clock histories at `now` from its events (in order; the
    first is `created`; later ones ignored), by docs/sla-clock.md section 5:

    - response: starts at creation, stops at the provider's first public reply
      (an acknowledgement is none); never paused. Resolving a ticket nobody
      answered stops it too, and reopening such a ticket reopens it.
    - resolution: starts at creation, paused while the status is one of the
      agreement's `pause_on` (the status is the pause's cause), stopped when
      resolved, reopened on reopen.
    - update: after the first response, while the ticket is not resolved, a
      cycle runs; each provider reply ends it and starts the next; paused like
      the resolution clock; a reopen starts a new cycle.
    - payment: a `payment_paused` event pauses the clocks it names (`response`,
      `resolution`, `update`/`update_every`) with cause `payment_overdue` until
      a `payment_resumed` (or a `payment_paused` no longer naming them). A
      stopped clock is not paused, but one reopened meanwhile is. While the
      status pauses a clock too, the time counts for the status.
    """
    events = [e for e in events if e.at <= now]
    if not events or events[0].kind != EventKind.CREATED:
        raise ClockError("a ticket's history begins with its created event")
    pause_on = set(terms.pause_on)
    status = events[0].status or "open"
    priority = events[0].priority or terms.default_priority
    assignee: int | None = None
    response: list[ClockEvent] = []
    resolution: list[ClockEvent] = []
    cycles: list[list[ClockEvent]] = []
    cycle_open = False
    replied = False
    response_stopped = False
    paying: frozenset[str] = frozenset()  # clocks paused for a late payment

    def paused(s: str) -> bool:
        return s in pause_on

    def payment_pause(at: datetime) -> ClockEvent:
        return ClockEvent("pause", at, cause=PAYMENT_CAUSE)

    for event in events:
        at = event.at
        before = status
        if event.kind in PAYMENT_KINDS:
            wanted = frozenset(CLOCK_NAMES[c] for c in event.clocks if c in CLOCK_NAMES)
            if event.kind == PAYMENT_RESUMED:
                wanted = frozenset()
            live = {
                "response": [] if response_stopped else [response],
                "resolution": [] if status in DONE else [resolution],
                "update": [cycles[-1]] if cycle_open else [],
            }
            for name in sorted(wanted ^ paying):
                if name != "response" and paused(status):
                    continue  # the status pause goes on either way
                for clock in live[name]:
                    on = name in wanted
                    clock.append(payment_pause(at) if on else ClockEvent("resume", at))
            paying = wanted
            continue
        if event.kind == EventKind.CREATED:
            response.append(ClockEvent("start", at))
            resolution.append(ClockEvent("start", at))
            if paused(status):
                resolution.append(ClockEvent("pause", at, cause=status))
            continue
        if event.priority is not None:
            priority = event.priority
        if event.kind == EventKind.ASSIGNED:
            assignee = event.assignee_id
        if event.status is not None:
            status = event.status
        if event.kind == EventKind.PROVIDER_REPLY:
            if not replied:
                replied = True
                if not response_stopped:
                    response.append(ClockEvent("stop", at))
                    response_stopped = True
                if before not in DONE:
                    cycles.append([ClockEvent("start", at)])
                    cycle_open = True
                    if paused(before):
                        cycles[-1].append(ClockEvent("pause", at, cause=before))
                    elif "update" in paying:
                        cycles[-1].append(payment_pause(at))
            elif cycle_open:
                cycles[-1].append(ClockEvent("stop", at))
                cycles.append([ClockEvent("start", at)])
                if paused(before):
                    cycles[-1].append(ClockEvent("pause", at, cause=before))
                elif "update" in paying:
                    cycles[-1].append(payment_pause(at))
        if status == before:
            continue
        # the status moved: resolution and the open update cycle follow it
        if status in DONE:
            if before not in DONE:
                resolution.append(ClockEvent("stop", at))
                if not response_stopped:
                    response.append(ClockEvent("stop", at))
                    response_stopped = True
                if cycle_open:
                    cycles[-1].append(ClockEvent("stop", at))
                    cycle_open = False
            continue
        if before in DONE:  # reopened
            resolution.append(ClockEvent("reopen", at))
            if not replied and response_stopped:
                response.append(ClockEvent("reopen", at))
                response_stopped = False
                if "response" in paying:
                    response.append(payment_pause(at))
            if replied:
                cycles.append([ClockEvent("start", at)])
                cycle_open = True
            moved: list[tuple[str, list[ClockEvent]]] = [("resolution", resolution)]
            if cycle_open:
                moved.append(("update", cycles[-1]))
            for name, clock in moved:
                if paused(status):
                    clock.append(ClockEvent("pause", at, cause=status))
                elif name in paying:
                    clock.append(payment_pause(at))
            continue
        targets = [("resolution", resolution)]
        if cycle_open:
            targets.append(("update", cycles[-1]))
        for name, clock in targets:
            if paused(status):
                clock.append(ClockEvent("pause", at, cause=status))
            elif paused(before):
                # the status pause ends; a payment pause of the clock goes on
                resumed = payment_pause(at) if name in paying else None
                clock.append(resumed or ClockEvent("resume", at))
    return TicketHistory(
        status=status,
        priority=priority,
        assignee_id=assignee,
        response=tuple(response),
        resolution=tuple(resolution),
        cycles=tuple(tuple(c) for c in cycles),
    )
