"""What an invoice says and how it leaves: the billing details of the provider
and of each client (set by the workspace owner), the `InvoiceDocument` every
renderer reads (`slakeeper.invoicing`), and the export as PDF, Factur-X, CSV
or JSON.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.core import minor_unit
from slakeeper.core.invoice import (
    money,
)
from slakeeper.core.states import InvoiceKind
from slakeeper.db.models import (
    BillingParty,
    Invoice,
    InvoiceLineEntry,
    Ticket,
    TimeEntry,
    User,
)
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.invoicing.document import InvoiceDocument, Party, TimeRow
from slakeeper.invoicing.document import InvoiceLine as DocumentLine
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    require_owner,
)
from slakeeper.services.invoicing.numbers import check_pattern
from slakeeper.services.invoicing.records import (
    add_period,
    client_of,
    get_invoice,
    invoice_lines,
    line_entries,
    party_row,
    version_of,
    write_lock,
)
from slakeeper.services.versions import VersionTerms, version_terms

__all__ = [
    "EXPORT_FORMATS",
    "Export",
    "billing_party",
    "export_invoice",
    "invoice_document",
    "set_billing_party",
]

EXPORT_FORMATS = ("pdf", "facturx", "csv", "json")


def billing_party(
    session: Session, principal: Principal, client_id: int | None
) -> BillingParty | None:
    """The provider's billing details (`client_id` None) or a client's."""
    active_user(session, principal)
    if client_id is not None:
        client_of(session, principal, client_id)
    return party_row(session, principal.workspace_id, client_id)


_COUNTRY = re.compile(r"^[A-Z]{2}$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")


def set_billing_party(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None,
    now: datetime,
    **fields: Any,
) -> BillingParty:
    """Set billing details that invoices show (a field not given is kept; an
    empty string clears it): `name`, `country` (ISO 3166-1 alpha-2),
    `address_lines`, `postcode`, `city`, `tax_id`, `email`, and for the
    provider (`client_id` None) `iban` and `number_pattern`."""
    user = active_user(session, principal)
    require_owner(principal, "set billing details")
    if client_id is not None:
        client_of(session, principal, client_id)
    allowed = {
        "name",
        "country",
        "address_lines",
        "postcode",
        "city",
        "tax_id",
        "email",
    }
    if client_id is None:
        allowed |= {"iban", "number_pattern"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not set for a client", location=unknown[0])
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name == "address_lines":
            lines = [str(v).strip() for v in value if str(v).strip()]
            if len(lines) > 4 or any(len(v) > 200 for v in lines):
                raise InvalidInput(
                    "at most 4 address lines of 200 characters", location=name
                )
            clean[name] = lines
            continue
        text = str(value).strip()
        if name in ("country", "iban"):
            text = text.upper().replace(" ", "")
        if text and name == "country" and not _COUNTRY.match(text):
            raise InvalidInput(
                f"{value!r} is not an ISO 3166-1 alpha-2 code (DE, US)", location=name
            )
        if text and name == "iban" and not _IBAN.match(text):
            raise InvalidInput(f"{value!r} is not an IBAN", location=name)
        if text and name == "number_pattern":
            text = check_pattern(text)
        limit = getattr(BillingParty.__table__.c[name].type, "length", None)
        if limit is not None and len(text) > limit:
            raise InvalidInput(f"has at most {limit} characters", location=name)
        clean[name] = text or None
    write_lock(session, principal.workspace_id)
    row = party_row(session, principal.workspace_id, client_id)
    if row is None:
        row = BillingParty(
            workspace_id=principal.workspace_id,
            client_id=client_id,
            address_lines=[],
            updated_at=now,
        )
        session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_at = now
    session.flush()
    audit.record(
        session,
        workspace_id=principal.workspace_id,
        actor_id=user.id,
        now=now,
        action="invoice.billing_party_set",
        object_type="client" if client_id is not None else "workspace",
        object_id=client_id if client_id is not None else principal.workspace_id,
        payload=dict(clean),
    )
    return row


def _calendar_country(terms: VersionTerms) -> str | None:
    a = terms.agreement
    name = a.default_calendar or next(iter(a.calendars))
    holidays = a.calendars[name].get("holidays") or {}
    country = holidays.get("country") if isinstance(holidays, dict) else None
    return str(country).upper() if country else None


def _party(
    row: BillingParty | None,
    name: str,
    email: str | None,
    tax_id: str | None,
    fallback_country: str | None,
    who: str,
) -> Party:
    country = (row.country if row else None) or fallback_country
    if not country:
        raise Conflict(
            f"the {who}'s country is not known: set it with `slakeeper invoice party"
            " --country CC`"
        )
    return Party(
        name=(row.name if row else None) or name,
        country=country,
        address_lines=tuple(row.address_lines if row else ()),
        postcode=row.postcode if row else None,
        city=row.city if row else None,
        tax_id=(row.tax_id if row else None) or tax_id,
        email=(row.email if row else None) or email,
    )


def _rounding_note(terms: VersionTerms) -> str:
    billing = terms.agreement.billing
    if billing is None or billing.rounding is None:
        return "Time is billed as tracked, to the second."
    r = billing.rounding
    how = {"up": "up", "down": "down", "nearest": "to the nearest"}[r.mode]
    per = {"entry": "per entry", "day": "per day", "invoice": "per invoice"}[r.per]
    return f"Time is rounded {how} to {r.to} {per}."


def invoice_document(
    session: Session, principal: Principal, invoice_id: int
) -> InvoiceDocument:
    """What the invoice says, for every renderer (`slakeeper.invoicing`). A draft
    (provider only) shows `DRAFT` for its number and today's terms."""
    invoice = get_invoice(session, principal, invoice_id)
    terms = version_terms(version_of(session, invoice))
    a = terms.agreement
    billing = a.billing
    assert billing is not None
    currency = invoice.currency
    country = _calendar_country(terms)
    provider = party_row(session, invoice.workspace_id, None)
    client_row = party_row(session, invoice.workspace_id, invoice.client_id)
    seller = _party(
        provider,
        a.agreement.provider.name,
        a.agreement.provider.contacts[0].email,
        invoice.tax_id,
        country,
        "provider",
    )
    buyer = _party(
        client_row,
        a.agreement.client.name,
        a.agreement.client.contacts[0].email,
        None,
        country,
        "client",
    )
    issue = invoice.issue_date or invoice.created_at.astimezone(terms.zone).date()
    due = invoice.due_date or add_period(issue, billing.invoice.due)
    rows_by_line: dict[int, list[InvoiceLineEntry]] = {}
    for e in line_entries(session, invoice.id):
        rows_by_line.setdefault(e.line_id, []).append(e)
    entry_ids = {e.time_entry_id for rs in rows_by_line.values() for e in rs}
    entries = (
        {
            e.id: e
            for e in session.scalars(
                select(TimeEntry).where(TimeEntry.id.in_(entry_ids))
            )
        }
        if entry_ids
        else {}
    )
    people = {
        u.id: u.name
        for u in session.scalars(
            select(User).where(User.workspace_id == invoice.workspace_id)
        )
    }
    ticket_ids = {e.ticket_id for e in entries.values() if e.ticket_id is not None}
    keys: dict[int, str] = {}
    if ticket_ids:
        found = select(Ticket.id, Ticket.key).where(Ticket.id.in_(ticket_ids))
        keys = {row.id: row.key for row in session.execute(found).all()}
    lines: list[DocumentLine] = []
    for line in invoice_lines(session, invoice.id):
        time_rows = []
        for e in rows_by_line.get(line.id, []):
            entry = entries.get(e.time_entry_id)
            time_rows.append(
                TimeRow(
                    entry_id=e.time_entry_id,
                    day=(entry.worked_at if entry else invoice.created_at)
                    .astimezone(terms.zone)
                    .date(),
                    person=people.get(entry.user_id, "?") if entry else "?",
                    reference=(
                        keys.get(entry.ticket_id) if entry and entry.ticket_id else None
                    )
                    or (entry.milestone_key if entry else None),
                    note=entry.note if entry else "",
                    raw_seconds=e.raw_seconds,
                    rounded_seconds=e.rounded_seconds,
                    rate=_decimal(e.rate, currency),
                    amount=money(e.amount, currency),
                    rate_source=e.rate_source,
                )
            )
        time_rows.sort(key=lambda r: (r.day, r.entry_id))
        lines.append(
            DocumentLine(
                kind=line.kind,
                description=line.description,
                quantity=_decimal(line.quantity, None),
                unit=line.unit,
                unit_price=_decimal(line.unit_price, currency),
                amount=money(line.amount, currency),
                tax_rate=line.tax_rate.normalize(),
                time_rows=tuple(time_rows),
                raw_seconds=line.raw_seconds,
                rounded_seconds=line.rounded_seconds,
            )
        )
    refers_to = None
    if invoice.refers_to_id is not None:
        original = session.get(Invoice, invoice.refers_to_id)
        refers_to = None if original is None else original.number
    number = invoice.number or "DRAFT"
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        payment_terms = f"Credit note cancelling invoice {refers_to}; nothing to pay."
    else:
        payment_terms = (
            f"Payable within {billing.invoice.due}, by {due.day} {due:%B %Y}."
        )
    notes = [invoice.note] if invoice.note else []
    return InvoiceDocument(
        kind=invoice.kind,
        number=number,
        issue_date=issue,
        due_date=due,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency=currency,
        seller=seller,
        buyer=buyer,
        lines=tuple(lines),
        net_total=money(invoice.net_amount, currency),
        tax_total=money(invoice.tax_amount, currency),
        gross_total=money(invoice.gross_amount, currency),
        payment_terms=payment_terms,
        agreement_title=a.agreement.title,
        rounding_note=_rounding_note(terms),
        notes=tuple(notes),
        refers_to=refers_to,
        payment_reference=invoice.number,
        iban=provider.iban if provider else None,
        detailed_time_report=billing.invoice.detailed_time_report,
    )


