"""The morning screen: what is on track, at risk or breached across a
provider's clients at `now` (the `slakeeper status` command and `GET /status`).

- open tickets with the state of their most urgent clock and the working time
  left on it (all the tickets' clocks read at once: `tickets.list_with_clocks`);
- milestones not yet accepted, with their due time, adjustments and the working
  time left;
- open obligations, most of all those waiting on the client;
- cadenced commitments with the periods missed so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from slakeeper.core import ClockReading, ClockState, is_milestone_late
from slakeeper.core.milestones import FINISHED
from slakeeper.core.states import ObligationStatus
from slakeeper.db.models import Milestone
from slakeeper.errors import NotFound
from slakeeper.services import tickets, workspaces
from slakeeper.services.access import Principal
from slakeeper.services.delivery import (
    commitments,
    milestone_state,
    milestones,
    obligations,
)
from slakeeper.services.versions import version_terms
from slakeeper.services.views.status import (
    StatusAdjustment,
    StatusCommitment,
    StatusMilestone,
    StatusObligation,
    StatusRead,
    StatusTicket,
)
from slakeeper.services.views.tickets import seconds

__all__ = ["board"]

RANK = {"breached": 0, "late": 0, "at_risk": 1, "paused": 2, "on_track": 3}


def _ticket_state(clocks: Mapping[str, ClockReading]) -> tuple[str, str | None]:
    """The state of a ticket's most urgent clock, and that clock."""
    running = [(n, c) for n, c in clocks.items() if c.state is not ClockState.MET]
    for name, clock in running:
        if clock.state is ClockState.BREACHED:
            return "breached", name
    for name, clock in running:
        if clock.at_risk:
            return "at_risk", name
    live = [(n, c) for n, c in running if c.state is ClockState.RUNNING]
    if live:
        return "on_track", min(live, key=lambda nc: nc[1].remaining)[0]
    if running:
        return "paused", running[0][0]
    return "on_track", None


def board(
    session: Session, principal: Principal, now: datetime, *, client_id: int | None
) -> StatusRead:
    """The board at `now` for one client or all the principal may see."""
    names = {c.id: c.name for c in workspaces.list_clients(session, principal)}
    if client_id is not None and client_id not in names:
        raise NotFound(f"client {client_id} not found")
    ticket_lines = []
    for t, clocks in tickets.list_with_clocks(
        session, principal, now, client_id=client_id, state="active"
    ):
        state, name = _ticket_state(clocks)
        clock = None if name is None else clocks[name]
        ticket_lines.append(
            StatusTicket(
                client=names[t.client_id],
                key=t.key,
                title=t.title,
                priority=t.priority,
                status=t.status,
                state=state,
                clock=name,
                due_at=None if clock is None else clock.due_at,
                left=None if clock is None else seconds(clock.remaining),
            )
        )
    ticket_lines.sort(
        key=lambda t: (RANK[t.state], float("inf") if t.left is None else t.left)
    )
    shown = [
        m
        for m in milestones.list_milestones(session, principal, client_id=client_id)
        if m.status not in FINISHED
    ]
    milestone_state.preload(session, shown, events=False)
    milestone_lines = [_milestone_line(m, names, now) for m in shown]
    obligation_lines = [
        StatusObligation(
            id=o.id,
            client=names[o.client_id],
            party=o.party,
            kind=o.kind,
            title=o.title,
            due_at=o.due_at,
            overdue=o.due_at <= now,
        )
        for o in obligations.list_obligations(
            session, principal, client_id=client_id, status=ObligationStatus.OPEN
        )
    ]
    commitment_lines = []
    for cid in [client_id] if client_id is not None else list(names):
        for c in commitments.commitment_status(session, principal, cid, now):
            current = c.periods[-1] if c.periods else None
            commitment_lines.append(
                StatusCommitment(
                    client=names[cid],
                    commitment=c.commitment,
                    every=c.every,
                    missed=[p.end for p in c.missed(now)],
                    current_due=None if current is None else current.end,
                    current_met=current is not None and current.met_at is not None,
                )
            )
    problems = (
        sum(t.state == "breached" for t in ticket_lines)
        + sum(m.state == "late" for m in milestone_lines)
        + sum(o.overdue for o in obligation_lines)
        + sum(len(c.missed) for c in commitment_lines)
    )
    return StatusRead(
        now=now,
        problems=problems,
        tickets=ticket_lines,
        milestones=milestone_lines,
        obligations=obligation_lines,
        commitments=commitment_lines,
    )


def _milestone_line(
    m: Milestone, names: dict[int, str], now: datetime
) -> StatusMilestone:
    """A milestone's line, its version and adjustments loaded (`preload`)."""
    calendar = version_terms(m.version).default_calendar
    left = (
        calendar.between(now, m.due_at)
        if now <= m.due_at
        else -calendar.between(m.due_at, now)
    )
    late = is_milestone_late(m.due_at, m.delivered_at, now)
    return StatusMilestone(
        client=names[m.client_id],
        key=m.key,
        title=m.title,
        status=m.status,
        state="late" if late else "at_risk" if m.at_risk else "on_track",
        due_at=m.due_at,
        agreed_due_at=m.base_due_at,
        left=seconds(left),
        adjustments=[
            StatusAdjustment(
                cause=a.cause,
                kind=a.kind,
                status=a.status,
                amount=a.amount,
                mode=a.mode,
                reason=a.reason,
            )
            for a in m.adjustments
        ],
    )
