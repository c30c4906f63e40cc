"""`slakeeper import upwork|toggl|clockify FILE`: time from CSV exports, and
`slakeeper upwork sync|reconcile`: a contract's hours through Upwork's API, and
Upwork's hours beside slakeeper's, per billing week.

Imports are idempotent (a row imported before is "already imported"); a bad row
is reported with its line, and unless `--partial` is given nothing is written
while any row is bad. Exit codes: 0 all good; 1 bad rows were left out with
`--partial` (or, for sync and reconcile, problems or differences were found);
2 bad input, or bad rows that stopped the import.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy.orm import Session

from slakeeper.cli.context import acting, client_named
from slakeeper.core import format_duration
from slakeeper.errors import InvalidInput
from slakeeper.importers.csv_formats import DateOrder, Tool
from slakeeper.importers.importer import ImportResult, RowStatus, import_csv
from slakeeper.importers.reconcile import reconcile
from slakeeper.importers.upwork_api import UpworkClient, sync
from slakeeper.services import time_entries
from slakeeper.services.access import Principal
from slakeeper.settings import load_settings

__all__ = ["import_app", "upwork_app"]

LONG = 200  # rows: a longer import shows a progress bar (on a terminal)

import_app = typer.Typer(
    help="Import time from CSV exports of Upwork, Toggl Track and Clockify.",
    no_args_is_help=True,
)
upwork_app = typer.Typer(
    help="Upwork: sync a contract's hours through its API; reconcile per week.",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path,
    typer.Argument(metavar="FILE", help="The CSV export (`-`: standard input)."),
]
ClientOpt = Annotated[
    str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        metavar="EMAIL",
        help="Book every row to this person (default: the row's e-mail, else you).",
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", help="Show what would happen; write nothing."),
]
PartialOpt = Annotated[
    bool,
    typer.Option("--partial", help="Import the good rows even when some rows are bad."),
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="TZ",
        help="Time zone of the file's local times (default: the agreement's).",
    ),
]
DateOrderOpt = Annotated[
    str | None,
    typer.Option(
        "--date-order",
        metavar="dmy|mdy",
        help="How to read dates like 03/04/2027 when the file does not tell.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _read(file: Path) -> str:
    """The file's text (UTF-8, with or without a byte order mark)."""
    try:
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        return raw.decode("utf-8-sig")
    except OSError as exc:
        raise InvalidInput(
            f"cannot be read: {exc.strerror or exc}", location=str(file)
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"is not UTF-8 (byte {exc.start}); export it as UTF-8",
            location=str(file),
        ) from None


def _user_id(session: Session, principal: Principal, email: str | None) -> int | None:
    return None if email is None else time_entries.user_named(session, principal, email)


def _order(text: str | None) -> DateOrder | None:
    if text is None:
        return None
    clean = text.strip().lower()
    if clean == "dmy":
        return "dmy"
    if clean == "mdy":
        return "mdy"
    raise InvalidInput(f"{text!r} is neither dmy nor mdy", location="--date-order")


