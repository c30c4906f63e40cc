"""`slakeeper agreement render FILE`: the plain-English contract as Markdown,
HTML or PDF.

A plain function; the `agreement` command group registers it as `render`.
Loading errors (`SourceError`) propagate to the root command, which prints them
and exits with 2.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from slakeeper.agreement.load import load_document
from slakeeper.agreement.readability import contract_prose, reading_ease
from slakeeper.agreement.render import build_contract, to_html, to_markdown
from slakeeper.cli.output import write_output

__all__ = ["Format", "render"]


class Format(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


def render(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", dir_okay=False, help="The agreement file to render."
        ),
    ],
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="Output format: md, html or pdf.",
        ),
    ] = Format.md,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            dir_okay=False,
            help="Write to FILE (default: standard output for md and html,"
            " NAME.pdf beside the input for pdf).",
        ),
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats",
            help="Print the Flesch reading ease and word and sentence counts"
            " to standard error.",
        ),
    ] = False,
) -> None:
    """Render the contract both parties read and sign."""
    loaded = load_document(file)
    doc = build_contract(loaded)
    if stats:
        ease = reading_ease(contract_prose(doc))
        typer.echo(
            f"reading ease: {ease.score:.1f}"
            f" ({ease.words} words, {ease.sentences} sentences,"
            f" {ease.syllables} syllables)",
            err=True,
        )
    if format is Format.pdf:
        from slakeeper.agreement.pdf import to_pdf

        data = to_pdf(doc)
        write_output(out or file.with_suffix(".pdf"), data)
        return
    text = to_markdown(doc) if format is Format.md else to_html(doc)
    if out is None:
        typer.echo(text, nl=False)
        return
    write_output(out, text)
