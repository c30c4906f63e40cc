"""`slakeeper calendar due | between | show`: answers, JSON, and bad input.

Calendars are written into a temporary directory that becomes the working
directory, so messages name files as a user would type them (`acme.yaml`).
2027-01-04 is a Monday; Europe/Berlin is +01:00 in winter and +02:00 in summer
(clocks go forward on 2027-03-28 at 02:00 and back on 2027-10-31 at 03:00).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from slakeeper.cli import app

ACME = """\
agreement:
  title: Website care for Acme GmbH
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-12:30, 13:30-17:30"}
    holidays: {country: DE, subdivision: BE, dates: [2027-12-24, 2027-12-31]}
  on_call:
    timezone: Europe/Berlin
    hours: {mon-sun: "07:00-22:00"}
default_calendar: office
"""
TWO = """\
calendars:
  a: {timezone: UTC, hours: {mon-fri: "09:00-17:00"}}
  b: {timezone: UTC, hours: {mon-sun: "00:00-24:00"}}
"""
ONE = """\
calendars:
  support: {timezone: Europe/London, hours: {mon-fri: "08:00-16:00"}}
"""
NEW_YORK = """\
timezone: America/New_York
hours:
  mon-fri: 09:00-17:00
holidays: {country: US}
"""
NIGHT = """\
timezone: Europe/Berlin
hours: {mon-fri: "22:00-06:00"}
open: {2027-03-28: "10:00-12:00"}
holidays:
  dates:
    - {from: 2027-03-30, to: 2027-03-31, name: Offsite}
"""
ALL_DAY = 'timezone: Europe/Berlin\nhours: {mon-sun: "00:00-24:00"}\n'
NEVER_OPEN = "timezone: UTC\nhours: {}\n"
INVALID = """\
calendars:
  office:
    timezone: Europe/Berln
    hours: {mon-fri: "09:00-25:00", sat: "10:00-10:00"}
    holidays: {country: XX, dates: [2027-12-24, notadate]}
    open:
      2027-12-27: 10:00-14:00, 13:00-15:00
    foo: 1
"""

FILES = {
    "acme.yaml": ACME,
    "two.yaml": TWO,
    "one.yaml": ONE,
    "ny.yaml": NEW_YORK,
    "night.yaml": NIGHT,
    "allday.yaml": ALL_DAY,
    "never.yaml": NEVER_OPEN,
    "invalid.yaml": INVALID,
    "syntax.yaml": "calendars: [office\n",
    "empty.yaml": "",
    "list.yaml": "- timezone: UTC\n",
    "cal-list.yaml": "calendars: [office]\n",
    "cal-scalar.yaml": "calendars:\n  office: 9-5\n",
    "bad-default.yaml": TWO + "default_calendar: c\n",
    "with#hash.yaml": ALL_DAY,
}

runner = CliRunner()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return runner.invoke(app, ["calendar", *args], env={"COLUMNS": "120"})


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fails(*args: str) -> str:
    """Run a command that must fail as bad input; return its stderr."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


# --- due --------------------------------------------------------------------


def test_due_reads_a_naive_start_in_the_calendar_time_zone():
    result = run("due", "-c", "acme.yaml", "--start", "2027-01-04T09:00", "--in", "4h")
    assert result.exit_code == 0
    assert result.stdout == (
        "Due at 2027-01-04T14:00:00+01:00 (Monday, Europe/Berlin)\n"
        "       2027-01-04T13:00:00Z (UTC)\n"
        "4h of working time after 2027-01-04T09:00:00+01:00"
        " on calendar office (acme.yaml)\n"
    )


@pytest.mark.parametrize(
    "start",
    ["2027-01-04T08:00Z", "2027-01-04T08:00:00+00:00", "2027-01-04T13:00+05:00"],
)
def test_due_takes_a_start_with_an_offset_as_given(start):
    data = run_json("due", "--calendar", "acme.yaml", "--start", start, "--in", "4h")
    assert data["start"] == "2027-01-04T09:00:00+01:00"
    assert data["due"] == "2027-01-04T14:00:00+01:00"


