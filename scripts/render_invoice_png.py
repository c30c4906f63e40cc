"""Render the sample invoice to PDF and save its first page as a PNG.

Run `python scripts/render_invoice_png.py` after changing the invoice's layout,
so the picture in docs/billing.md shows what a client gets. The sample is the
one the tests use (tests/invoicing/sample.py: Jane Doe Web Consulting bills
Acme GmbH for January 2027). The page image comes from typst's own PNG output
of the same document, so no PDF rasteriser is needed. `--pdf` and `--facturx`
keep the plain and the Factur-X PDF, `--xml` the EN 16931 XML.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the tests' sample invoice

from tests.invoicing.sample import make_invoice  # noqa: E402

from slakeeper.invoicing.render import (  # noqa: E402
    facturx_xml,
    to_facturx_pdf,
    to_pdf,
    to_png_pages,
)

IMAGE = ROOT / "docs" / "images" / "invoice-example-page1.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, default=IMAGE, help="first page image")
    parser.add_argument("--pdf", type=Path, help="keep the PDF here")
    parser.add_argument("--facturx", type=Path, help="keep the Factur-X PDF here")
    parser.add_argument("--xml", type=Path, help="keep the EN 16931 XML here")
    parser.add_argument("--ppi", type=float, default=110.0)
    args = parser.parse_args(argv)

    doc = make_invoice()
    pages = to_png_pages(doc, ppi=args.ppi)
    args.png.parent.mkdir(parents=True, exist_ok=True)
    args.png.write_bytes(pages[0])
    for path, write in ((args.pdf, to_pdf), (args.facturx, to_facturx_pdf)):
        if path:
            path.write_bytes(write(doc))
    if args.xml:
        args.xml.write_bytes(facturx_xml(doc))
    sys.stdout.write(f"{doc.number}: {len(pages)} pages; page 1 saved as {args.png}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