def _hours(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    return sign + format_duration(timedelta(seconds=abs(seconds)))


class _Bar:
    """A Rich progress bar on standard error, shown for long imports only."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if total < LONG:
            return
        if self.progress is None:
            self.progress = Progress(
                TextColumn("Importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("rows", total=total)
        assert self.task is not None
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _report(result: ImportResult) -> int:
    """Print the summary (and, for a dry run, every row); the exit code."""
    console = Console(highlight=False, soft_wrap=True)
    out = typer.echo
    out(f"{result.variant}: {len(result.outcomes)} rows")
    if result.unknown_columns:
        out(f"Unknown columns (ignored): {', '.join(result.unknown_columns)}")
    if result.dry_run:
        rows = Table("line", "worked (UTC)", "time", "status", "note or reason")
        for o in result.outcomes:
            rows.add_row(
                str(o.line),
                "" if o.worked_at is None else f"{o.worked_at:%Y-%m-%d %H:%M}",
                _hours(o.seconds) if o.seconds else "",
                o.status.value,
                o.message or o.note,
            )
        console.print(rows)
    summary = Table("", "rows", "time")
    for status in RowStatus:
        seconds = sum(o.seconds for o in result.outcomes if o.status is status)
        label = status.value
        if status is RowStatus.NEW and (result.dry_run or result.stopped):
            label = "new (not written)"
        summary.add_row(
            label,
            str(result.count(status)),
            _hours(seconds) if seconds else "",
        )
    console.print(summary)
    skipped = Counter(
        o.message for o in result.outcomes if o.status is RowStatus.SKIPPED
    )
    for reason, count in sorted(skipped.items()):
        out(f"Skipped {count}: {reason}")
    for o in result.bad:
        out(f"line {o.line}: {o.message}")
    bad = len(result.bad)
    if result.stopped:
        noun = "row is" if bad == 1 else "rows are"
        out(
            f"{bad} {noun} bad: nothing was imported (fix them, or import the"
            " other rows with --partial)."
        )
        return 2
    if result.dry_run:
        out("Dry run: nothing was written.")
    elif not result.written:
        out("Nothing new to import.")
    else:
        new = result.count(RowStatus.NEW)
        out(f"Imported {new} {'entry' if new == 1 else 'entries'}.")
    return 1 if bad else 0


def _import(
    tool: Tool,
    file: Path,
    client: str,
    user: str | None,
    dry_run: bool,
    partial: bool,
    timezone: str | None,
    date_order: str | None,
) -> None:
    text = _read(file)
    order = _order(date_order)
    bar = _Bar()
    try:
        with acting() as (session, principal, now):
            found = client_named(session, principal, client)
            result = import_csv(
                session,
                principal,
                tool=tool,
                text=text,
                client_id=found.id,
                user_id=_user_id(session, principal, user),
                timezone=timezone,
                date_order=order,
                dry_run=dry_run,
                partial=partial,
                now=now,
                progress=bar,
            )
    finally:
        bar.close()
    code = _report(result)
    if code:
        raise typer.Exit(code)


@import_app.command("upwork")
def upwork_command(
    file: FileArg,
    client: ClientOpt,
    user: UserOpt = None,
    dry_run: DryRunOpt = False,
    partial: PartialOpt = False,
    timezone: TimezoneOpt = None,
    date_order: DateOrderOpt = None,
) -> None:
    """Import an Upwork timesheet, transaction history or work diary CSV.

    Hours billed through Upwork are recorded as upwork_tracked or upwork_manual
    and never invoiced by slakeeper. Rows of contracts other than the
    agreement's billing.upwork.contract are skipped.
    """
    _import(Tool.UPWORK, file, client, user, dry_run, partial, timezone, date_order)


@import_app.command("toggl")
def toggl_command(
    file: FileArg,
    client: ClientOpt,
    user: UserOpt = None,
    dry_run: DryRunOpt = False,
    partial: PartialOpt = False,
    timezone: TimezoneOpt = None,
    date_order: DateOrderOpt = None,
) -> None:
    """Import a Toggl Track detailed report CSV (source import:toggl)."""
    _import(Tool.TOGGL, file, client, user, dry_run, partial, timezone, date_order)


@import_app.command("clockify")
def clockify_command(
    file: FileArg,
    client: ClientOpt,
    user: UserOpt = None,
    dry_run: DryRunOpt = False,
    partial: PartialOpt = False,
    timezone: TimezoneOpt = None,
    date_order: DateOrderOpt = None,
) -> None:
    """Import a Clockify detailed report CSV (source import:clockify)."""
    _import(Tool.CLOCKIFY, file, client, user, dry_run, partial, timezone, date_order)


# -- upwork ----------------------------------------------------------------------------


def _utc(text: str | None, option: str, *, end: bool = False) -> datetime | None:
    """An ISO date (its start; with `end`, its end) or instant; UTC unless it
    says otherwise, as Upwork's billing week is."""
    if text is None:
        return None
    raw = text.strip()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not an ISO 8601 date or instant; write e.g. 2027-01-04",
                location=option,
            ) from None
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value
    return datetime.combine(day + timedelta(days=1) if end else day, time(0), UTC)