def test_due_json_gives_local_and_utc_instants_and_the_working_time():
    data = run_json(
        "due", "-c", "acme.yaml", "--start", "2027-07-05T09:00", "--in", "4h"
    )
    assert data == {
        "file": "acme.yaml",
        "calendar": "office",
        "timezone": "Europe/Berlin",
        "start": "2027-07-05T09:00:00+02:00",
        "start_utc": "2027-07-05T07:00:00Z",
        "working_time": "4h",
        "working_time_seconds": 14400,
        "due": "2027-07-05T14:00:00+02:00",
        "due_utc": "2027-07-05T12:00:00Z",
    }


def test_due_counts_business_days_with_the_calendar_business_day():
    # office: 7h 30m a day, so 2bd = 15h, used up at Tuesday's closing time
    data = run_json(
        "due", "-c", "acme.yaml", "--start", "2027-01-04T09:00", "--in", "2bd"
    )
    assert data["working_time"] == "15h"
    assert data["due"] == "2027-01-05T17:30:00+01:00"


def test_due_picks_the_calendar_named_after_the_hash():
    # on_call: 07:00-22:00 every day, so 2bd = 30h
    data = run_json(
        "due", "-c", "acme.yaml#on_call", "--start", "2027-01-04T09:00Z", "--in", "2bd"
    )
    assert data["calendar"] == "on_call"
    assert data["start"] == "2027-01-04T10:00:00+01:00"
    assert data["due"] == "2027-01-06T10:00:00+01:00"


def test_due_skips_closed_dates():
    data = run_json(
        "due", "-c", "acme.yaml", "--start", "2027-12-24T10:00", "--in", "1h"
    )
    assert data["due"] == "2027-12-27T10:00:00+01:00"


def test_due_reads_a_file_holding_one_calendar_spec():
    result = run("due", "-c", "ny.yaml", "--start", "2027-01-04T16:00", "--in", "2h")
    assert result.exit_code == 0
    assert result.stdout == (
        "Due at 2027-01-05T10:00:00-05:00 (Tuesday, America/New_York)\n"
        "       2027-01-05T15:00:00Z (UTC)\n"
        "2h of working time after 2027-01-04T16:00:00-05:00 on calendar ny.yaml\n"
    )


def test_due_reads_a_naive_start_in_the_spring_gap_with_the_offset_before_it():
    # 02:30 does not exist on 2027-03-28; read with +01:00 it is 03:30+02:00
    data = run_json(
        "due", "-c", "allday.yaml", "--start", "2027-03-28T02:30", "--in", "30m"
    )
    assert data["start"] == "2027-03-28T03:30:00+02:00"
    assert data["due"] == "2027-03-28T04:00:00+02:00"


def test_due_uses_the_only_calendar_of_an_agreement():
    data = run_json(
        "due", "-c", "one.yaml", "--start", "2027-01-04T15:00", "--in", "2h"
    )
    assert data["calendar"] == "support"
    assert data["due"] == "2027-01-05T09:00:00+00:00"


def test_due_reads_a_file_whose_name_holds_a_hash():
    data = run_json(
        "due", "-c", "with#hash.yaml", "--start", "2027-01-04T09:00", "--in", "1h"
    )
    assert data["file"] == "with#hash.yaml"
    assert data["calendar"] is None


# --- between ----------------------------------------------------------------


def test_between_prints_the_working_time():
    result = run(
        "between",
        "-c",
        "acme.yaml",
        "--from",
        "2027-01-04T09:00",
        "--to",
        "2027-01-05T16:00",
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "13h 30m of working time\n"
        "from 2027-01-04T09:00:00+01:00 to 2027-01-05T16:00:00+01:00"
        " on calendar office (acme.yaml)\n"
    )


def test_between_json_gives_seconds_and_a_readable_form():
    data = run_json(
        "between",
        "-c",
        "acme.yaml",
        "--from",
        "2027-01-04T08:00Z",
        "--to",
        "2027-01-05T16:00",
    )
    assert data == {
        "file": "acme.yaml",
        "calendar": "office",
        "timezone": "Europe/Berlin",
        "from": "2027-01-04T09:00:00+01:00",
        "from_utc": "2027-01-04T08:00:00Z",
        "to": "2027-01-05T16:00:00+01:00",
        "to_utc": "2027-01-05T15:00:00Z",
        "working_time": "13h 30m",
        "working_time_seconds": 48600,
    }


