"""`slakeeper time start|stop|status|add|list|edit|delete|approve`: time worked
for clients, kept as tracked, and the approval of a period's time.

The command acts in the workspace and as the user the settings name
(SLAKEEPER_WORKSPACE, SLAKEEPER_USER; see docs/configuration.md). Instants are
ISO 8601 (`2027-01-04T09:00+01:00`); without an offset they are read in the time
zone of the client's agreement in force (an error when there is none). A plain
date is the start of that day, except for `--to`, where it is the end of it,
so `--from 2027-01-01 --to 2027-01-31` is all of January. Durations are written
like `1h30m`, `45m` or `7.5h`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from slakeeper.cli.context import acting, client_named
from slakeeper.cli.output import echo_json
from slakeeper.core import format_duration, parse_duration
from slakeeper.core.errors import DurationError
from slakeeper.errors import InvalidInput
from slakeeper.services import tickets
from slakeeper.services import time_entries as svc
from slakeeper.services.access import Principal
from slakeeper.services.views.time import TimeEntryRead, TimeTotalsRead

__all__ = ["app"]

app = typer.Typer(
    help="Time tracking: timers, entries, lists with totals, and approval.",
    no_args_is_help=True,
)

ClientOpt = Annotated[
    str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
]
TicketOpt = Annotated[
    str | None,
    typer.Option("--ticket", "-t", metavar="KEY", help="The ticket, e.g. ACME-42."),
]
MilestoneOpt = Annotated[
    str | None,
    typer.Option(
        "--milestone", metavar="ID", help="A milestone id of the agreement in force."
    ),
]
NoteOpt = Annotated[str, typer.Option("--note", "-n", help="What the time was for.")]
FromOpt = Annotated[
    str | None,
    typer.Option("--from", metavar="WHEN", help="Start: an ISO instant or a date."),
]
ToOpt = Annotated[
    str | None,
    typer.Option(
        "--to", metavar="WHEN", help="End: an ISO instant, or a date (its end)."
    ),
]
DurationOpt = Annotated[
    str | None,
    typer.Option("--duration", "-d", metavar="TIME", help="How long, e.g. 1h30m."),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="The day or instant a --duration counts at (default: now).",
    ),
]
IdArg = Annotated[int, typer.Argument(metavar="ID", help="The entry's id.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


# -- reading values -------------------------------------------------------------------


NO_ZONE = "no agreement is in force whose time zone it could be read in"
NO_CLIENT = "no --client is named in whose agreement's time zone it could be read"


def _instant(
    text: str,
    option: str,
    zone: tzinfo | None,
    *,
    end: bool = False,
    why: str = NO_ZONE,
) -> datetime:
    """An ISO 8601 instant or date (a date's start; with `end`, its end); without
    an offset it is read in `zone`, and refused when there is none."""
    raw = text.strip()
    try:
        day: date | None = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None:
        value = datetime.combine(day + timedelta(days=1) if end else day, time(0))
    else:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not an ISO 8601 instant or date; write e.g."
                " 2027-01-04T09:00+01:00 or 2027-01-04",
                location=option,
            ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        if zone is None:
            raise InvalidInput(
                f"{text!r} has no UTC offset, and {why}; add one, e.g."
                " 2027-01-04T09:00+01:00",
                location=option,
            )
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _maybe(
    text: str | None,
    option: str,
    zone: tzinfo | None,
    *,
    end: bool = False,
    why: str = NO_ZONE,
) -> datetime | None:
    return None if text is None else _instant(text, option, zone, end=end, why=why)


def _duration(text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except DurationError as exc:
        raise InvalidInput(str(exc), location="--duration") from None


def _zone(
    session: Session, principal: Principal, client_id: int | None, now: datetime
) -> tzinfo | None:
    """The time zone of the client's agreement in force now (None: none)."""
    if client_id is None:
        return None
    return svc.client_timezone(session, principal, client_id, now)


def _user_id(session: Session, principal: Principal, email: str | None) -> int | None:
    return None if email is None else svc.user_named(session, principal, email)


def _ticket_id(session: Session, principal: Principal, key: str | None) -> int | None:
    return None if key is None else tickets.find_ticket(session, principal, key).id


# -- showing entries ------------------------------------------------------------------


class _Zones:
    """Each client's time zone (of the agreement in force now; UTC without
    one), read once per command, to show instants in."""

    def __init__(self, session: Session, principal: Principal, now: datetime) -> None:
        self.session, self.principal, self.now = session, principal, now
        self._zones: dict[int, tzinfo] = {}

    def zone(self, client_id: int) -> tzinfo:
        if client_id not in self._zones:
            found = _zone(self.session, self.principal, client_id, self.now)
            self._zones[client_id] = UTC if found is None else found
        return self._zones[client_id]

    def local(self, at: datetime, client_id: int) -> str:
        return at.astimezone(self.zone(client_id)).strftime("%Y-%m-%d %H:%M")


def _hours(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds))


