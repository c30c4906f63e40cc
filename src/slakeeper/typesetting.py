"""Typst typesetting shared by every PDF slakeeper writes (the contract, the
invoice): one compile call with only the fonts shipped in the package, a fixed
creation time, and typst's errors and warnings turned into one exception that
carries typst's diagnostics.

A template receives its document as one JSON string in `sys.inputs.doc` and
never has it pasted into markup, so no text in the data can change a layout.

Every text renders: the shipped fonts cover Latin, Greek, Cyrillic (Charis SIL,
Inter), Arabic, Hebrew, Thai, everyday Chinese, Japanese and Korean (Noto) and
emoji and symbols (Symbola), and a character that none of them has is shown as
its code point in brackets (`[U+1F972]`) instead of failing the PDF/A check or
printing an empty box (`displayable`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import struct
import unicodedata
from pathlib import Path
from typing import Literal

import typst

from slakeeper.errors import InternalError

__all__ = [
    "FIXED_TIMESTAMP",
    "FONT_DIR",
    "PdfRenderError",
    "PdfStandard",
    "displayable",
    "shipped_coverage",
    "typeset",
]

# The fonts with their licences (FONTS.md there says which and why); the
# contract shipped them first, so they live beside its template.
FONT_DIR = Path(__file__).with_name("agreement") / "typst" / "fonts"

# Stamped as the creation time wherever typst would use the clock, unless the
# caller gives a date of its own (an invoice uses its issue date).
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

PdfStandard = Literal["a-3b"]


class PdfRenderError(InternalError, RuntimeError):
    """Typst could not lay out a document; the message carries its diagnostics.
    Our templates lay out any valid document, so this is a bug."""

    code = "render_failed"


def typeset(
    template: Path,
    data: str,
    *,
    what: str,
    fmt: Literal["pdf", "png"] = "pdf",
    ppi: float | None = None,
    pdf_standard: PdfStandard | None = None,
    timestamp: dt.datetime = FIXED_TIMESTAMP,
) -> list[bytes]:
    """Lay out `template` with `data` (the JSON string the template decodes from
    `sys.inputs.doc`): the PDF as one item, or one PNG per page. Each string in
    `data` is passed through `displayable` first.

    `what` names the document in error messages (`the contract`). Any typst
    warning is an error too: the layout is ours, so a warning is a bug (the
    likeliest, "unknown font family", means the shipped fonts are missing).
    """
    try:
        out, warnings = typst.compile_with_warnings(
            template,
            root=template.parent,
            font_paths=[FONT_DIR],
            ignore_system_fonts=True,
            format=fmt,
            ppi=ppi,
            sys_inputs={"doc": _displayable_json(data)},
            pdf_standards=[pdf_standard] if pdf_standard else [],
            timestamp=timestamp,
        )
    except typst.TypstError as exc:
        raise PdfRenderError(
            f"typst could not render {what}: " + _describe(exc)
        ) from exc
    if warnings:
        raise PdfRenderError(
            f"typst warned while rendering {what}: "
            + "; ".join(_describe(w) for w in warnings)
        )
    if isinstance(out, bytes):
        return [out]
    if out is None:  # pragma: no cover - typst returns bytes when no path is given
        raise PdfRenderError(f"typst returned nothing for {what}")
    return list(out)


def _describe(exc: typst.TypstError | typst.TypstWarning) -> str:
    parts = [str(exc.message)]
    diagnostic = getattr(exc, "diagnostic", "")
    if diagnostic and diagnostic != exc.message:
        parts.append(str(diagnostic).strip())
    parts.extend(f"hint: {h}" for h in getattr(exc, "hints", None) or ())
    return "\n".join(parts)


# -- characters no shipped font has ------------------------------------------------

# What typst lays out without a glyph: the white-space controls and line or
# paragraph separators it breaks on, and Unicode's default-ignorable code points
# (joiners, variation selectors, bidi controls, tags: DerivedCoreProperties.txt),
# which shaping hides. Every other character needs a glyph in a shipped font,
# or typst's PDF/A check fails ("could not be displayed") and a plain PDF shows
# an empty box.
_NO_GLYPH_NEEDED: tuple[tuple[int, int], ...] = (
    (0x09, 0x0D),
    (0x85, 0x85),
    (0xAD, 0xAD),
    (0x34F, 0x34F),
    (0x61C, 0x61C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def displayable(text: str) -> str:
    """`text` with each character that no shipped font can show replaced by its
    code point in brackets (`"🥲"` becomes `"[U+1F972]"`); the rest is kept as
    it is, so a text the fonts cover comes back unchanged.

    Typst draws a base character and the combining marks after it with one
    font, so a mark is kept only where a font has it together with its base
    (`"ẹ̀"` stays; a mark that only another font has is bracketed)."""
    covered = shipped_coverage()
    if all(ord(c) in covered and not _is_mark(c) for c in text):
        return text
    shown: list[str] = []
    start = 0
    while start < len(text):
        end = start + 1
        while end < len(text) and _is_mark(text[end]):
            end += 1
        shown.append(_displayable_cluster(text[start:end]))
        start = end
    return "".join(shown)


def _displayable_cluster(cluster: str) -> str:
    """A base character and the marks after it, as `displayable` shows them."""
    codes = [ord(c) for c in cluster if not _needs_no_glyph(ord(c))]
    families = _family_coverage()
    if any(all(c in family for c in codes) for family in families):
        return cluster
    base, kept = cluster[0], 1
    if _needs_no_glyph(ord(base)) or _is_mark(base):
        font: frozenset[int] = shipped_coverage()
    else:
        font = next((f for f in families if ord(base) in f), frozenset())
        if ord(base) not in font:
            return "".join(_shown_alone(c) for c in cluster)
    while kept < len(cluster) and (
        ord(cluster[kept]) in font or _needs_no_glyph(ord(cluster[kept]))
    ):
        kept += 1
    return cluster[:kept] + "".join(_bracketed(c) for c in cluster[kept:])


def _shown_alone(char: str) -> str:
    if _needs_no_glyph(ord(char)):
        return char
    return _bracketed(char)


def _bracketed(char: str) -> str:
    return f"[U+{ord(char):04X}]"


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in {"Mn", "Mc", "Me"} and not _needs_no_glyph(
        ord(char)
    )


def _needs_no_glyph(code: int) -> bool:
    return any(low <= code <= high for low, high in _NO_GLYPH_NEEDED)


def _displayable_json(data: str) -> str:
    value = json.loads(data)
    shown = _displayable_value(value)
    if shown == value:
        return data
    return json.dumps(shown, ensure_ascii=False, separators=(",", ":"))


def _displayable_value(value: object) -> object:
    if isinstance(value, str):
        return displayable(value)
    if isinstance(value, list):
        return [_displayable_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _displayable_value(v) for k, v in value.items()}
    return value


@functools.cache
def shipped_coverage() -> frozenset[int]:
    """Every code point that some font family in `FONT_DIR` has a glyph for."""
    return frozenset().union(*_family_coverage())


@functools.cache
def _family_coverage() -> tuple[frozenset[int], ...]:
    """What each font family in `FONT_DIR` covers, in every one of its styles
    (typst picks the style first, then looks for the glyph): the code points
    all of its files (`Family-Style.ttf`) map to a glyph."""
    families: dict[str, frozenset[int]] = {}
    for path in sorted(FONT_DIR.iterdir()):
        if path.suffix in {".ttf", ".otf"}:
            family = path.stem.split("-")[0]
            codes = frozenset(_cmap(path.read_bytes()))
            families[family] = families.get(family, codes) & codes
    return tuple(families.values())


def _cmap(font: bytes) -> set[int]:
    """The code points a TrueType/OpenType font maps to a glyph other than
    .notdef, read from its Unicode `cmap` subtables (formats 4 and 12)."""
    (num_tables,) = struct.unpack_from(">H", font, 4)
    cmap = next(
        (
            offset
            for tag, _, offset, _ in (
                struct.unpack_from(">4sIII", font, 12 + 16 * i)
                for i in range(num_tables)
            )
            if tag == b"cmap"
        ),
        None,
    )
    if cmap is None:
        raise PdfRenderError("a shipped font has no cmap table")
    covered: set[int] = set()
    (count,) = struct.unpack_from(">H", font, cmap + 2)
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", font, cmap + 4 + 8 * i)
        if (platform, encoding) not in {(0, 3), (0, 4), (3, 1), (3, 10)}:
            continue
        table = cmap + offset
        (fmt,) = struct.unpack_from(">H", font, table)
        if fmt == 4:
            covered |= _format4(font, table)
        elif fmt == 12:
            covered |= _format12(font, table)
    return covered


def _format4(font: bytes, table: int) -> set[int]:
    (seg_x2,) = struct.unpack_from(">H", font, table + 6)
    ends = table + 14
    starts = ends + seg_x2 + 2
    deltas = starts + seg_x2
    range_offsets = deltas + seg_x2
    covered: set[int] = set()
    for seg in range(0, seg_x2, 2):
        (end,) = struct.unpack_from(">H", font, ends + seg)
        (start,) = struct.unpack_from(">H", font, starts + seg)
        (delta,) = struct.unpack_from(">H", font, deltas + seg)
        at = range_offsets + seg
        (range_offset,) = struct.unpack_from(">H", font, at)
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                (glyph,) = struct.unpack_from(
                    ">H", font, at + range_offset + 2 * (code - start)
                )
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                covered.add(code)
    return covered


def _format12(font: bytes, table: int) -> set[int]:
    (groups,) = struct.unpack_from(">I", font, table + 12)
    covered: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", font, table + 16 + 12 * i)
        # A group starting at glyph 0 maps its first code point to .notdef.
        covered.update(range(start + (glyph == 0), end + 1))
    return covered