def test_between_leaves_out_closed_dates():
    data = run_json(
        "between", "-c", "acme.yaml", "--from", "2027-12-20", "--to", "2027-12-27"
    )
    assert data["working_time"] == "30h"


def test_between_is_zero_when_to_is_not_after_from():
    result = run(
        "between",
        "-c",
        "acme.yaml",
        "--from",
        "2027-01-05T16:00",
        "--to",
        "2027-01-04T09:00",
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("0m of working time\n")


def test_between_keeps_fractions_of_a_second():
    data = run_json(
        "between",
        "-c",
        "acme.yaml",
        "--from",
        "2027-01-04T09:00:00.5",
        "--to",
        "2027-01-04T10:00",
    )
    assert data["working_time_seconds"] == 3599.5


def test_between_counts_the_short_and_long_days_of_dst():
    spring = run_json(
        "between", "-c", "allday.yaml", "--from", "2027-03-28", "--to", "2027-03-29"
    )
    autumn = run_json(
        "between", "-c", "allday.yaml", "--from", "2027-10-31", "--to", "2027-11-01"
    )
    assert spring["working_time"] == "23h"
    assert autumn["working_time"] == "25h"


# --- show -------------------------------------------------------------------


def test_show_prints_a_table_of_open_hours_with_closed_dates_named():
    result = run("show", "-c", "acme.yaml", "--from", "2027-12-20", "--days", "14")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "Calendar office (acme.yaml), Europe/Berlin: 2027-12-20 to 2028-01-02"
    )
    assert table_rows(result.stdout) == [
        ["2027-12-20", "Mon", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-21", "Tue", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-22", "Wed", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-23", "Thu", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-24", "Fri", "-", "0m", "closed"],
        ["2027-12-25", "Sat", "-", "0m", "Christmas Day"],
        ["2027-12-26", "Sun", "-", "0m", "Second Day of Christmas"],
        ["2027-12-27", "Mon", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-28", "Tue", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-29", "Wed", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-30", "Thu", "09:00-12:30, 13:30-17:30", "7h 30m", ""],
        ["2027-12-31", "Fri", "-", "0m", "closed"],
        ["2028-01-01", "Sat", "-", "0m", "New Year's Day"],
        ["2028-01-02", "Sun", "-", "0m", ""],
    ]
    assert lines[-1].strip() == "60h of working time in 14 days"


def test_show_defaults_to_seven_dates():
    result = run("show", "-c", "acme.yaml", "--from", "2027-01-04")
    assert result.exit_code == 0
    assert [row[0] for row in table_rows(result.stdout)] == [
        f"2027-01-{d:02d}" for d in range(4, 11)
    ]


def test_show_json_lists_each_date_with_windows_and_closed_name():
    data = run_json("show", "-c", "acme.yaml", "--from", "2027-12-23", "--days", "2")
    assert data == {
        "file": "acme.yaml",
        "calendar": "office",
        "timezone": "Europe/Berlin",
        "from": "2027-12-23",
        "to": "2027-12-24",
        "days": 2,
        "working_time": "7h 30m",
        "working_time_seconds": 27000,
        "dates": [
            {
                "date": "2027-12-23",
                "weekday": "Thu",
                "windows": [
                    {
                        "start": "2027-12-23T09:00:00+01:00",
                        "end": "2027-12-23T12:30:00+01:00",
                    },
                    {
                        "start": "2027-12-23T13:30:00+01:00",
                        "end": "2027-12-23T17:30:00+01:00",
                    },
                ],
                "working_time": "7h 30m",
                "working_time_seconds": 27000,
                "closed": None,
            },
            {
                "date": "2027-12-24",
                "weekday": "Fri",
                "windows": [],
                "working_time": "0m",
                "working_time_seconds": 0,
                "closed": "closed",
            },
        ],
    }


def test_show_splits_windows_that_cross_midnight_and_follows_dst():
    result = run("show", "-c", "night.yaml", "--from", "2027-03-26", "--days", "7")
    assert result.exit_code == 0
    assert table_rows(result.stdout) == [
        ["2027-03-26", "Fri", "00:00-06:00, 22:00-24:00", "8h", ""],
        ["2027-03-27", "Sat", "00:00-06:00", "6h", ""],
        ["2027-03-28", "Sun", "10:00-12:00", "2h", ""],
        ["2027-03-29", "Mon", "22:00-24:00", "2h", ""],
        ["2027-03-30", "Tue", "00:00-06:00", "6h", "Offsite"],
        ["2027-03-31", "Wed", "-", "0m", "Offsite"],
        ["2027-04-01", "Thu", "22:00-24:00", "2h", ""],
    ]
    data = run_json("show", "-c", "night.yaml", "--from", "2027-03-29", "--days", "2")
    assert data["dates"][0]["windows"] == [
        {"start": "2027-03-29T22:00:00+02:00", "end": "2027-03-30T00:00:00+02:00"}
    ]


def test_show_gives_the_length_of_whole_days_across_dst():
    result = run("show", "-c", "allday.yaml", "--from", "2027-10-30", "--days", "3")
    assert [row[2:4] for row in table_rows(result.stdout)] == [
        ["00:00-24:00", "24h"],
        ["00:00-24:00", "25h"],
        ["00:00-24:00", "24h"],
    ]


# --- which calendar -----------------------------------------------------------


def test_an_agreement_with_several_calendars_and_no_default_needs_a_name():
    assert fails(
        "due", "-c", "two.yaml", "--start", "2027-01-04T09:00", "--in", "1h"
    ) == (
        "error: two.yaml:1:1 calendars: the file has 2 calendars (a, b) and no"
        " default_calendar; pick one with --calendar two.yaml#a\n"
    )


def test_an_unknown_calendar_name_lists_the_names():
    assert fails("due", "-c", "acme.yaml#x", "--start", "2027-01-04", "--in", "1h") == (
        "error: acme.yaml:3:1 calendars: no calendar named 'x';"
        " the file has: office, on_call\n"
    )


def test_a_default_calendar_that_does_not_exist_is_reported_where_it_is_set():
    assert fails(
        "due", "-c", "bad-default.yaml", "--start", "2027-01-04", "--in", "1h"
    ) == (
        "error: bad-default.yaml:4:19 default_calendar: 'c' is not one of the"
        " calendars: a, b\n"
    )


def test_a_name_is_refused_for_a_file_holding_one_calendar_spec():
    assert fails(
        "due", "-c", "ny.yaml#office", "--start", "2027-01-04", "--in", "1h"
    ) == (
        "error: ny.yaml: holds one calendar spec (no calendars:), so there is no"
        " calendar 'office' to pick; drop '#office'\n"
    )


def test_an_empty_name_after_the_hash_is_a_usage_error():
    assert fails("due", "-c", "acme.yaml#", "--start", "2027-01-04", "--in", "1h") == (
        "error: Invalid value for '--calendar': 'acme.yaml#' should be FILE or"
        " FILE#NAME. See 'slakeeper calendar due --help'.\n"
    )


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("missing.yaml", "missing.yaml: no such file"),
        ("empty.yaml", "empty.yaml: is empty; expected a calendar spec or calendars:"),
        (
            "list.yaml",
            "list.yaml:1:1: must be a mapping: a calendar spec (timezone, hours,"
            " ...) or an agreement with calendars:",
        ),
        (
            "cal-list.yaml",
            "cal-list.yaml:1:1 calendars: must map calendar names to calendar specs",
        ),
        (
            "cal-scalar.yaml",
            "cal-scalar.yaml:2:11 calendars.office: a calendar must be a mapping"
            " with timezone and hours",
        ),
        (
            "syntax.yaml",
            "syntax.yaml:2:1: YAML syntax error: expected ',' or ']', but got"
            " '<stream end>' (while parsing a flow sequence at line 1, column 12)",
        ),
    ],
)
def test_a_file_that_holds_no_usable_calendar_is_reported(file, message):
    assert fails("show", "-c", file, "--from", "2027-01-04") == f"error: {message}\n"


