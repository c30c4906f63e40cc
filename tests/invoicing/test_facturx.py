"""The EN 16931 e-invoice: the Factur-X XML against the XSD and the EN 16931
schematron rules (run offline), and the PDF/A-3b that carries it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from lxml import etree  # type: ignore[import-untyped]

from slakeeper.core.states import LineKind
from slakeeper.invoicing import render
from slakeeper.invoicing.document import InvoiceDocument, InvoiceLine
from slakeeper.invoicing.facturx import FacturxError, embed_xml, vat_groups
from tests.invoicing import schematron
from tests.invoicing.sample import make_credit_note, make_invoice, row

D = Decimal
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(schematron.xsd()))


def assert_valid(xml: bytes, xsd: etree.XMLSchema) -> None:
    tree = etree.fromstring(xml)
    assert xsd.validate(tree), xsd.error_log
    report = schematron.check(xml)
    assert report.fired_rules > 50  # the rules ran, not a silent pass
    assert report.findings == (), report.findings


def text(xml: bytes, path: str) -> list[str]:
    return [e.text or "" for e in ET.fromstring(xml).findall(path, NS)]


def zero_hour_line() -> InvoiceLine:
    return InvoiceLine(
        kind=LineKind.TIME,
        description="Monitoring (no time this month)",
        quantity=D("0.00"),
        unit="HUR",
        unit_price=D("95.00"),
        amount=D("0.00"),
        tax_rate=D("19"),
        time_rows=(row(106, 30, "Sam", None, "Checked the alerts", 0, 0, "95", "0"),),
    )


def reverse_charge() -> InvoiceDocument:
    """Acme's Vienna branch: EU B2B across a border, VAT reverse-charged."""
    sample = make_invoice()
    lines = tuple(replace(line, tax_rate=D("0")) for line in sample.lines)
    buyer = replace(
        sample.buyer,
        country="AT",
        postcode="1010",
        city="Wien",
        address_lines=("Kärntner Straße 1",),
        tax_id="ATU12345678",
    )
    return make_invoice(
        lines=lines,
        buyer=buyer,
        tax_total=D("0.00"),
        gross_total=D("610.00"),
        tax_category="AE",
        tax_exemption_reason="Reverse charge: the recipient is liable for VAT.",
    )


# -- valid documents ------------------------------------------------------------


def test_the_sample_invoice_passes_the_xsd_and_the_en16931_rules(
    xsd: etree.XMLSchema,
) -> None:
    assert_valid(render.facturx_xml(make_invoice()), xsd)


def test_the_credit_note_passes_the_xsd_and_the_en16931_rules(
    xsd: etree.XMLSchema,
) -> None:
    assert_valid(render.facturx_xml(make_credit_note()), xsd)


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(
            make_invoice(lines=(*make_invoice().lines, zero_hour_line())),
            id="zero-hour line",
        ),
        pytest.param(
            make_invoice(iban=None, payment_reference=None), id="no bank details"
        ),
        pytest.param(make_invoice(buyer_reference="PO-4711"), id="buyer reference"),
        pytest.param(reverse_charge(), id="reverse charge"),
        pytest.param(
            make_invoice(
                lines=(
                    make_invoice().lines[0],
                    replace(make_invoice().lines[1], tax_rate=D("7")),
                    make_invoice().lines[2],
                ),
                tax_total=D("90.70"),
                gross_total=D("700.70"),
            ),
            id="two VAT rates",
        ),
        pytest.param(
            make_invoice(
                lines=(make_invoice().lines[2],),
                net_total=D("-75.00"),
                tax_total=D("-14.25"),
                gross_total=D("-89.25"),
            ),
            id="only a credit line: a negative invoice",
        ),
        pytest.param(
            make_invoice(
                seller=replace(
                    make_invoice().seller,
                    address_lines=("c/o Cowork", "Haus B", "Etage 3", "Raum 12"),
                    email=None,
                )
            ),
            id="four address lines, no e-mail",
        ),
    ],
)
def test_variants_pass_the_xsd_and_the_en16931_rules(
    doc: InvoiceDocument, xsd: etree.XMLSchema
) -> None:
    assert_valid(render.facturx_xml(doc), xsd)


