from datetime import timedelta

import pytest

from slakeeper.core import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4h", timedelta(hours=4)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("7.5h", timedelta(hours=7, minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("2 h", timedelta(hours=2)),
        (" 0m ", timedelta(0)),
    ],
)
def test_it_parses_working_time(text, expected):
    assert parse_duration(text) == expected


def test_business_days_are_multiples_of_the_calendars_day():
    assert parse_duration("2bd", business_day=timedelta(hours=8)) == timedelta(hours=16)
    assert parse_duration("1bd 4h", business_day=timedelta(hours=7.5)) == (
        timedelta(hours=11.5)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4 hrs", "'4 hrs' is not a duration; write e.g. 4h, 90m, 1h30m or 2bd"),
        ("2 hours", "'2 hours' is not a duration"),
        ("soon", "'soon' is not a duration"),
        ("", "'' is not a duration"),
        ("4h 2h", "'4h 2h' is not a duration"),
        ("-4h", "'-4h' is not a duration"),
        ("2bd", "'2bd' uses business days (bd), which need a calendar"),
    ],
)
def test_it_refuses_what_is_not_a_duration(text, message):
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert str(info.value).startswith(message)


def test_it_refuses_non_text():
    with pytest.raises(DurationError, match="is not a duration"):
        parse_duration(4)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(hours=1, minutes=30), "1h 30m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(0), "0m"),
        (timedelta(hours=-2), "-2h"),
        (timedelta(seconds=5), "5s"),
        (timedelta(seconds=5, microseconds=250_000), "5.250000s"),
        (timedelta(hours=30), "30h"),
    ],
)
def test_it_formats_working_time(value, text):
    assert format_duration(value) == text


def test_a_duration_too_long_for_a_timedelta_is_refused():
    with pytest.raises(DurationError, match="too long"):
        parse_duration("99999999999h")
