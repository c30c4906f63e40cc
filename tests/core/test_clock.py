"""SLA clocks, rule by rule (docs/sla-clock.md, section 4).

The office calendar: Mon-Fri 09:00-12:30 and 13:30-17:30 in Berlin; 4 January
2027 is a Monday, 8 January a Friday.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pytest

from slakeeper.core import (
    CalendarError,
    ClockError,
    ClockEvent,
    ClockSpan,
    ClockState,
    CoreError,
    NaiveDatetimeError,
    PauseSpan,
    evaluate_clock,
    evaluate_clocks,
    fold_events,
)
from tests.core.cast import berlin, hours, local, nine_to_five, office

CAL = office()


NAIVE = datetime(2027, 1, 4, 9)  # noqa: DTZ001


def loc(t: datetime | None) -> str:
    """A defined engine instant as Berlin ISO text."""
    assert t is not None
    return local(t)


def start(*when: int) -> ClockEvent:
    return ClockEvent("start", berlin(*when))


def pause(*when: int, cause: str = "waiting_on_client") -> ClockEvent:
    return ClockEvent("pause", berlin(*when), cause=cause)


def ev(kind: str, *when: int) -> ClockEvent:
    return ClockEvent(kind, berlin(*when))


def retarget(target: timedelta, *when: int) -> ClockEvent:
    return ClockEvent("retarget", berlin(*when), target=target)


def utc(t: datetime) -> np.datetime64:
    return np.datetime64(int(t.timestamp()), "s")


def utc_us(t: datetime) -> np.datetime64:
    return np.datetime64(t.astimezone(UTC).replace(tzinfo=None), "us")


class TestElapsed:
    def test_elapsed_is_the_open_time_since_the_start(self):
        status = evaluate_clock(
            CAL, hours(4), [start(2027, 1, 4, 12)], berlin(2027, 1, 4, 15)
        )
        assert status.elapsed == hours(2)  # 12:00-12:30 and 13:30-15:00
        assert status.remaining == hours(2)
        assert status.state is ClockState.RUNNING
        assert str(status.state) == "running"
        assert loc(status.due_at) == "2027-01-04T17:00:00+01:00"

    def test_paused_time_counts_in_working_time(self):
        # paused over the weekend: the weekend was closed anyway
        events = [
            start(2027, 1, 8, 16),
            pause(2027, 1, 8, 17),
            ev("resume", 2027, 1, 11, 10),
        ]
        status = evaluate_clock(CAL, hours(3), events, berlin(2027, 1, 11, 11))
        assert status.elapsed == hours(2)  # Friday 16-17, Monday 10-11
        assert status.paused_total == hours(1.5)  # Friday 17-17:30, Monday 09-10
        assert status.paused_by_cause == {"waiting_on_client": hours(1.5)}
        assert loc(status.due_at) == "2027-01-11T12:00:00+01:00"

    def test_a_pause_within_closed_time_extends_nothing(self):
        events = [
            start(2027, 1, 8, 16),
            pause(2027, 1, 9, 10),
            ev("resume", 2027, 1, 10, 10),
        ]
        with_pause = evaluate_clock(CAL, hours(3), events, berlin(2027, 1, 11, 9))
        without = evaluate_clock(CAL, hours(3), events[:1], berlin(2027, 1, 11, 9))
        assert with_pause.due_at == without.due_at
        assert with_pause.paused_total == timedelta(0)
        assert with_pause.paused_by_cause == {"waiting_on_client": timedelta(0)}


class TestDueAt:
    def test_while_paused_due_at_is_undefined_and_remaining_frozen(self):
        events = [start(2027, 1, 4, 9), pause(2027, 1, 4, 10)]
        a = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 11))
        b = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 5, 16))
        for status in (a, b):
            assert status.state is ClockState.PAUSED
            assert status.is_paused
            assert status.due_at is None
            assert status.remaining == hours(3)
            assert status.next_check_at is None
        assert b.paused_by_cause == {"waiting_on_client": hours(6.5 + 6)}

    def test_after_a_resume_the_due_time_moves_by_the_paused_working_time(self):
        events = [
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10),
            ev("resume", 2027, 1, 4, 14),
        ]
        status = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 14))
        assert loc(status.due_at) == "2027-01-04T17:00:00+01:00"

    def test_zero_target_is_due_at_the_start(self):
        status = evaluate_clock(
            CAL, timedelta(0), [start(2027, 1, 9, 10)], berlin(2027, 1, 9, 10)
        )
        assert status.due_at == berlin(2027, 1, 9, 10)
        assert status.state is ClockState.RUNNING
        assert status.at_risk
        assert status.next_check_at == berlin(2027, 1, 9, 10) + timedelta(
            microseconds=1
        )


class TestRetarget:
    def test_raising_the_priority_can_breach_at_once(self):
        events = [start(2027, 1, 4, 9), retarget(hours(1), 2027, 1, 4, 11)]
        status = evaluate_clock(CAL, hours(8), events, berlin(2027, 1, 4, 11))
        assert status.state is ClockState.BREACHED
        assert loc(status.breached_at) == "2027-01-04T10:00:00+01:00"
        assert status.remaining == -hours(1)
        assert status.overdue_by == hours(1)
        assert status.target == hours(1)

    def test_lowering_the_priority_can_end_a_breach(self):
        events = [start(2027, 1, 4, 9), retarget(hours(8), 2027, 1, 4, 11)]
        before = evaluate_clock(CAL, hours(1), events, berlin(2027, 1, 4, 10, 30))
        after = evaluate_clock(CAL, hours(1), events, berlin(2027, 1, 4, 11))
        assert before.state is ClockState.BREACHED
        assert after.state is ClockState.RUNNING
        assert loc(after.due_at) == "2027-01-05T09:30:00+01:00"

    def test_retarget_keeps_every_pause_and_a_paused_clock_paused(self):
        events = [
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10),
            retarget(hours(2), 2027, 1, 4, 11),
        ]
        status = evaluate_clock(CAL, hours(8), events, berlin(2027, 1, 4, 12))
        assert status.state is ClockState.PAUSED
        assert status.remaining == hours(1)

    def test_retarget_after_stop_redecides_met_or_breached(self):
        events = [start(2027, 1, 4, 9), ev("stop", 2027, 1, 4, 12)]
        met = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 5, 9))
        late = evaluate_clock(
            CAL,
            hours(4),
            [*events, retarget(hours(2), 2027, 1, 4, 13)],
            berlin(2027, 1, 5, 9),
        )
        assert met.state is ClockState.MET
        assert late.state is ClockState.BREACHED
        assert late.overdue_by == hours(1)


class TestReopen:
    def test_the_span_between_stop_and_reopen_is_not_counted(self):
        events = [
            start(2027, 1, 4, 9),
            ev("stop", 2027, 1, 4, 10),
            ev("reopen", 2027, 1, 5, 9),
        ]
        status = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 5, 10))
        assert status.state is ClockState.RUNNING
        assert status.elapsed == hours(2)
        assert status.paused_by_cause == {"stopped": hours(6.5)}
        assert loc(status.due_at) == "2027-01-05T12:00:00+01:00"


class TestCauses:
    def test_paused_time_is_attributed_by_cause(self):
        events = [
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10, cause="waiting_on_client"),
            pause(2027, 1, 4, 11, cause="third_party"),  # the cause changes
            pause(2027, 1, 4, 11, 30, cause="third_party"),  # the same pause goes on
            ev("resume", 2027, 1, 4, 12),
        ]
        status = evaluate_clock(CAL, hours(8), events, berlin(2027, 1, 4, 12))
        assert status.paused_by_cause == {
            "waiting_on_client": hours(1),
            "third_party": hours(1),
        }
        assert status.paused_total == hours(2)
        assert fold_events(events).pauses == (
            PauseSpan(
                berlin(2027, 1, 4, 10), berlin(2027, 1, 4, 11), "waiting_on_client"
            ),
            PauseSpan(berlin(2027, 1, 4, 11), berlin(2027, 1, 4, 12), "third_party"),
        )


class TestStates:
    def test_met_exactly_at_due_at_is_in_time(self):
        events = [start(2027, 1, 4, 9), ev("stop", 2027, 1, 4, 10)]
        status = evaluate_clock(CAL, hours(1), events, berlin(2027, 1, 4, 12))
        assert status.state is ClockState.MET
        assert status.remaining == timedelta(0)
        assert status.breached_at is None
        assert status.next_check_at is None
        assert not status.at_risk

    def test_open_exactly_at_due_at_is_still_running(self):
        status = evaluate_clock(
            CAL, hours(1), [start(2027, 1, 4, 9)], berlin(2027, 1, 4, 10)
        )
        assert status.state is ClockState.RUNNING
        assert status.next_check_at == berlin(2027, 1, 4, 10) + timedelta(
            microseconds=1
        )
        late = evaluate_clock(
            CAL, hours(1), [start(2027, 1, 4, 9)], berlin(2027, 1, 4, 10, 0, 0, 1)
        )
        assert late.state is ClockState.BREACHED

    def test_due_friday_1730_met_monday_0900_is_breached_overdue_by_zero(self):
        events = [start(2027, 1, 8, 14), ev("stop", 2027, 1, 11, 9)]
        status = evaluate_clock(CAL, hours(3.5), events, berlin(2027, 1, 11, 12))
        assert loc(status.due_at) == "2027-01-08T17:30:00+01:00"
        assert status.state is ClockState.BREACHED
        assert status.breached_at == status.due_at
        assert status.overdue_by == timedelta(0)
        assert status.remaining == timedelta(0)

    def test_open_over_the_weekend_after_a_friday_due_time_is_breached(self):
        status = evaluate_clock(
            CAL, hours(3.5), [start(2027, 1, 8, 14)], berlin(2027, 1, 9, 10)
        )
        assert status.state is ClockState.BREACHED
        assert status.overdue_by == timedelta(0)

    def test_a_breached_clock_stays_breached_when_paused(self):
        events = [start(2027, 1, 4, 9), pause(2027, 1, 4, 11)]
        status = evaluate_clock(CAL, hours(1), events, berlin(2027, 1, 4, 12))
        assert status.state is ClockState.BREACHED
        assert status.is_paused
        assert loc(status.due_at) == "2027-01-04T10:00:00+01:00"
        assert status.remaining == -hours(1)
        assert status.next_check_at is None

    def test_paused_right_at_the_due_time_is_paused_not_breached(self):
        events = [start(2027, 1, 4, 9), pause(2027, 1, 4, 10)]
        status = evaluate_clock(CAL, hours(1), events, berlin(2027, 1, 4, 10))
        assert status.state is ClockState.PAUSED
        assert status.at_risk
        assert status.due_at is None

    def test_state_codes(self):
        assert [s.code for s in ClockState] == [0, 1, 2, 3]
        assert ClockState.from_code(3) is ClockState.BREACHED


class TestEventRules:
    def test_events_are_taken_in_order_of_their_instants(self):
        events = [
            ev("resume", 2027, 1, 4, 11),
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10),
        ]
        status = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 12))
        assert status.elapsed == hours(2)

    def test_ties_apply_in_the_order_given(self):
        pause_first = [
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10),
            ev("stop", 2027, 1, 4, 10),
        ]
        status = evaluate_clock(CAL, hours(4), pause_first, berlin(2027, 1, 4, 12))
        assert status.state is ClockState.MET
        stop_first = [
            start(2027, 1, 4, 9),
            ev("stop", 2027, 1, 4, 10),
            pause(2027, 1, 4, 10),
        ]
        other = evaluate_clock(CAL, hours(4), stop_first, berlin(2027, 1, 4, 12))
        assert (other.state, other.elapsed) == (status.state, status.elapsed)
        with pytest.raises(
            ClockError, match=r"event 0 \(pause at .*before the clock's start"
        ):
            evaluate_clock(
                CAL,
                hours(4),
                [pause(2027, 1, 4, 9), start(2027, 1, 4, 9)],
                berlin(2027, 1, 4, 12),
            )

    def test_events_after_now_are_ignored(self):
        events = [
            start(2027, 1, 4, 9),
            ev("stop", 2027, 1, 4, 10),
            ev("resume", 2027, 1, 5, 9),
        ]
        status = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 12))
        assert status.state is ClockState.MET
        with pytest.raises(ClockError, match="no start"):
            evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 8))

    @pytest.mark.parametrize(
        ("events", "index", "kind", "reason"),
        [
            (
                [pause(2027, 1, 4, 8), start(2027, 1, 4, 9)],
                0,
                "pause",
                "before the clock's start",
            ),
            (
                [retarget(hours(1), 2027, 1, 4, 8), start(2027, 1, 4, 9)],
                0,
                "retarget",
                "before",
            ),
            (
                [start(2027, 1, 4, 9), ev("resume", 2027, 1, 4, 10)],
                1,
                "resume",
                "without a pause",
            ),
            (
                [start(2027, 1, 4, 9), ev("reopen", 2027, 1, 4, 10)],
                1,
                "reopen",
                "without a stop",
            ),
            (
                [start(2027, 1, 4, 9), start(2027, 1, 4, 10)],
                1,
                "start",
                "a second start",
            ),
            (
                [
                    start(2027, 1, 4, 9),
                    ev("stop", 2027, 1, 4, 10),
                    ev("resume", 2027, 1, 4, 11),
                ],
                2,
                "resume",
                "without a pause",
            ),
        ],
    )
    def test_broken_rules_name_the_offending_event(self, events, index, kind, reason):
        with pytest.raises(ClockError, match=reason) as caught:
            evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 12))
        assert (caught.value.index, caught.value.kind) == (index, kind)
        assert f"event {index} ({kind} at " in str(caught.value)
        assert isinstance(caught.value, CoreError)

    def test_a_stop_while_paused_ends_the_pause(self):
        events = [
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10),
            ev("stop", 2027, 1, 4, 11),
        ]
        status = evaluate_clock(CAL, hours(4), events, berlin(2027, 1, 4, 12))
        assert status.state is ClockState.MET
        assert not status.is_paused
        assert status.paused_total == hours(1)
        # the due time as if it had run on from the stop
        assert loc(status.due_at) == "2027-01-04T15:00:00+01:00"

    def test_a_stopped_clock_ignores_pauses_and_later_stops(self):
        events = [
            start(2027, 1, 4, 9),
            ev("stop", 2027, 1, 4, 10),
            pause(2027, 1, 4, 11),
            ev("stop", 2027, 1, 4, 15),
        ]
        assert fold_events(events) == ClockSpan(
            start=berlin(2027, 1, 4, 9),
            target=None,
            pauses=(),
            stop=berlin(2027, 1, 4, 10),
        )

    def test_replaying_gives_the_same_state(self):
        events = [start(2027, 1, 4, 9), pause(2027, 1, 4, 10)]
        now = berlin(2027, 1, 4, 12)
        assert evaluate_clock(CAL, hours(4), events, now) == evaluate_clock(
            CAL, hours(4), list(events), now
        )


class TestFold:
    def test_every_history_reduces_to_one_span(self):
        events = [
            start(2027, 1, 4, 9),
            pause(2027, 1, 4, 10),
            ev("resume", 2027, 1, 4, 11),
            ev("stop", 2027, 1, 4, 12),
            ev("reopen", 2027, 1, 5, 9),
            retarget(hours(2), 2027, 1, 5, 9),
            pause(2027, 1, 5, 10, cause="third_party"),
        ]
        span = fold_events(events)
        assert span == ClockSpan(
            start=berlin(2027, 1, 4, 9),
            target=hours(2),
            pauses=(
                PauseSpan(
                    berlin(2027, 1, 4, 10), berlin(2027, 1, 4, 11), "waiting_on_client"
                ),
                PauseSpan(berlin(2027, 1, 4, 12), berlin(2027, 1, 5, 9), "stopped"),
                PauseSpan(berlin(2027, 1, 5, 10), None, "third_party"),
            ),
            stop=None,
        )
        assert span.start.tzinfo is UTC

    def test_no_start_is_an_error(self):
        with pytest.raises(ClockError, match="no start"):
            fold_events([])


class TestWarnings:
    def test_at_risk_from_the_first_warning_fraction(self):
        now = berlin(2027, 1, 4, 12)  # 3 of 4 hours used
        status = evaluate_clock(CAL, hours(4), [start(2027, 1, 4, 9)], now)
        assert status.at_risk
        early = evaluate_clock(
            CAL, hours(4), [start(2027, 1, 4, 9)], berlin(2027, 1, 4, 11)
        )
        assert not early.at_risk
        assert loc(early.next_check_at) == "2027-01-04T12:00:00+01:00"
        none = evaluate_clock(CAL, hours(4), [start(2027, 1, 4, 9)], now, warn_at=())
        assert not none.at_risk
        assert none.next_check_at == none.due_at

    def test_next_check_at_is_the_next_threshold_or_the_due_time(self):
        status = evaluate_clock(
            CAL,
            hours(4),
            [start(2027, 1, 4, 9)],
            berlin(2027, 1, 4, 9),
            warn_at=(0.5, 0.25),
        )
        assert loc(status.next_check_at) == "2027-01-04T10:00:00+01:00"
        later = evaluate_clock(
            CAL,
            hours(4),
            [start(2027, 1, 4, 9)],
            berlin(2027, 1, 4, 11),
            warn_at=(0.5, 0.25),
        )
        assert later.at_risk
        assert loc(later.next_check_at) == "2027-01-04T14:00:00+01:00"  # the due time

    @pytest.mark.parametrize("bad", [(1.5,), (-0.1,), ("0.5",), (True,)])
    def test_fractions_must_lie_from_0_to_1(self, bad):
        with pytest.raises(ClockError, match="warn_at"):
            evaluate_clock(
                CAL,
                hours(4),
                [start(2027, 1, 4, 9)],
                berlin(2027, 1, 4, 9),
                warn_at=bad,
            )


class TestEvents:
    def test_naive_datetimes_raise(self):
        with pytest.raises(NaiveDatetimeError):
            ClockEvent("start", datetime(2027, 1, 4, 9))  # noqa: DTZ001
        with pytest.raises(NaiveDatetimeError):
            evaluate_clock(CAL, hours(4), [start(2027, 1, 4, 9)], NAIVE)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"kind": "begin"}, "unknown clock event kind"),
            ({"kind": "start", "at": "2027-01-04"}, "must be a datetime"),
            ({"kind": "retarget"}, "must be a timedelta"),
            ({"kind": "retarget", "target": -hours(1)}, "must be a timedelta"),
            ({"kind": "start", "target": hours(1)}, "only a retarget carries a target"),
            ({"kind": "pause"}, "must carry its cause"),
            ({"kind": "pause", "cause": ""}, "must carry its cause"),
            ({"kind": "stop", "cause": "x"}, "only a pause carries a cause"),
        ],
    )
    def test_malformed_events_raise(self, kwargs, message):
        kwargs = {"at": berlin(2027, 1, 4, 9), **kwargs}
        with pytest.raises(ClockError, match=message):
            ClockEvent(**kwargs)

    def test_events_must_be_clock_events(self):
        with pytest.raises(ClockError, match="event 1 is"):
            fold_events([start(2027, 1, 4, 9), ("stop", berlin(2027, 1, 4, 10))])  # type: ignore[list-item]

    def test_a_negative_target_raises(self):
        with pytest.raises(CoreError):
            evaluate_clock(
                CAL, -hours(1), [start(2027, 1, 4, 9)], berlin(2027, 1, 4, 9)
            )


def arrays(*items: datetime | None) -> npt.NDArray[np.datetime64]:
    return np.array(
        [utc(t) if t is not None else np.datetime64("NaT", "s") for t in items],
        dtype="datetime64[s]",
    )


class TestEvaluateClocks:
    cal = nine_to_five()

    def test_it_matches_the_scalar_fold(self):
        now = berlin(2027, 1, 5, 12)
        histories = [
            [start(2027, 1, 4, 9)],  # running
            [start(2027, 1, 4, 9), pause(2027, 1, 4, 10)],  # paused
            [start(2027, 1, 4, 9), ev("stop", 2027, 1, 4, 11)],  # met
            [start(2027, 1, 4, 9), retarget(hours(1), 2027, 1, 4, 9)],  # breached
            [
                start(2027, 1, 4, 9),
                pause(2027, 1, 4, 9, 30),
                pause(2027, 1, 4, 10, cause="x"),
            ],
        ]
        spans = [fold_events(h) for h in histories]
        owner = [i for i, s in enumerate(spans) for _ in s.pauses]
        pauses = [p for s in spans for p in s.pauses]
        result = evaluate_clocks(
            self.cal,
            arrays(*(s.start for s in spans)),
            np.array([(s.target or hours(12)).total_seconds() for s in spans]).astype(
                "timedelta64[s]"
            ),
            arrays(*(s.stop for s in spans)),
            now,
            pauses=(
                np.array(owner),
                arrays(*(p.start for p in pauses)),
                arrays(*(p.end for p in pauses)),
            ),
        )
        for i, history in enumerate(histories):
            status = evaluate_clock(self.cal, hours(12), history, now)
            assert ClockState.from_code(result.state[i]) is status.state
            expected_due = (
                np.datetime64("NaT", "s")
                if status.due_at is None
                else utc(status.due_at)
            )
            assert result.due_at[i] == expected_due or np.isnat(expected_due)
            assert result.elapsed[i] == np.timedelta64(status.elapsed)
            assert result.remaining[i] == np.timedelta64(status.remaining)
        assert result.state.tolist() == [0, 1, 2, 3, 1]
        assert result.state.dtype == np.int8

    def test_without_pauses_and_with_none_kept(self):
        s = arrays(berlin(2027, 1, 4, 9))
        t = np.array([3600], dtype="timedelta64[s]")
        stop = arrays(None)
        now = np.datetime64(utc(berlin(2027, 1, 4, 9, 30)))
        plain = evaluate_clocks(self.cal, s, t, stop, now)
        # a pause after the stop, and one ending before the start, are dropped
        clipped = evaluate_clocks(
            self.cal,
            s,
            t,
            stop,
            now,
            pauses=(
                np.array([0]),
                arrays(berlin(2027, 1, 4, 8)),
                arrays(berlin(2027, 1, 4, 8, 30)),
            ),
        )
        empty_pauses = evaluate_clocks(
            self.cal,
            s,
            t,
            stop,
            now,
            pauses=(np.array([], dtype=np.int64), arrays(), arrays()),
        )
        for result in (clipped, empty_pauses):
            assert [a.tolist() for a in result] == [a.tolist() for a in plain]
        assert plain.due_at[0] == utc(berlin(2027, 1, 4, 10))

    def test_a_pause_outside_the_clock_is_dropped_and_the_others_kept(self):
        s = arrays(berlin(2027, 1, 4, 9))
        result = evaluate_clocks(
            self.cal,
            s,
            np.array([3600], dtype="timedelta64[s]"),
            arrays(None),
            berlin(2027, 1, 4, 12),
            pauses=(
                np.array([0, 0]),
                arrays(berlin(2027, 1, 4, 8), berlin(2027, 1, 4, 9, 30)),
                arrays(berlin(2027, 1, 4, 8, 30), berlin(2027, 1, 4, 10)),
            ),
        )
        assert result.elapsed.tolist() == [timedelta(hours=2, minutes=30)]
        assert result.due_at[0] == utc(berlin(2027, 1, 4, 10, 30))

    def test_overlapping_and_unsorted_pauses_count_once(self):
        s = arrays(berlin(2027, 1, 4, 9), berlin(2027, 1, 4, 9))
        t = np.array([4 * 3600, 4 * 3600], dtype="timedelta64[s]")
        now = berlin(2027, 1, 4, 17)
        result = evaluate_clocks(
            self.cal,
            s,
            t,
            arrays(None, None),
            now,
            pauses=(
                np.array([1, 0, 0]),
                arrays(
                    berlin(2027, 1, 4, 10),
                    berlin(2027, 1, 4, 11),
                    berlin(2027, 1, 4, 10),
                ),
                arrays(
                    berlin(2027, 1, 4, 11),
                    berlin(2027, 1, 4, 11, 30),
                    berlin(2027, 1, 4, 12),
                ),
            ),
        )
        assert result.elapsed.tolist() == [timedelta(hours=6), timedelta(hours=7)]
        assert result.due_at[0] == utc(berlin(2027, 1, 4, 15))

    def test_a_due_time_past_the_index_grows_it(self):
        result = evaluate_clocks(
            self.cal,
            arrays(berlin(2027, 1, 4, 9)),
            np.array([8 * 3600 * 600], dtype="timedelta64[s]"),
            arrays(None),
            berlin(2027, 1, 4, 9),
        )
        expected = evaluate_clock(
            self.cal, hours(8 * 600), [start(2027, 1, 4, 9)], berlin(2027, 1, 4, 9)
        )
        assert expected.due_at is not None
        assert result.due_at[0] == utc(expected.due_at)

    def test_no_clocks(self):
        empty = np.array([], dtype="datetime64[s]")
        result = evaluate_clocks(
            self.cal,
            empty,
            np.array([], dtype="timedelta64[s]"),
            empty,
            berlin(2027, 1, 4, 9),
        )
        assert all(a.size == 0 for a in result)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"starts": arrays(None)}, "starts.0. is NaT"),
            (
                {"targets": np.array([-1], dtype="timedelta64[s]")},
                "targets.0. must be zero or more",
            ),
            ({"starts": arrays(berlin(2027, 1, 6, 9))}, "starts.0. is after now"),
            ({"stops": arrays(berlin(2027, 1, 6, 9))}, "stops.0. must lie between"),
            ({"stops": arrays(berlin(2027, 1, 4, 8))}, "stops.0. must lie between"),
            ({"now": berlin(2027, 1, 5, 9, 0, 0, 5)}, "whole second"),
            ({"now": np.datetime64("NaT", "s")}, "whole second"),
            ({"now": np.datetime64("2027-01-05T08:00:00.5")}, "whole second"),
            ({"now": "2027-01-05"}, "aware datetime or a numpy datetime64"),
            ({"pauses": (np.array([0]), arrays(berlin(2027, 1, 4, 9)))}, "tuple"),
            (
                {
                    "pauses": (
                        np.array([0.0]),
                        arrays(berlin(2027, 1, 4, 9)),
                        arrays(None),
                    )
                },
                "integer",
            ),
            (
                {
                    "pauses": (
                        np.array([1]),
                        arrays(berlin(2027, 1, 4, 9)),
                        arrays(None),
                    )
                },
                "from 0 to 0",
            ),
            (
                {"pauses": (np.array([0]), arrays(None), arrays(None))},
                "must not hold NaT",
            ),
            (
                {
                    "pauses": (
                        np.array([0]),
                        arrays(berlin(2027, 1, 4, 9)),
                        arrays(berlin(2027, 1, 6, 9)),
                    )
                },
                "at or before now",
            ),
        ],
    )
    def test_bad_input_raises(self, change, message):
        args = {
            "starts": arrays(berlin(2027, 1, 4, 9)),
            "targets": np.array([3600], dtype="timedelta64[s]"),
            "stops": arrays(None),
            "now": berlin(2027, 1, 5, 9),
            "pauses": None,
            **change,
        }
        with pytest.raises(ClockError, match=message):
            evaluate_clocks(self.cal, **args)

    def test_clocks_in_microseconds_are_measured_to_the_microsecond(self):
        us = timedelta(microseconds=1)
        opened = berlin(2027, 1, 4, 9, 0, 0, 250_000)
        paused = berlin(2027, 1, 4, 9, 30, 0, 1)
        now = berlin(2027, 1, 4, 10, 0, 0, 999_999)
        histories = [
            [ClockEvent("start", opened)],
            [ClockEvent("start", opened), ClockEvent("pause", paused, cause="x")],
            [ClockEvent("start", opened), ClockEvent("stop", now - us)],
        ]
        spans = [fold_events(h) for h in histories]
        target = hours(8 * 600) - us  # due far past the index: it grows
        result = evaluate_clocks(
            self.cal,
            np.array([utc_us(s.start) for s in spans], dtype="datetime64[us]"),
            np.array([target, hours(1), hours(1)], dtype="timedelta64[us]"),
            np.array([utc_us(s.stop) if s.stop else None for s in spans], "M8[us]"),
            utc_us(now),
            pauses=(
                np.array([1]),
                np.array([utc_us(paused)], "M8[us]"),
                np.array([None], "M8[us]"),
            ),
        )
        assert result.due_at.dtype == np.dtype("datetime64[us]")
        for i, (history, goal) in enumerate(
            zip(histories, (target, hours(1), hours(1)), strict=True)
        ):
            status = evaluate_clock(self.cal, goal, history, now)
            assert ClockState.from_code(result.state[i]) is status.state
            assert result.elapsed[i] == np.timedelta64(status.elapsed)
            assert result.remaining[i] == np.timedelta64(status.remaining)
            if status.due_at is not None:
                assert result.due_at[i] == utc_us(status.due_at)
        assert result.elapsed[1] == np.timedelta64(paused - opened)
        empty = evaluate_clocks(
            self.cal,
            np.array([], "M8[us]"),
            np.array([], "m8[us]"),
            np.array([], "M8[us]"),
            now,
        )
        assert empty.remaining.dtype == np.dtype("timedelta64[us]")

    @pytest.mark.parametrize(
        ("now", "message"),
        [
            (np.datetime64("NaT", "us"), "whole microsecond, not NaT"),
            (np.datetime64("2027-01-05T08:00:00.000000500"), "whole microsecond"),
        ],
    )
    def test_a_microsecond_clock_needs_a_microsecond_now(self, now, message):
        with pytest.raises(ClockError, match=message):
            evaluate_clocks(
                self.cal,
                np.array([utc_us(berlin(2027, 1, 4, 9))], "M8[us]"),
                np.array([3600_000_000], "m8[us]"),
                np.array([None], "M8[us]"),
                now,
            )

    def test_arrays_of_the_wrong_kind_raise(self):
        with pytest.raises(CalendarError, match="datetime64"):
            evaluate_clocks(
                self.cal,
                np.array([1]),
                np.array([1]),
                np.array([1]),
                berlin(2027, 1, 5, 9),
            )

    def test_a_single_pause(self):
        s = arrays(berlin(2027, 1, 4, 9))
        result = evaluate_clocks(
            self.cal,
            s,
            np.array([3600], dtype="timedelta64[s]"),
            arrays(None),
            berlin(2027, 1, 4, 12),
            pauses=(np.array([0]), arrays(berlin(2027, 1, 4, 9, 30)), arrays(None)),
        )
        assert result.state.tolist() == [ClockState.PAUSED.code]
        assert result.elapsed.tolist() == [timedelta(minutes=30)]
