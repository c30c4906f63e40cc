"""Payments and overdue invoices: payments recorded against an issued
invoice (paid once they add up to its gross total), the worker's pass that
makes unpaid invoices overdue the day after their due date, and the payment
pause on ticket clocks.

The agreement's payment-delay rule (`delays.payment_overdue: {after, suspend}`):
once an invoice is overdue by `after`, the ticket clocks it names are paused
with cause `payment_overdue` on every open ticket of the client (also tickets
opened while it lasts), and resumed when the invoice is paid or cancelled
(`invoice_due_checks`, run by the worker, and the payment itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.core.invoice import (
    money,
)
from slakeeper.core.states import InvoiceKind, InvoiceStatus
from slakeeper.db.models import (
    Invoice,
    Payment,
    Ticket,
)
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.services import tickets
from slakeeper.services.access import (
    Principal,
    active_user,
    require_owner,
)
from slakeeper.services.invoicing.records import (
    UNPAID,
    add_period,
    audit_invoice,
    get_invoice,
    outstanding,
    start_of,
    version_of,
    view_of,
    write_lock,
)
from slakeeper.services.versions import VersionTerms, version_terms
from slakeeper.services.views.invoicing import PaymentCreatedRead, PaymentRead

__all__ = [
    "MAX_REFERENCE",
    "check_invoice",
    "due_invoices",
    "invoice_due_checks",
    "paused_clients",
    "reconcile_pause",
    "record_payment",
]

MAX_REFERENCE = 200


def record_payment(
    session: Session,
    principal: Principal,
    invoice_id: int,
    *,
    amount: Decimal,
    received_on: date,
    reference: str | None = None,
    now: datetime,
) -> PaymentCreatedRead:
    """Record money received against an issued (or overdue) invoice; partial
    payments add up, and the invoice is paid when they reach its gross total
    (then a payment pause of the client's tickets is lifted). More than is
    outstanding is refused, as are amounts finer than the currency's minor unit
    and payments dated in the future or before the invoice was issued. The
    answer is the payment and the invoice after it."""
    write_lock(session, principal.workspace_id)  # first: see write_lock
    user = active_user(session, principal)
    require_owner(principal, "record payments")
    invoice = get_invoice(session, principal, invoice_id)
    session.refresh(invoice)
    label = invoice.number or f"draft {invoice.id}"
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in UNPAID:
        raise Conflict(f"invoice {label} is {invoice.status}: it takes no payments")
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput(
            f"a payment of {amount} must be more than zero", location="amount"
        )
    try:
        value = money(amount, invoice.currency)
    except ValueError as exc:
        raise InvalidInput(str(exc), location="amount") from None
    zone = version_terms(version_of(session, invoice)).zone
    today = now.astimezone(zone).date()
    if received_on > today:
        raise InvalidInput(f"{received_on} is in the future", location="on")
    assert invoice.issue_date is not None
    if received_on < invoice.issue_date:
        raise InvalidInput(
            f"{received_on} is before invoice {label} was issued"
            f" ({invoice.issue_date})",
            location="on",
        )
    ref = None if reference is None else reference.strip() or None
    if ref is not None and len(ref) > MAX_REFERENCE:
        raise InvalidInput(
            f"a reference has at most {MAX_REFERENCE} characters", location="reference"
        )
    due = outstanding(session, invoice)
    if value > due:
        raise InvalidInput(
            f"{value:f} {invoice.currency} is more than the {due:f} still to pay on"
            f" invoice {label}; overpayments are refused",
            location="amount",
        )
    payment = Payment(
        workspace_id=invoice.workspace_id,
        invoice_id=invoice.id,
        amount=value,
        received_on=received_on,
        reference=ref,
        recorded_by_id=user.id,
        recorded_at=now,
    )
    session.add(payment)
    session.flush()
    if value == due:
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, now
        session.flush()
    audit_invoice(
        session,
        user.id,
        invoice,
        "payment_recorded",
        now,
        {
            "payment_id": payment.id,
            "amount": str(value),
            "received_on": received_on.isoformat(),
            "reference": ref,
        },
    )
    if invoice.status == InvoiceStatus.PAID:
        reconcile_pause(session, invoice.workspace_id, invoice.client_id, now)
    return PaymentCreatedRead(
        payment=PaymentRead.of(payment, invoice.currency),
        invoice=view_of(session, invoice),
    )


def _pause_rule(
    invoice: Invoice, terms: VersionTerms
) -> tuple[datetime, tuple[str, ...]] | None:
    """When an overdue invoice pauses clocks under its agreement's payment-delay
    rule, and which (None: the agreement has no such rule)."""
    rule = terms.agreement.delays.payment_overdue
    if rule is None or not rule.suspend or invoice.due_date is None:
        return None
    last_day = add_period(invoice.due_date, rule.after)
    return start_of(last_day + timedelta(days=1), terms.zone), tuple(rule.suspend)


def invoice_due_checks(session: Session, workspace_id: int, now: datetime) -> list[int]:
    """The worker's pass over a workspace's unpaid invoices at `now`:

    1. An issued invoice whose due date has passed (in the agreement's time
       zone) becomes overdue.
    2. An overdue invoice that is overdue by the agreement's
       `delays.payment_overdue.after` starts its payment pause
       (`payment_paused_at`: the instant it became that late).
    3. Every client with a payment pause in force has the named clocks of each
       of its open tickets paused (tickets opened meanwhile too), and clients
       whose pause ended have them resumed.

    Returns the invoices whose status or pause changed. The worker runs the
    same steps (`due_invoices`, `check_invoice`, `paused_clients`,
    `reconcile_pause`) one item at a time.
    """
    rows = due_invoices(session, workspace_id, now)
    changed = [invoice.id for invoice in rows if check_invoice(session, invoice, now)]
    session.flush()
    for client_id in paused_clients(rows):
        reconcile_pause(session, workspace_id, client_id, now)
    return changed


def due_invoices(session: Session, workspace_id: int, now: datetime) -> list[Invoice]:
    """The unpaid invoices that may have turned overdue or started their payment
    pause by `now`, locked for the caller's transaction (those another worker
    holds are skipped)."""
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.workspace_id == workspace_id,
                Invoice.kind == InvoiceKind.INVOICE,
                Invoice.status.in_(UNPAID),
                Invoice.due_date < (now + timedelta(days=2)).date(),
            )
            .order_by(Invoice.id)
            .with_for_update(skip_locked=True)
        )
    )


def check_invoice(session: Session, invoice: Invoice, now: datetime) -> bool:
    """Steps 1 and 2 of `invoice_due_checks` for one invoice (audited); True
    when its status or pause changed."""
    terms = version_terms(version_of(session, invoice))
    today = now.astimezone(terms.zone).date()
    assert invoice.due_date is not None
    moved = False
    if invoice.status == InvoiceStatus.ISSUED and today > invoice.due_date:
        invoice.status, invoice.overdue_at = InvoiceStatus.OVERDUE, now
        moved = True
    rule = _pause_rule(invoice, terms)
    if (
        invoice.status == InvoiceStatus.OVERDUE
        and rule is not None
        and rule[0] <= now
        and invoice.payment_paused_at is None
    ):
        invoice.payment_paused_at = rule[0]
        moved = True
    if moved:
        audit_invoice(
            session,
            None,
            invoice,
            "overdue" if invoice.payment_paused_at is None else "payment_pause",
            now,
        )
    return moved


def paused_clients(invoices: Sequence[Invoice]) -> list[int]:
    """The clients of the invoices whose payment pause has begun: step 3
    reconciles their tickets."""
    return sorted({i.client_id for i in invoices if i.payment_paused_at is not None})


def reconcile_pause(
    session: Session, workspace_id: int, client_id: int, now: datetime
) -> None:
    """Make every open ticket of the client hold the payment pause its unpaid,
    paused invoices call for (the union of the clocks their agreements name;
    none: resume)."""
    paused = session.scalars(
        select(Invoice).where(
            Invoice.workspace_id == workspace_id,
            Invoice.client_id == client_id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.OVERDUE,
            Invoice.payment_paused_at.is_not(None),
        )
    ).all()
    clocks: set[str] = set()
    since: datetime | None = None
    for invoice in paused:
        rule = _pause_rule(invoice, version_terms(version_of(session, invoice)))
        if rule is not None:
            clocks.update(rule[1])
        assert invoice.payment_paused_at is not None
        since = max(since or invoice.payment_paused_at, invoice.payment_paused_at)
    at = now if not clocks or since is None else min(since, now)
    numbers = sorted(i.number or "" for i in paused)
    ticket_ids = session.scalars(
        select(Ticket.id)
        .where(
            Ticket.workspace_id == workspace_id,
            Ticket.client_id == client_id,
            Ticket.status != "closed",
        )
        .order_by(Ticket.id)
    ).all()
    for ticket_id in ticket_ids:
        reason = (
            f"invoice {', '.join(numbers)} overdue: clocks paused by the agreement's"
            " payment-delay rule"
            if clocks
            else "overdue invoices settled: clocks resumed"
        )
        written = tickets.set_payment_pause(
            session,
            ticket_id,
            sorted(clocks),
            at,
            reason=reason,
            data={"invoices": numbers},
        )
        if written is not None:
            tickets.recompute(session, ticket_id, max(now, written.at))
