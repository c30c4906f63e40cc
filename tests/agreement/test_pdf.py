"""The PDF writer: content, literal text, fonts, determinism and errors."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pypdf
import pytest

from slakeeper.agreement import pdf
from slakeeper.agreement.document import (
    BulletList,
    ContractDocument,
    Paragraph,
    Section,
    Table,
)

SHA = "3f7a" * 16
# Everything that means something in Typst markup or code, in one line.
INJECTION = r'#set page(paper: "a6") $x^2$ *bold* _it_ ] [ \ <tag> @ref // note = H'


def make_doc(**changes: object) -> ContractDocument:
    fields: dict[str, object] = {
        "title": "Website care and development for Acme GmbH",
        "parties": ("Jane Doe Web Consulting", "Acme GmbH"),
        "effective": "1 January 2027",
        "sha256": SHA,
        "version": "2",
        "sections": (
            Section(
                "Summary",
                (
                    Paragraph("We look after your website. " + INJECTION),
                    Table(
                        ("Priority", "We reply within", "We fix within"),
                        (
                            ("Critical", "1 working hour", "8 working hours"),
                            ("High", "4 working hours", "2 business days"),
                        ),
                    ),
                ),
                anchor="summary",
            ),
            Section(
                "Your part",
                (
                    BulletList(
                        (
                            "You pay invoices within 14 days.",
                            "You answer our questions within 2 business days.",
                            INJECTION,
                        )
                    ),
                    Paragraph("Credits for Müller & Söhne: € 1.250,00 — Москва."),
                ),
                anchor="client",
            ),
        ),
        "signatories": (
            ("provider", "Jane Doe", "Lead"),
            ("Acme GmbH", "Max Mustermann", "Approver"),
        ),
    }
    fields.update(changes)
    return ContractDocument(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return pdf.to_pdf(make_doc())


def page_texts(data: bytes) -> list[str]:
    """Each page's text, with line breaks and runs of spaces as one space."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_pdf_holds_title_parties_table_cells_and_sha(rendered: bytes) -> None:
    assert rendered.startswith(b"%PDF-")
    text = " ".join(page_texts(rendered))
    for expected in (
        "Website care and development for Acme GmbH",
        "Jane Doe Web Consulting",
        "Acme GmbH",
        "1 January 2027",
        "We reply within",  # a header cell
        "4 working hours",  # a body cell
        "2 business days",
        "You pay invoices within 14 days.",
        SHA,
        "Müller & Söhne: € 1.250,00 — Москва.",
    ):
        assert expected in text


def test_markup_in_values_is_shown_literally(rendered: bytes) -> None:
    text = " ".join(page_texts(rendered))
    assert text.count(INJECTION) == 2  # the paragraph and the list item
    # Had `#set page(paper: "a6")` run, the pages would have shrunk.
    reader = pypdf.PdfReader(io.BytesIO(rendered))
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595  # A4: 210 mm
        assert round(float(page.mediabox.height)) == 842  # A4: 297 mm


def test_markup_in_title_parties_and_version_is_literal() -> None:
    doc = make_doc(
        title="*Title* #" + "x",
        parties=("_We_ $1$", "<You> @all"),
        version="v]1[ //",
        signatories=(),
    )
    text = " ".join(page_texts(pdf.to_pdf(doc)))
    for expected in ("*Title* #x", "_We_ $1$", "<You> @all", "v]1[ //"):
        assert expected in text


def test_every_page_has_version_sha_and_page_number() -> None:
    many = tuple(
        Section(f"Part {i}", (Paragraph("A sentence that fills the page. " * 40),))
        for i in range(8)
    )
    texts = page_texts(pdf.to_pdf(make_doc(sections=many)))
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert SHA in text
        assert "Version 2" in text
        assert f"Page {number} of {len(texts)}" in text


def test_signature_block_for_both_parties(rendered: bytes) -> None:
    last = page_texts(rendered)[-1]
    assert "Signatures" in last
    for expected in ("Jane Doe", "Lead", "Max Mustermann", "Approver"):
        assert expected in last
    assert last.count("Signature ") >= 2
    assert last.count("Date") >= 2


