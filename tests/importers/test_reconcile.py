"""Upwork reconciliation on both backends: billable hours billed through Upwork
beside those tracked in slakeeper, per Upwork billing week (Monday to Sunday,
UTC), with the difference; Sunday 23:30 UTC belongs to the week it ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.errors import InvalidInput, NotFound
from slakeeper.importers.reconcile import billing_week, reconcile
from slakeeper.services import time_entries
from tests.factories import Cast, activate, example_text, make_cast, make_world

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


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
        entries = [
            # (start UTC, duration, source, billable)
            (datetime(2026, 11, 2, 10, 0, tzinfo=UTC), 2 * H, "upwork_tracked", True),
            # Sunday 23:30 UTC (Monday 00:30 in Berlin): the week of 2 November
            (datetime(2026, 11, 8, 23, 30, tzinfo=UTC), 30 * M, "upwork_manual", True),
            (datetime(2026, 11, 3, 9, 0, tzinfo=UTC), 2 * H, "manual", True),
            (datetime(2026, 11, 8, 23, 30, tzinfo=UTC), 1 * H, "manual", True),
            (datetime(2026, 11, 4, 9, 0, tzinfo=UTC), 5 * H, "manual", False),
            # Monday 00:10 UTC: the next week
            (datetime(2026, 11, 9, 0, 10, tzinfo=UTC), 10 * M, "import:toggl", True),
        ]
        for i, (start, span, source, billable) in enumerate(entries):
            time_entries.add_entry(
                s,
                cast.jane,
                client_id=cast.acme_id,
                started_at=start,
                ended_at=start + span,
                source=source,
                billable=billable,
                external_id=None if source == "manual" else f"x{i}",
                now=NOW,
            )
        return cast


def test_hours_are_compared_per_utc_billing_week(sessions, cast):
    with sessions() as s:
        result = reconcile(
            s,
            cast.jane,
            client_id=cast.acme_id,
            from_at=datetime(2026, 11, 4, tzinfo=UTC),  # a Wednesday: widened
            to_at=datetime(2026, 11, 16, tzinfo=UTC),
            now=NOW,
        )
    assert result.contract == "38123456"
    assert (result.from_at.isoformat(), result.to_at.isoformat()) == (
        "2026-11-02T00:00:00+00:00",
        "2026-11-16T00:00:00+00:00",
    )
    weeks = [
        (
            w.week_start.isoformat(),
            w.week_end.isoformat(),
            w.upwork_seconds,
            w.slakeeper_seconds,
            w.difference_seconds,
        )
        for w in result.weeks
    ]
    assert weeks == [
        ("2026-11-02", "2026-11-08", 9000, 10800, 1800),
        ("2026-11-09", "2026-11-15", 0, 600, 600),
    ]
    assert (result.upwork_seconds, result.slakeeper_seconds) == (9000, 11400)
    assert result.has_differences


def test_the_default_period_is_the_last_four_weeks_and_this_one(sessions, cast):
    with sessions() as s:
        result = reconcile(s, cast.jane, client_id=cast.acme_id, now=NOW)
    assert [w.week_start.isoformat() for w in result.weeks] == [
        "2026-10-19",
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
    ]


def test_sunday_evening_utc_is_the_end_of_the_week():
    sunday = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
    assert billing_week(sunday).isoformat() == "2026-11-02"
    assert billing_week(sunday + 30 * M).isoformat() == "2026-11-09"


def test_a_client_contact_sees_their_own_and_no_other_client(sessions):
    with sessions.begin() as s:
        world = make_world(s)
    with sessions() as s:
        mine = reconcile(s, world.cast.max, client_id=world.cast.acme_id, now=NOW)
        assert mine.upwork_seconds == 0
        with pytest.raises(NotFound):  # not revealed
            reconcile(s, world.olga, client_id=world.cast.acme_id, now=NOW)


def test_a_period_ending_before_it_starts_is_refused(sessions, cast):
    with sessions() as s, pytest.raises(InvalidInput, match="ends before"):
        reconcile(
            s,
            cast.jane,
            client_id=cast.acme_id,
            from_at=datetime(2026, 11, 16, tzinfo=UTC),
            to_at=datetime(2026, 11, 2, tzinfo=UTC),
            now=NOW,
        )