def test_every_problem_of_an_invalid_spec_is_reported_with_its_position():
    assert fails(
        "between", "-c", "invalid.yaml", "--from", "2027-01-04", "--to", "2027-01-05"
    ).splitlines() == [
        "error: invalid.yaml:3:15 calendars.office.timezone: 'Europe/Berln' is not a"
        " known IANA time zone (e.g. Europe/Berlin, UTC)",
        "error: invalid.yaml:4:22 calendars.office.hours.mon-fri: '09:00-25:00' is"
        " not a window: end 25:00 is past 24:00",
        "error: invalid.yaml:4:42 calendars.office.hours.sat: '10:00-10:00' is not a"
        " window: it starts and ends at the same time (write 00:00-24:00 for a whole"
        " day)",
        "error: invalid.yaml:5:25 calendars.office.holidays.country: 'XX' is not a"
        " country known to the holidays package (use an ISO 3166 code such as DE,"
        " US, GB)",
        "error: invalid.yaml:5:49 calendars.office.holidays.dates[1]: 'notadate' is"
        " not a date: write YYYY-MM-DD or {from: YYYY-MM-DD, to: ...}",
        "error: invalid.yaml:7:19 calendars.office.open.2027-12-27: windows"
        " 10:00-14:00 and 13:00-15:00 overlap",
        "error: invalid.yaml:8:10 calendars.office.foo: unknown key 'foo'; expected"
        " one of timezone, hours, holidays, open, business_day",
    ]


