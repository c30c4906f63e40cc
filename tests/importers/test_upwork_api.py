"""The Upwork GraphQL client and `sync`, against respx (never the network),
answering with fixtures built from Upwork's published GraphQL reference: the
bearer token, pagination, errors as clear messages (401, 403, GraphQL errors,
no connection), 429 retried after Retry-After; and sync on both backends:
segments as upwork_tracked or upwork_manual, idempotent runs, changes in
Upwork followed, approved entries left alone, dry runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import TimeEntry
from slakeeper.errors import InvalidInput
from slakeeper.importers.upwork_api import (
    DiaryCell,
    SyncResult,
    UpworkClient,
    UpworkError,
    segments,
    sync,
)
from slakeeper.services import time_entries
from tests.factories import Cast, activate, example_text, make_cast
from tests.importers.upwork_fake import TOKEN, URL, FakeUpwork, body_of

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def upwork():
    fake = FakeUpwork()
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        mock.post(URL).mock(side_effect=fake)
        yield fake


def client(**options: Any) -> UpworkClient:
    return UpworkClient(TOKEN, url=URL, **options)


# -- the client -----------------------------------------------------------------------


def test_it_sends_the_bearer_token_and_reads_a_contract():
    upwork = FakeUpwork()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(side_effect=upwork)
        with client() as api:
            contract = api.contract("38123456")
    assert (contract.id, contract.title, contract.status) == (
        "38123456",
        "Acme web care",
        "ACTIVE",
    )
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert upwork.queries("contractDetails") == [{"id": "38123456"}]


def test_the_time_report_is_read_page_by_page_for_the_contract(upwork):
    with client(page_size=2) as api:
        days = api.time_report("38123456", date(2026, 11, 2), date(2026, 11, 8))
    assert [(d.worked_on.isoformat(), d.seconds) for d in days] == [
        ("2026-11-02", 2400),
        ("2026-11-03", 2400),
        ("2026-11-04", 0),
    ]
    assert upwork.queries("contractTimeReport") == [
        {
            "filter": {
                "timeReportDate_bt": {"rangeStart": "20261102", "rangeEnd": "20261108"}
            },
            "pagination": {"first": 2, "after": after},
        }
        for after in (None, "c2")
    ]


def test_the_work_diary_gives_ten_minute_cells(upwork):
    with client() as api:
        cells = api.work_diary("38123456", date(2026, 11, 2))
    assert [(c.at.isoformat(), c.memo, c.manual) for c in cells] == [
        ("2026-11-02T09:00:00+00:00", "Checkout bug", False),
        ("2026-11-02T09:10:00+00:00", "Checkout bug", False),
        ("2026-11-02T09:20:00+00:00", "Checkout bug", False),
        ("2026-11-02T09:30:00+00:00", "Checkout bug", True),
    ]
    assert upwork.queries("workDiaryContract") == [
        {"input": {"contractId": "38123456", "date": "20261102"}}
    ]


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (401, "Upwork refused the token (HTTP 401): SLAKEEPER_UPWORK_TOKEN is wrong"),
        (403, "Upwork refused access (HTTP 403)"),
        (500, "Upwork answered HTTP 500: boom"),
    ],
)
def test_refusals_are_clear_errors(status, says):
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=httpx.Response(status, text="boom"))
        with client() as api, pytest.raises(UpworkError) as caught:
            api.contract("38123456")
    assert says in str(caught.value)
    assert caught.value.status_code == 502


def test_graphql_errors_in_a_200_answer_are_an_error():
    with respx.mock() as mock:
        mock.post(URL).mock(
            return_value=httpx.Response(200, json=body_of("graphql_errors.json"))
        )
        with client() as api, pytest.raises(UpworkError) as caught:
            api.contract("38123456")
    assert str(caught.value) == (
        "Upwork refused the query: Requested oAuth2 client does not have"
        " permission to see field 'contractDetails'"
    )


def test_a_rate_limit_is_waited_out_as_retry_after_says():
    waits: list[float] = []
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "7"}),
                httpx.Response(503),
                httpx.Response(200, json=body_of("contract.json")),
            ]
        )
        with client(sleep=waits.append) as api:
            assert api.contract("38123456").title == "Acme web care"
    assert route.call_count == 3
    assert waits == [7.0, 2.0]  # the server's wait, then 2**attempt


def test_a_rate_limit_that_lasts_ends_the_run_with_a_message():
    waits: list[float] = []
    with respx.mock() as mock:
        route = mock.post(URL).mock(
            return_value=httpx.Response(429, headers={"Retry-After": "30"})
        )
        api = client(sleep=waits.append, max_retries=2)
        with api, pytest.raises(UpworkError) as caught:
            api.contract("38123456")
    assert route.call_count == 3
    assert waits == [30.0, 30.0]
    assert str(caught.value) == (
        "Upwork is rate limiting (HTTP 429) after 3 tries; run again in 30 s or later"
    )


def test_an_unreachable_server_is_a_clear_error():
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=httpx.ConnectError("connection refused"))
        with client() as api, pytest.raises(UpworkError) as caught:
            api.contract("38123456")
    assert str(caught.value) == (f"cannot reach Upwork at {URL}: connection refused")


def test_an_empty_token_is_refused_before_any_request():
    with pytest.raises(InvalidInput, match="SLAKEEPER_UPWORK_TOKEN"):
        UpworkClient("  ", url=URL)


def test_cells_are_grouped_into_segments_by_gap_memo_and_kind():
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    m = timedelta(minutes=10)
    cells = [
        DiaryCell(at, "a", False, False),
        DiaryCell(at + m, "a", False, False),
        DiaryCell(at + m, "a", False, False),  # the same cell twice
        DiaryCell(at + 2 * m, "b", False, False),
        DiaryCell(at + 3 * m, "b", True, False),
        DiaryCell(at + 5 * m, "b", True, False),
    ]
    found = [
        (s.started_at.strftime("%H:%M"), s.seconds, s.memo, s.source)
        for s in segments(cells)
    ]
    assert found == [
        ("09:00", 1200, "a", "upwork_tracked"),
        ("09:20", 600, "b", "upwork_tracked"),
        ("09:30", 600, "b", "upwork_manual"),
        ("09:50", 600, "b", "upwork_manual"),
    ]


# -- sync ----------------------------------------------------------------------------


@pytest.fixture
def cast(sessions: sessionmaker[Session]) -> Cast:
    body = example_text().replace("effective: 2027-01-01", "effective: 2026-01-01")
    with sessions.begin() as s:
        cast = make_cast(s, now=datetime(2025, 12, 1, tzinfo=UTC))
        activate(
            s,
            cast,
            body,
            at=datetime(2026, 10, 1, tzinfo=UTC),
            approved=datetime(2026, 9, 1, tzinfo=UTC),
        )
        return cast


def run_sync(sessions: sessionmaker[Session], cast: Cast, **options: Any) -> SyncResult:
    with sessions.begin() as s, client(sleep=lambda _: None) as api:
        return sync(s, cast.jane, api, client_id=cast.acme_id, now=NOW, **options)


def stored(
    sessions: sessionmaker[Session], cast: Cast
) -> list[tuple[str, str, int, str, bool, str | None]]:
    with sessions() as s:
        rows = s.scalars(
            select(TimeEntry)
            .where(TimeEntry.workspace_id == cast.workspace_id)
            .order_by(TimeEntry.worked_at)
        ).all()
        return [
            (
                f"{e.worked_at:%m-%d %H:%M}",
                e.source,
                e.seconds,
                e.note,
                e.billable,
                e.external_id,
            )
            for e in rows
        ]


FIRST_SYNC = [
    (
        "11-02 09:00",
        "upwork_tracked",
        1800,
        "Checkout bug",
        True,
        "38123456:20261102T0900Z",
    ),
    (
        "11-02 09:30",
        "upwork_manual",
        600,
        "Checkout bug",
        True,
        "38123456:20261102T0930Z",
    ),
    ("11-03 10:00", "upwork_tracked", 1200, "Deploy", True, "38123456:20261103T1000Z"),
    ("11-03 10:40", "upwork_tracked", 600, "Deploy", True, "38123456:20261103T1040Z"),
    (
        "11-03 23:50",
        "upwork_tracked",
        600,
        "Late fix",
        False,
        "38123456:20261103T2350Z",
    ),
]


def test_sync_records_each_segment_as_tracked_or_manual_time(sessions, cast, upwork):
    result = run_sync(sessions, cast, since=SINCE)
    assert (result.contract.title, result.days, result.report_seconds) == (
        "Acme web care",
        2,
        4800,
    )
    assert (len(result.new), result.unchanged, result.problems) == (5, 0, [])
    assert stored(sessions, cast) == FIRST_SYNC  # overtime is not billable
    # only the days with hours in the time report were read
    assert [v["input"]["date"] for v in upwork.queries("workDiaryContract")] == [
        "20261102",
        "20261103",
    ]


def test_a_second_sync_changes_nothing(sessions, cast, upwork):
    run_sync(sessions, cast, since=SINCE)
    again = run_sync(sessions, cast, since=SINCE)
    assert (len(again.new), len(again.updated), len(again.removed)) == (0, 0, 0)
    assert again.unchanged == 5
    assert stored(sessions, cast) == FIRST_SYNC


def test_sync_follows_changes_made_in_upwork(sessions, cast, upwork):
    run_sync(sessions, cast, since=SINCE)
    upwork.diaries["20261102"] = "work_diary_20261102_changed.json"
    result = run_sync(sessions, cast, since=SINCE)
    assert (len(result.new), len(result.updated), len(result.removed)) == (0, 1, 1)
    assert result.unchanged == 3
    assert stored(sessions, cast)[:2] == [
        (
            "11-02 09:00",
            "upwork_tracked",
            2400,
            "Checkout bug",
            True,
            "38123456:20261102T0900Z",
        ),
        (
            "11-03 10:00",
            "upwork_tracked",
            1200,
            "Deploy",
            True,
            "38123456:20261103T1000Z",
        ),
    ]


def test_sync_never_changes_approved_time_and_says_so(sessions, cast, upwork):
    run_sync(sessions, cast, since=SINCE)
    with sessions.begin() as s:
        time_entries.approve_period(
            s,
            cast.jane,
            client_id=cast.acme_id,
            from_at=SINCE,
            to_at=datetime(2026, 11, 9, tzinfo=UTC),
            now=NOW,
        )
    upwork.diaries["20261102"] = "work_diary_20261102_changed.json"
    result = run_sync(sessions, cast, since=SINCE)
    assert len(result.problems) == 2
    assert (
        "changed in Upwork but is approved; it was left as it is" in result.problems[0]
    )
    assert "was removed in Upwork but is approved" in result.problems[1]
    assert stored(sessions, cast) == FIRST_SYNC


def test_a_dry_run_sync_writes_nothing(sessions, cast, upwork):
    result = run_sync(sessions, cast, since=SINCE, dry_run=True)
    assert len(result.new) == 5
    assert stored(sessions, cast) == []


def test_sync_starts_by_default_at_the_previous_billing_week(sessions, cast, upwork):
    result = run_sync(sessions, cast)
    # NOW is Friday 20 November: this week began Monday 16, the previous one 9
    assert result.since.isoformat() == "2026-11-09T00:00:00+00:00"
    (report, *_) = upwork.queries("contractTimeReport")
    assert report["filter"]["timeReportDate_bt"] == {
        "rangeStart": "20261108",
        "rangeEnd": "20261120",
    }
    assert result.new == []  # the fixtures' cells are older


def test_sync_needs_the_agreement_to_name_the_contract(sessions, upwork):
    body = example_text().replace("effective: 2027-01-01", "effective: 2026-01-01")
    with sessions.begin() as s:
        cast = make_cast(s, now=datetime(2025, 12, 1, tzinfo=UTC))
        activate(
            s,
            cast,
            body.replace('  upwork: {contract: "38123456"}\n', ""),
            at=datetime(2026, 10, 1, tzinfo=UTC),
            approved=datetime(2026, 9, 1, tzinfo=UTC),
        )
    with pytest.raises(InvalidInput, match=r"billing.upwork.contract"):
        run_sync(sessions, cast, since=SINCE)
    assert upwork.requests == []
