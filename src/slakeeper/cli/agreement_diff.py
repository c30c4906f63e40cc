"""`slakeeper agreement diff OLD NEW`: what changed between two versions of an
agreement, in plain English and in the order of the contract.

The command always exits 0 when both files load, whether or not they differ:
it reports, it does not judge. A file that cannot be loaded raises `SourceError`,
which the command line turns into `error:` lines and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slakeeper.agreement import load
from slakeeper.agreement.diff import diff_agreements, to_json, to_markdown

__all__ = ["FORMATS", "diff"]

FORMATS = ("md", "json")


def diff(
    old: Annotated[
        Path, typer.Argument(help="The earlier version of the agreement file.")
    ],
    new: Annotated[
        Path, typer.Argument(help="The later version of the agreement file.")
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="md: a Markdown list grouped by section; json: the changes with "
            "their section, path, kind, old and new values and text.",
        ),
    ] = "md",
) -> None:
    """List what changed from OLD to NEW, in plain English, in contract order.

    Exit code 0 whether or not the versions differ ("No changes." when they
    don't); 2 when a file cannot be loaded or --format is unknown.
    """
    if format not in FORMATS:
        raise typer.BadParameter(
            f"{format!r} is not one of {', '.join(FORMATS)}", param_hint="--format"
        )
    changes = diff_agreements(load(old), load(new))
    if format == "json":
        typer.echo(to_json(changes), nl=False)
    else:
        typer.echo(to_markdown(changes, f"Changes from {old} to {new}"), nl=False)
