"""SLA clocks against a brute-force oracle (tests/core/clock_oracle.py).

A Hypothesis state machine writes random clock histories (every kind of
event, valid or not, at whole minutes, now and then out of order) on random
calendars (DST zones, overnight and lunch-break windows, holidays near the
DST changes) and, after every step, compares `evaluate_clock` and
`evaluate_clocks` (on the folded span) with the oracle at several instants:
state, due time, elapsed, remaining, paused time by cause, and the errors.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from slakeeper.core import (
    ClockError,
    ClockEvent,
    ClockState,
    WorkCalendar,
    evaluate_clock,
    evaluate_clocks,
    fold_events,
)
from tests.core.clock_oracle import Answer, Event, OracleError, evaluate
from tests.core.oracle import Oracle

MINUTE = timedelta(minutes=1)
KINDS = ("start", "pause", "resume", "stop", "reopen", "retarget")
CAUSES = ("waiting_on_client", "third_party", "payment_overdue")
# (zone, its DST changes in 2027: the anchors histories start near)
ZONES = {
    "Europe/Berlin": (date(2027, 3, 28), date(2027, 10, 31)),
    "America/New_York": (date(2027, 3, 14), date(2027, 11, 7)),
    "Australia/Lord_Howe": (date(2027, 4, 4), date(2027, 10, 3)),
    "UTC": (date(2027, 1, 1), date(2027, 6, 30)),
}
HOURS = (
    {"mon-fri": "09:00-12:30, 13:30-17:30"},
    {"mon-sun": "00:00-24:00"},
    {"mon-fri": "22:00-06:00"},
    {"mon-sun": "01:30-03:30, 08:00-18:00"},
    {"mon-thu": "08:00-16:00", "sat": "10:00-14:00"},
)
FAST = (settings.default or settings()).max_examples <= 100  # the ci profile


@lru_cache(maxsize=64)
def calendars(zone: str, hours_index: int, closed: tuple[str, ...]) -> tuple[Any, Any]:
    spec = {
        "timezone": zone,
        "hours": HOURS[hours_index],
        "holidays": {"dates": list(closed)},
    }
    return WorkCalendar.from_spec(spec), Oracle(spec)


@st.composite
def setups(draw: st.DrawFn) -> tuple[str, int, tuple[str, ...], datetime]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    anchor = draw(st.sampled_from(ZONES[zone]))
    hours_index = draw(st.integers(0, len(HOURS) - 1))
    offsets = draw(st.lists(st.integers(-3, 20), max_size=3, unique=True))
    closed = tuple(sorted((anchor + timedelta(days=d)).isoformat() for d in offsets))
    start = (
        datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC)
        + draw(st.integers(-3 * 1440, 2 * 1440)) * MINUTE
    )
    return zone, hours_index, closed, start


targets = st.one_of(st.just(0), st.integers(1, 600), st.integers(1, 4000))


def shuffle_keeping_ties(events: list[Event], rnd: random.Random) -> list[int]:
    """A permutation of the event indices in which events at one instant keep
    their relative order (so a stable sort by instant gives the same history)."""
    order = sorted(range(len(events)), key=lambda i: events[i].at)
    groups = [list(g) for _, g in groupby(order, key=lambda i: events[i].at)]
    rnd.shuffle(groups)
    return [i for g in groups for i in g]


def to_clock_event(e: Event) -> ClockEvent:
    target = None if e.target is None else e.target * MINUTE
    return ClockEvent(e.kind, e.at, target=target, cause=e.cause)


def effective(retarget: timedelta | None, target: int) -> timedelta:
    return target * MINUTE if retarget is None else retarget


def seconds64(t: datetime | None) -> np.datetime64:
    if t is None:
        return np.datetime64("NaT", "s")
    return np.datetime64(int(t.timestamp()), "s")


def check_against_oracle(
    cal: WorkCalendar,
    oracle: Oracle,
    target: int,
    events: list[Event],
    now: datetime,
    rnd: random.Random,
) -> Answer | None:
    """Compare the engine with the oracle at `now`; None when both refuse."""
    order = shuffle_keeping_ties(events, rnd)
    given_events = [to_clock_event(events[i]) for i in order]
    oracle_events = [events[i] for i in order]
    refused: OracleError | None = None
    try:
        expected = evaluate(oracle, target, oracle_events, now)
    except OracleError as err:
        refused = err
    if refused is not None:
        with pytest.raises(ClockError) as caught:
            evaluate_clock(cal, target * MINUTE, given_events, now)
        if refused.index >= 0:
            assert caught.value.index == refused.index
            assert caught.value.kind == refused.kind
        return None
    got = evaluate_clock(cal, target * MINUTE, given_events, now)
    assert got.state == expected.state
    assert got.is_paused == expected.is_paused
    assert got.due_at == expected.due_at
    assert got.elapsed == expected.elapsed
    assert got.remaining == expected.remaining
    assert got.overdue_by == max(-got.remaining, timedelta(0))
    nonzero = {c: d for c, d in got.paused_by_cause.items() if d}
    assert nonzero == {c: d for c, d in expected.paused_by_cause.items() if d}
    assert got.paused_total == sum(got.paused_by_cause.values(), timedelta(0))
    if got.state is ClockState.BREACHED:
        assert got.breached_at == got.due_at
    if got.state is ClockState.RUNNING:
        assert got.next_check_at is not None
        assert got.next_check_at > now
    else:
        assert got.next_check_at is None
    # the vectorised form of the same clock, from its folded span
    span = fold_events([e for e in given_events if e.at <= now])
    owner = np.zeros(len(span.pauses), dtype=np.int64)
    arrays = evaluate_clocks(
        cal,
        np.array([seconds64(span.start)]),
        np.array([int(effective(span.target, target).total_seconds())]).astype(
            "timedelta64[s]"
        ),
        np.array([seconds64(span.stop)]),
        now,
        pauses=(
            owner,
            np.array([seconds64(p.start) for p in span.pauses], dtype="datetime64[s]"),
            np.array([seconds64(p.end) for p in span.pauses], dtype="datetime64[s]"),
        ),
    )
    assert ClockState.from_code(int(arrays.state[0])) == got.state
    assert arrays.due_at[0] == seconds64(got.due_at) or (
        got.due_at is None and np.isnat(arrays.due_at[0])
    )
    assert arrays.elapsed[0] == np.timedelta64(got.elapsed)
    assert arrays.remaining[0] == np.timedelta64(got.remaining)
    return expected


class ClockMachine(RuleBasedStateMachine):
    """One clock's history, grown event by event."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []
        self.t = datetime(2027, 1, 1, tzinfo=UTC)

    @initialize(setup=setups(), goal=targets, started=st.booleans())
    def begin(
        self,
        setup: tuple[str, int, tuple[str, ...], datetime],
        goal: int,
        started: bool,
    ) -> None:
        zone, hours_index, closed, start = setup
        self.cal, self.oracle = calendars(zone, hours_index, closed)
        self.target = goal
        self.t = start
        if started:
            self.events.append(Event("start", start))

    @rule(minutes=st.one_of(st.integers(0, 90), st.integers(0, 5000)))
    def wait(self, minutes: int) -> None:
        self.t += minutes * MINUTE

    @rule(
        kind=st.sampled_from(KINDS),
        cause=st.sampled_from(CAUSES),
        goal=targets,
        back=st.one_of(st.just(0), st.integers(0, 600)),
        seed=st.integers(0, 2**32),
    )
    def event(self, kind: str, cause: str, goal: int, back: int, seed: int) -> None:
        event = Event(
            kind,
            self.t - back * MINUTE,
            target=goal if kind == "retarget" else None,
            cause=cause if kind == "pause" else None,
        )
        self.events.append(event)
        now = self.t
        answer = check_against_oracle(
            self.cal, self.oracle, self.target, self.events, now, random.Random(seed)
        )
        if answer is None:
            self.events.pop()  # refused: the history stays valid

    @precondition(lambda self: bool(self.events))
    @rule(
        later=st.one_of(st.integers(0, 600), st.integers(0, 20000)),
        earlier=st.integers(0, 3000),
        seed=st.integers(0, 2**32),
    )
    def look(self, later: int, earlier: int, seed: int) -> None:
        rnd = random.Random(seed)
        for now in (self.t + later * MINUTE, self.t - earlier * MINUTE):
            check_against_oracle(
                self.cal, self.oracle, self.target, self.events, now, rnd
            )

    @invariant()
    def replaying_gives_the_same_answer(self) -> None:
        if not self.events or self.events[0].kind != "start":
            return
        given_events = [to_clock_event(e) for e in self.events]
        first = evaluate_clock(self.cal, self.target * MINUTE, given_events, self.t)
        again = evaluate_clock(self.cal, self.target * MINUTE, given_events, self.t)
        assert first == again


