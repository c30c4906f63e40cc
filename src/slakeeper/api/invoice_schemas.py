"""What the invoices API takes: a period to build a draft from, an issue date, a
cancellation's reason, a payment and a credit, each with an example for the
OpenAPI document. Money is a decimal string in the invoice's currency
(`"142.50"`). The answers are the read models of `services.views.invoicing`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from slakeeper.core.states import InvoiceGrouping
from slakeeper.services.views.base import examples

__all__ = [
    "CreditCreate",
    "InvoiceBuild",
    "InvoiceCancel",
    "InvoiceIssue",
    "PaymentCreate",
]


class InvoiceBuild(BaseModel):
    """Build a draft for a client's period (its first and last day, in the
    agreement's time zone): its billable time not invoiced yet, the named
    fixed-price milestones' fees, and the credits owed."""

    model_config = examples(
        {"client_id": 1, "period_start": "2027-01-01", "period_end": "2027-01-31"},
        {
            "client_id": 1,
            "period_start": "2027-02-01",
            "period_end": "2027-02-28",
            "milestones": ["redesign-mockups"],
            "group_by": "ticket",
        },
    )
    client_id: int = Field(description="The client invoiced.")
    period_start: date = Field(description="The period's first day.")
    period_end: date = Field(description="The period's last day (included).")
    milestones: list[str] = Field(
        default_factory=list,
        description="Fixed-price milestones (agreement ids) to bill once accepted.",
    )
    group_by: InvoiceGrouping = Field(
        default=InvoiceGrouping.RATE,
        description="One line per rate, or per ticket and rate.",
    )


class InvoiceIssue(BaseModel):
    """Issue a draft: it gets the next number of the series and its due date."""

    model_config = examples({}, {"issue_date": "2027-02-01"})
    issue_date: date | None = Field(default=None, description="Default: today.")


class InvoiceCancel(BaseModel):
    """Cancel an issued invoice by a credit note that mirrors it."""

    model_config = examples({"reason": "Billed at the wrong rate"})
    reason: str = Field(min_length=1, max_length=2000, description="Why.")


class PaymentCreate(BaseModel):
    """Money received against an issued invoice; more than is still to pay is
    refused."""

    model_config = examples(
        {"amount": "142.50", "received_on": "2027-02-10", "reference": "SEPA 0815"}
    )
    amount: Decimal = Field(description="In the invoice's currency.", gt=0)
    received_on: date = Field(description="The day it was received.")
    reference: str | None = Field(
        default=None, max_length=200, description="The bank reference."
    )


class CreditCreate(BaseModel):
    """A credit owed to a client, with its reason: an `amount` or a `percent` of
    the net of the invoice it goes on (the client's next one whose period ends on
    or after `period_start`)."""

    model_config = examples(
        {"client_id": 1, "amount": "75.00", "reason": "Response target missed"},
        {"client_id": 1, "percent": "5", "reason": "Goodwill after the outage"},
    )
    client_id: int = Field(description="The client owed the credit.")
    amount: Decimal | None = Field(default=None, description="An amount credited.")
    percent: Decimal | None = Field(
        default=None, description="A share of the next invoice's net, in percent."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why it is owed.")
    period_start: date | None = Field(
        default=None, description="When it was earned (default: today)."
    )
