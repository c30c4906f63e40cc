"""An invoice and a credit note in any script render, as PDF/A-3b and as
Factur-X: what no shipped font has is bracketed on the page and kept as it is
in the XML (an issued invoice is locked, so it must always render)."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdf
import pytest

from slakeeper.invoicing import render
from slakeeper.invoicing.document import InvoiceDocument
from tests.agreement.test_pdf_any_text import assert_shows_any_script
from tests.invoicing.sample import make_credit_note, make_invoice

WORLD = "🐛 👍🏽 漢字 かな 한글 مرحبا שלום Жук q̃ ẹ̀"
MISSING = "🥲"  # Unicode 13: no shipped font has it
TEXT = f"{WORLD} {MISSING}"


def in_any_script(doc: InvoiceDocument) -> InvoiceDocument:
    """`doc` with the text above in every field a user types."""
    lines = tuple(
        replace(
            line,
            description=f"{line.description} {TEXT}",
            time_rows=tuple(
                replace(r, note=f"{r.note} {TEXT}", person=f"{r.person} 漢")
                for r in line.time_rows
            ),
        )
        for line in doc.lines
    )
    party = replace(
        doc.buyer,
        name=f"Acme {TEXT}",
        address_lines=(f"Straße {WORLD}",),
        city=f"München {MISSING} 東京",
    )
    return replace(
        doc,
        buyer=party,
        seller=replace(doc.seller, name=f"Jane {WORLD}"),
        lines=lines,
        agreement_title=f"Care {TEXT}",
        notes=(*doc.notes, f"Note {TEXT}"),
        payment_terms=f"{doc.payment_terms} {WORLD}",
    )


@pytest.fixture(scope="module")
def invoice() -> InvoiceDocument:
    return in_any_script(make_invoice())


@pytest.fixture(scope="module")
def facturx(invoice: InvoiceDocument) -> bytes:
    return render.to_facturx_pdf(invoice)


def test_invoice_in_any_script_renders_as_factur_x(facturx: bytes) -> None:
    assert_shows_any_script(facturx, "Acme", "東京")


def test_factur_x_xml_keeps_the_original_text(facturx: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(facturx))
    names = reader.attachments
    xml = names["factur-x.xml"][0].decode("utf-8")
    assert f"Acme {TEXT}" in xml
    assert "[U+" not in xml


def test_credit_note_with_a_reason_in_any_script_renders() -> None:
    note = in_any_script(make_credit_note())
    note = replace(note, notes=("Storno 漢字", f"Reason {TEXT}"))
    data = render.to_facturx_pdf(note)
    assert_shows_any_script(data, "Storno 漢字", "CN-2027-0001")


def test_plain_latin_invoice_is_unchanged_by_the_fallback() -> None:
    """The fallback fonts are there but unused: only the two house fonts are
    embedded in a Latin invoice."""
    reader = pypdf.PdfReader(io.BytesIO(render.to_pdf(make_invoice())))
    names = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert all(n.startswith(("CharisSIL", "Inter")) for n in names), names
