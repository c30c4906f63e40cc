"""Business-time arithmetic, rule by rule (docs/sla-clock.md, sections 2-3)."""

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from slakeeper.core import (
    CalendarError,
    DurationError,
    NaiveDatetimeError,
    WorkCalendar,
)
from tests.core.cast import berlin, hours, local, nine_to_five, office


class TestOfficeWithLunchBreak:
    cal = office()

    def test_it_skips_the_lunch_break(self):
        assert local(self.cal.add(berlin(2027, 1, 4, 12), hours(1))) == (
            "2027-01-04T14:00:00+01:00"
        )
        assert self.cal.between(berlin(2027, 1, 4, 12), berlin(2027, 1, 4, 14)) == (
            hours(1)
        )

    def test_a_deadline_landing_on_a_closing_time_is_that_closing_time(self):
        assert local(self.cal.add(berlin(2027, 1, 4, 12, 15), hours(0.25))) == (
            "2027-01-04T12:30:00+01:00"
        )
        assert local(self.cal.add(berlin(2027, 1, 4, 14), hours(3.5))) == (
            "2027-01-04T17:30:00+01:00"
        )

    def test_it_carries_over_the_weekend(self):
        # Friday 16:00 -> 17:30 is 1.5 h; the rest starts on Monday 09:00.
        assert local(self.cal.add(berlin(2027, 1, 8, 16), hours(2))) == (
            "2027-01-11T09:30:00+01:00"
        )

    def test_a_start_outside_hours_starts_at_the_next_opening(self):
        assert local(self.cal.add(berlin(2027, 1, 9, 10), hours(1))) == (
            "2027-01-11T10:00:00+01:00"
        )
        assert local(self.cal.add(berlin(2027, 1, 4, 12, 45), hours(1))) == (
            "2027-01-04T14:30:00+01:00"
        )

    def test_adding_zero_returns_the_start_itself_even_when_closed(self):
        start = berlin(2027, 1, 9, 10)
        assert self.cal.add(start, timedelta(0)) == start
        assert self.cal.add(start, timedelta(0)).tzinfo is UTC

    def test_between_is_zero_when_the_end_is_not_after_the_start(self):
        assert self.cal.between(berlin(2027, 1, 4, 12), berlin(2027, 1, 4, 10)) == (
            timedelta(0)
        )

    def test_business_day_is_the_most_common_daily_opening(self):
        assert self.cal.business_day == hours(7.5)

    def test_it_is_exact_to_the_microsecond(self):
        start = berlin(2027, 1, 4, 9, 0, 0, 1)
        due = self.cal.add(start, timedelta(microseconds=999_999))
        assert local(due) == "2027-01-04T09:00:01+01:00"
        assert self.cal.between(start, due) == timedelta(microseconds=999_999)

    def test_subtract_finds_the_latest_instant(self):
        assert local(self.cal.subtract(berlin(2027, 1, 5, 9, 30), hours(0.5))) == (
            "2027-01-05T09:00:00+01:00"
        )
        assert local(self.cal.subtract(berlin(2027, 1, 5, 9), hours(1))) == (
            "2027-01-04T16:30:00+01:00"
        )
        assert local(self.cal.subtract(berlin(2027, 1, 4, 14), hours(1))) == (
            "2027-01-04T12:00:00+01:00"
        )

    def test_is_open_treats_intervals_as_half_open(self):
        assert self.cal.is_open(berlin(2027, 1, 4, 9))
        assert not self.cal.is_open(berlin(2027, 1, 4, 12, 30))
        assert self.cal.is_open(berlin(2027, 1, 4, 13, 30))
        assert not self.cal.is_open(berlin(2027, 1, 4, 17, 30))

    def test_next_open_is_the_instant_itself_when_open(self):
        assert local(self.cal.next_open(berlin(2027, 1, 4, 10))) == (
            "2027-01-04T10:00:00+01:00"
        )
        assert local(self.cal.next_open(berlin(2027, 1, 4, 12, 30))) == (
            "2027-01-04T13:30:00+01:00"
        )
        assert local(self.cal.next_open(berlin(2026, 12, 31, 18))) == (
            "2027-01-04T09:00:00+01:00"
        )

    def test_windows_lists_open_intervals_clipped_to_the_span(self):
        got = self.cal.windows(berlin(2027, 1, 4, 10), berlin(2027, 1, 5, 10))
        assert [(local(a), local(b)) for a, b in got] == [
            ("2027-01-04T10:00:00+01:00", "2027-01-04T12:30:00+01:00"),
            ("2027-01-04T13:30:00+01:00", "2027-01-04T17:30:00+01:00"),
            ("2027-01-05T09:00:00+01:00", "2027-01-05T10:00:00+01:00"),
        ]
        assert self.cal.windows(berlin(2027, 1, 4, 10), berlin(2027, 1, 4, 9)) == []


