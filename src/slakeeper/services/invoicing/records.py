"""What the invoice services share, lowest layer: reading invoices, their
lines, time entries and payments as the principal may see them, the workspace
write lock, the agreement terms an invoice is read under, billing-party rows,
and the audit record of an invoice's moves.

Who may read what: the provider's staff read everything; a client contact
reads their own client's issued invoices (never drafts). Another workspace's
invoices are not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slakeeper.agreement.schema import Billing
from slakeeper.agreement.types import CalendarPeriod
from slakeeper.core import delivery, money
from slakeeper.core.states import InvoiceKind, InvoiceStatus
from slakeeper.db.models import (
    AgreementVersion,
    BillingParty,
    Client,
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    Payment,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    client_names,
    scoped,
    visible,
    visible_client,
)
from slakeeper.services.locks import rowcount, write_lock
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import VersionTerms
from slakeeper.services.views.invoicing import InvoiceDetailRead, InvoiceRead

__all__ = [
    "MAX_REASON",
    "UNPAID",
    "add_period",
    "audit_invoice",
    "billing_of",
    "client_names",
    "client_of",
    "detail",
    "entries_of",
    "find_invoice",
    "get_invoice",
    "invoice_lines",
    "line_entries",
    "lines_of",
    "list_invoices",
    "outstanding",
    "paid_amount",
    "paid_amounts",
    "party_row",
    "payments_of",
    "rowcount",
    "start_of",
    "version_of",
    "view_of",
    "views",
    "write_lock",
]

MAX_REASON = 2000


UNPAID = (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)


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
    page: Page | None = None,
) -> list[Invoice]:
    """Invoices and credit notes the principal may see, by id; with a `page`,
    only its rows (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(Invoice), Invoice, principal)
    if not principal.is_provider:
        query = query.where(Invoice.status != InvoiceStatus.DRAFT)
    if client_id is not None:
        query = query.where(
            Invoice.client_id == client_of(session, principal, client_id).id
        )
    if status is not None:
        try:
            query = query.where(Invoice.status == InvoiceStatus(status))
        except ValueError:
            known = ", ".join(s.value for s in InvoiceStatus)
            raise InvalidInput(
                f"unknown status {status!r}; expected one of {known}", location="status"
            ) from None
    return list(session.scalars(in_page(query, page, Invoice.id, Invoice.id)).all())


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
    return _payments(session, get_invoice(session, principal, invoice_id).id)


def _payments(session: Session, invoice_id: int) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)
        ).all()
    )


def paid_amount(session: Session, invoice: Invoice) -> Decimal:
    """The sum of the payments recorded against an invoice."""
    return paid_amounts(session, [invoice])[invoice.id]


def paid_amounts(session: Session, invoices: Sequence[Invoice]) -> dict[int, Decimal]:
    """The sum of the payments recorded against each invoice (by id), in one
    grouped query."""
    ids = [i.id for i in invoices]
    totals: dict[int, Any] = {}
    if ids:
        rows = session.execute(
            select(Payment.invoice_id, func.sum(Payment.amount))
            .where(Payment.invoice_id.in_(ids))
            .group_by(Payment.invoice_id)
        )
        totals = dict(rows.all())
    return {i.id: money(Decimal(totals.get(i.id) or 0), i.currency) for i in invoices}


def outstanding(session: Session, invoice: Invoice) -> Decimal:
    """What is still to pay (zero for a draft, a credit note or a cancelled
    invoice)."""
    return _outstanding(invoice, paid_amount(session, invoice))


def _outstanding(invoice: Invoice, paid: Decimal) -> Decimal:
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in UNPAID:
        return money(Decimal(0), invoice.currency)
    return money(invoice.gross_amount, invoice.currency) - paid


def views(session: Session, invoices: Sequence[Invoice]) -> list[InvoiceRead]:
    """The invoices (a page, read through a scoped service) as read models, with
    their client's name and their paid and outstanding amounts, in one query
    each for all of them."""
    if not invoices:
        return []
    paid = paid_amounts(session, invoices)
    workspace_id = invoices[0].workspace_id
    names = client_names(session, workspace_id, (i.client_id for i in invoices))
    return [
        InvoiceRead.of(i, names[i.client_id], paid[i.id], _outstanding(i, paid[i.id]))
        for i in invoices
    ]


def view_of(session: Session, invoice: Invoice) -> InvoiceRead:
    """One invoice (read through a scoped service) as its read model."""
    (found,) = views(session, [invoice])
    return found


def detail(
    session: Session,
    principal: Principal,
    invoice_id: int,
    notes: tuple[str, ...] = (),
) -> InvoiceDetailRead:
    """An invoice the principal may see with its lines, the entries behind each
    line, its payments and (when just built) `notes` on what was left off."""
    invoice = get_invoice(session, principal, invoice_id)
    entries: dict[int, list[InvoiceLineEntry]] = {}
    for e in line_entries(session, invoice.id):
        entries.setdefault(e.line_id, []).append(e)
    payments = _payments(session, invoice.id)
    paid = money(sum((p.amount for p in payments), Decimal(0)), invoice.currency)
    return InvoiceDetailRead.of_detail(
        invoice,
        client_names(session, invoice.workspace_id, [invoice.client_id])[
            invoice.client_id
        ],
        paid,
        _outstanding(invoice, paid),
        invoice_lines(session, invoice.id),
        entries,
        payments,
        notes,
    )


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