ClockMachine.TestCase.settings = settings(
    settings.default,
    stateful_step_count=25 if FAST else 60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestClockAgainstTheOracle = ClockMachine.TestCase


# -- many clocks at once ------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn, start: datetime) -> list[ClockEvent]:
    """A valid history (start first, then valid events in time order)."""
    t = start + draw(st.integers(0, 3000)) * MINUTE
    events = [ClockEvent("start", t)]
    mode = "running"
    for _ in range(draw(st.integers(0, 8))):
        t += draw(st.one_of(st.integers(0, 60), st.integers(0, 3000))) * MINUTE
        choices = {
            "running": ["pause", "stop", "retarget"],
            "paused": ["resume", "pause", "stop", "retarget"],
            "stopped": ["reopen", "retarget", "stop", "pause"],
        }[mode]
        kind = draw(st.sampled_from(choices))
        if kind == "pause":
            cause = draw(st.sampled_from(CAUSES))
            events.append(ClockEvent("pause", t, cause=cause))
            mode = "paused" if mode != "stopped" else mode
        elif kind == "retarget":
            events.append(ClockEvent("retarget", t, target=draw(targets) * MINUTE))
        else:
            events.append(ClockEvent(kind, t))
            mode = {"resume": "running", "stop": "stopped", "reopen": "running"}[kind]
    return events


def micros64(t: datetime | None) -> np.datetime64:
    if t is None:
        return np.datetime64("NaT", "us")
    return np.datetime64(t.astimezone(UTC).replace(tzinfo=None), "us")


@st.composite
def jittered(draw: st.DrawFn, history: list[ClockEvent]) -> list[ClockEvent]:
    """`history` with its instants moved later by up to a few seconds, to the
    microsecond, in the same order."""
    moved, shift = [], timedelta(0)
    for event in history:
        shift += timedelta(microseconds=draw(st.integers(0, 2_999_999)))
        moved.append(
            ClockEvent(event.kind, event.at + shift, event.target, event.cause)
        )
    return moved


@pytest.mark.parametrize("unit", ["s", "us"])
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    setup=setups(),
    count=st.integers(1, 12),
    target=targets,
    later=st.integers(0, 30000),
    micro=st.integers(0, 999_999),
)
def test_evaluate_clocks_equals_evaluate_clock_item_by_item(
    unit: str,
    data: st.DataObject,
    setup: tuple[str, int, tuple[str, ...], datetime],
    count: int,
    target: int,
    later: int,
    micro: int,
) -> None:
    """In whole seconds, and in microseconds (instants to the microsecond)."""
    zone, hours_index, closed, start = setup
    cal, _ = calendars(zone, hours_index, closed)
    clocks = [data.draw(histories(start)) for _ in range(count)]
    now = start + later * MINUTE
    instant = seconds64
    if unit == "us":
        clocks = [data.draw(jittered(c)) for c in clocks]
        now += timedelta(microseconds=micro)
        instant = micros64
    clocks = [c for c in clocks if c[0].at <= now] or [[ClockEvent("start", now)]]
    spans = [fold_events([e for e in c if e.at <= now]) for c in clocks]
    owner = [i for i, s in enumerate(spans) for _ in s.pauses]
    pauses = [p for s in spans for p in s.pauses]
    order = data.draw(st.permutations(range(len(pauses))))  # any order will do
    arrays = evaluate_clocks(
        cal,
        np.array([instant(s.start) for s in spans], dtype=f"datetime64[{unit}]"),
        np.array(
            [effective(s.target, target) for s in spans], dtype=f"timedelta64[{unit}]"
        ),
        np.array([instant(s.stop) for s in spans], dtype=f"datetime64[{unit}]"),
        now,
        pauses=(
            np.array([owner[k] for k in order], dtype=np.int64),
            np.array([instant(pauses[k].start) for k in order], f"datetime64[{unit}]"),
            np.array([instant(pauses[k].end) for k in order], f"datetime64[{unit}]"),
        ),
    )
    assert arrays.due_at.dtype == np.dtype(f"datetime64[{unit}]")
    for i, events in enumerate(clocks):
        got = evaluate_clock(cal, target * MINUTE, events, now)
        assert ClockState.from_code(int(arrays.state[i])) == got.state, i
        if got.due_at is None:
            assert np.isnat(arrays.due_at[i])
        else:
            assert arrays.due_at[i] == instant(got.due_at)
        assert arrays.elapsed[i] == np.timedelta64(got.elapsed)
        assert arrays.remaining[i] == np.timedelta64(got.remaining)
