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
    add_months,
    add_period,
    cadence_periods,
    due_instant,
    lateness,
    period_after,
    shift,
)
from slakeeper.core.states import ShiftMode
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
    assert lateness(due, berlin(2027, 1, 15, 17), cal, ShiftMode.WORKING_TIME) == 0
    # Monday 7.5h, Tuesday 09:00-12:00
    assert lateness(due, berlin(2027, 1, 19, 12), cal, ShiftMode.WORKING_TIME) == int(
        10.5 * H
    )
    assert (
        lateness(due, berlin(2027, 1, 16, 0, 0, 1), cal, ShiftMode.CALENDAR_DAYS) == 1
    )
    assert lateness(due, berlin(2027, 1, 18), cal, ShiftMode.CALENDAR_DAYS) == 2
    assert lateness(due, due, cal, ShiftMode.CALENDAR_DAYS) == 0
    with pytest.raises(DelayError, match="unknown shift mode"):
        lateness(due, due, cal, "weeks")  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        lateness(datetime(2027, 1, 16), due, cal, ShiftMode.WORKING_TIME)  # noqa: DTZ001


def test_shifts_move_later_by_working_time_or_wall_calendar_days():
    cal = office()
    due = berlin(2027, 2, 16)  # the end of Monday 15 February
    assert shift(due, 0, cal, ShiftMode.WORKING_TIME) == due
    assert shift(due, int(10.5 * H), cal, ShiftMode.WORKING_TIME) == berlin(
        2027, 2, 17, 12
    )
    # calendar days keep the wall-clock time across the change to summer time
    assert shift(berlin(2027, 3, 27, 12), 2, cal, ShiftMode.CALENDAR_DAYS) == berlin(
        2027, 3, 29, 12
    )
    with pytest.raises(DelayError, match="never negative"):
        shift(due, -1, cal, ShiftMode.WORKING_TIME)


@given(st.integers(min_value=0, max_value=400 * H))
def test_a_working_time_shift_adds_exactly_that_working_time(seconds):
    cal = office()
    due = berlin(2027, 3, 25, 18)
    moved = shift(due, seconds, cal, ShiftMode.WORKING_TIME)
    assert cal.between(due, moved) == timedelta(seconds=seconds)
    assert lateness(due, moved, cal, ShiftMode.WORKING_TIME) == seconds


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


# -- periods on the wall calendar ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # clamped to a shorter month
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year's February
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day a year on
        (date(2027, 1, 31), 2, date(2027, 3, 31)),  # the day comes back
        (date(2027, 3, 31), -1, date(2027, 2, 28)),  # back a month
        (date(2027, 1, 15), -1, date(2026, 12, 15)),  # back across a year
        (date(2027, 12, 31), 1, date(2028, 1, 31)),  # on across a year
        (date(2027, 5, 31), 0, date(2027, 5, 31)),
        (date(2027, 1, 1), 12, date(2028, 1, 1)),  # a whole term of months
        (date(2027, 1, 31), -25, date(2024, 12, 31)),
    ],
)
def test_adding_months_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(date(1901, 1, 1), date(2190, 12, 31)), st.integers(-240, 240))
def test_adding_months_lands_on_the_same_day_or_the_end_of_the_month(day, months):
    moved = add_months(day, months)
    assert (moved.year - day.year) * 12 + moved.month - day.month == months
    if moved.day != day.day:
        assert moved.day < day.day
        assert (moved + timedelta(days=1)).day == 1  # the month's last day


def test_adding_a_period_of_days_weeks_months_or_years():
    start = date(2027, 1, 31)
    assert add_period(start, 14, "day") == date(2027, 2, 14)
    assert add_period(start, 2, "week") == date(2027, 2, 14)
    assert add_period(start, 1, "month") == date(2027, 2, 28)
    assert add_period(date(2028, 2, 29), 1, "year") == date(2029, 2, 28)
    assert add_period(start, -1, "week") == date(2027, 1, 24)


def test_a_period_after_an_instant_keeps_its_local_time():
    # across the change to summer time (28 March 2027) the wall clock stays
    assert period_after(berlin(2027, 3, 27, 12), 2, "day", BERLIN) == berlin(
        2027, 3, 29, 12
    )
    assert period_after(berlin(2027, 1, 31, 9), 1, "month", BERLIN) == berlin(
        2027, 2, 28, 9
    )
    assert period_after(berlin(2027, 3, 1, 9), 1, "week", BERLIN).tzinfo is UTC
    # the local date counts: 23:30 UTC on 31 January is 1 February in Berlin
    late = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
    assert period_after(late, 1, "month", BERLIN) == berlin(2027, 3, 1, 0, 30)
    with pytest.raises(NaiveDatetimeError):
        period_after(datetime(2027, 1, 1), 1, "day", BERLIN)  # noqa: DTZ001
