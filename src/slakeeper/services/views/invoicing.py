"""Invoicing read models: invoices and credit notes with their lines, the time
entries behind each line and their payments, and credits owed, each with an
example for the OpenAPI document. Money is a decimal string in the invoice's
currency (`"142.50"`); times are raw and rounded whole seconds side by side.

`services.invoicing.records` builds invoices (`views`, `view_of`, `detail`:
the paid and outstanding amounts in one grouped query), `credits` builds
credits and `payments` the answer to a payment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from slakeeper.core import money
from slakeeper.core.states import InvoiceKind, InvoiceStatus, LineKind, RateSource
from slakeeper.db.models import (
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    ManualCredit,
    Payment,
)
from slakeeper.services.views.base import ReadModel, examples

__all__ = [
    "CreditList",
    "CreditRead",
    "InvoiceDetailRead",
    "InvoiceLineRead",
    "InvoiceList",
    "InvoiceRead",
    "LineEntryRead",
    "PaymentCreatedRead",
    "PaymentRead",
]

AT = "2027-02-01T12:00:00Z"


def _plain(value: Decimal) -> Decimal:
    """A stored decimal without the column's trailing zeros (at least 2 places)."""
    out = value.normalize()
    exponent = out.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return out.quantize(Decimal("0.01"))
    return out


_INVOICE_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "number": "2027-0001",
    "kind": "invoice",
    "status": "issued",
    "client_id": 1,
    "client_name": "Acme GmbH",
    "agreement_version_id": 3,
    "period_start": "2027-01-01",
    "period_end": "2027-01-31",
    "issue_date": "2027-02-01",
    "due_date": "2027-02-15",
    "currency": "EUR",
    "net_amount": "421.25",
    "tax_amount": "80.04",
    "gross_amount": "501.29",
    "tax_rate": "19",
    "tax_id": "DE123456789",
    "refers_to_id": None,
    "paid_amount": "0.00",
    "outstanding_amount": "501.29",
    "note": None,
    "created_at": AT,
    "issued_at": AT,
    "paid_at": None,
    "cancelled_at": None,
    "payment_paused_at": None,
}


class InvoiceRead(ReadModel):
    """An invoice or credit note. `status`: draft (no number yet), issued, paid,
    overdue or cancelled."""

    model_config = examples(_INVOICE_EXAMPLE)
    id: int
    number: str | None = Field(description="Set when issued; never reused.")
    kind: InvoiceKind
    status: InvoiceStatus
    client_id: int
    client_name: str = Field(description="The client's name.")
    agreement_version_id: int
    period_start: date
    period_end: date
    issue_date: date | None
    due_date: date | None
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    gross_amount: Decimal
    tax_rate: Decimal = Field(description="Percent.")
    tax_id: str | None
    refers_to_id: int | None = Field(description="A credit note's invoice.")
    paid_amount: Decimal
    outstanding_amount: Decimal
    note: str | None = Field(description="A credit note's reason.")
    created_at: datetime
    issued_at: datetime | None
    paid_at: datetime | None
    cancelled_at: datetime | None
    payment_paused_at: datetime | None = Field(
        description="When the agreement's payment-delay rule paused ticket clocks."
    )

    @classmethod
    def of(
        cls, row: Invoice, client_name: str, paid: Decimal, outstanding: Decimal
    ) -> InvoiceRead:
        """`row` with what was paid and what is left (`records.views`)."""
        return cls(**_invoice_fields(row, client_name, paid, outstanding))


def _invoice_fields(
    row: Invoice, client_name: str, paid: Decimal, outstanding: Decimal
) -> dict[str, Any]:
    c = row.currency
    return {
        "id": row.id,
        "number": row.number,
        "kind": row.kind,
        "status": row.status,
        "client_id": row.client_id,
        "client_name": client_name,
        "agreement_version_id": row.agreement_version_id,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "issue_date": row.issue_date,
        "due_date": row.due_date,
        "currency": c,
        "net_amount": money(row.net_amount, c),
        "tax_amount": money(row.tax_amount, c),
        "gross_amount": money(row.gross_amount, c),
        "tax_rate": row.tax_rate.normalize(),
        "tax_id": row.tax_id,
        "refers_to_id": row.refers_to_id,
        "paid_amount": paid,
        "outstanding_amount": outstanding,
        "note": row.note,
        "created_at": row.created_at,
        "issued_at": row.issued_at,
        "paid_at": row.paid_at,
        "cancelled_at": row.cancelled_at,
        "payment_paused_at": row.payment_paused_at,
    }


class LineEntryRead(ReadModel):
    """A time entry billed on a line: its raw and rounded seconds and amount."""

    model_config = examples(
        {
            "time_entry_id": 17,
            "raw_seconds": 9000,
            "rounded_seconds": 9000,
            "rate": "140.00",
            "amount": "350.00",
            "rate_source": "out_of_hours",
        }
    )
    time_entry_id: int
    raw_seconds: int
    rounded_seconds: int
    rate: Decimal = Field(description="Per hour.")
    amount: Decimal
    rate_source: RateSource = Field(
        description="default, role, priority or out_of_hours."
    )

    @classmethod
    def of(cls, row: InvoiceLineEntry, currency: str) -> LineEntryRead:
        return cls(
            time_entry_id=row.time_entry_id,
            raw_seconds=row.raw_seconds,
            rounded_seconds=row.rounded_seconds,
            rate=_plain(row.rate),
            amount=money(row.amount, currency),
            rate_source=row.rate_source,
        )


