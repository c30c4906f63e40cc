"""Reading CSV exports, no database: each tool's variants picked by the header,
unknown columns reported, local times read in the zone given (DST included),
Upwork's in UTC, day-first or month-first dates, and bad rows with their line."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slakeeper.errors import InvalidInput
from slakeeper.importers.csv_formats import (
    Tool,
    normalise_header,
    parse_csv,
    parse_duration_text,
)

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_it_reads_a_toggl_detailed_report_in_the_agreements_zone():
    parsed = parse_csv(Tool.TOGGL, read("toggl_detailed.csv"), zone=BERLIN)
    assert parsed.variant.name == "Toggl Track detailed report"
    assert parsed.unknown_columns == ()
    assert parsed.problems == []
    first, second, third = parsed.rows
    # 09:00 in Berlin in November (CET, +01:00) is 08:00 UTC
    assert first.started_at is not None
    assert first.started_at.isoformat() == "2026-11-02T08:00:00+00:00"
    assert (first.seconds, first.note, first.billable) == (
        5400,
        "Website / Checkout bug",
        True,
    )
    assert (first.email, first.source) == ("jane@janedoe.example", "import:toggl")
    assert (second.note, second.billable) == ("Website / Review, with a comma", False)
    assert third.line == 4
    assert third.note == "Website / A note\non two lines"


def test_the_newer_toggl_columns_are_a_known_variant_and_unknown_ones_are_reported():
    parsed = parse_csv(Tool.TOGGL, read("toggl_member.csv"), zone=BERLIN)
    assert parsed.unknown_columns == ("Workspace",)
    deploy, standup = parsed.rows
    assert (deploy.seconds, standup.seconds) == (4500, 900)  # 1.25 h and 0.25 h
    assert deploy.email == "jane@janedoe.example"
    assert standup.billable is False


def test_bad_rows_are_reported_with_their_line_and_the_rest_is_parsed():
    parsed = parse_csv(Tool.TOGGL, read("toggl_bad_rows.csv"), zone=BERLIN)
    assert [(p.line, p.message) for p in parsed.problems] == [
        (3, "Start time: '25:00:00' is not a time of day"),
        (5, "Duration: 'an hour' is not a duration (write 1:30:00 or 1.5)"),
    ]
    assert [r.line for r in parsed.rows] == [2, 4]


def test_clockify_month_first_dates_and_12_hour_times_are_understood():
    parsed = parse_csv(Tool.CLOCKIFY, read("clockify_detailed.csv"), zone=BERLIN)
    assert parsed.variant.name == "Clockify detailed report"
    assert parsed.unknown_columns == ()
    docs, review = parsed.rows
    assert docs.started_at is not None
    assert review.started_at is not None
    assert docs.started_at.isoformat() == "2026-11-05T08:00:00+00:00"
    assert review.started_at.isoformat() == "2026-11-13T12:00:00+00:00"  # 1 PM
    assert (docs.seconds, review.seconds, review.billable) == (5400, 2700, False)


def test_clockify_day_first_breaks_are_skipped_and_custom_fields_reported():
    parsed = parse_csv(Tool.CLOCKIFY, read("clockify_day_first.csv"), zone=BERLIN)
    assert parsed.unknown_columns == ("Deal ID",)
    call, lunch = parsed.rows
    assert call.started_at is not None
    assert call.started_at.isoformat() == "2026-11-16T09:00:00+00:00"
    assert (call.seconds, call.skip) == (780, None)
    assert lunch.skip == "a break, not work"


def test_dates_that_could_be_either_order_need_to_be_told():
    text = read("clockify_detailed.csv").replace("11/13/2026", "11/12/2026")
    with pytest.raises(InvalidInput, match="--date-order"):
        parse_csv(Tool.CLOCKIFY, text, zone=BERLIN)
    parsed = parse_csv(Tool.CLOCKIFY, text, zone=BERLIN, date_order="dmy")
    assert parsed.rows[1].worked_at.date().isoformat() == "2026-12-11"


def test_local_times_across_a_dst_change_keep_their_duration():
    # 2026-10-25 02:30 in Berlin happens twice; its first occurrence is 00:30 UTC
    text = (
        "User,Email,Description,Start date,Start time,Duration\n"
        "Jane,jane@janedoe.example,Night shift,2026-10-25,02:30:00,02:00:00\n"
    )
    (row,) = parse_csv(Tool.TOGGL, text, zone=BERLIN).rows
    assert row.started_at is not None
    assert row.started_at.isoformat() == "2026-10-25T00:30:00+00:00"
    assert row.seconds == 7200


def test_upwork_timesheet_rows_are_utc_days_and_money_rows_are_skipped():
    parsed = parse_csv(Tool.UPWORK, read("upwork_timesheet.csv"), zone=None)
    assert parsed.variant.name == "Upwork timesheet (weekly summary)"
    first, short, other, bonus = parsed.rows
    assert first.worked_at.isoformat() == "2026-11-02T00:00:00+00:00"
    assert (first.seconds, first.contract, first.source) == (
        5400,
        "38123456",
        "upwork_tracked",
    )
    assert short.seconds == 1200  # 0.33333 h is 20 minutes
    assert other.contract == "35695275"
    assert bonus.skip == "a Bonus payment, not hours"


def test_upwork_transactions_give_hourly_invoices_by_ref_id():
    parsed = parse_csv(Tool.UPWORK, read("upwork_transactions.csv"), zone=None)
    assert parsed.variant.name == "Upwork transaction history"
    hourly, fee, withdrawal = parsed.rows
    assert (hourly.tool_id, hourly.seconds, hourly.team) == (
        "880001",
        45000,
        "Acme GmbH",
    )
    assert hourly.worked_at.isoformat() == "2026-11-02T00:00:00+00:00"
    assert fee.skip == "a Service Fee transaction, not hours"
    assert withdrawal.skip == "a Withdrawal transaction, not hours"


def test_upwork_work_diary_segments_are_tracked_or_manual():
    parsed = parse_csv(Tool.UPWORK, read("upwork_work_diary.csv"), zone=None)
    sources = [(r.worked_at.isoformat(), r.seconds, r.source) for r in parsed.rows]
    assert sources == [
        ("2026-11-08T23:30:00+00:00", 600, "upwork_tracked"),
        ("2026-11-08T23:40:00+00:00", 600, "upwork_tracked"),
        ("2026-11-09T09:00:00+00:00", 600, "upwork_manual"),
    ]


def test_a_header_of_no_known_variant_says_what_is_missing():
    with pytest.raises(InvalidInput) as caught:
        parse_csv(Tool.TOGGL, "Day,Hours\n2026-11-02,3\n", zone=BERLIN)
    assert "closest is the Toggl Track detailed report" in str(caught.value)
    assert "start_date" in str(caught.value)
    with pytest.raises(InvalidInput, match="empty"):
        parse_csv(Tool.CLOCKIFY, "\n\n", zone=BERLIN)


def test_local_times_without_a_zone_are_refused():
    with pytest.raises(InvalidInput, match="--timezone"):
        parse_csv(Tool.TOGGL, read("toggl_detailed.csv"), zone=None)


def test_a_row_of_the_wrong_width_is_bad():
    text = "Date,Time (UTC),Memo\n2026-11-02,09:00\n2026-11-02,09:10,Fine,extra\n"
    parsed = parse_csv(Tool.UPWORK, text, zone=None)
    assert [p.line for p in parsed.problems] == [2, 3]
    assert parsed.problems[0].message == "has 2 cells where the header has 3"


def test_semicolons_are_a_delimiter_too():
    text = "Date;Time (UTC);Memo;Type\n2026-11-02;09:00;Fix;Manual\n"
    (row,) = parse_csv(Tool.UPWORK, text, zone=None).rows
    assert (row.note, row.source) == ("Fix", "upwork_manual")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:30:00", 5400),
        ("0:13", 780),
        ("01:17:00", 4620),
        ("1.5", 5400),
        ("0,25", 900),
    ],
)
def test_durations_as_exports_write_them(text: str, seconds: int) -> None:
    assert parse_duration_text(text, "Duration") == seconds


def test_headers_are_compared_without_case_spaces_or_a_bom():
    assert normalise_header("\ufeff  Start   Date ") == "start date"
