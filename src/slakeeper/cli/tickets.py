"""`slakeeper ticket open|list|show|reply|note|status|priority|resolve|reopen`:
a client's requests and their SLA clocks.

The command acts in the workspace and as the user the settings name
(SLAKEEPER_WORKSPACE, SLAKEEPER_USER; see docs/configuration.md). A reply is
the provider's public reply when the acting user is one of the provider's
people, and a client reply otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from slakeeper.cli.context import acting, client_named
from slakeeper.cli.output import echo_json
from slakeeper.core import format_duration
from slakeeper.core.tickets import CLOCKS
from slakeeper.services import tickets as svc
from slakeeper.services.views.tickets import ClockRead, TicketRead

__all__ = ["app"]

app = typer.Typer(
    help="Tickets: a client's requests and their SLA clocks.",
    no_args_is_help=True,
)

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="The ticket, e.g. ACME-42.")]
TextArg = Annotated[str, typer.Argument(metavar="TEXT", help="What to say.")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON (what the API answers).")
]


def _left(clock: ClockRead) -> str:
    """Working time left (or over) on a clock, in words."""
    if clock.state.value == "met":
        return "met"
    if clock.state.value == "breached":
        over = timedelta(seconds=clock.overdue_by_seconds)
        return f"breached, {format_duration(over)} over"
    left = format_duration(timedelta(seconds=clock.remaining_seconds))
    return f"{left} left{' (paused)' if clock.is_paused else ''}"


def _stored(ticket: TicketRead, name: str) -> str:
    """A clock's state as stored in a list row (with its due time while it
    runs), in words for a table."""
    state: str | None = getattr(ticket, f"{name}_state")
    due: datetime | None = getattr(ticket, f"{name}_due_at")
    if state is None:
        return "-"
    shown = str(state)
    if state == "running" and due is not None:
        shown += f", due {due.astimezone(UTC):%Y-%m-%d %H:%M}"
    if name == "update" and ticket.update_breaches:
        shown += f" ({ticket.update_breaches} missed)"
    return shown


@app.command("open")
def open_command(
    client: Annotated[
        str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
    ],
    title: Annotated[str, typer.Option("--title", "-t", help="A one-line summary.")],
    priority: Annotated[
        str | None,
        typer.Option(
            "--priority",
            "-p",
            help="A priority the agreement names (else its default).",
        ),
    ] = None,
    body: Annotated[str, typer.Option("--body", "-b", help="The request.")] = "",
) -> None:
    """Open a ticket for a client under the agreement in force now."""
    with acting() as (session, principal, now):
        ticket = svc.open_ticket(
            session,
            principal,
            client_id=client_named(session, principal, client).id,
            title=title,
            body=body,
            priority=priority,
            now=now,
        )
        typer.echo(f"Opened {ticket.key} ({ticket.priority}): {ticket.title}")


@app.command("list")
def list_command(
    client: Annotated[
        str | None,
        typer.Option("--client", "-c", metavar="NAME", help="Only this client's."),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="active, at_risk, breached, or a status (default: all)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tickets with the state of each clock (and its due time, UTC) as of their
    last event or the worker's last check; `ticket show` measures them now."""
    with acting(write=False) as (session, principal, _now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        listed = svc.list_views(session, principal, client_id=client_id, state=state)
    if as_json:
        echo_json(listed)
        return
    if not listed:
        typer.echo("No tickets.")
        return
    table = Table("key", "priority", "status", *CLOCKS)
    for ticket in listed:
        table.add_row(
            ticket.key,
            ticket.priority,
            ticket.status,
            *(_stored(ticket, name) for name in CLOCKS),
        )
    Console().print(table)


@app.command("show")
def show_command(key: KeyArg, as_json: JsonOpt = False) -> None:
    """A ticket, its clocks measured now and its events."""
    with acting(write=False) as (session, principal, now):
        ticket = svc.view_by_key(session, principal, key, now)
        events = [] if as_json else svc.event_views(session, principal, ticket.id)
    if as_json:
        echo_json(ticket)
        return
    typer.echo(f"{ticket.key}: {ticket.title}")
    typer.echo(f"priority {ticket.priority}, status {ticket.status}")
    for name in CLOCKS:
        clock: ClockRead | None = getattr(ticket.clocks, name)
        if clock is None:
            continue
        due = "" if clock.due_at is None else f", due {clock.due_at.isoformat()}"
        typer.echo(f"  {name}: {clock.state.value}, {_left(clock)}{due}")
    if ticket.update_breaches:
        typer.echo(f"  update cycles missed: {ticket.update_breaches}")
    for e in events:
        said = f": {e.text}" if e.text else ""
        typer.echo(f"{e.seq:>3} {e.at.isoformat()} {e.kind}{said}")


def _add(key: str, kind: str, **kw: Any) -> None:
    with acting() as (session, principal, now):
        ticket_id = svc.find_ticket(session, principal, key).id
        if kind == "reply":
            kind = "provider_reply" if principal.is_provider else "client_reply"
        svc.add_event(session, principal, ticket_id, kind, now, **kw)
        done = svc.view_of(session, principal, ticket_id, now)
    typer.echo(f"{done.key}: {kind.replace('_', ' ')} recorded ({done.status})")


@app.command("reply")
def reply_command(key: KeyArg, text: TextArg) -> None:
    """A public reply (the provider's, or the client's when a client contact acts)."""
    _add(key, "reply", text=text)


@app.command("note")
def note_command(key: KeyArg, text: TextArg) -> None:
    """An internal note the client never sees."""
    _add(key, "note", text=text)


@app.command("status")
def status_command(
    key: KeyArg,
    status: Annotated[str, typer.Argument(metavar="STATUS", help="The new status.")],
) -> None:
    """Move a ticket to a status (a pause status stops the resolution clock)."""
    _add(key, "status_changed", status=status)


@app.command("priority")
def priority_command(
    key: KeyArg,
    priority: Annotated[str, typer.Argument(metavar="P", help="The new priority.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it changes.")],
) -> None:
    """Change a ticket's priority; its clocks are retargeted from the start."""
    _add(key, "priority_changed", priority=priority, reason=reason)


@app.command("resolve")
def resolve_command(key: KeyArg) -> None:
    """Resolve a ticket: the resolution clock stops."""
    _add(key, "resolved")


@app.command("reopen")
def reopen_command(key: KeyArg) -> None:
    """Reopen a resolved ticket: the resolution clock runs on."""
    _add(key, "reopened")
