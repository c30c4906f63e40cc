"""Calendar specs: what is accepted, and the exact message for what is not."""

from datetime import timedelta

import pytest

from slakeeper.core import CalendarSpecError, SpecProblem, WorkCalendar
from slakeeper.core.spec import Window, parse_windows


def problems(spec: object) -> list[str]:
    with pytest.raises(CalendarSpecError) as info:
        WorkCalendar.from_spec(spec)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def base(**changes: object) -> dict[str, object]:
    spec: dict[str, object] = {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "09:00-17:00"},
    }
    spec.update(changes)
    return spec


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (
            {"mon": "9:00-25:00"},
            "hours.mon: '9:00-25:00' is not a window: end 25:00 is past 24:00",
        ),
        (
            {"mon": "09:00-24:30"},
            "hours.mon: '09:00-24:30' is not a window: end 24:30 is past 24:00",
        ),
        (
            {"mon": "24:00-02:00"},
            "hours.mon: '24:00-02:00' is not a window: start 24:00 is not a time of"
            " day (00:00 to 23:59)",
        ),
        (
            {"mon": "09:60-17:00"},
            "hours.mon: '09:60-17:00' is not a window: start 09:60 is not a time of"
            " day (00:00 to 23:59)",
        ),
        (
            {"mon": "09:00-17:75"},
            "hours.mon: '09:00-17:75' is not a window: end 17:75 is not a time of day",
        ),
        (
            {"mon": "9am-5pm"},
            "hours.mon: '9am-5pm' is not a window: write it as HH:MM-HH:MM,"
            " e.g. 09:00-17:00",
        ),
        (
            {"mon": "09:00-09:00"},
            "hours.mon: '09:00-09:00' is not a window: it starts and ends at the same"
            " time (write 00:00-24:00 for a whole day)",
        ),
        (
            {"mon-fri": "09:00-13:00, 12:00-17:00"},
            "hours.mon-fri: windows 09:00-13:00 and 12:00-17:00 overlap",
        ),
        (
            {"mon-fri": "09:00-17:00", "fri": "10:00-12:00"},
            "hours.fri: fri is named twice (in 'mon-fri' and 'fri')",
        ),
        (
            {"funday": "09:00-17:00"},
            "hours.funday: 'funday' is not a weekday or range of weekdays"
            " (mon..sun, mon-fri)",
        ),
        (
            {"mon-xyz": "09:00-17:00"},
            "hours.mon-xyz: 'mon-xyz' is not a weekday or range of weekdays"
            " (mon..sun, mon-fri)",
        ),
        (
            {"mon": 9},
            "hours.mon: 9 is not a list of windows; write e.g. '09:00-17:00'",
        ),
        (
            {"mon": ["09:00-12:00", 13]},
            "hours.mon: 13 is not a window: write it as HH:MM-HH:MM",
        ),
    ],
)
def test_a_bad_window_is_named_with_its_field(hours, message):
    assert problems(base(hours=hours)) == [message]


def test_every_problem_is_reported_at_once():
    found = problems(
        {
            "timezone": "Mars/Olympus",
            "hours": {"mon": "9-5", "tue": "10:00-09:00, 08:00-12:00"},
            "holidays": {"country": "XX", "dates": ["2027-13-01"]},
            "open": {"someday": "10:00-12:00"},
            "business_day": "a while",
            "colour": "blue",
        }
    )
    assert found == [
        "colour: unknown key 'colour'; expected one of timezone, hours, holidays,"
        " open, business_day",
        "timezone: 'Mars/Olympus' is not a known IANA time zone (e.g."
        " Europe/Berlin, UTC)",
        "hours.mon: '9-5' is not a window: write it as HH:MM-HH:MM, e.g. 09:00-17:00",
        "hours.tue: windows 08:00-12:00 and 10:00-09:00 overlap",
        "holidays.country: 'XX' is not a country known to the holidays package"
        " (use an ISO 3166 code such as DE, US, GB)",
        "holidays.dates[0]: '2027-13-01' is not a date: write YYYY-MM-DD or"
        " {from: YYYY-MM-DD, to: ...}",
        "open.someday: 'someday' is not an ISO date (YYYY-MM-DD)",
        "business_day: 'a while' is not a duration; write e.g. 4h, 90m, 1h30m or 2bd",
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"hours": {}}, "timezone: missing; name an IANA time zone such as"),
        (base(timezone=""), "timezone: '' is not a time zone name"),
        (base(hours="09:00-17:00"), "hours: must map weekdays to windows"),
        (base(holidays=["DE"]), "holidays: must be a mapping with country"),
        (
            base(holidays={"country": "DE", "region": "BE"}),
            "holidays.region: unknown key 'region'; expected one of country,",
        ),
        (
            base(holidays={"country": "DE", "subdivision": "ZZ"}),
            "holidays.subdivision: 'ZZ' is not a subdivision of DE; known: BB, BE,",
        ),
        (
            base(holidays={"subdivision": "BE"}),
            "holidays.subdivision: a subdivision needs a country",
        ),
        (
            base(holidays={"dates": "2027-01-01"}),
            "holidays.dates: must be a list of dates or {from, to} ranges",
        ),
        (
            base(holidays={"dates": [{"from": "2027-01-05", "to": "2027-01-01"}]}),
            "holidays.dates[0]: the range ends (2027-01-01) before it starts"
            " (2027-01-05)",
        ),
        (
            base(holidays={"dates": [{"from": "2027-01-05"}]}),
            "holidays.dates[0]: a date range needs ISO dates in both from and to",
        ),
        (
            base(holidays={"dates": [{"from": "2027-01-05", "to": "x", "by": 1}]}),
            "holidays.dates[0]: unknown key 'by' in a date range",
        ),
        (
            base(holidays={"dates": [{"date": "soon"}]}),
            "holidays.dates[0].date: 'soon' is not an ISO date",
        ),
        (base(open=["2027-01-01"]), "open: must map dates to windows"),
        (
            base(open={"2027-01-02": "10:00-10:00"}),
            "open.2027-01-02: '10:00-10:00' is not a window: it starts and ends",
        ),
        (base(business_day="0h"), "business_day: must be longer than zero"),
    ],
)
def test_other_spec_problems_say_what_and_where(spec, message):
    found = problems(spec)
    assert len(found) == 1
    assert found[0].startswith(message)


