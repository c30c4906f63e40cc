"""What an invoice says, independent of storage and format: the one structure
the invoice service builds and every renderer (PDF, Factur-X XML, CSV, JSON)
reads. Money is `Decimal` (amounts to the currency's minor unit), durations are
whole seconds, dates are the agreement's local dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from slakeeper.core.states import InvoiceKind, LineKind, RateSource

__all__ = ["InvoiceDocument", "InvoiceLine", "Party", "TimeRow"]


@dataclass(frozen=True, slots=True)
class Party:
    """Seller or buyer. `country` is ISO 3166-1 alpha-2 (`DE`)."""

    name: str
    country: str
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    city: str | None = None
    tax_id: str | None = None  # VAT id (`DE123456789`)
    email: str | None = None


@dataclass(frozen=True, slots=True)
class TimeRow:
    """One time entry behind a line: the detailed time report's row."""

    entry_id: int
    day: date
    person: str
    reference: str | None  # ticket key (`ACME-42`) or milestone id
    note: str
    raw_seconds: int
    rounded_seconds: int
    rate: Decimal  # per hour
    amount: Decimal
    rate_source: RateSource = RateSource.DEFAULT


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """A line: `quantity` units (hours for time, 1 for a fixed fee or credit) at
    `unit_price`, net `amount` (negative for a credit), taxed at `tax_rate`
    percent. A time line lists the entries it bills in `time_rows`."""

    kind: LineKind
    description: str
    quantity: Decimal
    unit: str  # UN/ECE rec 20: HUR (hour), C62 (one)
    unit_price: Decimal
    amount: Decimal
    tax_rate: Decimal
    time_rows: tuple[TimeRow, ...] = ()
    raw_seconds: int = 0
    rounded_seconds: int = 0


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """A whole invoice (or credit note), totals included."""

    kind: InvoiceKind
    number: str
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    payment_terms: str  # "Payable within 14 days, by 14 February 2027."
    agreement_title: str = ""
    rounding_note: str = ""  # "Time is rounded up to 15 minutes per entry."
    notes: tuple[str, ...] = ()
    refers_to: str | None = None  # a credit note: the invoice it cancels
    payment_reference: str | None = None
    iban: str | None = None
    detailed_time_report: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    # For the EN 16931 e-invoice (Factur-X); the defaults suit a VAT-registered
    # seller charging the standard rate.
    tax_category: str | None = None  # UNCL 5305: None = S (Z at 0 %); E, AE, K, O
    tax_exemption_reason: str | None = None  # BT-120; E, AE, K and O need one
    buyer_reference: str | None = None  # BT-10: the buyer's order or routing id
