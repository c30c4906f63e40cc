"""What the invoice services share, lowest layer: an invoice's status and kind,
reading invoices, their lines, time entries and payments as the principal may
see them, the workspace write lock, the agreement terms an invoice is read
under, billing-party rows, and the audit record of an invoice's moves.

Who may read what: the provider's staff read everything; a client contact
reads their own client's issued invoices (never drafts). Another workspace's
invoices are not found.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from slakeeper.agreement.schema import Billing
from slakeeper.agreement.types import CalendarPeriod
from slakeeper.core import delivery
from slakeeper.core.invoice import (
    money,
)
from slakeeper.db.models import (
    AgreementVersion,
    BillingParty,
    Client,
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    Payment,
    Workspace,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    scoped,
    visible,
    visible_client,
)
from slakeeper.services.terms import VersionTerms

__all__ = [
    "MAX_REASON",
    "UNPAID",
    "InvoiceKind",
    "InvoiceStatus",
    "add_period",
    "audit_invoice",
    "billing_of",
    "client_of",
    "entries_of",
    "find_invoice",
    "get_invoice",
    "invoice_lines",
    "line_entries",
    "lines_of",
    "list_invoices",
    "outstanding",
    "paid_amount",
    "party_row",
    "payments_of",
    "rowcount",
    "start_of",
    "version_of",
    "write_lock",
]

MAX_REASON = 2000


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


UNPAID = (InvoiceStatus.ISSUED.value, InvoiceStatus.OVERDUE.value)


def rowcount(result: object) -> int:
    """The number of rows an UPDATE or DELETE statement touched."""
    return cast(CursorResult[Any], result).rowcount


def write_lock(session: Session, workspace_id: int) -> None:
    """The workspace's write lock (a no-op write, as `audit.record` takes it),
    taken before anything is read: on PostgreSQL it serialises the workspace's
    issuers, payers and cancellers; on SQLite a transaction that read first
    could not take it once another writer committed (a stale snapshot)."""
    session.execute(
        update(Workspace).where(Workspace.id == workspace_id).values(id=Workspace.id)
    )


def client_of(session: Session, principal: Principal, client_id: int) -> Client:
    """A client the principal may see (NotFound otherwise)."""
    active_user(session, principal)
    return visible_client(session, principal, client_id)


def get_invoice(session: Session, principal: Principal, invoice_id: int) -> Invoice:
    """An invoice the principal may see (a client contact: their client's issued
    ones)."""
    active_user(session, principal)
    invoice = visible(session, principal, Invoice, invoice_id, "invoice")
    if not principal.is_provider and invoice.status == InvoiceStatus.DRAFT:
        raise NotFound(f"invoice {invoice_id} not found")
    return invoice


def find_invoice(session: Session, principal: Principal, ref: str) -> Invoice:
    """An invoice by its number (`2027-0001`), else by its id."""
    active_user(session, principal)
    text = ref.strip()
    found = session.scalars(
        select(Invoice.id).where(
            Invoice.workspace_id == principal.workspace_id, Invoice.number == text
        )
    ).first()
    if found is None and text.isdigit():
        found = int(text)
    if found is None:
        raise NotFound(f"no invoice numbered {ref!r}; see `slakeeper invoice list`")
    return get_invoice(session, principal, found)


def list_invoices(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    status: str | None = None,
) -> list[Invoice]:
    """Invoices and credit notes the principal may see, by id."""
    active_user(session, principal)
    query = scoped(select(Invoice), Invoice, principal)
    if not principal.is_provider:
        query = query.where(Invoice.status != InvoiceStatus.DRAFT.value)
    if client_id is not None:
        query = query.where(
            Invoice.client_id == client_of(session, principal, client_id).id
        )
    if status is not None:
        try:
            query = query.where(Invoice.status == InvoiceStatus(status).value)
        except ValueError:
            known = ", ".join(s.value for s in InvoiceStatus)
            raise InvalidInput(
                f"unknown status {status!r}; expected one of {known}", location="status"
            ) from None
    return list(session.scalars(query.order_by(Invoice.id)).all())


def lines_of(
    session: Session, principal: Principal, invoice_id: int
) -> list[InvoiceLine]:
    """An invoice's lines, by position."""
    invoice = get_invoice(session, principal, invoice_id)
    return invoice_lines(session, invoice.id)


