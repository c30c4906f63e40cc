"""A ticket's clocks measured at an instant (docs/sla-clock.md section 5): one
ticket's full state (`derive_ticket`, and the row the service stores from it,
`ticket_columns`), or many tickets' clocks at once with the vectorised engine
(`read_ticket_clocks`, for the status board). Both measure the histories
`core.tickets.replay_ticket` gives, and agree clock by clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from slakeeper.core.batch import NAT
from slakeeper.core.calendar import WorkCalendar, duration_us, from_us, to_us
from slakeeper.core.clock import (
    ClockSpan,
    ClockState,
    ClockStatus,
    evaluate_clock,
    fold_events,
)
from slakeeper.core.clock_batch import evaluate_clocks
from slakeeper.core.tickets import CLOCKS, EventFact, TicketTerms, replay_ticket

__all__ = [
    "ClockReading",
    "TicketState",
    "derive_ticket",
    "read_ticket_clocks",
    "ticket_columns",
]


@dataclass(frozen=True, slots=True)
class TicketState:
    """A ticket's derived state at `now`."""

    now: datetime
    status: str
    priority: str
    assignee_id: int | None
    clocks: Mapping[str, ClockStatus]  # only the clocks the priority has
    update_breaches: int  # update cycles that passed their due time
    update_cycles: int = field(default=0)

    @property
    def due_at(self) -> datetime | None:
        """The earliest due time of a running clock."""
        dues = [
            c.due_at
            for c in self.clocks.values()
            if c.state is ClockState.RUNNING and c.due_at is not None
        ]
        return min(dues, default=None)

    @property
    def at_risk(self) -> bool:
        return any(c.at_risk for c in self.clocks.values())

    @property
    def breached(self) -> bool:
        return self.update_breaches > 0 or any(
            c.state is ClockState.BREACHED for c in self.clocks.values()
        )

    @property
    def next_check_at(self) -> datetime | None:
        checks = [c.next_check_at for c in self.clocks.values() if c.next_check_at]
        return min(checks, default=None)


def derive_ticket(
    events: Sequence[EventFact], terms: TicketTerms, now: datetime
) -> TicketState:
    """The ticket's state at `now` from its events (`replay_ticket`).

    Every clock is measured with the target of the ticket's current priority
    on that priority's calendar: a priority change retargets the clocks from
    their start (SLA-CLOCK section 4), so raising it can breach retroactively.
    Each update cycle past its due time is one breach.
    """
    history = replay_ticket(events, terms, now)
    calendar = terms.priorities[history.priority].calendar
    warn = (terms.warn_at,)
    clocks = {
        name: evaluate_clock(calendar, target, clock, now, warn_at=warn)
        for name, target, clock in history.clocks(terms)
    }
    breaches = 0
    update = clocks.get("update")
    if update is not None:
        earlier = [
            evaluate_clock(calendar, update.target, cycle, now, warn_at=warn)
            for cycle in history.cycles[:-1]
        ]
        breaches = sum(s.state is ClockState.BREACHED for s in (*earlier, update))
    return TicketState(
        now=now,
        status=history.status,
        priority=history.priority,
        assignee_id=history.assignee_id,
        clocks=clocks,
        update_breaches=breaches,
        update_cycles=len(history.cycles),
    )


def ticket_columns(state: TicketState) -> dict[str, Any]:
    """The ticket row's columns for a derived state."""
    out: dict[str, Any] = {
        "status": state.status,
        "priority": state.priority,
        "assignee_id": state.assignee_id,
        "computed_at": state.now,
        "update_breaches": state.update_breaches,
        "due_at": state.due_at,
        "at_risk": state.at_risk,
        "breached": state.breached,
        "next_check_at": state.next_check_at,
    }
    for name in CLOCKS:
        clock = state.clocks.get(name)
        out[f"{name}_state"] = None if clock is None else clock.state.value
        out[f"{name}_due_at"] = None if clock is None else clock.due_at
        if name != "update":
            out[f"{name}_breached"] = (
                clock is not None and clock.state is ClockState.BREACHED
            )
    return out


