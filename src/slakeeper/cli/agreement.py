"""`slakeeper agreement ...`: work with agreement files.

`schema` prints the JSON Schema of the agreement format, which editors use for
completion and validation (schema/agreement.schema.json is the same text).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from slakeeper.agreement.schema import Agreement
from slakeeper.yamlsource import SourceError, SourceProblem

__all__ = ["SCHEMA_DIALECT", "SCHEMA_TITLE", "agreement_json_schema", "app"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "slakeeper agreement file"

app = typer.Typer(
    name="agreement",
    help="Work with agreement files: the JSON Schema of the format.",
    no_args_is_help=True,
)


def agreement_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an agreement file, `$schema` first."""
    body = Agreement.model_json_schema()
    body.pop("title", None)
    head = {"$schema": SCHEMA_DIALECT, "title": SCHEMA_TITLE}
    if "description" in body:
        head["description"] = body.pop("description")
    return {**head, **body}


def agreement_json_schema_text() -> str:
    """`agreement_json_schema()` as indented JSON, ending in a newline."""
    return json.dumps(agreement_json_schema(), indent=2, ensure_ascii=False) + "\n"


@app.command("schema")
def schema(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            dir_okay=False,
            help="Write the schema to FILE instead of printing it.",
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of agreement files, for editors and validators.

    Editors use it for completion and checks as you type; see
    docs/agreement-format.md for how to set one up.
    """
    text = agreement_json_schema_text()
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SourceError(
            [SourceProblem(str(out), f"cannot be written: {reason}")]
        ) from exc
