"""Typst typesetting shared by every PDF slakeeper writes (the contract, the
invoice): one compile call with only the fonts shipped in the package, a fixed
creation time, and typst's errors and warnings turned into one exception that
carries typst's diagnostics.

A template receives its document as one JSON string in `sys.inputs.doc` and
never has it pasted into markup, so no text in the data can change a layout.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import typst

from slakeeper.errors import InternalError

__all__ = [
    "FIXED_TIMESTAMP",
    "FONT_DIR",
    "PdfRenderError",
    "PdfStandard",
    "typeset",
]

# The OFL fonts (Charis SIL, Inter) with their licences; the contract shipped
# them first, so they live beside its template.
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
    `sys.inputs.doc`): the PDF as one item, or one PNG per page.

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
            sys_inputs={"doc": data},
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
