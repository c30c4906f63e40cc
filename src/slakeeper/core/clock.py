"""SLA clocks: a history of events folded into a state, a due time and the
working time used. Rules: docs/sla-clock.md, section 4.

`fold_events` reduces any valid history to one `ClockSpan` (start, final
target, pause spans, stop); `evaluate_clock` measures that span on a calendar
at an instant `now`. `clock_batch.evaluate_clocks` does the same for many
reduced clocks at once, with numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from slakeeper.core.calendar import WorkCalendar, duration_us, from_us, to_us
from slakeeper.core.errors import ClockError

__all__ = [
    "CLOCK_EVENT_KINDS",
    "STOPPED_CAUSE",
    "ClockEvent",
    "ClockSpan",
    "ClockState",
    "ClockStatus",
    "PauseSpan",
    "evaluate_clock",
    "fold_events",
]

CLOCK_EVENT_KINDS = ("start", "pause", "resume", "stop", "reopen", "retarget")
STOPPED_CAUSE = "stopped"  # the cause of the span between a stop and a reopen
_ZERO = timedelta(0)
_ONE_US = timedelta(microseconds=1)


class ClockState(StrEnum):
    """The state of a clock at an instant. `code` is the vectorised form."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"

    @property
    def code(self) -> int:
        """0 running, 1 paused, 2 met, 3 breached (`evaluate_clocks` state codes)."""
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> ClockState:
        return _STATES[int(code)]


