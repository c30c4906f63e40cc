"""Render the example agreement to PDF and save its first page as a PNG.

Run `python scripts/render_example_pdf_png.py` after changing the contract's
layout or wording, so the picture in the docs shows what a reader gets. The PDF
is written to a temporary folder (or to `--pdf PATH`); the page image comes
from typst's own PNG output of the same document, so no PDF rasteriser is
needed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from slakeeper.agreement import load_document
from slakeeper.agreement.pdf import to_pdf, to_png_pages
from slakeeper.agreement.render import build_contract

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "agreement.yaml"
IMAGE = ROOT / "docs" / "images" / "contract-example-page1.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("agreement", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--png", type=Path, default=IMAGE, help="first page image")
    parser.add_argument("--pdf", type=Path, help="keep the PDF here")
    parser.add_argument("--ppi", type=float, default=110.0)
    args = parser.parse_args(argv)

    doc = build_contract(load_document(args.agreement))
    data = to_pdf(doc)
    with tempfile.TemporaryDirectory() as tmp:
        target = args.pdf or Path(tmp) / (args.agreement.stem + ".pdf")
        target.write_bytes(data)
        pages = to_png_pages(doc, ppi=args.ppi)
        args.png.parent.mkdir(parents=True, exist_ok=True)
        args.png.write_bytes(pages[0])
        sys.stdout.write(
            f"{target}: {len(data)} bytes, {len(pages)} pages; "
            f"page 1 saved as {args.png}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
