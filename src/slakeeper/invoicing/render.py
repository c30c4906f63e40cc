"""The invoice's formats, all read from one `InvoiceDocument`: the PDF a client
receives (typst, PDF/A-3b), the same PDF carrying the EN 16931 XML (Factur-X /
ZUGFeRD), the XML alone, and CSV and JSON of the same data.

The PDF layout lives in `typst/invoice.typ` beside this module; it receives the
invoice as one JSON string of ready-formatted text (`sys.inputs.doc`), never
pasted into markup, and does no arithmetic. Every figure is the document's own.
The creation time is the issue date and only shipped fonts are used, so the
same document always gives the same bytes. docs/billing.md section 10 describes
each format.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from slakeeper.agreement import words
from slakeeper.core.billing import minor_unit
from slakeeper.core.duration import format_duration
from slakeeper.core.states import InvoiceKind, RateSource
from slakeeper.invoicing.document import InvoiceDocument, InvoiceLine, Party, TimeRow
from slakeeper.invoicing.facturx import build_xml, embed_xml, stamp_of, vat_groups
from slakeeper.typesetting import PdfRenderError, typeset

__all__ = [
    "CSV_COLUMNS",
    "JSON_FORMAT",
    "TEMPLATE",
    "PdfRenderError",
    "facturx_xml",
    "to_csv",
    "to_facturx_pdf",
    "to_json",
    "to_pdf",
    "to_png_pages",
]

TEMPLATE = Path(__file__).with_name("typst") / "invoice.typ"
JSON_FORMAT = "slakeeper.invoice/1"

# One CSV table of three kinds of record (docs/billing.md section 10).
CSV_COLUMNS = (
    "invoice",
    "record",  # line, time, total
    "line",  # the line's number (1, 2, ...); empty on a total
    "kind",  # a line's kind, a time row's rate source, a total's name
    "date",
    "person",
    "reference",
    "description",
    "quantity",
    "unit",
    "raw_seconds",
    "rounded_seconds",
    "rate",
    "tax_rate",
    "amount",
    "currency",
)

_UNITS = {"HUR": "h", "DAY": "days", "MON": "months", "C62": ""}
_RATE_SOURCES = {
    RateSource.OUT_OF_HOURS: "out of hours",
    RateSource.PRIORITY: "priority rate",
    RateSource.ROLE: "role rate",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


def to_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as a PDF/A-3b a client reads: the same document gives the
    same bytes."""
    return _typeset(doc, "pdf")[0]


def to_png_pages(doc: InvoiceDocument, ppi: float = 110.0) -> list[bytes]:
    """Each page of the invoice as a PNG image (for previews in the docs)."""
    return _typeset(doc, "png", ppi=ppi)


def facturx_xml(doc: InvoiceDocument) -> bytes:
    """The EN 16931 XML (Factur-X / ZUGFeRD, profile EN 16931), UTF-8."""
    return build_xml(doc)


def to_facturx_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice PDF/A-3b with its EN 16931 XML embedded as `factur-x.xml`:
    one file that people read and accounting software imports. Raises
    `FacturxError` when the XML fails the Factur-X XSD."""
    return embed_xml(to_pdf(doc), build_xml(doc), doc)


def to_json(doc: InvoiceDocument) -> str:
    """Every field of the document as JSON: amounts, rates and quantities as
    strings exactly as the document holds them (`"475.00"`), dates ISO 8601,
    durations in seconds; `format` names this layout."""
    data = {"format": JSON_FORMAT, **_fields(doc)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_csv(doc: InvoiceDocument) -> str:
    """The invoice as one CSV table (columns `CSV_COLUMNS`): a `line` record per
    invoice line, followed by a `time` record per time entry it bills, then
    `total` records for the net, tax and gross totals. Amounts are written
    exactly as the document holds them. A text cell that a spreadsheet would
    run as a formula (starting with `=`, `+`, `-`, `@`) gets a leading `'`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_records(doc))
    return out.getvalue()