class TestHolidays:
    def test_a_national_holiday_closes_the_day(self):
        cal = nine_to_five()
        assert not cal.is_open(berlin(2027, 1, 1, 10))
        assert local(cal.add(berlin(2026, 12, 31, 16), hours(2))) == (
            "2027-01-04T10:00:00+01:00"
        )

    def test_a_subdivision_adds_its_own_holidays(self):
        # International Women's Day is a holiday in Berlin, not in Bavaria.
        berlin_cal = office()
        bavaria = WorkCalendar.from_spec(
            {
                "timezone": "Europe/Berlin",
                "hours": {"mon-fri": "09:00-17:00"},
                "holidays": {"country": "DE", "subdivision": "BY"},
            }
        )
        assert not berlin_cal.is_open(berlin(2027, 3, 8, 10))
        assert bavaria.is_open(berlin(2027, 3, 8, 10))
        assert not bavaria.is_open(berlin(2027, 1, 6, 10))  # Epiphany
        assert office().is_open(berlin(2027, 1, 6, 10))

    def test_explicit_dates_and_ranges_close_every_day_they_name(self):
        cal = WorkCalendar.from_spec(
            {
                "timezone": "Europe/Berlin",
                "hours": {"mon-sun": "09:00-17:00"},
                "holidays": {
                    "dates": [
                        "2027-06-01",
                        {"from": "2027-08-02", "to": "2027-08-06", "name": "Summer"},
                        {"date": date(2027, 9, 1), "name": "Offsite"},
                    ]
                },
            }
        )
        assert not cal.is_open(berlin(2027, 6, 1, 10))
        assert not cal.is_open(berlin(2027, 8, 2, 10))
        assert not cal.is_open(berlin(2027, 8, 6, 16))
        assert cal.is_open(berlin(2027, 8, 7, 10))
        assert cal.closed_dates(date(2027, 8, 5), date(2027, 9, 1)) == {
            date(2027, 8, 5): "Summer",
            date(2027, 8, 6): "Summer",
            date(2027, 9, 1): "Offsite",
        }

    def test_an_extra_opening_beats_a_holiday_and_replaces_the_weekly_windows(self):
        cal = WorkCalendar.from_spec(
            {
                "timezone": "Europe/Berlin",
                "hours": {"mon-fri": "09:00-17:00"},
                "holidays": {"country": "DE"},
                "open": {"2027-01-01": "10:00-12:00", "2027-01-04": "14:00-15:00"},
            }
        )
        assert cal.is_open(berlin(2027, 1, 1, 11))
        assert not cal.is_open(berlin(2027, 1, 1, 13))
        assert not cal.is_open(berlin(2027, 1, 4, 10))
        assert cal.between(berlin(2027, 1, 1), berlin(2027, 1, 5)) == hours(3)
        assert date(2027, 1, 1) not in cal.closed_dates(
            date(2027, 1, 1), date(2027, 1, 2)
        )

    def test_closed_dates_are_named_in_english(self):
        names = office().closed_dates(date(2027, 12, 23), date(2027, 12, 26))
        assert names == {
            date(2027, 12, 24): "closed",
            date(2027, 12, 25): "Christmas Day",
            date(2027, 12, 26): "Second Day of Christmas",
        }

    def test_a_closed_date_closes_an_overnight_window_that_starts_on_it(self):
        cal = WorkCalendar.from_spec(
            {
                "timezone": "Europe/Berlin",
                "hours": {"mon-sun": "22:00-06:00"},
                "holidays": {"dates": ["2027-01-05"]},
            }
        )
        assert cal.is_open(berlin(2027, 1, 5, 3))  # Monday's window
        assert not cal.is_open(berlin(2027, 1, 5, 23))
        assert not cal.is_open(berlin(2027, 1, 6, 3))
        assert cal.is_open(berlin(2027, 1, 6, 23))