def test_xml_states_the_invoice_figures() -> None:
    xml = render.facturx_xml(make_invoice())
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    totals = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert text(xml, "rsm:ExchangedDocumentContext/*/ram:ID") == [
        "urn:cen.eu:en16931:2017"
    ]
    assert text(xml, "rsm:ExchangedDocument/ram:ID") == ["INV-2027-0001"]
    assert text(xml, "rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    assert text(xml, f"{totals}/ram:LineTotalAmount") == ["610.00"]
    assert text(xml, f"{totals}/ram:TaxTotalAmount") == ["115.90"]
    assert text(xml, f"{totals}/ram:GrandTotalAmount") == ["725.90"]
    assert text(xml, f"{totals}/ram:DuePayableAmount") == ["725.90"]
    assert text(xml, f"{settlement}/*/ram:DueDateDateTime/udt:DateTimeString") == [
        "20270215"
    ]
    assert text(xml, f"{settlement}/*/*/ram:IBANID") == ["DE89370400440532013000"]
    means = f"{settlement}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert text(xml, f"{means}/ram:TypeCode") == ["58"]  # SEPA credit transfer


def test_a_credit_line_is_a_negative_quantity_at_a_positive_price() -> None:
    xml = render.facturx_xml(make_invoice())
    items = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
    assert text(xml, f"{items}/*/ram:BilledQuantity") == ["5.00", "1.50", "-1"]
    assert text(xml, f"{items}/*/*/ram:ChargeAmount") == ["95.00", "140.00", "75.00"]
    assert text(xml, f"{items}/*/*/ram:LineTotalAmount") == [
        "475.00",
        "210.00",
        "-75.00",
    ]


def test_a_credit_stated_as_a_negative_price_is_written_the_same_way() -> None:
    lines = make_invoice().lines
    negative_price = replace(lines[2], quantity=D("1"), unit_price=D("-75.00"))
    doc = make_invoice(lines=(*lines[:2], negative_price))
    assert render.facturx_xml(doc) == render.facturx_xml(make_invoice())


def test_credit_note_is_type_381_refers_to_the_invoice_with_positive_amounts() -> None:
    xml = render.facturx_xml(make_credit_note())
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    totals = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert text(xml, "rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert text(xml, f"{settlement}/ram:InvoiceReferencedDocument/*") == [
        "INV-2027-0001"
    ]
    assert text(xml, f"{totals}/ram:GrandTotalAmount") == ["725.90"]
    items = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
    assert text(xml, f"{items}/*/*/ram:LineTotalAmount") == [
        "475.00",
        "210.00",
        "-75.00",
    ]


def test_a_credit_note_stated_positive_is_written_as_it_is() -> None:
    invoice = make_invoice()
    positive = make_credit_note(
        lines=invoice.lines,
        net_total=invoice.net_total,
        tax_total=invoice.tax_total,
        gross_total=invoice.gross_total,
    )
    assert render.facturx_xml(positive) == render.facturx_xml(make_credit_note())


def test_vat_groups_split_by_rate_and_round_each_group() -> None:
    lines = make_invoice().lines
    reduced = replace(lines[1], tax_rate=D("7"))
    doc = make_invoice(lines=(lines[0], reduced, lines[2]))
    groups = vat_groups(doc)
    assert [(g.category, g.rate, g.basis, g.tax) for g in groups] == [
        ("S", D("19"), D("400.00"), D("76.00")),
        ("S", D("7"), D("210.00"), D("14.70")),
    ]


# -- broken documents fail: the check is real -------------------------------------


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        pytest.param({"net_total": D("600.00")}, {"BR-CO-10"}, id="net total"),
        pytest.param({"gross_total": D("700.00")}, {"BR-CO-15"}, id="gross total"),
        pytest.param({"tax_total": D("100.00")}, {"BR-S-09", "BR-CO-15"}, id="tax"),
        pytest.param({"tax_category": "AE"}, {"BR-AE-05", "BR-AE-10"}, id="AE at 19%"),
    ],
)
def test_totals_that_do_not_add_up_fail_the_en16931_rules(
    changes: dict[str, object], rules: set[str], xsd: etree.XMLSchema
) -> None:
    xml = render.facturx_xml(make_invoice(**changes))
    assert xsd.validate(etree.fromstring(xml))  # well-formed, only wrong
    report = schematron.check(xml)
    assert rules <= {f.rule for f in report.errors}, report.findings


def test_a_seller_without_vat_id_fails_the_en16931_rules() -> None:
    doc = make_invoice(seller=replace(make_invoice().seller, tax_id=None))
    report = schematron.check(render.facturx_xml(doc))
    assert {"BR-CO-26", "BR-S-02"} <= {f.rule for f in report.errors}