# -- CSV and JSON ---------------------------------------------------------------


def _csv_records(doc: InvoiceDocument) -> Iterator[list[str]]:
    def record(**cells: str) -> list[str]:
        cells = {
            k: _safe_cell(v) if k in _TEXT_COLUMNS else v for k, v in cells.items()
        }
        filled = {"invoice": _safe_cell(doc.number), "currency": doc.currency, **cells}
        return [filled.get(column, "") for column in CSV_COLUMNS]

    for number, line in enumerate(doc.lines, start=1):
        yield record(
            record="line",
            line=str(number),
            kind=line.kind,
            description=line.description,
            quantity=str(line.quantity),
            unit=line.unit,
            raw_seconds=str(line.raw_seconds),
            rounded_seconds=str(line.rounded_seconds),
            rate=str(line.unit_price),
            tax_rate=str(line.tax_rate),
            amount=str(line.amount),
        )
        for row in line.time_rows:
            yield record(
                record="time",
                line=str(number),
                kind=row.rate_source,
                date=row.day.isoformat(),
                person=row.person,
                reference=row.reference or "",
                description=row.note,
                raw_seconds=str(row.raw_seconds),
                rounded_seconds=str(row.rounded_seconds),
                rate=str(row.rate),
                amount=str(row.amount),
            )
    for name, amount in (
        ("net", doc.net_total),
        ("tax", doc.tax_total),
        ("gross", doc.gross_total),
    ):
        yield record(record="total", kind=name, amount=str(amount))