class TestWeeklyShapes:
    def test_weekend_windows_count(self):
        cal = WorkCalendar.from_spec(
            {
                "timezone": "Europe/Berlin",
                "hours": {"mon-fri": "09:00-17:00", "sat": "10:00-14:00"},
            }
        )
        assert local(cal.add(berlin(2027, 1, 8, 17), hours(2))) == (
            "2027-01-09T12:00:00+01:00"
        )
        assert cal.business_day == hours(8)

    def test_an_overnight_window_belongs_to_the_day_it_starts(self):
        cal = WorkCalendar.from_spec(
            {"timezone": "Europe/Berlin", "hours": {"mon-fri": "22:00-06:00"}}
        )
        # Monday 05:00 would be Sunday's window, and Sunday is closed.
        assert not cal.is_open(berlin(2027, 1, 4, 5))
        assert local(cal.add(berlin(2027, 1, 4, 5), hours(2))) == (
            "2027-01-05T00:00:00+01:00"
        )
        # Friday's window runs into Saturday morning.
        assert cal.is_open(berlin(2027, 1, 9, 5))
        assert cal.between(berlin(2027, 1, 8, 21), berlin(2027, 1, 9, 7)) == hours(8)
        assert cal.business_day == hours(8)

    def test_a_whole_day_ends_at_24_00(self):
        cal = WorkCalendar.from_spec(
            {"timezone": "UTC", "hours": {"mon-sun": "00:00-24:00"}}
        )
        start = datetime(2027, 1, 4, tzinfo=UTC)
        assert cal.between(start, start + timedelta(days=10)) == timedelta(days=10)
        assert cal.windows(start, start + timedelta(days=3)) == [
            (start, start + timedelta(days=3))
        ]

    def test_windows_touching_across_days_are_one_interval(self):
        cal = WorkCalendar.from_spec(
            {
                "timezone": "UTC",
                "hours": {"mon": "18:00-24:00", "tue": "00:00-06:00, 06:00-08:00"},
            }
        )
        got = cal.windows(
            datetime(2027, 1, 4, tzinfo=UTC), datetime(2027, 1, 6, tzinfo=UTC)
        )
        assert got == [
            (datetime(2027, 1, 4, 18, tzinfo=UTC), datetime(2027, 1, 5, 8, tzinfo=UTC))
        ]

    def test_windows_overlapping_across_days_are_merged(self):
        cal = WorkCalendar.from_spec(
            {"timezone": "UTC", "hours": {"mon": "20:00-06:00", "tue": "04:00-09:00"}}
        )
        start = datetime(2027, 1, 4, tzinfo=UTC)
        assert cal.between(start, start + timedelta(days=2)) == hours(13)

    def test_a_window_across_new_year_is_one_interval(self):
        cal = WorkCalendar.from_spec(
            {"timezone": "Europe/Berlin", "hours": {"mon-sun": "00:00-24:00"}}
        )
        got = cal.windows(berlin(2026, 12, 31, 12), berlin(2027, 1, 1, 12))
        assert len(got) == 1
        assert cal.between(berlin(2026, 12, 31, 12), berlin(2027, 1, 1, 12)) == (
            hours(24)
        )