def test_a_spec_that_is_not_a_mapping_is_refused():
    assert problems(["timezone"]) == [
        "a calendar must be a mapping with timezone and hours"
    ]


def test_a_subdivision_of_an_unknown_country_reports_only_the_country():
    assert problems(base(holidays={"country": "XX", "subdivision": "BE"})) == [
        "holidays.country: 'XX' is not a country known to the holidays package"
        " (use an ISO 3166 code such as DE, US, GB)"
    ]


def test_a_country_without_subdivisions_says_so():
    assert problems(base(holidays={"country": "MT", "subdivision": "X"})) == [
        "holidays.subdivision: 'X' is not a subdivision of MT; it has none"
    ]


def test_problems_carry_their_path_for_source_positions():
    with pytest.raises(CalendarSpecError) as info:
        WorkCalendar.from_spec(base(holidays={"dates": ["2027-01-01", "nope"]}))
    assert info.value.problems == (
        SpecProblem(
            ("holidays", "dates", 1),
            "'nope' is not a date: write YYYY-MM-DD or {from: YYYY-MM-DD, to: ...}",
        ),
    )


def test_weekday_keys_accept_ranges_lists_full_names_and_wrap_around():
    cal = WorkCalendar.from_spec(
        {
            "timezone": "Asia/Dubai",
            "hours": {"sun-thu": "09:00-17:00", "Friday, saturday": "closed"},
        }
    )
    assert [len(day) for day in cal.rules.weekly] == [1, 1, 1, 1, 0, 0, 1]
    assert cal.timezone.key == "Asia/Dubai"


def test_windows_accept_lists_and_words_for_closed():
    assert parse_windows(["13:00-14:00", "09:00-12:00"]) == (
        (Window(540, 720), Window(780, 840)),
        [],
    )
    assert parse_windows("closed") == ((), [])
    assert parse_windows(None) == ((), [])
    assert str(Window(1320, 1800)) == "22:00-06:00"
    assert str(Window(0, 1440)) == "00:00-24:00"


@pytest.mark.parametrize(
    ("hours", "business_day"),
    [
        ({"mon-fri": "09:00-17:00"}, timedelta(hours=8)),
        ({"mon-fri": "09:00-12:30, 13:30-17:30"}, timedelta(hours=7.5)),
        ({"mon-thu": "08:00-18:00", "fri": "08:00-12:00"}, timedelta(hours=10)),
        # a tie goes to the longer day
        ({"mon-tue": "09:00-17:00", "wed-thu": "09:00-15:00"}, timedelta(hours=8)),
    ],
)
def test_business_day_defaults_to_the_most_common_daily_opening(hours, business_day):
    assert WorkCalendar.from_spec(base(hours=hours)).business_day == business_day


def test_business_day_can_be_set():
    cal = WorkCalendar.from_spec(base(business_day="7h30m"))
    assert cal.business_day == timedelta(hours=7.5)


def test_a_date_with_a_time_of_day_is_not_a_closed_date():
    from datetime import datetime

    found = problems(base(holidays={"dates": [datetime(2027, 12, 27)]}))  # noqa: DTZ001
    assert found == [
        "holidays.dates[0]: 2027-12-27T00:00:00 is a date and time; write the date"
        " alone (YYYY-MM-DD)"
    ]


def test_business_day_can_be_a_timedelta_from_python():
    cal = WorkCalendar.from_spec(base(business_day=timedelta(hours=7, minutes=30)))
    assert cal.business_day == timedelta(hours=7.5)
