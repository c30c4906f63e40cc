"""The PDF writer: a `ContractDocument` laid out by typst.

The layout lives in `typst/contract.typ` beside this module. The document
reaches it as one JSON string in `sys.inputs` and is never pasted into markup,
so no text in an agreement file can break or change the layout. Only the fonts
shipped in `typst/fonts/` are used (system fonts are ignored), no package is
imported and the creation date is fixed, so the same document always renders
to the same bytes, on any machine. The typst call itself is shared with the
invoice PDF (`slakeeper.typesetting`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from slakeeper.agreement.document import (
    Block,
    BulletList,
    ContractDocument,
    Paragraph,
    Table,
)
from slakeeper.typesetting import FIXED_TIMESTAMP, FONT_DIR, PdfRenderError, typeset

__all__ = [
    "FONT_DIR",
    "TEMPLATE",
    "PdfRenderError",
    "to_pdf",
    "to_png_pages",
]

TEMPLATE = Path(__file__).with_name("typst") / "contract.typ"

_SIDES = ("provider", "client")


def to_pdf(doc: ContractDocument) -> bytes:
    """The contract as PDF bytes: the same document gives the same bytes."""
    return _compile(doc, "pdf")[0]


def to_png_pages(doc: ContractDocument, ppi: float = 110.0) -> list[bytes]:
    """Each page of the contract as a PNG image (for previews in the docs)."""
    return _compile(doc, "png", ppi=ppi)


def document_json(doc: ContractDocument) -> str:
    """The document as the JSON string the template decodes."""
    return json.dumps(_as_data(doc), ensure_ascii=False, separators=(",", ":"))


def _compile(
    doc: ContractDocument, fmt: Literal["pdf", "png"], ppi: float | None = None
) -> list[bytes]:
    return typeset(
        TEMPLATE,
        document_json(doc),
        what="the contract",
        fmt=fmt,
        ppi=ppi,
        # The template also sets `document(date: none)`, so the PDF carries
        # no date of its own.
        timestamp=FIXED_TIMESTAMP,
    )


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