class InvoiceLineRead(ReadModel):
    """A line: `quantity` `unit`s (HUR hours, C62 one) at `unit_price`; a time
    line shows its raw and rounded time and the entries it bills."""

    model_config = examples(
        {
            "position": 1,
            "kind": "time",
            "description": "Work outside office hours",
            "quantity": "2.50",
            "unit": "HUR",
            "unit_price": "140.00",
            "amount": "350.00",
            "tax_rate": "19",
            "raw_seconds": 9000,
            "rounded_seconds": 9000,
            "rate_source": "out_of_hours",
            "entries": [],
        }
    )
    position: int
    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    tax_rate: Decimal
    raw_seconds: int
    rounded_seconds: int
    rate_source: RateSource | None
    entries: list[LineEntryRead]

    @classmethod
    def of(
        cls, row: InvoiceLine, entries: list[InvoiceLineEntry], currency: str
    ) -> InvoiceLineRead:
        return cls(
            position=row.position,
            kind=row.kind,
            description=row.description,
            quantity=_plain(row.quantity),
            unit=row.unit,
            unit_price=_plain(row.unit_price),
            amount=money(row.amount, currency),
            tax_rate=row.tax_rate.normalize(),
            raw_seconds=row.raw_seconds,
            rounded_seconds=row.rounded_seconds,
            rate_source=row.rate_source,
            entries=[LineEntryRead.of(e, currency) for e in entries],
        )


_PAYMENT_EXAMPLE: dict[str, Any] = {
    "id": 4,
    "invoice_id": 12,
    "amount": "142.50",
    "received_on": "2027-02-10",
    "reference": "SEPA 0815",
    "recorded_at": AT,
}


class PaymentRead(ReadModel):
    model_config = examples(_PAYMENT_EXAMPLE)
    id: int
    invoice_id: int
    amount: Decimal
    received_on: date
    reference: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, row: Payment, currency: str) -> PaymentRead:
        return cls(
            id=row.id,
            invoice_id=row.invoice_id,
            amount=money(row.amount, currency),
            received_on=row.received_on,
            reference=row.reference,
            recorded_at=row.recorded_at,
        )


class InvoiceDetailRead(InvoiceRead):
    """An invoice with its lines, payments, and (when just built) what was left
    off it and why."""

    model_config = examples(
        {
            **_INVOICE_EXAMPLE,
            "lines": [],
            "payments": [],
            "notes": ["1 Upwork entry left off: billed through Upwork"],
        }
    )
    lines: list[InvoiceLineRead]
    payments: list[PaymentRead]
    notes: list[str] = Field(default_factory=list)

    @classmethod
    def of_detail(
        cls,
        row: Invoice,
        client_name: str,
        paid: Decimal,
        outstanding: Decimal,
        lines: list[InvoiceLine],
        entries: dict[int, list[InvoiceLineEntry]],
        payments: list[Payment],
        notes: tuple[str, ...] = (),
    ) -> InvoiceDetailRead:
        """`row` with its amounts, its lines (by position), the entries behind
        each line (by line id) and its payments (`records.detail`)."""
        c = row.currency
        return cls(
            **_invoice_fields(row, client_name, paid, outstanding),
            lines=[InvoiceLineRead.of(ln, entries.get(ln.id, []), c) for ln in lines],
            payments=[PaymentRead.of(p, c) for p in payments],
            notes=list(notes),
        )


class InvoiceList(ReadModel):
    model_config = examples({"items": [_INVOICE_EXAMPLE], "next_cursor": None})
    items: list[InvoiceRead]
    next_cursor: str | None


class PaymentCreatedRead(ReadModel):
    """The payment recorded and the invoice after it."""

    model_config = examples(
        {
            "payment": _PAYMENT_EXAMPLE,
            "invoice": {**_INVOICE_EXAMPLE, "status": "paid", "paid_at": AT},
        }
    )
    payment: PaymentRead
    invoice: InvoiceRead


_CREDIT_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "client_id": 1,
    "amount": "75.00",
    "currency": "EUR",
    "percent": None,
    "reason": "Response target missed",
    "period_start": "2027-01-31",
    "period_end": "2027-01-31",
    "invoice_id": None,
    "created_at": AT,
}


class CreditRead(ReadModel):
    model_config = examples(_CREDIT_EXAMPLE)
    id: int
    client_id: int
    amount: Decimal | None
    currency: str | None
    percent: Decimal | None
    reason: str
    period_start: date
    period_end: date
    invoice_id: int | None = Field(description="The invoice that consumed it.")
    created_at: datetime

    @classmethod
    def of(cls, row: ManualCredit) -> CreditRead:
        return cls(
            id=row.id,
            client_id=row.client_id,
            amount=None
            if row.amount is None or row.currency is None
            else money(row.amount, row.currency),
            currency=row.currency,
            percent=None if row.percent is None else row.percent.normalize(),
            reason=row.reason,
            period_start=row.period_start,
            period_end=row.period_end,
            invoice_id=row.invoice_id,
            created_at=row.created_at,
        )


class CreditList(ReadModel):
    model_config = examples({"items": [_CREDIT_EXAMPLE], "next_cursor": None})
    items: list[CreditRead]
    next_cursor: str | None
