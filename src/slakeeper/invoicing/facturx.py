"""The EN 16931 e-invoice: an `InvoiceDocument` as Factur-X / ZUGFeRD XML (the
UN/CEFACT Cross Industry Invoice in the EN 16931 profile) and that XML embedded
as `factur-x.xml` in the invoice's PDF/A-3b through the factur-x package.

The XML states the document's own figures and never recomputes them, so a
document whose totals do not add up gives XML that fails the EN 16931 rules
(BR-CO-10, BR-CO-15, ...) instead of XML that hides the mistake. Comments name
the EN 16931 business terms (BT-) and groups (BG-) each element carries.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from typing import TypeVar
from xml.sax.saxutils import escape

import facturx  # type: ignore[import-untyped]
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from slakeeper.core.billing import minor_unit, quantize_half_up
from slakeeper.core.states import InvoiceKind
from slakeeper.errors import InvalidInput
from slakeeper.invoicing.document import InvoiceDocument, InvoiceLine, Party

__all__ = [
    "PROFILE",
    "XML_FILENAME",
    "FacturxError",
    "VatGroup",
    "build_xml",
    "embed_xml",
    "stamp_of",
    "vat_groups",
]

PROFILE = "urn:cen.eu:en16931:2017"  # BT-24: Factur-X / ZUGFeRD profile EN 16931
XML_FILENAME = "factur-x.xml"

_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"

_PREFIXES = {"rsm": _RSM, "ram": _RAM, "udt": _UDT}
for _prefix, _uri in _PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

_TYPE_CODES = {InvoiceKind.INVOICE: "380", InvoiceKind.CREDIT_NOTE: "381"}  # UNCL 1001
_SEPA_CREDIT_TRANSFER = "58"  # UNCL 4461
_CREDIT_TRANSFER = "30"
# VAT categories (UNCL 5305) whose rate is not stated (BR-O-05 and friends).
_NO_RATE = frozenset({"O"})


class FacturxError(InvalidInput):
    """The invoice could not be made into a Factur-X PDF: its XML failed the
    Factur-X XSD (a field EN 16931 needs is missing or malformed), or the PDF
    could not carry it. The message says why; adapters map it as bad input."""


@dataclass(frozen=True, slots=True)
class VatGroup:
    """One VAT breakdown (BG-23): the lines of one category and rate."""

    category: str  # BT-118, UNCL 5305
    rate: Decimal  # BT-119, percent
    basis: Decimal  # BT-116, sum of the group's line amounts
    tax: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120


def vat_groups(doc: InvoiceDocument) -> tuple[VatGroup, ...]:
    """The VAT breakdown, one group per (category, rate) in line order.

    With one group (the usual case: one rate per invoice, tax computed once on
    the net total) the group's tax is the document's `tax_total` as stated.
    With several, each group's tax is its basis times its rate, rounded half up
    to the minor unit, as EN 16931 computes it per category.
    """
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in doc.lines:
        key = (_category(doc, line.tax_rate), line.tax_rate)
        bases[key] = bases.get(key, Decimal(0)) + line.amount
    places = minor_unit(doc.currency)
    single = len(bases) == 1
    return tuple(
        VatGroup(
            category=category,
            rate=rate,
            basis=basis,
            tax=doc.tax_total
            if single
            else quantize_half_up(Fraction(basis) * Fraction(rate) / 100, places),
            exemption_reason=doc.tax_exemption_reason,
        )
        for (category, rate), basis in bases.items()
    )


def build_xml(doc: InvoiceDocument) -> bytes:
    """The document as Factur-X XML, profile EN 16931 (UTF-8 bytes).

    A credit note (TypeCode 381) states the credited amounts as positive
    figures, as EN 16931 expects: a credit note document that carries its
    amounts negated (a mirror of the invoice) has them turned positive here.
    """
    sign = -1 if doc.kind is InvoiceKind.CREDIT_NOTE and doc.gross_total < 0 else 1
    root = ET.Element(f"{{{_RSM}}}CrossIndustryInvoice")
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(
        _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"),
        "ram:ID",
        PROFILE,
    )

    header = _sub(root, "rsm:ExchangedDocument")
    _sub(header, "ram:ID", doc.number)  # BT-1
    _sub(header, "ram:TypeCode", _TYPE_CODES[doc.kind])  # BT-3
    _date(_sub(header, "ram:IssueDateTime"), doc.issue_date)  # BT-2
    for note in _notes(doc):  # BG-1 / BT-22
        _sub(_sub(header, "ram:IncludedNote"), "ram:Content", note)

    trade = _sub(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(doc.lines, start=1):  # BG-25
        _line(trade, doc, number, line, sign)
    _agreement(_sub(trade, "ram:ApplicableHeaderTradeAgreement"), doc)
    delivery = _sub(trade, "ram:ApplicableHeaderTradeDelivery")
    event = _sub(delivery, "ram:ActualDeliverySupplyChainEvent")
    _date(_sub(event, "ram:OccurrenceDateTime"), doc.period_end)  # BT-72
    _settlement(_sub(trade, "ram:ApplicableHeaderTradeSettlement"), doc, sign)

    ET.indent(root)
    out = BytesIO()
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    return out.getvalue()


def stamp_of(doc: InvoiceDocument) -> datetime:
    """The creation time written into the invoice's PDFs: midnight UTC of the
    issue date, so the same document always gives the same bytes."""
    return datetime.combine(doc.issue_date, datetime.min.time(), tzinfo=UTC)


def embed_xml(pdf: bytes, xml: bytes, doc: InvoiceDocument) -> bytes:
    """A PDF/A-3b `pdf` with `xml` embedded as `factur-x.xml`, the Factur-X XMP
    extension (document type INVOICE, conformance level EN 16931) and the
    associated-file relationship, through the factur-x package.

    The XML is checked against the Factur-X EN 16931 XSD first. The dates the
    package stamps with the clock are then set to the issue date, so the same
    document gives the same bytes.
    """
    title = f"{_kind_title(doc)} {doc.number}"
    metadata = {
        "author": doc.seller.name,
        "keywords": f"{_kind_title(doc)}, Factur-X",
        "title": f"{doc.seller.name}: {title}",
        "subject": f"{title} dated {doc.issue_date.isoformat()} "
        f"issued by {doc.seller.name}",
    }
    try:
        out = facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata=metadata,
            lang="en",
            # The XML says everything the invoice says (the time report is
            # supporting detail): an alternative representation, as ZUGFeRD
            # asks for EN 16931 invoices.
            afrelationship="alternative",
            xmp_compression=False,
        )
    except Exception as exc:  # the package raises bare Exception for bad XML
        raise FacturxError(
            f"cannot be made into a Factur-X PDF: {exc}",
            location=f"invoice {doc.number}",
        ) from exc
    return _pin_dates(out, stamp_of(doc), metadata["keywords"])


# -- the parts of the XML ------------------------------------------------------


def _line(
    trade: ET.Element, doc: InvoiceDocument, number: int, line: InvoiceLine, sign: int
) -> None:
    amount = sign * line.amount
    item = _sub(trade, "ram:IncludedSupplyChainTradeLineItem")
    about = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(about, "ram:LineID", str(number))  # BT-126
    if line.time_rows:
        _sub(_sub(about, "ram:IncludedNote"), "ram:Content", _time_note(line))  # BT-127
    _sub(
        _sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description
    )  # BT-153
    price = _sub(
        _sub(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice"
    )
    # BT-146 may not be negative (BR-27): a credit is a negative quantity.
    _sub(price, "ram:ChargeAmount", _number(abs(line.unit_price)))
    quantity = abs(line.quantity) if amount >= 0 else -abs(line.quantity)
    billed = _sub(_sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity")
    billed.text = _number(quantity)  # BT-129
    billed.set("unitCode", line.unit)  # BT-130
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    category = _category(doc, line.tax_rate)
    _sub(tax, "ram:CategoryCode", category)  # BT-151
    if category not in _NO_RATE:
        _sub(tax, "ram:RateApplicablePercent", _number(line.tax_rate))  # BT-152
    if line.time_rows:  # BG-26: the days the line's time was worked
        days = [row.day for row in line.time_rows]
        _period(settlement, min(days), max(days))
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _number(amount))  # BT-131


def _agreement(agreement: ET.Element, doc: InvoiceDocument) -> None:
    if doc.buyer_reference:
        _sub(agreement, "ram:BuyerReference", doc.buyer_reference)  # BT-10
    seller = _sub(agreement, "ram:SellerTradeParty")  # BG-4
    _party(seller, doc.seller)
    buyer = _sub(agreement, "ram:BuyerTradeParty")  # BG-7
    _party(buyer, doc.buyer)


def _party(element: ET.Element, party: Party) -> None:
    _sub(element, "ram:Name", party.name)  # BT-27 / BT-44
    address = _sub(element, "ram:PostalTradeAddress")  # BG-5 / BG-8
    if party.postcode:
        _sub(address, "ram:PostcodeCode", party.postcode)  # BT-38 / BT-53
    lines = list(party.address_lines)
    if len(lines) > 3:  # CII has three address lines; the rest join the third
        lines = [*lines[:2], ", ".join(lines[2:])]
    tags = ("ram:LineOne", "ram:LineTwo", "ram:LineThree")
    for tag, text in zip(tags, lines, strict=False):
        _sub(address, tag, text)  # BT-35, BT-36, BT-162 / BT-50, BT-51, BT-163
    if party.city:
        _sub(address, "ram:CityName", party.city)  # BT-37 / BT-52
    _sub(address, "ram:CountryID", party.country)  # BT-40 / BT-55
    if party.email:  # BT-34 / BT-49: electronic address, scheme EM (e-mail)
        _sub(
            _sub(element, "ram:URIUniversalCommunication"), "ram:URIID", party.email
        ).set("schemeID", "EM")
    if party.tax_id:  # BT-31 / BT-48: VAT identifier
        _sub(_sub(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.tax_id).set(
            "schemeID", "VA"
        )


def _settlement(settlement: ET.Element, doc: InvoiceDocument, sign: int) -> None:
    if doc.payment_reference:
        _sub(settlement, "ram:PaymentReference", doc.payment_reference)  # BT-83
    _sub(settlement, "ram:InvoiceCurrencyCode", doc.currency)  # BT-5
    if doc.iban:  # BG-16 / BG-17
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        code = _SEPA_CREDIT_TRANSFER if doc.currency == "EUR" else _CREDIT_TRANSFER
        _sub(means, "ram:TypeCode", code)  # BT-81
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", re.sub(r"\s+", "", doc.iban))  # BT-84
        _sub(account, "ram:AccountName", doc.seller.name)  # BT-85
    for group in vat_groups(doc):  # BG-23
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _number(sign * group.tax))  # BT-117
        _sub(tax, "ram:TypeCode", "VAT")
        if group.exemption_reason:
            _sub(tax, "ram:ExemptionReason", group.exemption_reason)  # BT-120
        _sub(tax, "ram:BasisAmount", _number(sign * group.basis))  # BT-116
        _sub(tax, "ram:CategoryCode", group.category)  # BT-118
        if group.category not in _NO_RATE:
            _sub(tax, "ram:RateApplicablePercent", _number(group.rate))  # BT-119
    _period(settlement, doc.period_start, doc.period_end)  # BG-14
    terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
    if doc.payment_terms:
        _sub(terms, "ram:Description", doc.payment_terms)  # BT-20
    _date(_sub(terms, "ram:DueDateDateTime"), doc.due_date)  # BT-9
    totals = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    net, tax_total, gross = (
        sign * doc.net_total,
        sign * doc.tax_total,
        sign * doc.gross_total,
    )
    _sub(totals, "ram:LineTotalAmount", _number(net))  # BT-106
    _sub(totals, "ram:TaxBasisTotalAmount", _number(net))  # BT-109
    _sub(totals, "ram:TaxTotalAmount", _number(tax_total)).set(
        "currencyID", doc.currency
    )  # BT-110
    _sub(totals, "ram:GrandTotalAmount", _number(gross))  # BT-112
    _sub(totals, "ram:DuePayableAmount", _number(gross))  # BT-115
    if doc.refers_to:  # BG-3: the invoice a credit note cancels
        referenced = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(referenced, "ram:IssuerAssignedID", doc.refers_to)  # BT-25


def _notes(doc: InvoiceDocument) -> Iterable[str]:
    if doc.agreement_title:
        yield f"Under the agreement: {doc.agreement_title}"
    if doc.rounding_note:
        yield doc.rounding_note
    yield from doc.notes


def _time_note(line: InvoiceLine) -> str:
    count = len(line.time_rows)
    return (
        f"{count} time {'entry' if count == 1 else 'entries'}: tracked "
        f"{_clock(line.raw_seconds)}, billed {_clock(line.rounded_seconds)} (h:mm)"
    )


def _clock(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def _category(doc: InvoiceDocument, rate: Decimal) -> str:
    if doc.tax_category:
        return doc.tax_category
    return "S" if rate else "Z"


def _period(parent: ET.Element, start: date, end: date) -> None:
    period = _sub(parent, "ram:BillingSpecifiedPeriod")
    _date(_sub(period, "ram:StartDateTime"), start)  # BT-73 / BT-134
    _date(_sub(period, "ram:EndDateTime"), end)  # BT-74 / BT-135


def _date(parent: ET.Element, day: date) -> None:
    _sub(parent, "udt:DateTimeString", day.strftime("%Y%m%d")).set("format", "102")


def _number(value: Decimal) -> str:
    """A Decimal as XML writes numbers: plain digits, never an exponent."""
    return format(value, "f")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    prefix, name = tag.split(":")
    element = ET.SubElement(parent, f"{{{_PREFIXES[prefix]}}}{name}")
    if text is not None:
        element.text = text
    return element


def _kind_title(doc: InvoiceDocument) -> str:
    return "Credit note" if doc.kind is InvoiceKind.CREDIT_NOTE else "Invoice"


# -- the PDF -------------------------------------------------------------------

_XMP_DATE = re.compile(r"<xmp:(CreateDate|ModifyDate)>[^<]*</xmp:\1>")


def _pin_dates(pdf: bytes, at: datetime, keywords: str) -> bytes:
    """Set the dates the factur-x package took from the clock (document info,
    XMP, the attachment's modification date) to `at`, and state the keywords in
    the XMP too, so the information dictionary and the XMP agree (PDF/A)."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    writer.pdf_header = "%PDF-1.7"  # typst's PDF/A-3b is PDF 1.7
    pdf_date = at.strftime("D:%Y%m%d%H%M%S+00'00'")
    writer.add_metadata({"/CreationDate": pdf_date, "/ModDate": pdf_date})
    catalog = writer.root_object
    tree = _pdf(catalog["/Names"], DictionaryObject)
    embedded = _pdf(tree["/EmbeddedFiles"], DictionaryObject)
    names = _pdf(embedded["/Names"], ArrayObject)
    for spec in names[1::2]:
        files = _pdf(_pdf(spec, DictionaryObject)["/EF"], DictionaryObject)
        params = _pdf(_pdf(files["/F"], StreamObject)["/Params"], DictionaryObject)
        params[NameObject("/ModDate")] = TextStringObject(pdf_date)
    stream = _pdf(catalog["/Metadata"], StreamObject)
    xmp = stream.get_data().decode("utf-8")
    iso = at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    xmp = _XMP_DATE.sub(lambda m: f"<xmp:{m[1]}>{iso}</xmp:{m[1]}>", xmp)
    # rdf:about on every description, as XMP readers (and PDF/A-1) expect
    xmp = xmp.replace("<rdf:Description>", '<rdf:Description rdf:about="">')
    xmp = xmp.replace(
        "<pdf:Producer>",
        f"<pdf:Keywords>{escape(keywords)}</pdf:Keywords><pdf:Producer>",
        1,
    )
    stream.set_data(xmp.encode("utf-8"))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


_T = TypeVar("_T", bound=PdfObject)


def _pdf(value: object, kind: type[_T]) -> _T:
    """`value` (resolved when it is a reference) as a `kind` of PDF object."""
    found = value.get_object() if isinstance(value, PdfObject) else value
    if not isinstance(found, kind):  # pragma: no cover - factur-x wrote it
        raise FacturxError(f"the Factur-X PDF has {found!r} where a {kind} belongs")
    return found
