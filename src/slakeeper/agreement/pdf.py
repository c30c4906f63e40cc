"""The PDF writer: a `ContractDocument` laid out by typst.

The layout lives in `typst/contract.typ` beside this module. The document
reaches it as one JSON string in `sys.inputs` and is never pasted into markup,
so no text in an agreement file can break or change the layout. Only the fonts
shipped in `typst/fonts/` are used (system fonts are ignored), no package is
imported and the creation date is fixed, so the same document always renders
to the same bytes, on any machine.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

import typst

from slakeeper.agreement.document import (
    Block,
    BulletList,
    ContractDocument,
    Paragraph,
    Table,
)

__all__ = [
    "FONT_DIR",
    "TEMPLATE",
    "PdfRenderError",
    "to_pdf",
    "to_png_pages",
]

_TYPST_DIR = Path(__file__).with_name("typst")
TEMPLATE = _TYPST_DIR / "contract.typ"
FONT_DIR = _TYPST_DIR / "fonts"

# Stamped as the creation time wherever typst would use the clock; the template
# also sets `document(date: none)`, so the PDF carries no date of its own.
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

_SIDES = ("provider", "client")


class PdfRenderError(RuntimeError):
    """Typst could not lay out the contract; the message carries its diagnostics."""


def to_pdf(doc: ContractDocument) -> bytes:
    """The contract as PDF bytes: the same document gives the same bytes."""
    out = _compile(doc, "pdf")
    if not isinstance(out, bytes):  # pragma: no cover - typst returns bytes for pdf
        raise PdfRenderError("typst returned no PDF")
    return out


def to_png_pages(doc: ContractDocument, ppi: float = 110.0) -> list[bytes]:
    """Each page of the contract as a PNG image (for previews in the docs)."""
    out = _compile(doc, "png", ppi=ppi)
    if isinstance(out, bytes):
        return [out]
    if out is None:  # pragma: no cover - typst returns bytes when no path is given
        raise PdfRenderError("typst returned no image")
    return list(out)


def document_json(doc: ContractDocument) -> str:
    """The document as the JSON string the template decodes."""
    return json.dumps(_as_data(doc), ensure_ascii=False, separators=(",", ":"))


def _compile(
    doc: ContractDocument, fmt: Literal["pdf", "png"], ppi: float | None = None
) -> bytes | list[bytes] | None:
    try:
        out, warnings = typst.compile_with_warnings(
            TEMPLATE,
            root=TEMPLATE.parent,
            font_paths=[FONT_DIR],
            ignore_system_fonts=True,
            format=fmt,
            ppi=ppi,
            sys_inputs={"doc": document_json(doc)},
            timestamp=FIXED_TIMESTAMP,
        )
    except typst.TypstError as exc:
        raise PdfRenderError(
            "typst could not render the contract: " + _describe(exc)
        ) from exc
    if warnings:
        # The layout is ours, so any warning is a bug; the likeliest, "unknown
        # font family", means the shipped fonts are missing from the install.
        raise PdfRenderError(
            "typst warned while rendering the contract: "
            + "; ".join(_describe(w) for w in warnings)
        )
    return out


def _describe(exc: typst.TypstError | typst.TypstWarning) -> str:
    parts = [str(exc.message)]
    diagnostic = getattr(exc, "diagnostic", "")
    if diagnostic and diagnostic != exc.message:
        parts.append(str(diagnostic).strip())
    parts.extend(f"hint: {h}" for h in getattr(exc, "hints", None) or ())
    return "\n".join(parts)


def _as_data(doc: ContractDocument) -> dict[str, object]:
    provider, client = doc.parties
    return {
        "title": doc.title,
        "parties": [provider, client],
        "effective": doc.effective,
        "sha256": doc.sha256,
        "version": doc.version,
        "sections": [
            {
                "heading": s.heading,
                "anchor": s.anchor,
                "blocks": [_block(b) for b in s.blocks],
            }
            for s in doc.sections
        ],
        "signatories": [
            {"party": doc.parties[_side(doc, party)], "name": name, "role": role}
            for party, name, role in doc.signatories
        ],
    }


def _block(block: Block) -> dict[str, object]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, BulletList):
        return {"kind": "list", "items": list(block.items)}
    if isinstance(block, Table):
        width = len(block.header)
        for row in block.rows:
            if len(row) != width:
                raise PdfRenderError(
                    f"a table row has {len(row)} cells but its header has {width}: "
                    f"{row!r}"
                )
        return {
            "kind": "table",
            "header": list(block.header),
            "rows": [list(r) for r in block.rows],
            "widths": _column_widths(block),
        }
    raise TypeError(f"not a contract block: {block!r}")  # pragma: no cover


# A column whose longest cell has at most this many characters is sized to
# fit (no wrapping); wider columns share the rest in proportion to their
# longest cell, counted up to _WIDE characters.
_SHORT = 18
_WIDE = 60


def _column_widths(table: Table) -> list[int]:
    widths = []
    for i, head in enumerate(table.header):
        longest = max([len(head), *(len(row[i]) for row in table.rows)])
        widths.append(0 if longest <= _SHORT else min(longest, _WIDE))
    if widths and not any(widths):
        widths[-1] = 1  # a table of short values still spans the page
    return widths


def _side(doc: ContractDocument, party: str) -> int:
    """Which party (0 provider, 1 client) a signatory signs for."""
    key = party.strip().casefold()
    for i, (name, word) in enumerate(zip(doc.parties, _SIDES, strict=True)):
        if key in (name.strip().casefold(), word):
            return i
    raise PdfRenderError(
        f"signatory party {party!r} is neither {doc.parties[0]!r} (provider) "
        f"nor {doc.parties[1]!r} (client)"
    )