def test_an_unknown_currency_fails_the_code_lists() -> None:
    # the code lists are looked up in a file beside the rules: they were found
    report = schematron.check(render.facturx_xml(make_invoice(currency="EUX")))
    assert report.errors
    assert any("EUX" in f.location or "Currency" in f.location for f in report.errors)


# -- the Factur-X PDF -----------------------------------------------------------


@pytest.fixture(scope="module")
def facturx_pdf() -> bytes:
    return render.to_facturx_pdf(make_invoice())


def test_facturx_pdf_carries_the_xml_as_factur_x_xml(facturx_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(facturx_pdf))
    assert list(reader.attachments) == ["factur-x.xml"]
    assert reader.attachments["factur-x.xml"] == [render.facturx_xml(make_invoice())]
    root: Any = reader.root_object
    spec = root["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Alternative"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/text/xml"


def test_facturx_pdf_is_pdf_a_3b_with_the_factur_x_extension(
    facturx_pdf: bytes,
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(facturx_pdf))
    assert reader.pdf_header == "%PDF-1.7"
    xmp = reader.xmp_metadata
    assert xmp is not None
    text = xmp.stream.get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in text
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in text
    assert "<fx:DocumentType>INVOICE</fx:DocumentType>" in text
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in text
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in text
    assert "<rdf:Description>" not in text  # each has rdf:about=""
    ET.fromstring(text.split("?>", 1)[1].rsplit("<?xpacket", 1)[0])  # well-formed
    assert "/OutputIntents" in reader.root_object


def test_facturx_pdf_info_and_xmp_agree_and_are_dated_on_the_issue_date(
    facturx_pdf: bytes,
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(facturx_pdf))
    meta = reader.metadata
    assert meta is not None
    xmp = reader.xmp_metadata
    assert xmp is not None
    dates = {str(meta["/CreationDate"]), str(meta["/ModDate"])}
    assert dates == {"D:20270201000000+00'00'"}
    text = xmp.stream.get_data().decode("utf-8")
    assert (
        re.findall(r"<xmp:\w+Date>([^<]*)<", text) == ["2027-02-01T00:00:00+00:00"] * 2
    )
    assert xmp.dc_title == {"x-default": meta.title}
    assert xmp.dc_creator == [meta.author]
    assert xmp.dc_description == {"x-default": meta.subject}
    assert xmp.pdf_keywords == str(meta["/Keywords"])
    assert xmp.xmp_creator_tool == meta.creator


def test_facturx_pdf_is_the_same_bytes_every_time(facturx_pdf: bytes) -> None:
    assert render.to_facturx_pdf(make_invoice()) == facturx_pdf


def test_facturx_pdf_is_the_same_bytes_in_another_process(
    facturx_pdf: bytes, tmp_path: Path
) -> None:
    out = tmp_path / "again.pdf"
    script = (
        "import sys; from tests.invoicing.sample import make_invoice;"
        "from slakeeper.invoicing.render import to_facturx_pdf;"
        "open(sys.argv[1], 'wb').write(to_facturx_pdf(make_invoice()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", script, str(out)], check=True, cwd=root, env=env
    )
    assert out.read_bytes() == facturx_pdf


def test_facturx_pdf_still_reads_as_the_invoice(facturx_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(facturx_pdf))
    assert len(reader.pages) == 2
    first = " ".join(reader.pages[0].extract_text().split())
    assert "INV-2027-0001" in first
    assert "Total (EUR) 725.90" in first


def test_credit_note_facturx_pdf_carries_a_381() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render.to_facturx_pdf(make_credit_note())))
    xml = reader.attachments["factur-x.xml"][0]
    assert text(xml, "rsm:ExchangedDocument/ram:TypeCode") == ["381"]


def test_xml_that_fails_the_xsd_is_refused() -> None:
    doc = make_invoice()
    broken = render.facturx_xml(doc).replace(b"<ram:TypeCode>380", b"<ram:Nope>380")
    broken = broken.replace(
        b"</ram:TypeCode>\n    <ram:IssueDateTime",
        b"</ram:Nope>\n    <ram:IssueDateTime",
        1,
    )
    with pytest.raises(FacturxError, match="INV-2027-0001"):
        embed_xml(render.to_pdf(doc), broken, doc)
