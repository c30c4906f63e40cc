"""Every list route costs the same number of SQL statements for a page of 3 rows
as for a page of 30, on both backends: a page is read in a constant number of
queries (no query per row). The same cast seeds 3 rows in Jane's workspace and
30 in the foreign one, whose owners then read the same route."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from slakeeper.services import agreements, feeds, tickets, time_entries, workspaces
from slakeeper.services.delivery import change_requests, obligations
from slakeeper.services.invoicing import credits as invoice_credits
from slakeeper.services.invoicing import invoices, payments
from tests.api.conftest import Api
from tests.factories import Cast, activate, example_text
from tests.querycount import count_queries

SMALL, LARGE = 3, 30
AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday; the agreement is in force
LATER = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)


def with_milestones(n: int) -> str:
    """The example agreement with `n` milestones: its two and `n - 2` more, each
    with a review window (so each one's state needs its terms)."""
    extra = "".join(
        f"  - id: extra-{i}\n"
        f"    title: Extra {i}\n"
        f"    due: 2027-03-{i + 1:02d}\n"
        "    acceptance: {review_within: 2bd, if_silent: deemed_accepted}\n"
        for i in range(n - 2)
    )
    text = example_text()
    anchor = "\nresponsibilities:"
    return text.replace(anchor, extra + anchor, 1)


def seed_clients(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        workspaces.add_client(s, cast.jane, name=f"Client {i}", key=f"C{i}", now=AT)


def seed_agreements(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        agreements.import_agreement(
            s,
            cast.jane,
            client_id=cast.acme_id,
            text=example_text(),
            source_name=f"acme-{i}.yaml",
            now=AT,
        )


def seed_tickets(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        tickets.open_ticket(
            s, cast.jane, client_id=cast.acme_id, title=f"Ticket {i}", now=AT
        )


def seed_obligations(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        obligations.add_obligation(
            s,
            cast.jane,
            client_id=cast.acme_id,
            title=f"Input {i}",
            due_at=AT + timedelta(days=i + 1),
            now=AT,
        )


def seed_changes(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        change_requests.request_change(
            s, cast.erika, client_id=cast.acme_id, title=f"Change {i}", now=AT
        )


def seed_feeds(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        feeds.create_feed_token(
            s, cast.jane, client_id=cast.acme_id, name=f"Feed {i}", now=AT
        )


def seed_credits(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        invoice_credits.add_credit(
            s,
            cast.jane,
            client_id=cast.acme_id,
            amount=Decimal("10.00"),
            reason=f"Credit {i}",
            now=AT,
        )


def _entry(s: Session, cast: Cast, i: int) -> date:
    start = AT + timedelta(days=i)
    time_entries.add_entry(
        s,
        cast.jane,
        client_id=cast.acme_id,
        started_at=start,
        ended_at=start + timedelta(minutes=30 + i),
        note=f"Work {i}",
        now=LATER,
    )
    return start.date()


def seed_entries(s: Session, cast: Cast, n: int) -> None:
    for i in range(n):
        _entry(s, cast, i)


def seed_invoices(s: Session, cast: Cast, n: int) -> None:
    """`n` invoices of one day each, issued, every other one paid in part."""
    for i in range(n):
        day = _entry(s, cast, i)
        built = invoices.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=day,
            period_end=day,
            now=LATER,
        )
        invoices.issue_invoice(s, cast.jane, built.invoice.id, now=LATER)
        if i % 2:
            payments.record_payment(
                s,
                cast.jane,
                built.invoice.id,
                amount=Decimal("1.00"),
                received_on=LATER.date(),
                now=LATER,
            )


def seed_nothing(s: Session, cast: Cast, n: int) -> None:
    """Milestones come from the agreement each workspace activated."""


Seed = Callable[[Session, Cast, int], None]
ROUTES: list[tuple[str, Seed]] = [
    ("/clients", seed_clients),
    ("/agreements", seed_agreements),
    ("/tickets", seed_tickets),
    ("/milestones", seed_nothing),
    ("/obligations", seed_obligations),
    ("/change-requests", seed_changes),
    ("/feeds", seed_feeds),
    ("/invoices", seed_invoices),
    ("/credits", seed_credits),
    ("/time-entries", seed_entries),
]


@pytest.mark.parametrize(("path", "seed"), ROUTES, ids=[p for p, _ in ROUTES])
def test_a_list_route_reads_a_page_in_as_many_queries_for_30_rows_as_for_3(
    api: Api, path: str, seed: Seed
) -> None:
    small, large = api.world.cast, api.world.foreign
    with api.sessions.begin() as s:
        activate(s, small, with_milestones(SMALL))
        activate(s, large, with_milestones(LARGE))
        seed(s, small, SMALL)
        seed(s, large, LARGE)
    api.now[0] = LATER

    def read(who: str) -> tuple[int, int]:
        with count_queries() as queries:
            response = api.get(path, as_=who)
        assert response.status_code == 200, response.text
        return queries.count, len(response.json()["items"])

    for who in ("jane", "stranger"):  # sign-in bookkeeping settles first
        read(who)
    (few, shown_few), (many, shown_many) = read("jane"), read("stranger")
    assert shown_few >= SMALL
    assert shown_many >= LARGE
    assert many == few, (
        f"{path}: {few} queries for {shown_few}, {many} for {shown_many}"
    )
