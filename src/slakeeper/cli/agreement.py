"""`slakeeper agreement ...`: work with agreement files.

`check` validates and lints a file; `schema` prints the JSON Schema of the
agreement format, which editors use for completion and validation
(schema/agreement.schema.json is the same text).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from slakeeper.agreement import load_document
from slakeeper.agreement.lint import Finding, Severity, check
from slakeeper.agreement.load import InvalidAgreement
from slakeeper.agreement.schema import Agreement
from slakeeper.cli.agreement_diff import diff
from slakeeper.cli.agreement_new import new
from slakeeper.cli.agreement_render import render
from slakeeper.cli.agreement_store import register as register_stored
from slakeeper.cli.output import write_output
from slakeeper.yamlsource import SourceError

__all__ = ["SCHEMA_DIALECT", "SCHEMA_TITLE", "agreement_json_schema", "app"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "slakeeper agreement file"

app = typer.Typer(
    name="agreement",
    help="Agreements: write a file (new, check, render, diff, schema) and take it"
    " through review and approval (import, submit, comment, approve, reject, amend,"
    " history, show).",
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
    write_output(out, text)


def _today() -> date:
    return datetime.now(UTC).astimezone().date()


@app.command("check")
def check_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The agreement file to check.")
    ],
    today: Annotated[
        datetime | None,
        typer.Option(
            "--today",
            formats=["%Y-%m-%d"],
            metavar="DATE",
            help="Check as of this date (YYYY-MM-DD; default: today), so results"
            " are reproducible.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as problems (exit 1).")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as JSON.")
    ] = False,
) -> None:
    """Validate an agreement file and flag what a careful reviewer would.

    Exit codes: 2 when the file does not parse or validate (every problem is
    listed with file:line:column, and the lint findings of the sections without
    one), 1 when there are lint errors (or warnings, with --strict), 0 otherwise.
    """
    as_of = today.date() if today is not None else _today()
    try:
        loaded = load_document(file)
    except SourceError as exc:
        # the checks that read no section with a problem still run
        partial = exc.partial if isinstance(exc, InvalidAgreement) else None
        found = [] if partial is None else check(partial, today=as_of)
        if not as_json:
            _echo_findings(found)
            raise
        rows = [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "path": p.dotted_path,
                "message": p.message,
            }
            for p in exc.problems
        ]
        body = {"problems": rows, "valid": False, "findings": _finding_rows(found)}
        typer.echo(json.dumps(body, indent=2))
        raise typer.Exit(2) from None
    findings = check(loaded, today=as_of)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "valid": True,
                    "findings": _finding_rows(findings),
                    "errors": errors,
                    "warnings": warnings,
                },
                indent=2,
            )
        )
    else:
        _echo_findings(findings)
        summary = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
        typer.echo(f"{file}: {summary}" if findings else f"{file}: no problems found")
    if errors or (strict and warnings):
        raise typer.Exit(1)


def _finding_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {
            "code": f.code,
            "severity": str(f.severity),
            "file": f.where.file,
            "line": f.where.line,
            "column": f.where.column,
            "path": f.where.dotted_path,
            "message": f.message,
            "fix": f.fix,
        }
        for f in findings
    ]


def _echo_findings(findings: list[Finding]) -> None:
    for f in findings:
        typer.echo(
            f"{f.location} {f.severity} {f.code} {f.where.dotted_path}: {f.message}"
        )
        typer.echo(f"    fix: {f.fix}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


app.command("new")(new)
app.command("diff")(diff)
app.command("render")(render)
register_stored(app)
