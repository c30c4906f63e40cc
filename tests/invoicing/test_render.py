"""The invoice PDF: what a client reads on it, the appendix, literal text,
determinism, PDF/A-3b and errors."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest

from slakeeper.core.states import LineKind
from slakeeper.invoicing import render
from slakeeper.invoicing.document import InvoiceDocument, InvoiceLine
from tests.invoicing.sample import make_credit_note, make_invoice, row

# Everything that means something in Typst markup or code, in one line.
INJECTION = r'#set page(paper: "a6") $x^2$ *bold* _it_ ] [ \ <tag> @ref // note = H'


def page_texts(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render.to_pdf(make_invoice())


@pytest.fixture(scope="module")
def pages(rendered: bytes) -> list[str]:
    return page_texts(rendered)


def test_it_is_a_pdf_of_a_first_page_and_an_appendix(rendered: bytes) -> None:
    assert rendered.startswith(b"%PDF-")
    assert len(pypdf.PdfReader(io.BytesIO(rendered)).pages) == 2


def test_first_page_has_who_what_and_when(pages: list[str]) -> None:
    first = pages[0]
    for text in (
        "INVOICE",
        "INV-2027-0001",
        "Jane Doe Web Consulting",
        "VAT ID DE123456789",
        "Acme GmbH",
        "Leopoldstraße 200",
        "80804 München",
        "Issue date 1 February 2027",
        "Service period 1-31 January 2027",
        "Due date 15 February 2027",
        "Website care and development for Acme GmbH",
    ):
        assert text in first, text


def test_first_page_has_lines_totals_and_amount_due(pages: list[str]) -> None:
    first = pages[0]
    for text in (
        "Support and maintenance",
        "4 time entries, tracked 4h 38m, billed 5h",
        "5.00 h 95.00 19% 475.00",
        "1.50 h 140.00 19% 210.00",
        "-1 75.00 19% -75.00",
        "Net amount 610.00",
        "VAT 19% 115.90",
        "Total (EUR) 725.90",
        "EUR 725.90",
        "Please pay by 15 February 2027",
    ):
        assert text in first, text


def test_first_page_has_payment_terms_and_bank_details(pages: list[str]) -> None:
    first = pages[0]
    assert "Payable within 14 days, by 15 February 2027." in first
    assert "IBAN DE89 3704 0044 0532 0130 00" in first
    assert "Reference INV-2027-0001" in first
    assert "Time is rounded up to 15 minutes per entry." in first


def test_appendix_lists_every_time_entry(pages: list[str]) -> None:
    appendix = pages[1]
    assert "Appendix: detailed time report" in appendix
    assert "Date Person Ticket Note Tracked Billed Rate Amount" in appendix
    for text in (
        "5 Jan 2027 Jane Doe ACME-41 Fix a checkout timeout 1h 13m 1h 15m 95.00 118.75",
        "19 Jan 2027 Sam ACME-45 Investigate slow search 40m 45m 95.00 71.25",
        "26 Jan 2027 Jane Doe redesign Redesign review call 50m 1h 95.00 95.00",
        "Total 4h 38m 5h 475.00",
        "1h 27m 1h 30m 140.00 out of hours 210.00",
    ):
        assert text in appendix, text


def test_pages_after_the_first_say_whose_invoice_they_belong_to(
    pages: list[str],
) -> None:
    assert "Invoice INV-2027-0001" in pages[1]
    assert "Page 2 of 2" in pages[1]


def test_without_the_time_report_there_is_no_appendix() -> None:
    texts = page_texts(render.to_pdf(make_invoice(detailed_time_report=False)))
    assert len(texts) == 1
    assert "Appendix" not in texts[0]
    assert "5.00 h 95.00 19% 475.00" in texts[0]


def test_zero_hour_and_negative_lines_render() -> None:
    empty = InvoiceLine(
        kind=LineKind.TIME,
        description="Monitoring (no time this month)",
        quantity=Decimal("0.00"),
        unit="HUR",
        unit_price=Decimal("95.00"),
        amount=Decimal("0.00"),
        tax_rate=Decimal("19"),
        time_rows=(row(106, 30, "Sam", None, "Checked the alerts", 0, 0, "95", "0"),),
    )
    doc = make_invoice(lines=(*make_invoice().lines, empty))
    first, appendix = page_texts(render.to_pdf(doc))
    assert "0.00 h 95.00 19% 0.00" in first
    assert "-1 75.00 19% -75.00" in first
    assert "30 Jan 2027 Sam Checked the alerts 0m 0m 95.00 0.00" in appendix


def test_credit_note_says_what_it_cancels() -> None:
    first = page_texts(render.to_pdf(make_credit_note()))[0]
    for text in (
        "CREDIT NOTE",
        "CN-2027-0001",
        "Cancels invoice INV-2027-0001",
        "AMOUNT TO BE REFUNDED",
        "Refund by 10 February 2027 EUR 725.90",
        "Net amount -610.00",
        "Total (EUR) -725.90",
        "1 75.00 19% 75.00",
    ):
        assert text in first, text
    assert "IBAN" not in first  # the seller's account is not where a refund goes


def test_text_is_shown_literally_never_run_as_markup() -> None:
    line = replace(make_invoice().lines[0], description=INJECTION)
    buyer = replace(make_invoice().buyer, name=INJECTION)
    texts = page_texts(render.to_pdf(make_invoice(lines=(line,), buyer=buyer)))
    assert " ".join(INJECTION.split()) in texts[0]
    assert len(texts) == 2  # no page size or break came from the text


def test_amounts_keep_digits_finer_than_the_currency() -> None:
    line = replace(make_invoice().lines[0], unit_price=Decimal("95.125"))
    first = page_texts(render.to_pdf(make_invoice(lines=(line,))))[0]
    assert "95.125" in first  # shown, never silently rounded


def test_amounts_use_the_minor_unit_of_the_currency() -> None:
    line = replace(
        make_invoice().lines[1],
        unit_price=Decimal("15000"),
        amount=Decimal("22500"),
        time_rows=(),
    )
    doc = make_invoice(
        currency="JPY",
        lines=(line,),
        net_total=Decimal("22500"),
        tax_total=Decimal("4275"),
        gross_total=Decimal("26775"),
    )
    first = page_texts(render.to_pdf(doc))[0]
    assert "Total (JPY) 26,775" in first
    assert "1.50 h 15,000 19% 22,500" in first


def test_same_document_gives_the_same_bytes(rendered: bytes) -> None:
    assert render.to_pdf(make_invoice()) == rendered


def test_pdf_is_pdf_a_3b_dated_on_the_issue_date(rendered: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(rendered))
    xmp = reader.xmp_metadata
    assert xmp is not None
    text = xmp.stream.get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", text)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", text)
    assert "/OutputIntents" in reader.root_object
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Invoice INV-2027-0001"
    assert meta.author == "Jane Doe Web Consulting"
    assert str(meta["/CreationDate"]).startswith("D:20270201000000")


def test_only_shipped_fonts_are_embedded(rendered: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(rendered))
    names = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert names
    assert all(n.startswith(("CharisSIL", "Inter")) for n in names), names


def test_template_reads_values_only_from_sys_inputs() -> None:
    source = render.TEMPLATE.read_text(encoding="utf-8")
    assert "json(bytes(sys.inputs.doc))" in source
    assert "@preview" not in source
    assert "#import" not in source


def test_png_pages_match_pdf_pages(pages: list[str]) -> None:
    images = render.to_png_pages(make_invoice(), ppi=30)
    assert len(images) == len(pages)
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in images)


def test_typst_errors_name_the_invoice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "invoice.typ"
    broken.write_text("#let doc = json(bytes(sys.inputs.doc))\n#doc.missing\n")
    monkeypatch.setattr(render, "TEMPLATE", broken)
    with pytest.raises(render.PdfRenderError) as info:
        render.to_pdf(make_invoice())
    message = str(info.value)
    assert message.startswith("typst could not render invoice INV-2027-0001:")
    assert 'does not contain key "missing"' in message


def test_sample_figures_add_up() -> None:
    doc: InvoiceDocument = make_invoice()
    assert sum(line.amount for line in doc.lines) == doc.net_total
    assert doc.net_total + doc.tax_total == doc.gross_total
    for line in doc.lines:
        assert sum((r.amount for r in line.time_rows), Decimal(0)) in (
            line.amount,
            Decimal(0),
        )
        assert sum(r.rounded_seconds for r in line.time_rows) == line.rounded_seconds
    assert doc.period_start <= date(2027, 1, 5) <= doc.period_end


def test_docs_show_the_first_page_of_the_sample_invoice() -> None:
    root = Path(__file__).resolve().parents[2]
    image = root / "docs" / "images" / "invoice-example-page1.png"
    assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page = (root / "docs" / "billing.md").read_text(encoding="utf-8")
    assert "## 10. Invoice documents" in page
    assert "(images/invoice-example-page1.png)" in page
    assert "scripts/render_invoice_png.py" in page
