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
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from slakeeper.core import ClockReading, ClockState, is_milestone_late
from slakeeper.core.milestones import FINISHED
from slakeeper.core.states import ObligationStatus
from slakeeper.db.models import AgreementVersion, Milestone
from slakeeper.errors import NotFound
from slakeeper.services import tickets, workspaces
from slakeeper.services.access import Principal
from slakeeper.services.delivery import (
    adjustments,
    commitments,
    milestones,
    obligations,
)
from slakeeper.services.versions import version_terms

__all__ = [
    "Board",
    "CommitmentLine",
    "MilestoneLine",
    "ObligationLine",
    "TicketLine",
    "board",
    "board_json",
]

RANK = {"breached": 0, "late": 0, "at_risk": 1, "paused": 2, "on_track": 3}


@dataclass(frozen=True, slots=True)
class TicketLine:
    client: str
    key: str
    title: str
    priority: str
    status: str
    state: str  # breached, at_risk, paused, on_track
    clock: str | None  # the clock the state is about
    due_at: datetime | None
    left: timedelta | None  # working time left (negative: over)


@dataclass(frozen=True, slots=True)
class Adjusted:
    cause: str
    kind: str
    status: str
    amount: int
    mode: str
    reason: str


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    client: str
    key: str
    title: str
    status: str
    state: str  # late, at_risk, on_track
    due_at: datetime
    agreed_due_at: datetime
    left: timedelta  # working time to the due time (negative: over)
    adjustments: list[Adjusted] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ObligationLine:
    id: int
    client: str
    party: str
    kind: str
    title: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True, slots=True)
class CommitmentLine:
    client: str
    commitment: str
    every: str
    missed: list[datetime]  # the ends of the periods missed
    current_due: datetime | None
    current_met: bool


@dataclass(frozen=True, slots=True)
class Board:
    now: datetime
    tickets: list[TicketLine]
    milestones: list[MilestoneLine]
    obligations: list[ObligationLine]
    commitments: list[CommitmentLine]

    @property
    def problems(self) -> int:
        """How many things are breached, late, overdue or missed."""
        return (
            sum(t.state == "breached" for t in self.tickets)
            + sum(m.state == "late" for m in self.milestones)
            + sum(o.overdue for o in self.obligations)
            + sum(len(c.missed) for c in self.commitments)
        )


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
) -> Board:
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
            TicketLine(
                names[t.client_id],
                t.key,
                t.title,
                t.priority,
                t.status,
                state,
                name,
                None if clock is None else clock.due_at,
                None if clock is None else clock.remaining,
            )
        )
    ticket_lines.sort(key=lambda t: (RANK[t.state], t.left or timedelta.max))
    milestone_lines = []
    for m in milestones.list_milestones(session, principal, client_id=client_id):
        if m.status in FINISHED:
            continue
        milestone_lines.append(_milestone_line(session, principal, m, names, now))
    obligation_lines = [
        ObligationLine(
            o.id,
            names[o.client_id],
            o.party,
            o.kind,
            o.title,
            o.due_at,
            o.due_at <= now,
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
                CommitmentLine(
                    names[cid],
                    c.commitment,
                    c.every,
                    [p.end for p in c.missed(now)],
                    None if current is None else current.end,
                    current is not None and current.met_at is not None,
                )
            )
    return Board(now, ticket_lines, milestone_lines, obligation_lines, commitment_lines)


def _milestone_line(
    session: Session,
    principal: Principal,
    m: Milestone,
    names: dict[int, str],
    now: datetime,
) -> MilestoneLine:
    version = session.get(AgreementVersion, m.agreement_version_id)
    assert version is not None
    calendar = version_terms(version).default_calendar
    left = (
        calendar.between(now, m.due_at)
        if now <= m.due_at
        else -calendar.between(m.due_at, now)
    )
    late = is_milestone_late(m.due_at, m.delivered_at, now)
    return MilestoneLine(
        names[m.client_id],
        m.key,
        m.title,
        m.status,
        "late" if late else "at_risk" if m.at_risk else "on_track",
        m.due_at,
        m.base_due_at,
        left,
        [
            Adjusted(a.cause, a.kind, a.status, a.amount, a.mode, a.reason)
            for a in adjustments.adjustments_of(session, principal, m.id)
        ],
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def board_json(b: Board) -> dict[str, Any]:
    """The board as JSON-ready data (instants ISO 8601, durations in seconds)."""
    data: dict[str, Any] = _plain(asdict(b))
    data["problems"] = b.problems
    return data
