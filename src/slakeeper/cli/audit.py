"""`slakeeper audit verify | anchor | show`: prove the audit log is intact, export
its head as an anchor to keep outside the database, and list its entries.

The database and workspace come from the settings (`SLAKEEPER_DATABASE_URL`,
`SLAKEEPER_WORKSPACE`); see docs/audit.md for what the chain proves.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from slakeeper.cli.context import acting_principal, open_database, resolve_workspace
from slakeeper.cli.output import echo_json
from slakeeper.errors import InvalidInput
from slakeeper.services import audit
from slakeeper.settings import load_settings

__all__ = ["app", "parse_instant"]

app = typer.Typer(
    name="audit",
    help="Verify the hash-chained audit log, export its head as an anchor, "
    "list entries.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            metavar="HASH",
            help="Also prove that the chain still contains the entry with this "
            "hash (an anchor kept outside the database).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute the audit chain: its head, or the first broken link (exit 1).

    Every entry's hash is recomputed from its fields and its link to the entry
    before is checked. A chain whose newest entries were cut off still verifies
    on its own: keep the head hash outside the database and pass it to --anchor.
    """
    settings = load_settings()
    with open_database(settings) as sessions, sessions() as session:
        workspace = resolve_workspace(session, settings)
        audit.readable_log(session, acting_principal(session, settings, workspace))
        result = audit.verify(session, workspace.id, anchor=anchor)
    if as_json:
        body = {"workspace": workspace.name, **asdict(result)}
        typer.echo(json.dumps(body, indent=2))
    elif result.ok:
        if result.entries:
            typer.echo(
                f"chain OK: {_entries(result.entries)}, "
                f"head #{result.head_seq} {result.head_hash}"
            )
        else:
            typer.echo("chain OK: the audit log is empty")
        if result.anchor is not None:
            typer.echo(f"anchor found at #{result.anchor_seq}: {result.anchor}")
    else:
        where = "" if result.first_broken is None else f" at #{result.first_broken}"
        typer.echo(f"chain BROKEN{where}: {result.reason}")
        typer.echo(
            f"{_entries(result.entries)} as stored, "
            f"head #{result.head_seq} {result.head_hash}"
        )
    if not result.ok:
        raise typer.Exit(1)


def anchor(as_json: JsonOption = False) -> None:
    """Print the head of the audit chain (seq, time, hash) as an anchor.

    Keep it outside the database (e-mail it, print it); `slakeeper audit verify
    --anchor HASH` later proves the chain still contains that entry.
    """
    settings = load_settings()
    with open_database(settings) as sessions, sessions() as session:
        workspace = resolve_workspace(session, settings)
        audit.readable_log(session, acting_principal(session, settings, workspace))
        head = audit.anchor(session, workspace.id)
    at = head.at.astimezone(UTC).isoformat()
    if as_json:
        body = {"workspace": workspace.name, "seq": head.seq, "hash": head.hash}
        typer.echo(json.dumps({**body, "at": at}, indent=2))
        return
    typer.echo(f"workspace: {workspace.name}")
    typer.echo(f"head:      #{head.seq}")
    typer.echo(f"time:      {at}")
    typer.echo(f"hash:      {head.hash}")
    typer.echo(
        "Keep this outside the database; check it later with "
        f"`slakeeper audit verify --anchor {head.hash}`."
    )


def parse_instant(value: str, *, option: str, end_of_day: bool = False) -> datetime:
    """A date (`2027-01-04`: the start of that day in UTC, or with `end_of_day`
    the start of the next) or an instant with a time zone
    (`2027-01-04T09:00Z`, `2027-01-04T10:00+01:00`)."""
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(), tzinfo=UTC)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{value!r} is neither a date (2027-01-04) nor an instant "
            "(2027-01-04T09:00Z)",
            location=option,
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(
            f"{value!r} has no time zone; add one (2027-01-04T09:00Z or +01:00)",
            location=option,
        )
    return instant.astimezone(UTC)


def _split_object(value: str | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    kind, _, ident = value.partition(":")
    if not kind:
        raise InvalidInput(
            f"{value!r}: expected TYPE or TYPE:ID (agreement:3)", location="--object"
        )
    return kind, ident or None


def _compact(payload: dict[str, object]) -> str:
    """A payload as stored (canonical JSON: sorted keys, no spaces)."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def show(
    action: Annotated[
        str | None,
        typer.Option(
            help="Only this action and the actions below it "
            "(`agreement` matches `agreement.approve`)."
        ),
    ] = None,
    obj: Annotated[
        str | None,
        typer.Option(
            "--object",
            metavar="TYPE[:ID]",
            help="Only entries about this object type, or this one object "
            "(agreement:3).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="From this date (UTC) or instant with a time zone on.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Up to this date (the whole day, UTC) or before this instant.",
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(metavar="N", min=1, help="Show the newest N matching entries."),
    ] = 50,
    as_json: JsonOption = False,
) -> None:
    """List audit entries, oldest first (the newest N that match the filters)."""
    object_type, object_id = _split_object(obj)
    start = None if since is None else parse_instant(since, option="--since")
    end = (
        None
        if until is None
        else parse_instant(until, option="--until", end_of_day=True)
    )
    settings = load_settings()
    with open_database(settings) as sessions, sessions() as session:
        workspace = resolve_workspace(session, settings)
        audit.readable_log(session, acting_principal(session, settings, workspace))
        entries = audit.show(
            session,
            workspace.id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            since=start,
            until=end,
            limit=limit,
        )
    if as_json:
        echo_json(entries)
        return
    if not entries:
        typer.echo("no audit entries match")
        return
    table = Table(title=f"Audit log of {workspace.name}")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("actor", overflow="fold")
    table.add_column("action", overflow="fold")
    table.add_column("object", overflow="fold")
    table.add_column("details", overflow="fold")
    for e in entries:
        table.add_row(
            str(e.seq),
            e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.object_type}:{e.object_id}",
            _compact(e.payload) if e.payload else "",
        )
    Console().print(table)


app.command("verify")(verify)
app.command("anchor")(anchor)
app.command("show")(show)
