"""Invoices on both backends: rates (the 20:00-22:30 critical fix out of office
hours, per priority, per role), rounding per entry, day and invoice with raw and
rounded time side by side, zero and negative lines, credits, tax, credit notes
that mirror the invoice exactly, issued invoices that never change, payments,
overdue invoices and the payment pause of the named ticket clocks, Upwork time
never invoiced, fixed-price milestones, the invoice document, and other
tenants' invoices unseen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core import ClockState
from slakeeper.db.models import (
    AuditEntry,
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    Payment,
    TimeEntry,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.invoicing.document import InvoiceDocument
from slakeeper.services import tickets, time_entries
from slakeeper.services.access import Principal
from slakeeper.services.delivery import milestones
from slakeeper.services.invoicing import credits as invoice_credits
from slakeeper.services.invoicing import document as invoice_document
from slakeeper.services.invoicing import invoices as svc
from slakeeper.services.invoicing import numbers, records
from slakeeper.services.invoicing import payments as invoice_payments
from slakeeper.services.views.invoicing import PaymentCreatedRead
from tests.factories import Cast, World, activate, example_text, make_world

H, M = timedelta(hours=1), timedelta(minutes=1)
LATER = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)  # builds and issues
JAN = (date(2027, 1, 1), date(2027, 1, 31))
# Monday 4 January 2027 in Berlin (UTC+1)
MON = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # 09:00 Berlin


def body(*changes: tuple[str, str]) -> str:
    """The example agreement with each (old, new) text replaced."""
    text = example_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text


RATES = 'out_of_hours: "140.00"}'
TAX = "  invoice: {every"


def world_with(sessions: sessionmaker[Session], text: str | None = None) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast, text)
        return world


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return world_with(sessions)


@pytest.fixture
def cast(world: World) -> Cast:
    return world.cast


def entry(
    sessions: sessionmaker[Session],
    cast: Cast,
    start: datetime,
    minutes: float,
    *,
    who: Principal | None = None,
    **kw: Any,
) -> int:
    with sessions.begin() as s:
        row = time_entries.add_entry(
            s,
            who or cast.jane,
            client_id=cast.acme_id,
            started_at=start,
            ended_at=start + timedelta(minutes=minutes),
            now=LATER,
            **kw,
        )
        return row.id


def ticket(
    sessions: sessionmaker[Session], cast: Cast, priority: str, at: datetime = MON
) -> int:
    with sessions.begin() as s:
        return tickets.open_ticket(
            s,
            cast.jane,
            client_id=cast.acme_id,
            title="Checkout",
            priority=priority,
            now=at,
        ).id


def build(
    sessions: sessionmaker[Session],
    cast: Cast,
    period: tuple[date, date] = JAN,
    now: datetime = LATER,
    **kw: Any,
) -> int:
    with sessions.begin() as s:
        built = svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=period[0],
            period_end=period[1],
            now=now,
            **kw,
        )
        return built.invoice.id


def issue(
    sessions: sessionmaker[Session], cast: Cast, invoice_id: int, now: datetime = LATER
) -> Invoice:
    with sessions.begin() as s:
        invoice = svc.issue_invoice(s, cast.jane, invoice_id, now=now)
        s.expunge(invoice)
        return invoice


def get(sessions: sessionmaker[Session], invoice_id: int) -> Invoice:
    with sessions() as s:
        invoice = s.get(Invoice, invoice_id)
        assert invoice is not None
        s.expunge(invoice)
        return invoice


def lines(sessions: sessionmaker[Session], invoice_id: int) -> list[tuple[Any, ...]]:
    with sessions() as s:
        return [
            (
                ln.kind,
                ln.description,
                ln.quantity.normalize(),
                ln.unit_price.normalize(),
                ln.amount.normalize(),
                ln.raw_seconds,
                ln.rounded_seconds,
            )
            for ln in s.scalars(
                select(InvoiceLine)
                .where(InvoiceLine.invoice_id == invoice_id)
                .order_by(InvoiceLine.position)
            )
        ]


def rows(
    sessions: sessionmaker[Session], invoice_id: int
) -> list[tuple[int, int, int, Decimal, str]]:
    with sessions() as s:
        found = s.scalars(
            select(InvoiceLineEntry)
            .join(InvoiceLine, InvoiceLine.id == InvoiceLineEntry.line_id)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position, InvoiceLineEntry.time_entry_id)
        )
        return [
            (
                r.time_entry_id,
                r.raw_seconds,
                r.rounded_seconds,
                r.amount.normalize(),
                r.rate_source,
            )
            for r in found
        ]


def totals(invoice: Invoice) -> tuple[str, str, str]:
    return (
        f"{invoice.net_amount:.2f}",
        f"{invoice.tax_amount:.2f}",
        f"{invoice.gross_amount:.2f}",
    )


def D(text: str) -> Decimal:
    return Decimal(text)


# -- rates -------------------------------------------------------------------------


def test_a_critical_fix_from_20_00_to_22_30_bills_2_5_hours_out_of_hours(
    sessions, cast
):
    critical = ticket(sessions, cast, "critical")
    evening = datetime(2027, 1, 4, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    fix = entry(sessions, cast, evening, 150, ticket_id=critical)
    invoice_id = build(sessions, cast)
    assert lines(sessions, invoice_id) == [
        ("time", "Work outside office hours", D("2.5"), D("140"), D("350"), 9000, 9000)
    ]
    assert rows(sessions, invoice_id) == [(fix, 9000, 9000, D("350"), "out_of_hours")]
    assert totals(get(sessions, invoice_id)) == ("350.00", "0.00", "350.00")


def test_an_entry_across_closing_time_is_split_and_rounded_as_one(sessions, cast):
    # 17:20-17:40 Berlin: 10 min inside, 10 min outside; 20 min round up to 30,
    # and the 10 extra minutes go to the part the entry ends in (outside)
    start = datetime(2027, 1, 4, 16, 20, tzinfo=UTC)
    split = entry(sessions, cast, start, 20)
    invoice_id = build(sessions, cast)
    assert lines(sessions, invoice_id) == [
        ("time", "Work", D("0.1667"), D("95"), D("15.83"), 600, 600),
        (
            "time",
            "Work outside office hours",
            D("0.3333"),
            D("140"),
            D("46.67"),
            600,
            1200,
        ),
    ]
    assert {r[0] for r in rows(sessions, invoice_id)} == {split}


def test_rates_by_priority_and_by_role_and_the_default(sessions):
    text = body((RATES, 'per_role: {lead: "110.00"}}'))
    world = world_with(sessions, text)
    cast = world.cast
    critical = ticket(sessions, cast, "critical")
    entry(sessions, cast, MON, 60, ticket_id=critical)  # critical: 120
    entry(sessions, cast, MON + 2 * H, 60)  # Jane is the lead: 110
    entry(sessions, cast, MON + 4 * H, 60, who=cast.sam)  # no role: 95
    entry(sessions, cast, datetime(2027, 1, 9, 19, 0, tzinfo=UTC), 60)  # Saturday
    invoice_id = build(sessions, cast)
    assert lines(sessions, invoice_id) == [
        ("time", "Work", D("1"), D("95"), D("95"), 3600, 3600),
        ("time", "Work as lead", D("2"), D("110"), D("220"), 7200, 7200),
        ("time", "Critical priority work", D("1"), D("120"), D("120"), 3600, 3600),
    ]


def test_grouping_by_ticket_gives_a_line_per_ticket_and_rate(sessions, cast):
    high = ticket(sessions, cast, "high")
    entry(sessions, cast, MON, 60, ticket_id=high)
    entry(sessions, cast, MON + H, 30)
    invoice_id = build(sessions, cast, group_by="ticket")
    assert [ln[1] for ln in lines(sessions, invoice_id)] == [
        "ACME-1: Work",
        "Without a ticket: Work",
    ]


# -- rounding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per", "rounded", "shares"),
    [
        ("entry", 2700, [900, 900, 900]),
        ("day", 2700, [600, 1200, 900]),
        ("invoice", 1800, [600, 600, 600]),
    ],
)
def test_rounding_per_entry_day_and_invoice_keeps_raw_and_rounded_side_by_side(
    sessions, per, rounded, shares
):
    world = world_with(sessions, body(("per: entry", f"per: {per}")))
    cast = world.cast
    monday, tuesday = MON, MON + timedelta(days=1)
    first = entry(sessions, cast, monday, 10)
    second = entry(sessions, cast, monday + H, 10)
    third = entry(sessions, cast, tuesday, 5)
    invoice_id = build(sessions, cast)
    ((kind, _, quantity, _, amount, raw, got),) = lines(sessions, invoice_id)
    assert (kind, raw, got) == ("time", 1500, rounded)
    assert quantity == Decimal(rounded) / 3600 or per == "entry"
    by_entry = {r[0]: r[2] for r in rows(sessions, invoice_id)}
    assert [by_entry[first], by_entry[second], by_entry[third]] == shares
    assert amount == Decimal(rounded) * 95 / 3600


def test_rounding_down_can_leave_a_zero_line_which_issues_as_paid(sessions):
    world = world_with(sessions, body(("mode: up", "mode: down")))
    cast = world.cast
    entry(sessions, cast, MON, 7)
    invoice_id = build(sessions, cast)
    assert lines(sessions, invoice_id) == [
        ("time", "Work", D("0"), D("95"), D("0"), 420, 0)
    ]
    issued = issue(sessions, cast, invoice_id)
    assert (issued.status, issued.number, totals(issued)) == (
        "paid",
        "2027-0001",
        ("0.00", "0.00", "0.00"),
    )


# -- credits, tax ------------------------------------------------------------------


def test_credits_are_negative_lines_and_tax_is_computed_once_on_the_net(sessions):
    world = world_with(
        sessions,
        body((TAX, "  tax: {rate: 19%, id: DE123456789}\n" + TAX)),
    )
    cast = world.cast
    entry(sessions, cast, datetime(2027, 1, 4, 19, 0, tzinfo=UTC), 150)  # 350.00
    entry(sessions, cast, MON, 45)  # 71.25
    with sessions.begin() as s:
        invoice_credits.add_credit(
            s,
            cast.jane,
            client_id=cast.acme_id,
            amount=D("75.00"),
            reason="Response target missed in January",
            period_start=date(2027, 1, 31),
            now=LATER,
        )
        invoice_credits.add_credit(
            s,
            cast.jane,
            client_id=cast.acme_id,
            percent=D("10"),
            reason="Goodwill",
            now=LATER,  # today: 2027-02-01, after the period: not on this invoice
        )
    invoice_id = build(sessions, cast)
    assert lines(sessions, invoice_id)[-1] == (
        "credit",
        "Service credit: Response target missed in January",
        D("-1"),
        D("75"),
        D("-75"),
        0,
        0,
    )
    invoice = get(sessions, invoice_id)
    assert totals(invoice) == ("346.25", "65.79", "412.04")
    assert (invoice.tax_rate.normalize(), invoice.tax_id) == (D("19"), "DE123456789")
    # the percentage credit goes on the next invoice, 10 % of its net
    issue(sessions, cast, invoice_id)
    entry(sessions, cast, datetime(2027, 2, 1, 8, 0, tzinfo=UTC), 60)
    later = build(
        sessions,
        cast,
        (date(2027, 2, 1), date(2027, 2, 28)),
        now=datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
    )
    assert lines(sessions, later)[-1][0::4] == ("credit", D("-9.5"))


def test_a_credit_needs_a_reason_and_one_positive_amount(sessions, cast):
    bad: list[dict[str, Any]] = [
        {"amount": D("10"), "reason": " "},
        {"amount": D("10"), "percent": D("5"), "reason": "x"},
        {"amount": D("-10"), "reason": "x"},
        {"amount": D("10.001"), "reason": "x"},
        {"percent": D("120"), "reason": "x"},
    ]
    for kw in bad:
        with sessions.begin() as s, pytest.raises(InvalidInput):
            invoice_credits.add_credit(
                s, cast.jane, client_id=cast.acme_id, now=LATER, **kw
            )
    with sessions.begin() as s, pytest.raises(PermissionDenied):
        invoice_credits.add_credit(
            s, cast.sam, client_id=cast.acme_id, amount=D("1"), reason="x", now=LATER
        )


def test_credits_alone_make_a_negative_draft_that_is_never_issued(sessions, cast):
    entry(sessions, cast, MON, 60)
    with sessions.begin() as s:
        invoice_credits.add_credit(
            s,
            cast.jane,
            client_id=cast.acme_id,
            amount=D("200"),
            reason="Outage",
            period_start=date(2027, 1, 10),
            now=LATER,
        )
    invoice_id = build(sessions, cast)
    assert totals(get(sessions, invoice_id)) == ("-105.00", "0.00", "-105.00")
    with sessions.begin() as s, pytest.raises(Conflict, match="never negative"):
        svc.issue_invoice(s, cast.jane, invoice_id, now=LATER)


# -- issuing, credit notes, immutability ---------------------------------------------


def test_a_credit_note_mirrors_the_invoice_exactly_and_releases_its_entries(sessions):
    world = world_with(sessions, body((TAX, "  tax: {rate: 15%}\n" + TAX)))
    cast = world.cast
    for i in range(3):  # three lines' worth of odd cents
        entry(sessions, cast, MON + i * H, 7)
    critical = ticket(sessions, cast, "critical")
    entry(sessions, cast, MON + 5 * H, 61, ticket_id=critical)
    invoice_id = build(sessions, cast)
    invoice = issue(sessions, cast, invoice_id)
    with sessions.begin() as s:
        note = svc.cancel_invoice(
            s, cast.jane, invoice_id, reason="Wrong period", now=LATER + H
        )
        note_id = note.id
    note = get(sessions, note_id)
    assert (note.kind, note.number, note.refers_to_id, note.status) == (
        "credit_note",
        "2027-0002",
        invoice_id,
        "issued",
    )
    assert totals(note) == tuple(f"{-Decimal(t):.2f}" for t in totals(invoice))
    original = lines(sessions, invoice_id)
    mirrored = lines(sessions, note_id)
    assert [m[4] for m in mirrored] == [-o[4] for o in original]
    assert [m[1] for m in mirrored] == [o[1] for o in original]
    assert get(sessions, invoice_id).status == "cancelled"
    with sessions() as s:
        assert (
            s.scalars(
                select(TimeEntry.invoice_id).where(TimeEntry.client_id == cast.acme_id)
            ).all()
            == [None] * 4
        )
    again = build(sessions, cast)  # the released time is invoiced again
    assert lines(sessions, again) == original
    assert issue(sessions, cast, again).number == "2027-0003"
    with sessions.begin() as s, pytest.raises(Conflict, match="credit note"):
        svc.cancel_invoice(s, cast.jane, note_id, reason="x", now=LATER + H)
    with sessions.begin() as s, pytest.raises(Conflict, match="cancelled already"):
        svc.cancel_invoice(s, cast.jane, invoice_id, reason="x", now=LATER + H)


def test_issued_invoices_are_never_edited_or_deleted(sessions, cast):
    worked = entry(sessions, cast, MON, 60)
    invoice_id = build(sessions, cast)
    issued = issue(sessions, cast, invoice_id)
    assert (issued.status, issued.issue_date, issued.due_date) == (
        "issued",
        date(2027, 2, 1),
        date(2027, 2, 15),
    )
    with (
        sessions.begin() as s,
        pytest.raises(Conflict, match="never edited or deleted"),
    ):
        svc.delete_draft(s, cast.jane, invoice_id, now=LATER)
    with sessions.begin() as s, pytest.raises(Conflict, match="issued already"):
        svc.issue_invoice(s, cast.jane, invoice_id, now=LATER)
    with sessions.begin() as s, pytest.raises(Conflict, match="on invoice"):
        time_entries.edit_entry(s, cast.jane, worked, note="changed", now=LATER)
    with sessions.begin() as s, pytest.raises(Conflict, match="on invoice"):
        time_entries.delete_entry(s, cast.jane, worked, now=LATER)
    with sessions.begin() as s, pytest.raises(Conflict, match="nothing to invoice"):
        svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            now=LATER,
        )
    with sessions() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(
                AuditEntry.workspace_id == cast.workspace_id,
                AuditEntry.action.like("invoice.%"),
            )
        ).all()
    assert actions == ["invoice.issued"]


def test_a_deleted_draft_leaves_no_gap_in_the_numbers(sessions, cast):
    entry(sessions, cast, MON, 60)
    first = build(sessions, cast)
    with sessions.begin() as s:
        svc.delete_draft(s, cast.jane, first, now=LATER)
    assert issue(sessions, cast, build(sessions, cast)).number == "2027-0001"


def test_a_draft_whose_time_changed_is_not_issued(sessions, cast):
    worked = entry(sessions, cast, MON, 60)
    gone = entry(sessions, cast, MON + 2 * H, 30)
    invoice_id = build(sessions, cast)
    with sessions.begin() as s:
        time_entries.edit_entry(s, cast.jane, worked, note="more", now=LATER + H)
    with sessions.begin() as s, pytest.raises(Conflict, match=f"entries {worked}"):
        svc.issue_invoice(s, cast.jane, invoice_id, now=LATER)
    second = build(sessions, cast)
    with sessions.begin() as s:
        time_entries.delete_entry(s, cast.jane, gone, now=LATER)
    with sessions.begin() as s, pytest.raises(Conflict, match="changed since"):
        svc.issue_invoice(s, cast.jane, second, now=LATER)
    assert get(sessions, second).number is None


def test_the_period_must_be_over_and_make_sense(sessions, cast):
    entry(sessions, cast, MON, 60)
    for start, end, where in (
        (date(2027, 1, 31), date(2027, 1, 1), "to"),
        (date(2027, 2, 1), date(2027, 2, 28), "to"),
    ):
        with sessions.begin() as s, pytest.raises(InvalidInput, match=where):
            svc.build_invoice(
                s,
                cast.jane,
                client_id=cast.acme_id,
                period_start=start,
                period_end=end,
                now=LATER,
            )
    with sessions.begin() as s, pytest.raises(InvalidInput, match="group_by"):
        svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            group_by="mood",
            now=LATER,
        )


# -- Upwork, fixed price -------------------------------------------------------------


def test_upwork_time_is_never_invoiced(sessions, cast):
    entry(sessions, cast, MON, 60, source="upwork_tracked", external_id="u-1")
    entry(sessions, cast, MON + H, 30, source="upwork_manual", external_id="u-2")
    with (
        sessions.begin() as s,
        pytest.raises(Conflict, match="2 Upwork entries left off"),
    ):
        svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            now=LATER,
        )
    ours = entry(sessions, cast, MON + 2 * H, 60)
    with sessions.begin() as s:
        built = svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            now=LATER,
        )
        assert built.notes == (
            "2 Upwork entries left off: billed through Upwork, never invoiced here",
        )
        invoice_id = built.invoice.id
    issue(sessions, cast, invoice_id)
    with sessions() as s:
        found = s.execute(
            select(TimeEntry.id, TimeEntry.invoice_id).where(
                TimeEntry.client_id == cast.acme_id
            )
        ).all()
        on = {row.id: row.invoice_id for row in found}
    assert on == {ours: invoice_id, ours - 1: None, ours - 2: None}


def test_a_fixed_price_milestone_is_invoiced_once_accepted_and_only_once(sessions):
    title = "    title: Redesign mock-ups\n"
    text = body((title, title + '    fee: "2000.00"\n'))
    world = world_with(sessions, text)
    cast = world.cast
    with sessions() as s:
        rows_ = milestones.list_milestones(s, cast.jane, client_id=cast.acme_id)
        mockups = next(m.id for m in rows_ if m.key == "redesign-mockups")
    with sessions.begin() as s, pytest.raises(Conflict, match="accepted"):
        svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            milestones=["redesign-mockups"],
            now=LATER,
        )
    with sessions.begin() as s:
        milestones.start(s, cast.jane, mockups, MON)
        milestones.submit(s, cast.jane, mockups, MON + H)
        milestones.review(s, cast.max, mockups, "accept", MON + 2 * H)
    entry(sessions, cast, MON, 60, milestone_key="redesign-mockups")  # in the fee
    entry(sessions, cast, MON + 5 * H, 60)
    invoice_id = build(sessions, cast, milestones=["redesign-mockups"])
    assert lines(sessions, invoice_id) == [
        ("time", "Work", D("1"), D("95"), D("95"), 3600, 3600),
        ("fixed", "Milestone: Redesign mock-ups", D("1"), D("2000"), D("2000"), 0, 0),
    ]
    issue(sessions, cast, invoice_id)
    with sessions.begin() as s, pytest.raises(Conflict, match="invoiced already"):
        svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            milestones=["redesign-mockups"],
            now=LATER,
        )
    with sessions.begin() as s, pytest.raises(InvalidInput, match="no fee"):
        svc.build_invoice(
            s,
            cast.jane,
            client_id=cast.acme_id,
            period_start=JAN[0],
            period_end=JAN[1],
            milestones=["launch"],
            now=LATER,
        )


# -- payments, overdue, the payment pause ----------------------------------------------


def pay(
    sessions: sessionmaker[Session],
    cast: Cast,
    invoice_id: int,
    amount: str,
    on: date = date(2027, 2, 10),
    now: datetime = LATER + 10 * 24 * H,
) -> PaymentCreatedRead:
    with sessions.begin() as s:
        return invoice_payments.record_payment(
            s,
            cast.jane,
            invoice_id,
            amount=D(amount),
            received_on=on,
            reference="SEPA",
            now=now,
        )


def test_partial_payments_add_up_to_paid_and_overpayment_is_refused(sessions, cast):
    entry(sessions, cast, MON, 90)
    invoice_id = build(sessions, cast)
    issue(sessions, cast, invoice_id)  # 142.50
    pay(sessions, cast, invoice_id, "100.00")
    assert get(sessions, invoice_id).status == "issued"
    for amount, match in (
        ("42.51", "more than the 42.50 still to pay"),
        ("0", "more than zero"),
        ("1.005", "finer"),
    ):
        with sessions.begin() as s, pytest.raises(InvalidInput, match=match):
            invoice_payments.record_payment(
                s,
                cast.jane,
                invoice_id,
                amount=D(amount),
                received_on=date(2027, 2, 10),
                now=LATER + 10 * 24 * H,
            )
    with sessions.begin() as s, pytest.raises(InvalidInput, match="future"):
        invoice_payments.record_payment(
            s,
            cast.jane,
            invoice_id,
            amount=D("1"),
            received_on=date(2027, 3, 1),
            now=LATER,
        )
    pay(sessions, cast, invoice_id, "42.50")
    paid = get(sessions, invoice_id)
    assert (paid.status, paid.paid_at) == ("paid", LATER + 10 * 24 * H)
    with sessions.begin() as s, pytest.raises(Conflict, match="takes no payments"):
        invoice_payments.record_payment(
            s,
            cast.jane,
            invoice_id,
            amount=D("1"),
            received_on=date(2027, 2, 10),
            now=LATER + 10 * 24 * H,
        )
    with sessions() as s:
        assert len(records.payments_of(s, cast.jane, invoice_id)) == 2
    with sessions.begin() as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(delete(Payment).where(Payment.invoice_id == invoice_id))
    with sessions.begin() as s, pytest.raises(Conflict, match="paid on it"):
        svc.cancel_invoice(
            s, cast.jane, invoice_id, reason="x", now=LATER + 11 * 24 * H
        )


def clocks(
    sessions: sessionmaker[Session], cast: Cast, ticket_id: int, at: datetime
) -> dict[str, Any]:
    with sessions() as s:
        return tickets.ticket_clocks(s, cast.jane, ticket_id, at)


def test_an_overdue_invoice_pauses_the_named_clocks_until_it_is_paid(sessions, cast):
    entry(sessions, cast, MON, 60)
    invoice_id = build(sessions, cast)
    issue(
        sessions, cast, invoice_id
    )  # due 2027-02-15; 14 days late from 2027-03-02 00:00 Berlin
    late = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    normal = ticket(sessions, cast, "normal", at=late)
    with sessions.begin() as s:
        assert (
            invoice_payments.invoice_due_checks(
                s, cast.workspace_id, datetime(2027, 2, 15, 22, 0, tzinfo=UTC)
            )
            == []
        )
    with sessions.begin() as s:  # the day after the due date, in Berlin
        assert invoice_payments.invoice_due_checks(
            s, cast.workspace_id, datetime(2027, 2, 15, 23, 0, tzinfo=UTC)
        ) == [invoice_id]
    overdue = get(sessions, invoice_id)
    assert (overdue.status, overdue.payment_paused_at) == ("overdue", None)
    threshold = datetime(2027, 3, 1, 23, 0, tzinfo=UTC)
    with sessions.begin() as s:
        assert invoice_payments.invoice_due_checks(
            s, cast.workspace_id, threshold + 2 * H
        ) == [invoice_id]
    assert get(sessions, invoice_id).payment_paused_at == threshold
    later = ticket(sessions, cast, "critical", at=threshold + 3 * H)  # opened meanwhile
    with sessions.begin() as s:
        invoice_payments.invoice_due_checks(s, cast.workspace_id, threshold + 4 * H)
    noon = datetime(2027, 3, 2, 11, 0, tzinfo=UTC)
    for ticket_id in (normal, later):
        state = clocks(sessions, cast, ticket_id, noon)
        for name in ("response", "resolution"):
            assert state[name].is_paused, (ticket_id, name)
            assert "payment_overdue" in state[name].paused_by_cause
    with sessions() as s:
        kinds = [e.kind for e in tickets.events_of(s, cast.jane, normal)]
        assert kinds == ["created", "payment_paused"]
        event = tickets.events_of(s, cast.jane, normal)[-1]
        assert (event.at, event.data["clocks"]) == (
            threshold,
            ["resolution", "response"],
        )
    pay(sessions, cast, invoice_id, "95.00", on=date(2027, 3, 2), now=noon)
    state = clocks(sessions, cast, normal, noon + H)
    assert state["response"].state is ClockState.RUNNING
    assert state["resolution"].state is ClockState.RUNNING
    assert state["resolution"].paused_by_cause["payment_overdue"] > timedelta(0)
    with sessions() as s:
        assert [e.kind for e in tickets.events_of(s, cast.jane, normal)][
            -1
        ] == "payment_resumed"
    with sessions.begin() as s:  # nothing more to do
        assert (
            invoice_payments.invoice_due_checks(s, cast.workspace_id, noon + 2 * H)
            == []
        )


def test_cancelling_an_overdue_invoice_lifts_the_payment_pause(sessions, cast):
    entry(sessions, cast, MON, 60)
    invoice_id = build(sessions, cast)
    issue(sessions, cast, invoice_id)
    opened = ticket(
        sessions, cast, "normal", at=datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    )
    with sessions.begin() as s:
        invoice_payments.invoice_due_checks(
            s, cast.workspace_id, datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
        )
    with sessions.begin() as s:
        svc.cancel_invoice(
            s,
            cast.jane,
            invoice_id,
            reason="Disputed",
            now=datetime(2027, 3, 2, 9, 0, tzinfo=UTC),
        )
    state = clocks(sessions, cast, opened, datetime(2027, 3, 2, 10, 0, tzinfo=UTC))
    assert not state["resolution"].is_paused


def test_a_payment_pause_and_a_status_pause_overlap_without_error(sessions, cast):
    entry(sessions, cast, MON, 60)
    invoice_id = build(sessions, cast)
    issue(sessions, cast, invoice_id)
    opened = ticket(
        sessions, cast, "normal", at=datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    )
    with sessions.begin() as s:
        tickets.add_event(
            s,
            cast.jane,
            opened,
            "provider_reply",
            datetime(2027, 3, 1, 11, 0, tzinfo=UTC),
            text="Need logs",
            status="waiting_on_client",
        )
    with sessions.begin() as s:
        invoice_payments.invoice_due_checks(
            s, cast.workspace_id, datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
        )
    with sessions.begin() as s:
        tickets.add_event(
            s,
            cast.erika,
            opened,
            "client_reply",
            datetime(2027, 3, 2, 9, 0, tzinfo=UTC),
            text="Here",
        )
    state = clocks(sessions, cast, opened, datetime(2027, 3, 2, 12, 0, tzinfo=UTC))
    assert state["resolution"].is_paused  # the payment pause goes on
    assert set(state["resolution"].paused_by_cause) == {
        "waiting_on_client",
        "payment_overdue",
    }


# -- the document, access --------------------------------------------------------------


def test_the_invoice_document_says_what_the_invoice_says(sessions, cast):
    critical = ticket(sessions, cast, "critical")
    entry(
        sessions,
        cast,
        datetime(2027, 1, 4, 19, 0, tzinfo=UTC),
        150,
        ticket_id=critical,
        note="Checkout down",
    )
    invoice_id = build(sessions, cast)
    with sessions() as s:
        draft = invoice_document.invoice_document(s, cast.jane, invoice_id)
    assert (draft.number, draft.kind) == ("DRAFT", "invoice")
    issue(sessions, cast, invoice_id)
    with sessions.begin() as s:
        invoice_document.set_billing_party(
            s,
            cast.jane,
            client_id=None,
            country="de",
            address_lines=["Hauptstr. 1"],
            postcode="10115",
            city="Berlin",
            iban="DE89 3704 0044 0532 0130 00",
            now=LATER,
        )
    with sessions() as s:
        doc = invoice_document.invoice_document(s, cast.max, invoice_id)
    assert isinstance(doc, InvoiceDocument)
    assert (doc.number, doc.issue_date, doc.due_date, doc.currency) == (
        "2027-0001",
        date(2027, 2, 1),
        date(2027, 2, 15),
        "EUR",
    )
    assert (doc.seller.name, doc.seller.country, doc.seller.city, doc.iban) == (
        "Jane Doe Web Consulting",
        "DE",
        "Berlin",
        "DE89370400440532013000",
    )
    assert (doc.buyer.name, doc.buyer.country) == ("Acme GmbH", "DE")
    assert (doc.net_total, doc.tax_total, doc.gross_total) == (
        D("350.00"),
        D("0.00"),
        D("350.00"),
    )
    assert str(doc.gross_total) == "350.00"
    (line,) = doc.lines
    assert (
        line.kind,
        line.quantity,
        line.unit,
        str(line.unit_price),
        str(line.amount),
    ) == ("time", D("2.5"), "HUR", "140.00", "350.00")
    (row,) = line.time_rows
    assert (
        row.day,
        row.person,
        row.reference,
        row.note,
        row.raw_seconds,
        row.rounded_seconds,
        row.rate_source,
    ) == (
        date(2027, 1, 4),
        "Jane Doe",
        "ACME-1",
        "Checkout down",
        9000,
        9000,
        "out_of_hours",
    )
    assert doc.payment_terms == "Payable within 14 days, by 15 February 2027."
    assert doc.rounding_note == "Time is rounded up to 15m per entry."
    assert doc.agreement_title == "Website care and development for Acme GmbH"


def test_the_number_pattern_is_checked_and_used(sessions, cast):
    for pattern, match in (
        ("INV-{YYYY}", "exactly one"),
        ("{seq}{seq}", "exactly one"),
        ("{YYYY}-{n}", "unknown field"),
        ("A/{seq}", "slashes"),
        ("{seq:04", "brace"),
    ):
        with pytest.raises(InvalidInput, match=match):
            numbers.check_pattern(pattern)
    assert (
        numbers.format_number("INV-{YY}{MM}-{seq:03}", date(2027, 2, 1), 7)
        == "INV-2702-007"
    )
    assert numbers.series_of("{YYYY}-{seq:04}", date(2027, 2, 1)) == "2027-{seq}"
    with sessions.begin() as s:
        invoice_document.set_billing_party(
            s, cast.jane, client_id=None, number_pattern="JD-{YYYY}-{seq:03}", now=LATER
        )
    entry(sessions, cast, MON, 60)
    assert issue(sessions, cast, build(sessions, cast)).number == "JD-2027-001"


def test_other_tenants_and_other_clients_see_nothing(sessions, world):
    cast = world.cast
    entry(sessions, cast, MON, 60)
    invoice_id = build(sessions, cast)
    with sessions() as s:
        with pytest.raises(NotFound):
            records.get_invoice(s, world.foreign.jane, invoice_id)
        with pytest.raises(NotFound):
            records.get_invoice(s, world.olga, invoice_id)
        with pytest.raises(NotFound):  # a client never sees a draft
            records.get_invoice(s, cast.max, invoice_id)
        assert records.list_invoices(s, world.foreign.jane) == []
        assert records.list_invoices(s, cast.max) == []
    with sessions.begin() as s, pytest.raises(NotFound):
        svc.issue_invoice(s, world.foreign.jane, invoice_id, now=LATER)
    with sessions.begin() as s, pytest.raises(PermissionDenied):
        svc.issue_invoice(s, cast.sam, invoice_id, now=LATER)
    issue(sessions, cast, invoice_id)
    with sessions() as s:
        assert [i.id for i in records.list_invoices(s, cast.max)] == [invoice_id]
        assert records.find_invoice(s, cast.max, "2027-0001").id == invoice_id
        assert records.list_invoices(s, world.olga) == []
        with pytest.raises(InvalidInput, match="status"):
            records.list_invoices(s, cast.jane, status="late")