def test_parties_without_signatories_still_get_signature_lines() -> None:
    last = page_texts(pdf.to_pdf(make_doc(signatories=())))[-1]
    assert last.count("Signature") >= 3  # the heading and one line per party
    assert last.count("Name") >= 2


def test_same_document_gives_the_same_bytes(rendered: bytes) -> None:
    assert pdf.to_pdf(make_doc()) == rendered


def test_same_bytes_in_another_process(rendered: bytes, tmp_path: Path) -> None:
    out = tmp_path / "again.pdf"
    script = (
        "import sys; from tests.agreement.test_pdf import make_doc;"
        "from slakeeper.agreement.pdf import to_pdf;"
        "open(sys.argv[1], 'wb').write(to_pdf(make_doc()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", script, str(out)], check=True, cwd=root, env=env
    )
    assert out.read_bytes() == rendered


def test_no_creation_date_and_metadata_from_document(rendered: bytes) -> None:
    meta = pypdf.PdfReader(io.BytesIO(rendered)).metadata
    assert meta is not None
    assert meta.title == "Website care and development for Acme GmbH"
    assert "/CreationDate" not in meta
    assert "/ModDate" not in meta


def test_only_shipped_fonts_are_embedded(rendered: bytes) -> None:
    found = re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/<>\[\]()]+)", rendered)
    names = {n.decode() for n in found}
    assert names
    assert all(n.startswith(("CharisSIL", "Inter")) for n in names), names


def test_template_fonts_and_licences_ship_in_the_package() -> None:
    folder = resources.files("slakeeper.agreement") / "typst"
    assert (folder / "contract.typ").is_file()
    fonts = folder / "fonts"
    files = {f.name for f in fonts.iterdir()}
    assert {
        "CharisSIL-Regular.ttf",
        "CharisSIL-Bold.ttf",
        "Inter-SemiBold.otf",
    } <= files
    for licence in ("CharisSIL-LICENSE.txt", "Inter-LICENSE.txt"):
        assert "Open Font License" in (fonts / licence).read_text(encoding="utf-8")


def test_template_reads_values_only_from_sys_inputs() -> None:
    source = pdf.TEMPLATE.read_text(encoding="utf-8")
    assert "json(bytes(sys.inputs.doc))" in source
    assert "@preview" not in source
    assert "#import" not in source


def test_png_pages_match_pdf_pages(rendered: bytes) -> None:
    pages = pdf.to_png_pages(make_doc(), ppi=30)
    assert len(pages) == len(page_texts(rendered))
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pages)


def test_unknown_signatory_party_is_an_error() -> None:
    doc = make_doc(signatories=(("Someone Else Ltd", "Ann", "CEO"),))
    with pytest.raises(pdf.PdfRenderError, match="Someone Else Ltd"):
        pdf.to_pdf(doc)


def test_ragged_table_is_an_error() -> None:
    table = Table(("A", "B"), (("1", "2"), ("only one",)))
    doc = make_doc(sections=(Section("Broken", (table,)),))
    with pytest.raises(pdf.PdfRenderError, match="1 cells but its header has 2"):
        pdf.to_pdf(doc)


def test_typst_errors_become_a_clear_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "contract.typ"
    broken.write_text("#let doc = json(bytes(sys.inputs.doc))\n#doc.missing\n")
    monkeypatch.setattr(pdf, "TEMPLATE", broken)
    with pytest.raises(pdf.PdfRenderError) as info:
        pdf.to_pdf(make_doc())
    message = str(info.value)
    assert message.startswith("typst could not render the contract:")
    assert 'does not contain key "missing"' in message
    assert "contract.typ:2" in message
    assert isinstance(info.value.__cause__, Exception)


def test_typst_warnings_are_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "contract.typ"
    template.write_text('#set text(font: "No Such Font")\nHello\n')
    monkeypatch.setattr(pdf, "TEMPLATE", template)
    with pytest.raises(pdf.PdfRenderError, match="unknown font family: no such font"):
        pdf.to_pdf(make_doc())