_TEXT_COLUMNS = frozenset({"person", "reference", "description"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _fields(
    value: InvoiceDocument | InvoiceLine | Party | TimeRow,
) -> dict[str, object]:
    return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, InvoiceDocument | InvoiceLine | Party | TimeRow):
        return _fields(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


# -- the PDF ---------------------------------------------------------------------


def _typeset(
    doc: InvoiceDocument, fmt: Literal["pdf", "png"], ppi: float | None = None
) -> list[bytes]:
    data = json.dumps(_layout(doc), ensure_ascii=False, separators=(",", ":"))
    return typeset(
        TEMPLATE,
        data,
        what=f"invoice {doc.number}",
        fmt=fmt,
        ppi=ppi,
        pdf_standard="a-3b" if fmt == "pdf" else None,
        timestamp=stamp_of(doc),
    )


def _layout(doc: InvoiceDocument) -> dict[str, object]:
    """The invoice as the template shows it: every value ready-formatted text."""
    credit = doc.kind is InvoiceKind.CREDIT_NOTE
    title = "Credit note" if credit else "Invoice"
    money = _Money(doc.currency)
    facts = [
        [f"{title} number", doc.number],
        ["Issue date", words.long_date(doc.issue_date)],
        ["Service period", words.date_range(doc.period_start, doc.period_end)],
        ["Due date", words.long_date(doc.due_date)],
    ]
    if doc.refers_to:
        facts.append(["Cancels invoice" if credit else "Refers to", doc.refers_to])
    if doc.buyer_reference:
        facts.append(["Your reference", doc.buyer_reference])
    groups = vat_groups(doc)
    totals = [["Net amount", money(doc.net_total)]]
    for group in groups:
        label = f"VAT {words.percent(group.rate)}"
        if len(groups) > 1 or group.basis != doc.net_total:
            label += f" on {money(group.basis)}"
        totals.append([label, money(group.tax)])
    payment = []
    if not credit:  # a credit note is paid the other way: no account of ours
        payment.append(["Payable to", doc.seller.name])
        if doc.iban:
            payment.append(["IBAN", _grouped_iban(doc.iban)])
    if doc.payment_reference:
        payment.append(["Reference", doc.payment_reference])
    payment.append(
        ["Refund by" if credit else "Due date", words.long_date(doc.due_date)]
    )
    notes = [n for n in (doc.rounding_note, doc.tax_exemption_reason) if n]
    appendix = [
        _appendix_group(number, line, money)
        for number, line in enumerate(doc.lines, start=1)
        if line.time_rows
    ]
    return {
        "title": f"{title} {doc.number}",
        "label": title.upper(),
        "number": doc.number,
        "author": doc.seller.name,
        "seller": _party(doc.seller),
        "buyer": _party(doc.buyer),
        "agreement": doc.agreement_title,
        "facts": facts,
        "due": {
            "label": "Amount to be refunded" if credit else "Amount due",
            # what is owed, either way: a credit note's negated total shows
            # as the positive sum refunded
            "amount": f"{doc.currency} "
            + money(abs(doc.gross_total) if credit else doc.gross_total),
            "by": ("Refund by " if credit else "Please pay by ")
            + words.long_date(doc.due_date),
        },
        "currency": doc.currency,
        "lines": [_line(n, line, money) for n, line in enumerate(doc.lines, start=1)],
        "totals": totals,
        "gross": [f"Total ({doc.currency})", money(doc.gross_total)],
        "terms": doc.payment_terms,
        "payment": payment,
        "notes": notes + list(doc.notes),
        "appendix": appendix if doc.detailed_time_report else [],
        "footer": " · ".join(
            p
            for p in (
                doc.seller.name,
                f"VAT ID {doc.seller.tax_id}" if doc.seller.tax_id else "",
                doc.seller.email or "",
            )
            if p
        ),
    }


def _line(number: int, line: InvoiceLine, money: _Money) -> dict[str, object]:
    detail = ""
    if line.time_rows:
        count = len(line.time_rows)
        detail = (
            f"{count} time {'entry' if count == 1 else 'entries'}, tracked "
            f"{_duration(line.raw_seconds)}, billed {_duration(line.rounded_seconds)}"
        )
    unit = _UNITS.get(line.unit, line.unit)
    return {
        "no": str(number),
        "description": line.description,
        "detail": detail,
        "quantity": f"{_quantity(line.quantity)} {unit}".strip(),
        "price": money(line.unit_price),
        "tax": words.percent(line.tax_rate),
        "amount": money(line.amount),
    }


def _appendix_group(number: int, line: InvoiceLine, money: _Money) -> dict[str, object]:
    rows = [
        [
            _short_date(row.day),
            row.person,
            row.reference or "",
            row.note,
            _duration(row.raw_seconds),
            _duration(row.rounded_seconds),
            money(row.rate),
            _RATE_SOURCES.get(row.rate_source, ""),
            money(row.amount),
        ]
        for row in line.time_rows
    ]
    return {
        "heading": f"{number}. {line.description}",
        "rows": rows,
        "total": [
            _duration(line.raw_seconds),
            _duration(line.rounded_seconds),
            money(line.amount),
        ],
    }


class _Money:
    """`1,234.50`: padded to the currency's minor unit, never rounded (a finer
    amount shows all its digits); `-75.00` for a credit."""

    def __init__(self, currency: str) -> None:
        self.step = Decimal(1).scaleb(-minor_unit(currency))

    def __call__(self, value: Decimal) -> str:
        padded = value.quantize(self.step)
        return f"{padded if padded == value else value:,}"


def _party(party: Party) -> dict[str, object]:
    lines = list(party.address_lines)
    city = " ".join(p for p in (party.postcode, party.city) if p)
    if city:
        lines.append(city)
    lines.append(words.place(party.country, None))
    return {
        "name": party.name,
        "lines": lines,
        "tax_id": f"VAT ID {party.tax_id}" if party.tax_id else "",
        "email": party.email or "",
    }


def _grouped_iban(iban: str) -> str:
    compact = re.sub(r"\s+", "", iban).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _duration(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds))


def _quantity(value: Decimal) -> str:
    return format(value, "f")


def _short_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