_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.MET, ClockState.BREACHED)
_CODES = {state: code for code, state in enumerate(_STATES)}


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One event of a clock's history.

    `kind` is one of `CLOCK_EVENT_KINDS`; `at` an aware datetime. A `retarget`
    carries its new `target` (a non-negative timedelta), a `pause` its `cause`
    (a non-empty string); no other event carries either.
    """

    kind: str
    at: datetime
    target: timedelta | None = None
    cause: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CLOCK_EVENT_KINDS:
            raise ClockError(
                f"unknown clock event kind {self.kind!r}; expected one of"
                f" {', '.join(CLOCK_EVENT_KINDS)}",
                kind=self.kind,
            )
        if not isinstance(self.at, datetime):
            raise ClockError(
                f"{self.kind} event: at {self.at!r} must be a datetime", kind=self.kind
            )
        to_us(self.at, f"{self.kind} event instant")  # naive -> NaiveDatetimeError
        if self.kind == "retarget":
            if not isinstance(self.target, timedelta) or self.target < _ZERO:
                raise ClockError(
                    f"retarget event: target {self.target!r} must be a timedelta"
                    " of zero or more",
                    kind=self.kind,
                )
        elif self.target is not None:
            raise ClockError(
                f"{self.kind} event: only a retarget carries a target", kind=self.kind
            )
        if self.kind == "pause":
            if not isinstance(self.cause, str) or not self.cause:
                raise ClockError(
                    "pause event: a pause must carry its cause (a non-empty string)",
                    kind=self.kind,
                )
        elif self.cause is not None:
            raise ClockError(
                f"{self.kind} event: only a pause carries a cause", kind=self.kind
            )


class PauseSpan(NamedTuple):
    """A paused span `[start, end)` (UTC); `end` is None while it lasts."""

    start: datetime
    end: datetime | None
    cause: str


@dataclass(frozen=True, slots=True)
class ClockSpan:
    """The reduced form of a history: every valid history folds to one.

    `target` is the final retarget's target, or None when there was none (the
    caller's target applies). `pauses` are in order and do not overlap; the
    span between a stop and a reopen is a pause with cause `STOPPED_CAUSE`;
    only the last pause may be open, and only when `stop` is None. All
    instants are UTC.
    """

    start: datetime
    target: timedelta | None
    pauses: tuple[PauseSpan, ...]
    stop: datetime | None


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """A clock measured at an instant; see `evaluate_clock` for each field."""

    state: ClockState
    is_paused: bool
    at_risk: bool
    target: timedelta
    due_at: datetime | None
    elapsed: timedelta
    remaining: timedelta
    overdue_by: timedelta
    paused_total: timedelta
    paused_by_cause: Mapping[str, timedelta]
    breached_at: datetime | None
    next_check_at: datetime | None


def _event_error(index: int, event: ClockEvent, reason: str) -> ClockError:
    return ClockError(
        f"event {index} ({event.kind} at {event.at.isoformat()}): {reason}",
        index=index,
        kind=event.kind,
    )


def _check_events(events: Sequence[ClockEvent]) -> None:
    for i, event in enumerate(events):
        if not isinstance(event, ClockEvent):
            raise ClockError(f"event {i} is {event!r}, not a ClockEvent", index=i)


def _fold(indexed: Sequence[tuple[int, int, ClockEvent]]) -> ClockSpan:
    """Fold (given index, instant in microseconds, event) triples, in order."""
    start: int | None = None
    target: timedelta | None = None
    pauses: list[tuple[int, int | None, str]] = []
    stop: int | None = None
    paused: tuple[int, str] | None = None  # the open pause: (start, cause)
    for index, t, event in sorted(indexed, key=lambda item: item[1]):
        kind = event.kind
        if start is None:
            if kind != "start":
                raise _event_error(index, event, "comes before the clock's start")
            start = t
        elif kind == "start":
            raise _event_error(index, event, "a second start")
        elif kind == "pause":
            if stop is not None:
                continue  # a stopped clock counts nothing: nothing to pause
            cause = str(event.cause)
            if paused is not None:
                if paused[1] == cause:
                    continue  # the same pause goes on
                pauses.append((paused[0], t, paused[1]))  # the cause changes
            paused = (t, cause)
        elif kind == "resume":
            if paused is None:
                raise _event_error(index, event, "resume without a pause")
            pauses.append((paused[0], t, paused[1]))
            paused = None
        elif kind == "stop":
            if stop is not None:
                continue  # already stopped: the first stop stands
            if paused is not None:
                pauses.append((paused[0], t, paused[1]))
                paused = None
            stop = t
        elif kind == "reopen":
            if stop is None:
                raise _event_error(index, event, "reopen without a stop")
            pauses.append((stop, t, STOPPED_CAUSE))
            stop = None
        else:  # retarget
            target = event.target
    if start is None:
        raise ClockError("the clock has no start event")
    if paused is not None:
        pauses.append((paused[0], None, paused[1]))
    return ClockSpan(
        start=from_us(start),
        target=target,
        pauses=tuple(
            PauseSpan(from_us(s), None if e is None else from_us(e), c)
            for s, e, c in pauses
        ),
        stop=None if stop is None else from_us(stop),
    )


def fold_events(events: Sequence[ClockEvent]) -> ClockSpan:
    """Reduce a history to its `ClockSpan`, applying the event rules.

    Events are taken in order of their instants (a stable sort: equal instants
    keep the order given). Raises `ClockError` naming the offending event (its
    index in `events` and its kind) for: any event before the start, a second
    start, a resume without a pause, a reopen without a stop; and when there is
    no start at all.
    """
    _check_events(events)
    return _fold([(i, to_us(e.at), e) for i, e in enumerate(events)])


def _fractions(warn_at: Sequence[float]) -> list[float]:
    out = []
    for f in warn_at:
        if isinstance(f, bool) or not isinstance(f, int | float) or not 0 <= f <= 1:
            raise ClockError(
                f"warn_at fractions must be numbers from 0 to 1, not {f!r}"
            )
        out.append(float(f))
    return out


def evaluate_clock(
    calendar: WorkCalendar,
    target: timedelta,
    events: Sequence[ClockEvent],
    now: datetime,
    *,
    warn_at: Sequence[float] = (0.75,),
) -> ClockStatus:
    """The clock folded from `events` on `calendar`, measured at `now`.

    Events after `now` are ignored; the others are folded by `fold_events`
    (same errors; with no start at or before `now`, `ClockError`). A retarget
    replaces `target` retroactively, from the original start. Fields:

    - `elapsed`: open time in [start, min(now, stop)) outside the pauses;
      `remaining = target - elapsed` (signed); `overdue_by = max(-remaining, 0)`,
      the working time counted after `due_at`.
    - `due_at`: the earliest instant at which elapsed reaches the target if no
      further pause happens (a stopped clock runs on from its stop). None while
      the clock is paused and not breached.
    - `state`: `met` / `breached` once stopped (met iff stop <= due_at);
      open: `breached` when now > due_at, else `paused` or `running`.
      `is_paused` is True while a pause is open (also when breached).
    - `at_risk`: running or paused, and elapsed >= target x the smallest
      `warn_at` fraction (never with an empty `warn_at`).
    - `paused_total` / `paused_by_cause`: open time inside the pauses (up to
      now or the stop), per cause; a stop-to-reopen span has cause "stopped".
    - `breached_at`: the `due_at` that was missed, when breached.
    - `next_check_at`: only while running: the earliest of the instants at
      which elapsed reaches a `warn_at` fraction not yet reached, and the
      first instant the clock is breached (`due_at`, or a microsecond after
      it when now == due_at). Always after `now`; None otherwise.
    """
    now_us = to_us(now, "now")
    duration_us(target)
    fractions = _fractions(warn_at)
    _check_events(events)
    kept = []
    for i, event in enumerate(events):
        t = to_us(event.at)
        if t <= now_us:
            kept.append((i, t, event))
    span = _fold(kept)
    return _measure(calendar, target, span, from_us(now_us), fractions)


def _measure(
    calendar: WorkCalendar,
    target: timedelta,
    span: ClockSpan,
    now: datetime,
    fractions: Sequence[float],
) -> ClockStatus:
    if span.target is not None:
        target = span.target
    end = now if span.stop is None else span.stop
    gross = calendar.between(span.start, end)
    by_cause: dict[str, timedelta] = {}
    for pause in span.pauses:
        lost = calendar.between(pause.start, min(end, pause.end or end))
        by_cause[pause.cause] = by_cause.get(pause.cause, _ZERO) + lost
    paused_total = sum(by_cause.values(), _ZERO)
    elapsed = gross - paused_total
    remaining = target - elapsed
    due = _due(calendar, target, span)
    is_paused = bool(span.pauses) and span.pauses[-1].end is None
    if span.stop is not None:
        assert due is not None  # a stopped clock has no open pause
        state = ClockState.MET if span.stop <= due else ClockState.BREACHED
    elif due is not None and now > due:
        state = ClockState.BREACHED
    else:
        state = ClockState.PAUSED if is_paused else ClockState.RUNNING
    open_state = state in (ClockState.RUNNING, ClockState.PAUSED)
    at_risk = open_state and bool(fractions) and elapsed >= target * min(fractions)
    next_check: datetime | None = None
    if state is ClockState.RUNNING:
        assert due is not None
        candidates = [due if due > now else due + _ONE_US]
        for f in fractions:
            threshold = target * f
            if elapsed < threshold:
                candidates.append(calendar.add(now, threshold - elapsed))
        next_check = min(candidates)
    return ClockStatus(
        state=state,
        is_paused=is_paused,
        at_risk=at_risk,
        target=target,
        due_at=None if state is ClockState.PAUSED else due,
        elapsed=elapsed,
        remaining=remaining,
        overdue_by=max(-remaining, _ZERO),
        paused_total=paused_total,
        paused_by_cause=by_cause,
        breached_at=due if state is ClockState.BREACHED else None,
        next_check_at=next_check,
    )


def _due(calendar: WorkCalendar, target: timedelta, span: ClockSpan) -> datetime | None:
    """The earliest instant elapsed reaches `target`, running on after the last
    pause (and after the stop); None when an open pause comes first."""
    left = target
    segment_start = span.start
    for pause in span.pauses:
        available = calendar.between(segment_start, pause.start)
        if left <= available:
            return calendar.add(segment_start, left)
        left -= available
        if pause.end is None:
            return None
        segment_start = max(segment_start, pause.end)
    return calendar.add(segment_start, left)