# --- bad values ---------------------------------------------------------------

_ISO_HINT = (
    "is not an ISO 8601 instant; write e.g. 2027-01-04T09:00 (read in the"
    " calendar's time zone) or 2027-01-04T09:00+01:00"
)


def test_a_bad_start_instant_names_the_option():
    assert fails(
        "due", "-c", "acme.yaml", "--start", "2027-01-04T25:00", "--in", "1h"
    ) == (
        f"error: Invalid value for '--start': '2027-01-04T25:00' {_ISO_HINT}."
        " See 'slakeeper calendar due --help'.\n"
    )


@pytest.mark.parametrize(("option", "index"), [("--from", 4), ("--to", 6)])
def test_a_bad_between_instant_names_the_option(option, index):
    args = ["between", "-c", "acme.yaml", "--from", "2027-01-04", "--to", "2027-01-05"]
    args[index] = "yesterday"
    assert fails(*args) == (
        f"error: Invalid value for '{option}': 'yesterday' {_ISO_HINT}."
        " See 'slakeeper calendar between --help'.\n"
    )


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("4x", "'4x' is not a duration; write e.g. 4h, 90m, 1h30m or 2bd"),
        ("", "'' is not a duration; write e.g. 4h, 90m, 1h30m or 2bd"),
        ("-1h", "'-1h' is not a duration; write e.g. 4h, 90m, 1h30m or 2bd"),
    ],
)
def test_a_bad_duration_names_the_option(duration, message):
    assert fails(
        "due", "-c", "acme.yaml", "--start", "2027-01-04", "--in", duration
    ) == (
        f"error: Invalid value for '--in': {message}."
        " See 'slakeeper calendar due --help'.\n"
    )


@pytest.mark.parametrize("days", ["0", "-3"])
def test_show_needs_at_least_one_day(days):
    assert fails("show", "-c", "acme.yaml", "--from", "2027-01-04", "--days", days) == (
        "error: Invalid value for '--days': Input should be greater than or equal"
        " to 1. See 'slakeeper calendar show --help'.\n"
    )


def test_show_refuses_a_range_past_the_last_date():
    assert fails("show", "-c", "acme.yaml", "--from", "9999-12-30", "--days", "3") == (
        "error: Invalid value for '--days': 3 dates from 9999-12-30 run past the"
        " year 9999. See 'slakeeper calendar show --help'.\n"
    )


def test_show_needs_an_iso_date():
    assert fails("show", "-c", "acme.yaml", "--from", "04.01.2027") == (
        "error: Invalid value for '--from': '04.01.2027' is not an ISO date; write"
        " e.g. 2027-01-04. See 'slakeeper calendar show --help'.\n"
    )


def test_a_missing_option_is_a_one_line_usage_error():
    assert fails("due", "--start", "2027-01-04", "--in", "1h") == (
        "error: Missing option '--calendar' / '-c'."
        " See 'slakeeper calendar due --help'.\n"
    )


def test_an_engine_error_is_one_line_with_exit_2():
    stderr = fails(
        "due", "-c", "never.yaml", "--start", "2027-01-04T09:00", "--in", "1h"
    )
    assert stderr.startswith("error: the calendar has no open time")
    assert stderr.count("\n") == 1