def invoice_lines(session: Session, invoice_id: int) -> list[InvoiceLine]:
    """An invoice's lines by position (no access check)."""
    return list(
        session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        ).all()
    )


def entries_of(
    session: Session, principal: Principal, invoice_id: int
) -> list[InvoiceLineEntry]:
    """The time entries behind an invoice's lines, by line and entry."""
    invoice = get_invoice(session, principal, invoice_id)
    return line_entries(session, invoice.id)


def line_entries(session: Session, invoice_id: int) -> list[InvoiceLineEntry]:
    """The time entries behind an invoice's lines, by line and entry (no access
    check)."""
    return list(
        session.scalars(
            select(InvoiceLineEntry)
            .join(InvoiceLine, InvoiceLine.id == InvoiceLineEntry.line_id)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position, InvoiceLineEntry.time_entry_id)
        ).all()
    )


def payments_of(
    session: Session, principal: Principal, invoice_id: int
) -> list[Payment]:
    """The payments recorded against an invoice, by id."""
    invoice = get_invoice(session, principal, invoice_id)
    return list(
        session.scalars(
            select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)
        ).all()
    )


def paid_amount(session: Session, invoice: Invoice) -> Decimal:
    """The sum of the payments recorded against an invoice."""
    total = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.invoice_id == invoice.id
        )
    )
    return money(Decimal(total or 0), invoice.currency)


def outstanding(session: Session, invoice: Invoice) -> Decimal:
    """What is still to pay (zero for a draft, a credit note or a cancelled
    invoice)."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in UNPAID:
        return money(Decimal(0), invoice.currency)
    return money(invoice.gross_amount, invoice.currency) - paid_amount(session, invoice)


def billing_of(terms: VersionTerms, client: Client) -> Billing:
    """The agreement's billing section (Conflict when it has none)."""
    billing = terms.agreement.billing
    if billing is None:
        raise Conflict(
            f"the agreement with {client.name} has no billing section: nothing says"
            " what to invoice"
        )
    return billing


def add_period(day: date, period: CalendarPeriod) -> date:
    """`day` plus the agreement's wall-calendar period (a month on from 31
    January is the last day of February: `core.add_period`)."""
    return delivery.add_period(day, period.amount, period.unit)


def start_of(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a day starts in a time zone."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def version_of(session: Session, invoice: Invoice) -> AgreementVersion:
    """The agreement version an invoice was built under."""
    version = session.get(AgreementVersion, invoice.agreement_version_id)
    assert version is not None
    return version


def party_row(
    session: Session, workspace_id: int, client_id: int | None
) -> BillingParty | None:
    """The stored billing details of the provider (`client_id` None) or of a
    client (no access check)."""
    where = (
        BillingParty.client_id.is_(None)
        if client_id is None
        else BillingParty.client_id == client_id
    )
    return session.scalars(
        select(BillingParty).where(BillingParty.workspace_id == workspace_id, where)
    ).first()


def audit_invoice(
    session: Session,
    actor_id: int | None,
    invoice: Invoice,
    action: str,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Audit `invoice.<action>` with the invoice's number, status and totals
    (and `extra`)."""
    payload: dict[str, Any] = {
        "number": invoice.number,
        "kind": invoice.kind,
        "client_id": invoice.client_id,
        "status": invoice.status,
        "currency": invoice.currency,
        "net": str(money(invoice.net_amount, invoice.currency)),
        "tax": str(money(invoice.tax_amount, invoice.currency)),
        "gross": str(money(invoice.gross_amount, invoice.currency)),
    }
    payload.update(extra or {})
    audit.record(
        session,
        workspace_id=invoice.workspace_id,
        actor_id=actor_id,
        now=now,
        action=f"invoice.{action}",
        object_type="invoice",
        object_id=invoice.id,
        payload=payload,
    )
