"""Delivery arithmetic: milestone due instants, lateness, shifts and cadenced
commitments (docs/sla-clock.md section 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slakeeper.core import NaiveDatetimeError
from slakeeper.core.delivery import (
    CadencePeriod,
    DelayError,
    cadence_periods,
    due_instant,
    lateness,
    shift,
)
from tests.core.cast import BERLIN, berlin, office

H = 3600


def test_a_date_is_due_at_its_end_in_the_agreements_zone():
    assert due_instant(date(2027, 2, 15), BERLIN) == datetime(
        2027, 2, 15, 23, 0, tzinfo=UTC
    )
    # the day after the spring change has 23 hours; its end is still 24:00
    assert due_instant(date(2027, 3, 28), BERLIN) == datetime(
        2027, 3, 28, 22, 0, tzinfo=UTC
    )
    exact = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)
    assert due_instant(exact, BERLIN) == exact
    naive = datetime(2027, 2, 15, 12, 0)  # noqa: DTZ001
    assert due_instant(naive, BERLIN) == datetime(2027, 2, 15, 11, 0, tzinfo=UTC)


def test_lateness_in_working_time_and_in_calendar_days():
    cal = office()
    due = berlin(2027, 1, 16)  # the end of Friday 15 January
    assert lateness(due, berlin(2027, 1, 15, 17), cal, "working_time") == 0
    # Monday 7.5h, Tuesday 09:00-12:00
    assert lateness(due, berlin(2027, 1, 19, 12), cal, "working_time") == int(10.5 * H)
    assert lateness(due, berlin(2027, 1, 16, 0, 0, 1), cal, "calendar_days") == 1
    assert lateness(due, berlin(2027, 1, 18), cal, "calendar_days") == 2
    assert lateness(due, due, cal, "calendar_days") == 0
    with pytest.raises(DelayError, match="unknown shift mode"):
        lateness(due, due, cal, "weeks")  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        lateness(datetime(2027, 1, 16), due, cal, "working_time")  # noqa: DTZ001


def test_shifts_move_later_by_working_time_or_wall_calendar_days():
    cal = office()
    due = berlin(2027, 2, 16)  # the end of Monday 15 February
    assert shift(due, 0, cal, "working_time") == due
    assert shift(due, int(10.5 * H), cal, "working_time") == berlin(2027, 2, 17, 12)
    # calendar days keep the wall-clock time across the change to summer time
    assert shift(berlin(2027, 3, 27, 12), 2, cal, "calendar_days") == berlin(
        2027, 3, 29, 12
    )
    with pytest.raises(DelayError, match="never negative"):
        shift(due, -1, cal, "working_time")


@given(st.integers(min_value=0, max_value=400 * H))
def test_a_working_time_shift_adds_exactly_that_working_time(seconds):
    cal = office()
    due = berlin(2027, 3, 25, 18)
    moved = shift(due, seconds, cal, "working_time")
    assert cal.between(due, moved) == timedelta(seconds=seconds)
    assert lateness(due, moved, cal, "working_time") == seconds


def test_weekly_on_friday_from_a_wednesday():
    start = berlin(2027, 1, 6, 10)  # Wednesday
    updates = [berlin(2027, 1, 8, 16), berlin(2027, 1, 9, 10), berlin(2027, 1, 22, 9)]
    periods = cadence_periods(
        start, berlin(2027, 1, 23), BERLIN, every=1, unit="week", on=4, updates=updates
    )
    assert [(p.start, p.end, p.met_at) for p in periods] == [
        (
            start.astimezone(UTC),
            berlin(2027, 1, 9).astimezone(UTC),
            updates[0].astimezone(UTC),
        ),
        (
            berlin(2027, 1, 9).astimezone(UTC),
            berlin(2027, 1, 16).astimezone(UTC),
            updates[1].astimezone(UTC),
        ),
        (
            berlin(2027, 1, 16).astimezone(UTC),
            berlin(2027, 1, 23).astimezone(UTC),
            updates[2].astimezone(UTC),
        ),
        (
            berlin(2027, 1, 23).astimezone(UTC),
            berlin(2027, 1, 30).astimezone(UTC),
            None,
        ),
    ]
    now = berlin(2027, 1, 23)
    assert [p.state(now) for p in periods] == ["met", "met", "met", "open"]
    assert periods[3].state(berlin(2027, 1, 30)) == "missed"


@pytest.mark.parametrize(
    ("start", "every", "unit", "on", "ends"),
    [
        (
            berlin(2027, 3, 1, 9),
            1,
            "month",
            None,
            [date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)],
        ),
        (
            berlin(2027, 1, 31, 9),
            1,
            "month",
            None,
            [date(2027, 2, 27), date(2027, 3, 30), date(2027, 4, 29)],
        ),
        (
            berlin(2027, 1, 4, 9),
            2,
            "day",
            None,
            [date(2027, 1, 5), date(2027, 1, 7), date(2027, 1, 9)],
        ),
        (
            berlin(2027, 1, 1, 9),
            1,
            "year",
            None,
            [date(2027, 12, 31), date(2028, 12, 31), date(2029, 12, 31)],
        ),
        (
            berlin(2027, 1, 1, 9),
            1,
            "month",
            0,
            [date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1)],
        ),
    ],
)
def test_cadences(start, every, unit, on, ends):
    until = due_instant(ends[2], BERLIN) - timedelta(seconds=1)
    periods = cadence_periods(
        start, until, BERLIN, every=every, unit=unit, on=on, updates=[]
    )
    assert [p.end for p in periods] == [due_instant(d, BERLIN) for d in ends]


def test_bad_cadences_are_refused():
    with pytest.raises(DelayError, match="at least 1"):
        cadence_periods(
            berlin(2027, 1, 1),
            berlin(2027, 2, 1),
            BERLIN,
            every=0,
            unit="week",
            on=None,
            updates=[],
        )
    assert (
        cadence_periods(
            berlin(2027, 2, 1),
            berlin(2027, 1, 1),
            BERLIN,
            every=1,
            unit="week",
            on=None,
            updates=[],
        )
        == []
    )
    assert (
        CadencePeriod(berlin(2027, 1, 1), berlin(2027, 1, 2), None).state(
            berlin(2027, 1, 1, 12)
        )
        == "open"
    )
