"""Invoices: built from a client's time entries, milestone fees and credits,
numbered when issued, paid, overdue, or cancelled by a credit note
(docs/billing.md section 9). This module moves an invoice: build a draft,
delete it, issue it, cancel it by credit note. Reading is in `records`, what
goes on a draft in `sources` and `credits`, numbers in `numbers`, payments and
the overdue pass in `payments`, billing details and the document in
`document` (all in this package).

States: a `draft` has no number; it can be rebuilt (deleted and built again)
and shows what the invoice will say. Issuing gives it the next number of the
workspace's series (gap-free, never reused: numbers are assigned in the issuing
transaction, under a lock on the series' counter row), locks its time entries
(`time_entry.invoice_id`) and consumes its credits; from then on it is never
edited or deleted. An issued invoice is `paid` once its payments add up to its
gross total, `overdue` the day after its due date (the agreement's
`billing.invoice.due` after the issue date) while unpaid, and `cancelled` by a
credit note that mirrors it exactly with negative amounts (its own number from
the same series), which releases its entries, milestones and credits so they
can be invoiced again.

Who may do what: the workspace owner builds, issues, cancels invoices and
records payments and credits; the provider's staff read everything; a client
contact reads their own client's issued invoices (never drafts). Another
workspace's invoices are not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from slakeeper.core import invoice_totals
from slakeeper.core.invoice import (
    LinePlan,
    money,
    time_lines,
)
from slakeeper.core.states import InvoiceGrouping, InvoiceKind, InvoiceStatus, LineKind
from slakeeper.db.models import (
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    ManualCredit,
    TimeEntry,
)
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.services.access import (
    Principal,
    active_user,
    require_owner,
)
from slakeeper.services.invoicing.credits import open_credit_lines
from slakeeper.services.invoicing.numbers import DEFAULT_PATTERN, next_number
from slakeeper.services.invoicing.payments import reconcile_pause
from slakeeper.services.invoicing.records import (
    MAX_REASON,
    add_period,
    audit_invoice,
    billing_of,
    client_of,
    get_invoice,
    invoice_lines,
    line_entries,
    paid_amount,
    party_row,
    rowcount,
    start_of,
    version_of,
    write_lock,
)
from slakeeper.services.invoicing.sources import (
    billable_work,
    billed_milestones,
    governing_version,
    milestone_lines,
    rounding_of,
)
from slakeeper.services.versions import version_terms

__all__ = [
    "Built",
    "build_invoice",
    "cancel_invoice",
    "delete_draft",
    "issue_invoice",
]


@dataclass(frozen=True, slots=True)
class Built:
    """A draft just built, and what was left off it and why."""

    invoice: Invoice
    notes: tuple[str, ...]


def build_invoice(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    period_start: date,
    period_end: date,
    milestones: Sequence[str] = (),
    group_by: str = InvoiceGrouping.RATE,
    now: datetime,
) -> Built:
    """Build a draft for a client and a period (its first and last day, in the
    agreement's time zone).

    1. The agreement version in force at the end of the period governs the
       invoice: currency, rounding, tax, payment terms (each entry is rated by
       the version in force when it was worked).
    2. Time lines (hourly and retainer agreements): the client's billable time
       worked in the period and not invoiced yet (core/invoice.py).
    3. Fee lines: the named milestones (accepted, not invoiced yet); for a
       fixed-price agreement without names, every such milestone.
    4. Credit lines: the client's credits not consumed yet, earned by the end
       of the period.
    5. Totals: tax once on the net total (`invoice_totals`).
    """
    user = active_user(session, principal)
    require_owner(principal, "build invoices")
    client = client_of(session, principal, client_id)
    try:
        grouping = InvoiceGrouping(group_by)
    except ValueError:
        raise InvalidInput(
            f"unknown grouping {group_by!r};"
            f" expected one of {', '.join(InvoiceGrouping)}",
            location="group_by",
        ) from None
    if period_end < period_start:
        raise InvalidInput(
            f"the period ends ({period_end}) before it starts ({period_start})",
            location="to",
        )
    version = governing_version(session, principal, client, period_start, period_end)
    terms = version_terms(version)
    billing = billing_of(terms, client)
    zone = terms.zone
    today = now.astimezone(zone).date()
    if period_end > today:
        raise InvalidInput(
            f"the period ends on {period_end}, after today ({today}); invoice a"
            " period once it is over",
            location="to",
        )
    from_at = start_of(period_start, zone)
    to_at = start_of(period_end + timedelta(days=1), zone)
    notes: list[str] = []
    plans: list[LinePlan] = []
    fixed_price = billing.model == "fixed_price"
    if not fixed_price:
        work = billable_work(session, client, version, from_at, to_at, notes)
        rounding = rounding_of(terms, billing)
        plans += time_lines(work, rounding, zone, billing.currency, grouping)
    plans += milestone_lines(session, client, billing, milestones, fixed_price)
    if not plans:
        raise Conflict(
            f"nothing to invoice for {client.name} from {period_start} to"
            f" {period_end}" + (f" ({'; '.join(notes)})" if notes else "")
        )
    net = sum((p.amount for p in plans), Decimal(0))
    plans += open_credit_lines(session, client, billing.currency, period_end, net)
    tax_rate = Decimal(0) if billing.tax is None else billing.tax.rate
    totals = invoice_totals(
        [p.amount for p in plans], tax_rate, currency=billing.currency
    )
    invoice = Invoice(
        workspace_id=client.workspace_id,
        client_id=client.id,
        agreement_version_id=version.id,
        kind=InvoiceKind.INVOICE,
        number=None,
        status=InvoiceStatus.DRAFT,
        period_start=period_start,
        period_end=period_end,
        currency=billing.currency,
        net_amount=totals.net,
        tax_amount=totals.tax,
        gross_amount=totals.gross,
        tax_rate=tax_rate,
        tax_id=None if billing.tax is None else billing.tax.id,
        group_by=grouping,
        created_at=now,
        created_by_id=user.id,
    )
    session.add(invoice)
    session.flush()
    _store_lines(session, invoice, plans, tax_rate)
    return Built(invoice, tuple(notes))


def _store_lines(
    session: Session, invoice: Invoice, plans: Sequence[LinePlan], tax_rate: Decimal
) -> None:
    for position, plan in enumerate(plans, start=1):
        line = InvoiceLine(
            workspace_id=invoice.workspace_id,
            invoice_id=invoice.id,
            position=position,
            kind=plan.kind,
            description=plan.description,
            quantity=plan.quantity,
            unit=plan.unit,
            unit_price=plan.unit_price,
            amount=plan.amount,
            tax_rate=tax_rate,
            raw_seconds=plan.raw_seconds,
            rounded_seconds=plan.rounded_seconds,
            rate_source=plan.rate_source,
            milestone_id=plan.milestone_id,
            credit_id=plan.credit_id,
        )
        session.add(line)
        session.flush()
        for row in plan.rows:
            session.add(
                InvoiceLineEntry(
                    workspace_id=invoice.workspace_id,
                    line_id=line.id,
                    time_entry_id=row.entry_id,
                    entry_updated_at=row.updated_at,
                    raw_seconds=row.raw_seconds,
                    rounded_seconds=row.rounded_seconds,
                    rate=row.rate,
                    amount=row.amount,
                    rate_source=row.rate_source,
                )
            )
    session.flush()


def delete_draft(
    session: Session, principal: Principal, invoice_id: int, *, now: datetime
) -> None:
    """Delete a draft (it has no number, so no gap is left); an issued invoice is
    never deleted (Conflict: cancel it by credit note)."""
    write_lock(session, principal.workspace_id)  # first: see write_lock
    require_owner(principal, "delete invoices")
    invoice = get_invoice(session, principal, invoice_id)
    session.refresh(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict(
            f"invoice {invoice.number} is {invoice.status}: issued invoices are never"
            " edited or deleted; cancel it by credit note"
        )
    line_ids = select(InvoiceLine.id).where(InvoiceLine.invoice_id == invoice.id)
    session.execute(
        delete(InvoiceLineEntry).where(InvoiceLineEntry.line_id.in_(line_ids))
    )
    session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id))
    session.delete(invoice)
    session.flush()
    del now  # a draft leaves no trace: it was never issued


def _pattern(session: Session, workspace_id: int) -> str:
    party = party_row(session, workspace_id, None)
    return (
        DEFAULT_PATTERN
        if party is None or not party.number_pattern
        else party.number_pattern
    )


def _stale_entries(session: Session, invoice: Invoice) -> list[int]:
    """Entries of a draft that changed, vanished or were invoiced since it was
    built."""
    stale: list[int] = []
    rows = session.execute(
        select(InvoiceLineEntry, TimeEntry)
        .join(InvoiceLine, InvoiceLine.id == InvoiceLineEntry.line_id)
        .join(TimeEntry, TimeEntry.id == InvoiceLineEntry.time_entry_id)
        .where(InvoiceLine.invoice_id == invoice.id)
    ).all()
    billed: dict[int, int] = {}
    for row, entry in rows:
        billed[entry.id] = billed.get(entry.id, 0) + row.raw_seconds
        if (
            entry.updated_at != row.entry_updated_at
            or entry.invoice_id is not None
            or not entry.billable
        ):
            stale.append(entry.id)
    for _row, entry in rows:
        if billed[entry.id] != entry.seconds:
            stale.append(entry.id)
    sums = dict(
        session.execute(
            select(
                InvoiceLine.id, func.coalesce(func.sum(InvoiceLineEntry.raw_seconds), 0)
            )
            .outerjoin(InvoiceLineEntry, InvoiceLineEntry.line_id == InvoiceLine.id)
            .where(
                InvoiceLine.invoice_id == invoice.id, InvoiceLine.kind == LineKind.TIME
            )
            .group_by(InvoiceLine.id)
        ).all()
    )
    for line in invoice_lines(session, invoice.id):
        if line.kind is LineKind.TIME and int(sums.get(line.id, 0)) != line.raw_seconds:
            stale.append(-line.position)  # an entry was deleted
    return sorted(set(stale))


def issue_invoice(
    session: Session,
    principal: Principal,
    invoice_id: int,
    *,
    issue_date: date | None = None,
    now: datetime,
) -> Invoice:
    """Issue a draft: give it the next number of the series, its issue and due
    dates, lock its time entries and consume its credits; from then on it is
    never edited or deleted.

    Refused (Conflict): anything but a draft; a draft whose entries changed,
    vanished or were invoiced since it was built, or whose milestones or credits
    went on another invoice meanwhile (rebuild it); a negative total (cancel
    the invoice it corrects by credit note instead). A total of zero is paid at
    once.
    """
    write_lock(session, principal.workspace_id)  # first: see write_lock
    user = active_user(session, principal)
    require_owner(principal, "issue invoices")
    invoice = get_invoice(session, principal, invoice_id)
    session.refresh(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict(f"invoice {invoice.number} is {invoice.status} already")
    terms = version_terms(version_of(session, invoice))
    billing = terms.agreement.billing
    assert billing is not None
    today = now.astimezone(terms.zone).date()
    day = issue_date or today
    if day > today:
        raise InvalidInput(
            f"the issue date {day} is after today ({today})", location="date"
        )
    if day < invoice.period_start:
        raise InvalidInput(
            f"the issue date {day} is before the period starts"
            f" ({invoice.period_start})",
            location="date",
        )
    stale = _stale_entries(session, invoice)
    if stale:
        raise Conflict(
            f"the time on draft {invoice.id} changed since it was built (entries"
            f" {', '.join(str(s) for s in stale if s > 0) or 'deleted'}); delete the"
            " draft and build it again"
        )
    lines = invoice_lines(session, invoice.id)
    milestone_ids = [m for m in (ln.milestone_id for ln in lines) if m is not None]
    if billed_milestones(session, milestone_ids):
        raise Conflict(
            f"a milestone on draft {invoice.id} was invoiced meanwhile; build it again"
        )
    if money(invoice.gross_amount, invoice.currency) < 0:
        raise Conflict(
            f"draft {invoice.id} totals {invoice.gross_amount:f} {invoice.currency}:"
            " an invoice is never negative; to correct an issued invoice, cancel it"
            " by credit note"
        )
    credit_ids = [ln.credit_id for ln in lines if ln.credit_id is not None]
    if credit_ids:
        result = session.execute(
            update(ManualCredit)
            .where(ManualCredit.id.in_(credit_ids), ManualCredit.invoice_id.is_(None))
            .values(invoice_id=invoice.id)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) != len(credit_ids):
            raise Conflict(
                f"a credit on draft {invoice.id} was used meanwhile; build it again"
            )
    entry_ids = [e.time_entry_id for e in line_entries(session, invoice.id)]
    entry_ids = sorted(set(entry_ids))
    if entry_ids:
        result = session.execute(
            update(TimeEntry)
            .where(TimeEntry.id.in_(entry_ids), TimeEntry.invoice_id.is_(None))
            .values(invoice_id=invoice.id)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) != len(entry_ids):
            raise Conflict(f"an entry on draft {invoice.id} was invoiced meanwhile")
    invoice.number = next_number(
        session, invoice.workspace_id, _pattern(session, invoice.workspace_id), day
    )
    invoice.issue_date = day
    invoice.due_date = add_period(day, billing.invoice.due)
    invoice.issued_at, invoice.issued_by_id = now, user.id
    if money(invoice.gross_amount, invoice.currency) == 0:
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, now
    else:
        invoice.status = InvoiceStatus.ISSUED
    session.flush()
    audit_invoice(
        session,
        user.id,
        invoice,
        "issued",
        now,
        {"entry_ids": entry_ids, "credit_ids": credit_ids},
    )
    return invoice


def cancel_invoice(
    session: Session,
    principal: Principal,
    invoice_id: int,
    *,
    reason: str,
    now: datetime,
) -> Invoice:
    """Cancel an issued invoice by a credit note, which is the answer: it mirrors
    the invoice line by line with the amounts negated (so its totals are exactly
    the invoice's, negated), takes its own number from the same series, and
    refers to the invoice. The invoice's time entries, milestones and credits
    are released, to be invoiced again. Refused for drafts (delete them), credit
    notes, cancelled invoices and invoices with payments recorded."""
    write_lock(session, principal.workspace_id)  # first: see write_lock
    user = active_user(session, principal)
    require_owner(principal, "cancel invoices")
    invoice = get_invoice(session, principal, invoice_id)
    session.refresh(invoice)
    why = (reason or "").strip()
    if not why or len(why) > MAX_REASON:
        raise InvalidInput(
            f"give a reason of 1 to {MAX_REASON} characters", location="reason"
        )
    if invoice.kind != InvoiceKind.INVOICE:
        raise Conflict(f"{invoice.number} is a credit note; it is not cancelled")
    if invoice.status == InvoiceStatus.DRAFT:
        raise Conflict(f"draft {invoice.id} has no number yet: delete it instead")
    if invoice.status == InvoiceStatus.CANCELLED:
        raise Conflict(f"invoice {invoice.number} is cancelled already")
    paid = paid_amount(session, invoice)
    if paid != 0:
        raise Conflict(
            f"invoice {invoice.number} has {paid:f} {invoice.currency} paid on it;"
            " an invoice with payments is not cancelled here"
        )
    terms = version_terms(version_of(session, invoice))
    today = now.astimezone(terms.zone).date()
    day = max(today, invoice.issue_date or today)
    lines = invoice_lines(session, invoice.id)
    totals = invoice_totals(
        [-money(ln.amount, invoice.currency) for ln in lines],
        invoice.tax_rate,
        currency=invoice.currency,
    )
    assert totals.gross == -money(invoice.gross_amount, invoice.currency)
    note = Invoice(
        workspace_id=invoice.workspace_id,
        client_id=invoice.client_id,
        agreement_version_id=invoice.agreement_version_id,
        kind=InvoiceKind.CREDIT_NOTE,
        number=next_number(
            session, invoice.workspace_id, _pattern(session, invoice.workspace_id), day
        ),
        status=InvoiceStatus.ISSUED,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issue_date=day,
        due_date=day,
        currency=invoice.currency,
        net_amount=totals.net,
        tax_amount=totals.tax,
        gross_amount=totals.gross,
        tax_rate=invoice.tax_rate,
        tax_id=invoice.tax_id,
        group_by=invoice.group_by,
        refers_to_id=invoice.id,
        note=why,
        created_at=now,
        created_by_id=user.id,
        issued_at=now,
        issued_by_id=user.id,
    )
    session.add(note)
    session.flush()
    entries = line_entries(session, invoice.id)
    by_line: dict[int, list[InvoiceLineEntry]] = {}
    for e in entries:
        by_line.setdefault(e.line_id, []).append(e)
    for line in lines:
        mirror = InvoiceLine(
            workspace_id=note.workspace_id,
            invoice_id=note.id,
            position=line.position,
            kind=line.kind,
            description=line.description,
            quantity=-line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=-line.amount,
            tax_rate=line.tax_rate,
            raw_seconds=line.raw_seconds,
            rounded_seconds=line.rounded_seconds,
            rate_source=line.rate_source,
            milestone_id=line.milestone_id,
            credit_id=line.credit_id,
        )
        session.add(mirror)
        session.flush()
        for e in by_line.get(line.id, []):
            session.add(
                InvoiceLineEntry(
                    workspace_id=note.workspace_id,
                    line_id=mirror.id,
                    time_entry_id=e.time_entry_id,
                    entry_updated_at=e.entry_updated_at,
                    raw_seconds=e.raw_seconds,
                    rounded_seconds=e.rounded_seconds,
                    rate=e.rate,
                    amount=-e.amount,
                    rate_source=e.rate_source,
                )
            )
    session.execute(
        update(TimeEntry)
        .where(TimeEntry.invoice_id == invoice.id)
        .values(invoice_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ManualCredit)
        .where(ManualCredit.invoice_id == invoice.id)
        .values(invoice_id=None)
        .execution_options(synchronize_session=False)
    )
    invoice.status, invoice.cancelled_at = InvoiceStatus.CANCELLED, now
    session.flush()
    audit_invoice(
        session,
        user.id,
        invoice,
        "cancelled",
        now,
        {"credit_note": note.number, "reason": why},
    )
    audit_invoice(
        session, user.id, note, "credit_note_issued", now, {"refers_to": invoice.number}
    )
    reconcile_pause(session, invoice.workspace_id, invoice.client_id, now)
    return note
