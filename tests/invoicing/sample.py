"""A sample invoice for the renderers: Jane Doe Web Consulting (Berlin) bills
Acme GmbH for January 2027. Two hourly lines with their time entries (one at
the out-of-hours rate), a service credit, 19 % VAT. Plain functions with
sensible defaults; `dataclasses.replace` makes the variants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from slakeeper.core.states import InvoiceKind, LineKind, RateSource
from slakeeper.invoicing.document import InvoiceDocument, InvoiceLine, Party, TimeRow

D = Decimal

SELLER = Party(
    name="Jane Doe Web Consulting",
    country="DE",
    address_lines=("Jane Doe", "Kastanienallee 12"),
    postcode="10435",
    city="Berlin",
    tax_id="DE123456789",
    email="jane@janedoe.example",
)
BUYER = Party(
    name="Acme GmbH",
    country="DE",
    address_lines=("Accounts payable", "Leopoldstraße 200"),
    postcode="80804",
    city="München",
    tax_id="DE987654321",
    email="invoices@acme.example",
)


def row(
    entry_id: int,
    day: int,
    person: str,
    reference: str | None,
    note: str,
    raw: int,
    rounded: int,
    rate: str,
    amount: str,
    rate_source: RateSource = RateSource.DEFAULT,
) -> TimeRow:
    return TimeRow(
        entry_id=entry_id,
        day=date(2027, 1, day),
        person=person,
        reference=reference,
        note=note,
        raw_seconds=raw,
        rounded_seconds=rounded,
        rate=D(rate).quantize(D("0.01")),
        amount=D(amount).quantize(D("0.01")),
        rate_source=rate_source,
    )


JANE, SAM = "Jane Doe", "Sam"
# entry id, day of January 2027, person, ticket or milestone, note,
# raw seconds, rounded seconds (up to 15 minutes), rate, amount
SUPPORT_ROWS = (
    row(101, 5, JANE, "ACME-41", "Fix a checkout timeout", 4380, 4500, "95", "118.75"),
    row(102, 12, JANE, "ACME-42", "Update the payment plugin", 6900, 7200, "95", "190"),
    row(103, 19, SAM, "ACME-45", "Investigate slow search", 2400, 2700, "95", "71.25"),
    row(104, 26, JANE, "redesign", "Redesign review call", 3000, 3600, "95", "95"),
)  # fmt: skip
OUT_OF_HOURS_ROWS = (
    row(105, 16, JANE, "ACME-44", "Restore the shop after the outage (Saturday)",
        5220, 5400, "140", "210", rate_source=RateSource.OUT_OF_HOURS),
)  # fmt: skip


def support_line() -> InvoiceLine:
    return InvoiceLine(
        kind=LineKind.TIME,
        description="Support and maintenance",
        quantity=D("5.00"),
        unit="HUR",
        unit_price=D("95.00"),
        amount=D("475.00"),
        tax_rate=D("19"),
        time_rows=SUPPORT_ROWS,
        raw_seconds=16680,
        rounded_seconds=18000,
    )


def out_of_hours_line() -> InvoiceLine:
    return InvoiceLine(
        kind=LineKind.TIME,
        description="Work outside office hours",
        quantity=D("1.50"),
        unit="HUR",
        unit_price=D("140.00"),
        amount=D("210.00"),
        tax_rate=D("19"),
        time_rows=OUT_OF_HOURS_ROWS,
        raw_seconds=5220,
        rounded_seconds=5400,
    )


def credit_line() -> InvoiceLine:
    return InvoiceLine(
        kind=LineKind.CREDIT,
        description="Service credit: first replies to critical and high requests "
        "93 % on time (below 95 %), 5 % of the EUR 1,500.00 monthly fee",
        quantity=D("-1"),  # as core/invoice.py writes a credit:
        unit="C62",  # minus one unit at a positive price (EN 16931 BR-27)
        unit_price=D("75.00"),
        amount=D("-75.00"),
        tax_rate=D("19"),
    )


def make_invoice(**changes: object) -> InvoiceDocument:
    """INV-2027-0001: 475.00 + 210.00 - 75.00 = 610.00 net, 115.90 VAT, 725.90."""
    doc = InvoiceDocument(
        kind=InvoiceKind.INVOICE,
        number="INV-2027-0001",
        issue_date=date(2027, 2, 1),
        due_date=date(2027, 2, 15),
        period_start=date(2027, 1, 1),
        period_end=date(2027, 1, 31),
        currency="EUR",
        seller=SELLER,
        buyer=BUYER,
        lines=(support_line(), out_of_hours_line(), credit_line()),
        net_total=D("610.00"),
        tax_total=D("115.90"),
        gross_total=D("725.90"),
        payment_terms="Payable within 14 days, by 15 February 2027.",
        agreement_title="Website care and development for Acme GmbH",
        rounding_note="Time is rounded up to 15 minutes per entry.",
        notes=("Thank you for your business.",),
        payment_reference="INV-2027-0001",
        iban="DE89 3704 0044 0532 0130 00",
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def make_credit_note(**changes: object) -> InvoiceDocument:
    """CN-2027-0001 cancels INV-2027-0001 as services/invoicing/invoices.py writes one:
    every quantity and amount negated, prices and durations as they were."""
    invoice = make_invoice()
    lines = tuple(
        replace(
            line,
            quantity=-line.quantity,
            amount=-line.amount,
            time_rows=tuple(replace(r, amount=-r.amount) for r in line.time_rows),
        )
        for line in invoice.lines
    )
    doc = replace(
        invoice,
        kind=InvoiceKind.CREDIT_NOTE,
        number="CN-2027-0001",
        issue_date=date(2027, 2, 10),
        due_date=date(2027, 2, 10),
        lines=lines,
        net_total=-invoice.net_total,
        tax_total=-invoice.tax_total,
        gross_total=-invoice.gross_total,
        payment_terms="We refund the amount to your account within 14 days.",
        refers_to="INV-2027-0001",
        payment_reference="CN-2027-0001",
        notes=("This credit note cancels invoice INV-2027-0001 in full.",),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]