def _decimal(value: Decimal, currency: str | None) -> Decimal:
    """A stored rate, price or quantity without the column's trailing zeros, but
    with at least the currency's places (two for a quantity)."""
    places = 2 if currency is None else minor_unit(currency)
    plain = value.normalize()
    if plain.as_tuple().exponent > -places:  # type: ignore[operator]
        return plain.quantize(Decimal(1).scaleb(-places))
    return plain


# -- export --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Export:
    content: bytes
    media_type: str
    filename: str


_MEDIA = {
    "pdf": ("application/pdf", "pdf"),
    "facturx": ("application/pdf", "facturx.pdf"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
}


def export_invoice(
    session: Session, principal: Principal, invoice_id: int, fmt: str
) -> Export:
    """The invoice rendered by `slakeeper.invoicing.render`: `pdf`, `facturx`
    (PDF/A-3b with its EN 16931 XML; issued invoices only), `csv` or `json`."""
    if fmt not in _MEDIA:
        raise InvalidInput(
            f"unknown format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}",
            location="format",
        )
    doc = invoice_document(session, principal, invoice_id)
    if fmt == "facturx" and doc.number == "DRAFT":
        raise Conflict("a draft has no number yet: issue it before exporting Factur-X")
    render = importlib.import_module("slakeeper.invoicing.render")
    function = {
        "pdf": "to_pdf",
        "facturx": "to_facturx_pdf",
        "csv": "to_csv",
        "json": "to_json",
    }[fmt]
    out = getattr(render, function)(doc)
    content = out.encode("utf-8") if isinstance(out, str) else bytes(out)
    media, suffix = _MEDIA[fmt]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", doc.number)
    prefix = "credit-note" if doc.kind is InvoiceKind.CREDIT_NOTE else "invoice"
    return Export(content, media, f"{prefix}-{safe}.{suffix}")