class TestSpansOfYears:
    def test_two_years_of_nine_to_five_match_a_day_count(self):
        cal = nine_to_five()
        expected = timedelta(0)
        day = date(2027, 1, 1)
        german = holidays.country_holidays("DE", years=[2027, 2028])
        while day < date(2029, 1, 1):
            if day.weekday() < 5 and day not in german:
                expected += hours(8)
            day += timedelta(days=1)
        assert cal.between(berlin(2027, 1, 1), berlin(2029, 1, 1)) == expected
        due = cal.add(berlin(2027, 1, 1), expected)
        assert local(due) == "2028-12-29T17:00:00+01:00"

    def test_it_works_from_1970_to_2100(self):
        cal = nine_to_five()
        assert local(cal.add(berlin(1970, 1, 2, 16), hours(2))) == (
            "1970-01-05T10:00:00+01:00"
        )
        assert local(cal.add(berlin(2100, 12, 30, 16), hours(2))) == (
            "2100-12-31T10:00:00+01:00"
        )
        assert cal.between(berlin(1970, 1, 1), berlin(2101, 1, 1)) > hours(250_000)

    def test_subtract_walks_back_across_years(self):
        cal = nine_to_five()
        assert local(cal.subtract(berlin(2027, 1, 4, 10), hours(9))) == (
            "2026-12-31T09:00:00+01:00"
        )
        assert local(cal.subtract(berlin(2027, 1, 4, 10), hours(10))) == (
            "2026-12-30T16:00:00+01:00"
        )

    def test_a_long_duration_runs_years_ahead(self):
        cal = nine_to_five()
        far = cal.add(berlin(2027, 1, 4, 9), hours(8 * 250 * 10))
        assert far.year in (2036, 2037)
        assert cal.between(berlin(2027, 1, 4, 9), far) == hours(8 * 250 * 10)


class TestErrors:
    def test_a_naive_datetime_is_refused(self):
        with pytest.raises(NaiveDatetimeError, match="has no time zone"):
            office().add(datetime(2027, 1, 4, 9), hours(1))  # noqa: DTZ001
        with pytest.raises(NaiveDatetimeError):
            office().between(berlin(2027, 1, 4), datetime(2027, 1, 5))  # noqa: DTZ001

    def test_a_non_datetime_is_refused(self):
        with pytest.raises(CalendarError, match="must be a datetime"):
            office().is_open("2027-01-04")  # type: ignore[arg-type]

    def test_a_negative_or_non_timedelta_duration_is_refused(self):
        with pytest.raises(DurationError, match="negative"):
            office().add(berlin(2027, 1, 4), timedelta(hours=-1))
        with pytest.raises(DurationError, match="negative"):
            office().subtract(berlin(2027, 1, 4), timedelta(seconds=-1))
        with pytest.raises(DurationError, match="must be a timedelta"):
            office().add(berlin(2027, 1, 4), 3600)  # type: ignore[arg-type]

    def test_a_calendar_with_no_open_time_raises_instead_of_looping(self):
        cal = WorkCalendar.from_spec({"timezone": "Europe/Berlin", "hours": {}})
        with pytest.raises(CalendarError, match="no open time within five years"):
            cal.add(berlin(2027, 1, 4), hours(1))
        with pytest.raises(CalendarError, match="no open time within five years"):
            cal.subtract(berlin(2027, 1, 4), hours(1))
        with pytest.raises(CalendarError, match="no open time within five years"):
            cal.next_open(berlin(2027, 1, 4))
        assert cal.between(berlin(2027, 1, 4), berlin(2030, 1, 4)) == timedelta(0)
        assert cal.business_day == hours(8)

    def test_open_time_once_in_four_years_is_still_found(self):
        cal = WorkCalendar.from_spec(
            {"timezone": "UTC", "open": {"2031-01-02": "10:00-11:00"}}
        )
        due = cal.add(datetime(2027, 1, 4, tzinfo=UTC), timedelta(minutes=30))
        assert due == datetime(2031, 1, 2, 10, 30, tzinfo=UTC)
        assert cal.business_day == hours(1)

    def test_instants_outside_the_supported_years_are_refused(self):
        with pytest.raises(
            CalendarError,
            match=r"2300-01-01T00:00:00\+00:00 is outside the supported range of years",
        ):
            office().is_open(datetime(2300, 1, 1, tzinfo=UTC))
        with pytest.raises(CalendarError, match="last supported year"):
            office().add(datetime(2199, 6, 1, tzinfo=UTC), hours(8 * 300))
        with pytest.raises(CalendarError, match="first supported year"):
            office().subtract(datetime(1900, 6, 1, tzinfo=UTC), hours(8 * 300))

    def test_the_calendar_repr_names_its_zone(self):
        assert repr(office()) == "WorkCalendar(timezone='Europe/Berlin')"


def test_subtract_near_the_last_supported_year_grows_the_index_backward_only():
    cal = WorkCalendar.from_spec(
        {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}
    )
    got = cal.subtract(datetime(2199, 1, 2, tzinfo=UTC), timedelta(hours=40))
    assert got == datetime(2198, 12, 26, 9, tzinfo=UTC)
