"""Any text renders: the fallback fonts (Arabic, Hebrew, Thai, CJK, emoji) and,
for a character no shipped font has, its code point in brackets. Shared by the
contract and the invoice (`slakeeper.typesetting`)."""

from __future__ import annotations

import io
import unicodedata

import pypdf
import pytest

from slakeeper import typesetting
from slakeeper.agreement import pdf
from slakeeper.agreement.document import BulletList, Paragraph, Section, Table
from slakeeper.invoicing import render
from tests.agreement.test_pdf import make_doc
from tests.invoicing.sample import make_invoice

# What users type beyond Latin: an emoji (with skin tone, with a variation
# selector, a ZWJ family), Chinese/Japanese/Korean, Arabic (right to left),
# Hebrew, Thai, Greek, Cyrillic and combining marks.
WORLD = "Bug 🐛 👍🏽 ✅️ 👨‍👩‍👧 漢字 かな 한글 مرحبا שלום สวัสดี Ωμέγα Жук q̃ ẹ̀ n̈"
# Unicode 13 emoji that no shipped font has: always shown as its code point.
MISSING = "🥲"


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def assert_shows_any_script(data: bytes, *also: str) -> None:
    """The PDF `data` shows each script of WORLD and MISSING bracketed."""
    text = text_of(data)
    for expected in ("漢字", "かな", "한글", "🐛", "Жук", "[U+1F972]", *also):
        assert expected in text, expected
    assert MISSING not in text
    # Right-to-left words come out in visual or logical order depending on
    # the reader; the letters are there either way.
    assert set("مرحبا") <= set(text)
    assert set("שלום") <= set(text)


def test_displayable_keeps_what_a_font_has() -> None:
    for text in ("Plain Müller € — Москва", WORLD, "tab\tnew\nline\u200b\u00ad"):
        assert typesetting.displayable(text) == text


def test_displayable_brackets_what_no_font_has() -> None:
    assert typesetting.displayable(f"smile {MISSING}!") == "smile [U+1F972]!"
    assert typesetting.displayable("bell \x07") == "bell [U+0007]"
    assert typesetting.displayable("\U0010fffd") == "[U+10FFFD]"


def test_coverage_is_read_from_the_fonts() -> None:
    covered = typesetting.shipped_coverage()
    for char in "Aé€Жω漢か한مש฿🐛✅\ufffd":
        assert ord(char) in covered, char
    assert ord(MISSING) not in covered


def test_displayable_keeps_a_mark_only_with_a_font_of_its_base() -> None:
    # U+1DE9 (combining beta) is in Inter only, U+1DAC (ɱ modifier) in
    # Charis SIL only: no font draws them as one.
    assert typesetting.displayable("e\u0301") == "e\u0301"
    assert typesetting.displayable("e\u1de9") == "e\u1de9"
    assert typesetting.displayable("\u1dac\u1de9") == "\u1dac[U+1DE9]"
    assert typesetting.displayable("\U0001f972\u0301") == "[U+1F972][U+0301]"


def test_every_character_kept_renders_as_pdf_a() -> None:
    """The rule and typst agree: a text of every 61st code point, with what no
    font has bracketed, passes typst's PDF/A-3b check (which fails on any
    character it cannot display)."""
    sample = "".join(
        chr(c) for c in range(0x20, 0x30000, 61) if unicodedata.category(chr(c)) != "Cs"
    )
    # An invoice is PDF/A-3b; its notes are plain text.
    render.to_pdf(make_invoice(notes=(sample,)))


@pytest.fixture(scope="module")
def world_contract() -> bytes:
    text = f"{WORLD} {MISSING}"
    doc = make_doc(
        title=f"Care for {text}",
        parties=(f"Jane {WORLD}", f"Acme {MISSING} 漢字"),
        effective=f"1 January 2027 {WORLD}",
        version=f"2 {MISSING}",
        sections=(
            Section(
                f"Summary {text}",
                (
                    Paragraph(f"We look after {text}."),
                    Table(
                        (f"Priority {WORLD}", "Reply", "Fix"),
                        ((f"Critical {text}", "1 h 漢", "8 h 🐛"),),
                    ),
                    BulletList((f"Milestone {text}", f"Service {WORLD}")),
                ),
                anchor="summary",
            ),
        ),
        signatories=(
            ("provider", f"Jane {text}", f"Lead {WORLD}"),
            (f"Acme {MISSING} 漢字", f"Max {text}", "مدير"),
        ),
    )
    return pdf.to_pdf(doc)


def test_contract_in_any_script_renders_every_field(world_contract: bytes) -> None:
    # (pypdf reads Thai clusters back garbled, so Thai is only looked at.)
    assert_shows_any_script(world_contract, "Ωμέγα", "مدير")


def test_contract_embeds_the_fallback_fonts(world_contract: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(world_contract))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]  # type: ignore[index]
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    for family in ("CharisSIL", "NotoSansArabic", "NotoSansCJK", "Symbola"):
        assert any(n.startswith(family) for n in names), (family, names)


def test_every_font_ships_with_its_licence_and_is_listed() -> None:
    fonts = typesetting.FONT_DIR
    listing = (fonts / "FONTS.md").read_text(encoding="utf-8")
    licences = {p.name for p in fonts.glob("*-LICENSE.txt")}
    for path in fonts.iterdir():
        if path.suffix in {".ttf", ".otf"}:
            family = path.stem.split("-")[0]
            assert family in listing, path.name
            assert any(family.startswith(n.split("-")[0]) for n in licences), path
    for licence in ("Noto-LICENSE.txt", "NotoSansCJK-LICENSE.txt"):
        text = (fonts / licence).read_text(encoding="utf-8")
        assert "OFL" in text or "Open Font License" in text