@upwork_app.command("sync")
def sync_command(
    client: ClientOpt,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="WHEN",
            help="From this UTC date or instant (default: the previous billing"
            " week's Monday).",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", metavar="EMAIL", help="Whose time it is (default: yours)."
        ),
    ] = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Bring the hours of the client's Upwork contract up to date.

    Reads the contract (the agreement's billing.upwork.contract), its time
    report and its work diary through Upwork's GraphQL API with
    SLAKEEPER_UPWORK_TOKEN. Each run of 10-minute segments with one memo is an
    entry (upwork_tracked or upwork_manual); running it again changes only what
    changed in Upwork, so it is safe on a schedule. Exit 1 when an approved or
    invoiced entry differs from Upwork (it is left as it is).
    """
    settings = load_settings()
    if settings.upwork_token is None:
        raise InvalidInput(
            "no Upwork token is set: put an OAuth2 access token in it",
            location="SLAKEEPER_UPWORK_TOKEN",
        )
    from_at = _utc(since, "--since")
    with (
        UpworkClient(
            settings.upwork_token.get_secret_value(), url=settings.upwork_api_url
        ) as api,
        acting() as (session, principal, now),
    ):
        found = client_named(session, principal, client)
        result = sync(
            session,
            principal,
            api,
            client_id=found.id,
            since=from_at,
            user_id=_user_id(session, principal, user),
            dry_run=dry_run,
            now=now,
        )
    c = result.contract
    title = f" ({c.title})" if c.title else ""
    typer.echo(
        f"Upwork contract {c.id}{title}, {result.since:%Y-%m-%d %H:%M} UTC to"
        f" {result.until:%Y-%m-%d %H:%M} UTC: {result.days} days with hours,"
        f" {_hours(result.report_seconds)} in Upwork's time report."
    )
    typer.echo(
        f"{len(result.new)} new, {len(result.updated)} updated,"
        f" {len(result.removed)} removed, {result.unchanged} unchanged."
    )
    if dry_run:
        for verb, segs in (("new", result.new), ("updated", result.updated)):
            for seg in segs:
                typer.echo(
                    f"{verb}: {seg.started_at:%Y-%m-%d %H:%M} UTC,"
                    f" {_hours(seg.seconds)}, {seg.source}: {seg.memo}"
                )
        for at, seconds in result.removed:
            typer.echo(f"removed: {at:%Y-%m-%d %H:%M} UTC, {_hours(seconds)}")
    for problem in result.problems:
        typer.echo(f"problem: {problem}")
    if dry_run:
        typer.echo("Dry run: nothing was written.")
    if result.problems:
        raise typer.Exit(1)


@upwork_app.command("reconcile")
def reconcile_command(
    client: ClientOpt,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="WHEN",
            help="Start (UTC date; widened to its billing week's Monday).",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="WHEN",
            help="End (UTC date, included; widened to its week's Sunday).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hours billed through Upwork beside hours tracked in slakeeper, per Upwork
    billing week (Monday to Sunday, UTC), with the difference. Exit 1 when a
    week differs."""
    with acting(write=False) as (session, principal, now):
        found = client_named(session, principal, client)
        result = reconcile(
            session,
            principal,
            client_id=found.id,
            from_at=_utc(from_, "--from"),
            to_at=_utc(to, "--to", end=True),
            now=now,
        )
    if as_json:
        body: dict[str, Any] = {
            "client": found.name,
            "contract": result.contract,
            "from": result.from_at.isoformat(),
            "to": result.to_at.isoformat(),
            "weeks": [
                {
                    "week_start": w.week_start.isoformat(),
                    "week_end": w.week_end.isoformat(),
                    "upwork_seconds": w.upwork_seconds,
                    "slakeeper_seconds": w.slakeeper_seconds,
                    "difference_seconds": w.difference_seconds,
                }
                for w in result.weeks
            ],
            "upwork_seconds": result.upwork_seconds,
            "slakeeper_seconds": result.slakeeper_seconds,
            "difference_seconds": result.difference_seconds,
        }
        typer.echo(json.dumps(body, indent=2))
    else:
        table = Table("week (UTC)", "Upwork", "slakeeper", "difference")
        for w in result.weeks:
            table.add_row(
                f"{w.week_start:%Y-%m-%d} to {w.week_end:%Y-%m-%d}",
                _hours(w.upwork_seconds),
                _hours(w.slakeeper_seconds),
                _hours(w.difference_seconds) if w.difference_seconds else "-",
            )
        table.add_row(
            "total",
            _hours(result.upwork_seconds),
            _hours(result.slakeeper_seconds),
            _hours(result.difference_seconds),
        )
        contract = result.contract or "none named in the agreement"
        typer.echo(f"{found.name}, Upwork contract {contract}:")
        Console(highlight=False, soft_wrap=True).print(table)
    if result.has_differences:
        raise typer.Exit(1)
