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
        Path | None,
        typer.Argument(
            metavar="[FILE]",
            dir_okay=False,
            help="The agreement file to render (or use --client for a stored one).",
        ),
    ] = None,
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
    client: Annotated[
        str | None,
        typer.Option(
            "--client",
            "-c",
            metavar="NAME",
            help="Render the client's stored agreement instead of a file; its"
            " footer shows the stored hash, the approvers and the audit head.",
        ),
    ] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", "-v", metavar="N", help="With --client: version N."),
    ] = None,
) -> None:
    """Render the contract both parties read and sign."""
    if (file is None) == (client is None):
        raise typer.BadParameter("give either FILE or --client NAME", param_hint="FILE")
    if client is not None:
        from slakeeper.cli.agreement_store import stored_contract

        doc = stored_contract(client, version)
        default_pdf = Path(f"{client}-v{version or 'latest'}.pdf".replace(" ", "-"))
    else:
        assert file is not None
        doc = build_contract(load_document(file))
        default_pdf = file.with_suffix(".pdf")
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
        write_output(out or default_pdf, data)
        return
    text = to_markdown(doc) if format is Format.md else to_html(doc)
    if out is None:
        typer.echo(text, nl=False)
        return
    write_output(out, text)
