"""A brute-force SLA clock, written from the rules of docs/sla-clock.md section 4.

It shares no code with `slakeeper.core.clock`. Every instant is a whole UTC
minute; time is stepped through minute by minute:

1. the events at or before `now` are put in order of their instants (equal
   instants keep their given order) and replayed one by one, giving the mode
   of every minute from the start on: `running`, `paused` (with its cause),
   `stopped`; a rule broken raises `OracleError(index, kind)`;
2. a minute counts when the calendar is open during it and the clock runs;
   elapsed = the counted minutes before min(now, stop);
3. for the due time, the future is the present continued: a clock running
   (or stopped at the end: it runs on from its stop) keeps running; a paused
   one stays paused; due = the end of the minute at which the counted
   minutes reach the target (the start itself for a zero target);
4. state: stopped -> met iff stop <= due; open -> breached iff now > due; else
   paused or running.

The calendar is `tests.core.oracle.Oracle`; its open minutes come from its
merged intervals, one boolean per minute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from tests.core.oracle import Oracle

MINUTE = timedelta(minutes=1)
HORIZON = timedelta(days=80)  # how far past now the due time is searched


class OracleError(Exception):
    def __init__(self, index: int, kind: str) -> None:
        super().__init__(f"event {index} ({kind})")
        self.index = index
        self.kind = kind


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime  # whole UTC minute
    target: int | None = None  # minutes, retarget only
    cause: str | None = None  # pause only


@dataclass
class Answer:
    state: str
    is_paused: bool
    due_at: datetime | None  # None while paused and not breached
    elapsed: timedelta
    remaining: timedelta
    paused_by_cause: dict[str, timedelta] = field(default_factory=dict)


def replay(events: Sequence[Event], now: datetime) -> list[tuple[datetime, str, str]]:
    """The mode changes: (instant, mode, cause) in order; modes are running,
    paused, stopped; raises OracleError for an event that breaks a rule."""
    order = sorted(
        (i for i, e in enumerate(events) if e.at <= now), key=lambda i: events[i].at
    )
    changes: list[tuple[datetime, str, str]] = []
    mode = "none"
    cause = ""
    for i in order:
        e = events[i]
        if mode == "none":
            if e.kind != "start":
                raise OracleError(i, e.kind)
            mode = "running"
        elif e.kind == "start":
            raise OracleError(i, e.kind)
        elif e.kind == "pause":
            if mode == "stopped":
                continue
            mode, cause = "paused", str(e.cause)
        elif e.kind == "resume":
            if mode != "paused":
                raise OracleError(i, e.kind)
            mode = "running"
        elif e.kind == "stop":
            if mode == "stopped":
                continue  # the first stop stands
            mode = "stopped"
        elif e.kind == "reopen":
            if mode != "stopped":
                raise OracleError(i, e.kind)
            mode = "running"
        else:
            continue  # retargets change no mode
        changes.append((e.at, mode, cause if mode == "paused" else ""))
    return changes


def final_target(events: Sequence[Event], now: datetime, target: int) -> int:
    kept = [e for e in events if e.at <= now]
    for e in sorted(kept, key=lambda e: e.at):  # stable
        if e.kind == "retarget":
            assert e.target is not None
            target = e.target
    return target


def evaluate(
    calendar: Oracle, target_minutes: int, events: Sequence[Event], now: datetime
) -> Answer:
    changes = replay(events, now)
    if not changes:
        raise OracleError(-1, "none")
    target = final_target(events, now, target_minutes)
    start = changes[0][0]
    hi = now + HORIZON
    n = (hi - start) // MINUTE
    open_ = np.zeros(n, dtype=bool)
    for a, b in calendar.intervals(start, hi):
        open_[(a - start) // MINUTE : (b - start) // MINUTE] = True
    # the mode of each minute (a stopped clock stays stopped once it is stopped)
    mode = np.empty(n, dtype=object)
    cause = np.empty(n, dtype=object)
    for k, (at, m, c) in enumerate(changes):
        lo = (at - start) // MINUTE
        up = (changes[k + 1][0] - start) // MINUTE if k + 1 < len(changes) else n
        mode[lo:up] = m
        cause[lo:up] = c if m == "paused" else ("stopped" if m == "stopped" else "")
    final_mode = changes[-1][1]
    stop = changes[-1][0] if final_mode == "stopped" else None
    end = stop if stop is not None else now
    n_end = (end - start) // MINUTE
    counted = open_ & (mode == "running")
    elapsed = int(counted[:n_end].sum())
    by_cause: dict[str, timedelta] = {}
    for k in range(n_end):
        if mode[k] != "running":
            c = str(cause[k])
            by_cause.setdefault(c, timedelta(0))
            if open_[k]:
                by_cause[c] += MINUTE
    # the due time: the stopped end runs on
    running_for_due = counted.copy()
    if stop is not None:
        n_stop = (stop - start) // MINUTE
        running_for_due[n_stop:] = open_[n_stop:]
    due: datetime | None
    if target == 0:
        due = start
    else:
        reached = np.flatnonzero(np.cumsum(running_for_due) >= target)
        due = start + (int(reached[0]) + 1) * MINUTE if reached.size else None
        if due is None:
            assert final_mode == "paused", "the horizon is too short"
    is_paused = final_mode == "paused"
    if stop is not None:
        assert due is not None
        state = "met" if stop <= due else "breached"
    elif due is not None and now > due:
        state = "breached"
    else:
        state = "paused" if is_paused else "running"
    return Answer(
        state=state,
        is_paused=is_paused,
        due_at=None if state == "paused" else due,
        elapsed=elapsed * MINUTE,
        remaining=(target - elapsed) * MINUTE,
        paused_by_cause=by_cause,
    )