def _totals_line(totals: TimeTotalsRead) -> str:
    noun = "entry" if totals.count == 1 else "entries"
    return (
        f"{totals.count} {noun}: {_hours(totals.seconds)},"
        f" billable {_hours(totals.billable_seconds)}"
    )


def _table(entries: Iterable[TimeEntryRead], zones: _Zones) -> Table:
    table = Table("id", "worked", "who", "client", "ticket", "time", "bill", "status")
    table.add_column("note")
    for e in entries:
        table.add_row(
            str(e.id),
            zones.local(e.worked_at, e.client_id),
            e.user_email,
            e.client_name,
            e.ticket_key or "-",
            _hours(e.seconds),
            "yes" if e.billable else "no",
            e.status.value,
            e.note,
        )
    return table


# -- timers ---------------------------------------------------------------------------


@app.command("start")
def start_command(
    client: ClientOpt,
    ticket: TicketOpt = None,
    milestone: MilestoneOpt = None,
    note: NoteOpt = "",
    non_billable: Annotated[
        bool, typer.Option("--non-billable", help="The time is not billed.")
    ] = False,
) -> None:
    """Start your timer for a client (one timer at a time)."""
    with acting() as (session, principal, now):
        found = client_named(session, principal, client)
        timer = svc.start_timer(
            session,
            principal,
            client_id=found.id,
            ticket_id=_ticket_id(session, principal, ticket),
            milestone_key=milestone,
            note=note,
            billable=not non_billable,
            now=now,
        )
        at = _Zones(session, principal, now).local(timer.started_at, found.id)
        typer.echo(f"Timer started for {found.name} at {at}.")


@app.command("stop")
def stop_command(
    note: Annotated[
        str | None,
        typer.Option(
            "--note",
            "-n",
            help="What the time was for (replaces the note given at the start).",
        ),
    ] = None,
) -> None:
    """Stop your timer: its time becomes an entry. Stopping twice is an error."""
    with acting() as (session, principal, now):
        entry = svc.entry_read(
            session, svc.stop_timer(session, principal, note=note, now=now)
        )
        typer.echo(
            f"Timer stopped: {_hours(entry.seconds)} for {entry.client_name}"
            f" (entry {entry.id})."
        )


@app.command("status")
def status_command(as_json: JsonOpt = False) -> None:
    """Whether your timer runs, for whom and for how long."""
    with acting(write=False) as (session, principal, now):
        current = svc.current_timer(session, principal, now)
        timer = current.timer
        started = (
            None
            if timer is None
            else _Zones(session, principal, now).local(
                timer.started_at, timer.client_id
            )
        )
    if as_json:
        echo_json(current)
        return
    if timer is None:
        typer.echo("No timer runs.")
        return
    about = f" on {timer.ticket_key}" if timer.ticket_key else ""
    said = f": {timer.note}" if timer.note else ""
    typer.echo(
        f"Running for {timer.client_name}{about} since {started}"
        f" ({_hours(timer.elapsed_seconds)}){said}"
    )


# -- entries --------------------------------------------------------------------------


@app.command("add")
def add_command(
    client: ClientOpt,
    from_: FromOpt = None,
    to: ToOpt = None,
    duration: DurationOpt = None,
    at: AtOpt = None,
    note: NoteOpt = "",
    ticket: TicketOpt = None,
    milestone: MilestoneOpt = None,
    non_billable: Annotated[
        bool, typer.Option("--non-billable", help="The time is not billed.")
    ] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", metavar="EMAIL", help="Whose time (owners only; default: yours)."
        ),
    ] = None,
) -> None:
    """Record time worked: --from and --to, or a --duration (dated by --at)."""
    with acting() as (session, principal, now):
        found = client_named(session, principal, client)
        zone = _zone(session, principal, found.id, now)
        entry = svc.add_entry(
            session,
            principal,
            client_id=found.id,
            started_at=_maybe(from_, "--from", zone),
            ended_at=_maybe(to, "--to", zone, end=True),
            duration=_duration(duration),
            worked_at=_maybe(at, "--at", zone),
            note=note,
            billable=not non_billable,
            ticket_id=_ticket_id(session, principal, ticket),
            milestone_key=milestone,
            user_id=_user_id(session, principal, user),
            now=now,
        )
        when = _Zones(session, principal, now).local(entry.worked_at, found.id)
        typer.echo(
            f"Added entry {entry.id}: {_hours(entry.seconds)} for {found.name}"
            f" at {when}."
        )