@dataclass(frozen=True, slots=True)
class ClockReading:
    """A clock at an instant as the status board reads it: the fields of
    `ClockStatus` that `read_ticket_clocks` measures."""

    state: ClockState
    at_risk: bool
    due_at: datetime | None
    remaining: timedelta  # signed: negative is over the target


@dataclass(frozen=True, slots=True)
class _Clock:
    ticket: int  # index in the tickets given
    name: str
    target: timedelta
    warn_at: float
    span: ClockSpan


def read_ticket_clocks(
    tickets: Sequence[tuple[Sequence[EventFact], TicketTerms]], now: datetime
) -> list[dict[str, ClockReading]]:
    """Each ticket's clocks at `now`, as `derive_ticket` measures them (the
    clocks its priority has; the update clock is the last cycle), read with
    one `evaluate_clocks` pass per calendar, to the microsecond.

    Steps:
    1. Replay each ticket's events into its clock histories and fold each
       history into its reduced form (`fold_events`).
    2. Per calendar, measure all its clocks at once (`evaluate_clocks` on
       microsecond arrays).
    3. A running or paused clock is at risk once its elapsed time reaches the
       agreement's warning share of its target (as `evaluate_clock` says).
    """
    to_us(now, "now")  # a naive `now` raises NaiveDatetimeError
    groups: dict[int, tuple[WorkCalendar, list[_Clock]]] = {}
    for i, (events, terms) in enumerate(tickets):
        history = replay_ticket(events, terms, now)
        calendar = terms.priorities[history.priority].calendar
        _, members = groups.setdefault(id(calendar), (calendar, []))
        for name, target, events_of_clock in history.clocks(terms):
            span = fold_events(events_of_clock)
            members.append(_Clock(i, name, target, terms.warn_at, span))
    out: list[dict[str, ClockReading]] = [{} for _ in tickets]
    for calendar, members in groups.values():
        readings = _measure(calendar, members, now)
        for clock, reading in zip(members, readings, strict=True):
            out[clock.ticket][clock.name] = reading
    return out


def _us(values: list[int], kind: str) -> Any:
    return np.array(values, dtype=np.int64).view(f"{kind}[us]")


def _measure(
    calendar: WorkCalendar, clocks: Sequence[_Clock], now: datetime
) -> list[ClockReading]:
    spans = [c.span for c in clocks]
    targets = [c.target if c.span.target is None else c.span.target for c in clocks]
    pauses = [(k, p) for k, s in enumerate(spans) for p in s.pauses]
    arrays = evaluate_clocks(
        calendar,
        _us([to_us(s.start) for s in spans], "datetime64"),
        _us([duration_us(t) for t in targets], "timedelta64"),
        _us([NAT if s.stop is None else to_us(s.stop) for s in spans], "datetime64"),
        now,
        pauses=(
            np.array([k for k, _ in pauses], dtype=np.int64),
            _us([to_us(p.start) for _, p in pauses], "datetime64"),
            _us(
                [NAT if p.end is None else to_us(p.end) for _, p in pauses],
                "datetime64",
            ),
        ),
    )
    due = arrays.due_at.view(np.int64).tolist()
    elapsed = arrays.elapsed.view(np.int64).tolist()
    states = arrays.state.tolist()
    out = []
    for k, clock in enumerate(clocks):
        state = ClockState.from_code(states[k])
        used = timedelta(microseconds=elapsed[k])
        out.append(
            ClockReading(
                state=state,
                at_risk=state in (ClockState.RUNNING, ClockState.PAUSED)
                and used >= targets[k] * clock.warn_at,
                due_at=None if due[k] == NAT else from_us(due[k]),
                remaining=targets[k] - used,
            )
        )
    return out
