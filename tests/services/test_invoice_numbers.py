"""Invoice numbers are gap-free and never repeat: drafts have none, issuing takes
the next of the series under a lock, a failed issue gives its number back, a
credit note takes one from the same series, and many issuers at once on
PostgreSQL (and SQLite) get 1..N exactly."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Counter, Invoice
from slakeeper.errors import Conflict
from slakeeper.services import time_entries
from slakeeper.services.invoicing import invoices as svc
from tests.factories import Cast, activate, make_cast

LATER = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
N = 8


def setup(sessions: sessionmaker[Session], drafts: int) -> tuple[Cast, list[int]]:
    """A cast with `drafts` drafts, one per January day from the 4th."""
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    ids = [
        draft_for_day(sessions, cast, date(2027, 1, 4) + timedelta(days=i), LATER)
        for i in range(drafts)
    ]
    return cast, ids


def draft_for_day(
    sessions: sessionmaker[Session], cast: Cast, day: date, now: datetime
) -> int:
    """Jane's hour of work from 09:00 UTC on `day`, and a draft of that day; its id."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    with sessions.begin() as s:
        time_entries.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            started_at=start,
            ended_at=start + timedelta(hours=1),
            now=now,
        )
    with sessions.begin() as s:
        built = svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=day,
            period_end=day,
            now=now,
        )
        return built.invoice.id


def numbers(sessions: sessionmaker[Session], cast: Cast) -> list[str]:
    with sessions() as s:
        found = s.scalars(
            select(Invoice.number).where(
                Invoice.workspace_id == cast.workspace_id, Invoice.number.is_not(None)
            )
        ).all()
        return sorted(n for n in found if n is not None)


def test_concurrent_issuers_get_every_number_once(sessions):
    cast, ids = setup(sessions, N)
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def issue(invoice_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with sessions.begin() as s:
                svc.issue_invoice(s, cast.jane, invoice_id, now=LATER)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert numbers(sessions, cast) == [f"2027-{i:04d}" for i in range(1, N + 1)]
    with sessions() as s:
        counter = s.scalars(
            select(Counter).where(Counter.workspace_id == cast.workspace_id)
        ).one()
        assert (counter.series, counter.next_value) == ("invoice/2027-{seq}", N + 1)


def test_sequential_issues_credit_notes_and_refusals_leave_no_gap(sessions):
    cast, ids = setup(sessions, 3)
    with sessions.begin() as s:
        svc.issue_invoice(s, cast.jane, ids[0], now=LATER)
    with sessions.begin() as s, pytest.raises(Conflict):  # it takes no number
        svc.issue_invoice(s, cast.jane, ids[0], now=LATER)
    with sessions.begin() as s:
        note = svc.cancel_invoice(s, cast.jane, ids[0], reason="Typo", now=LATER)
        assert note.number == "2027-0002"
    with sessions.begin() as s:
        svc.delete_draft(s, cast.jane, ids[1], now=LATER)
    with sessions.begin() as s:
        assert svc.issue_invoice(s, cast.jane, ids[2], now=LATER).number == "2027-0003"
    assert numbers(sessions, cast) == ["2027-0001", "2027-0002", "2027-0003"]


def test_a_new_year_starts_a_new_series(sessions):
    cast, ids = setup(sessions, 2)
    with sessions.begin() as s:
        svc.issue_invoice(s, cast.jane, ids[0], now=LATER)
    next_year = datetime(2028, 1, 3, 12, 0, tzinfo=UTC)
    with sessions.begin() as s:
        assert svc.issue_invoice(s, cast.jane, ids[1], now=next_year).number == (
            "2028-0001"
        )