@app.command("list")
def list_command(
    client: Annotated[
        str | None,
        typer.Option("--client", "-c", metavar="NAME", help="Only this client's."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="EMAIL", help="Only this person's."),
    ] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    billable: Annotated[
        bool | None,
        typer.Option("--billable/--non-billable", help="Only billable (or not)."),
    ] = None,
    approved: Annotated[
        bool | None,
        typer.Option("--approved/--unapproved", help="Only approved (or not)."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Only from timer, manual, upwork_tracked, ..."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Entries worked in a period (by --from and --to), with totals."""
    with acting(write=False) as (session, principal, now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        if client_id is None:
            client_id = principal.client_scope
        zone = _zone(session, principal, client_id, now)
        why = NO_ZONE if client_id is not None else NO_CLIENT
        result = svc.list_entries(
            session,
            principal,
            client_id=None if client is None else client_id,
            user_id=_user_id(session, principal, user),
            from_at=_maybe(from_, "--from", zone, why=why),
            to_at=_maybe(to, "--to", zone, end=True, why=why),
            billable=billable,
            approved=approved,
            source=source,
        )
        zones = _Zones(session, principal, now)
        if as_json:
            echo_json(result.entries)
            return
        if result.entries:
            Console(highlight=False).print(_table(result.entries, zones))
        typer.echo(_totals_line(result.totals))


@app.command("edit")
def edit_command(
    entry_id: IdArg,
    from_: FromOpt = None,
    to: ToOpt = None,
    duration: DurationOpt = None,
    at: AtOpt = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help="The new note.")
    ] = None,
    billable: Annotated[
        bool | None,
        typer.Option("--billable/--non-billable", help="Bill the time (or not)."),
    ] = None,
) -> None:
    """Change an entry (yours; an owner: anyone's) until it is approved."""
    with acting() as (session, principal, now):
        entry = svc.get_entry(session, principal, entry_id)
        zone = _zone(session, principal, entry.client_id, now)
        entry = svc.edit_entry(
            session,
            principal,
            entry_id,
            started_at=_maybe(from_, "--from", zone),
            ended_at=_maybe(to, "--to", zone, end=True),
            duration=_duration(duration),
            worked_at=_maybe(at, "--at", zone),
            note=note,
            billable=billable,
            now=now,
        )
        typer.echo(f"Entry {entry.id}: {_hours(entry.seconds)}, {entry.note!r}.")


@app.command("delete")
def delete_command(entry_id: IdArg) -> None:
    """Delete an entry (yours; an owner: anyone's) until it is approved."""
    with acting() as (session, principal, now):
        svc.delete_entry(session, principal, entry_id, now=now)
        typer.echo(f"Deleted entry {entry_id}.")


@app.command("approve")
def approve_command(
    client: ClientOpt,
    from_: Annotated[
        str, typer.Option("--from", metavar="WHEN", help="Start of the period.")
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="WHEN", help="End of the period (a date: its end)."
        ),
    ],
) -> None:
    """Approve a client's unapproved entries worked in a period; they are locked.

    Who approves is the agreement's `billing.timesheets.approved_by` (else the
    provider's owner), per the agreement in force when each entry was worked.
    """
    with acting() as (session, principal, now):
        found = client_named(session, principal, client)
        zone = _zone(session, principal, found.id, now)
        done = svc.approve_period(
            session,
            principal,
            client_id=found.id,
            from_at=_instant(from_, "--from", zone),
            to_at=_instant(to, "--to", zone, end=True),
            now=now,
        )
        zones = _Zones(session, principal, now)
        period = (
            f"from {zones.local(done.from_, found.id)}"
            f" to {zones.local(done.to, found.id)}"
        )
        if not done.entry_ids:
            typer.echo(f"No unapproved entries of {found.name} {period}.")
            return
        t = done.totals
        noun = "entry" if t.count == 1 else "entries"
        typer.echo(
            f"Approved {t.count} {noun} of {found.name} {period}:"
            f" {_hours(t.seconds)}, billable {_hours(t.billable_seconds)}."
        )
