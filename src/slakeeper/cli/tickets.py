"""`slakeeper ticket open|list|show|reply|note|status|priority|resolve|reopen`:
a client's requests and their SLA clocks.

The command acts in the workspace and as the user the settings name
(SLAKEEPER_WORKSPACE, SLAKEEPER_USER; see docs/configuration.md). A reply is
the provider's public reply when the acting user is one of the provider's
people, and a client reply otherwise.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from slakeeper.cli.context import acting, client_named
from slakeeper.core import ClockStatus, format_duration
from slakeeper.core.tickets import CLOCKS
from slakeeper.db.models import Ticket
from slakeeper.services import tickets as svc

__all__ = ["app"]

app = typer.Typer(
    help="Tickets: a client's requests and their SLA clocks.",
    no_args_is_help=True,
)

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="The ticket, e.g. ACME-42.")]
TextArg = Annotated[str, typer.Argument(metavar="TEXT", help="What to say.")]


def _left(clock: ClockStatus) -> str:
    """Working time left (or over) on a clock, in words for a table."""
    if clock.state.value == "met":
        return "met"
    if clock.state.value == "breached":
        return f"breached, {format_duration(clock.overdue_by)} over"
    left = format_duration(clock.remaining)
    return f"{left} left{' (paused)' if clock.is_paused else ''}"


def _clock_json(clock: ClockStatus) -> dict[str, Any]:
    return {
        "state": clock.state.value,
        "at_risk": clock.at_risk,
        "due_at": None if clock.due_at is None else clock.due_at.isoformat(),
        "target_seconds": int(clock.target.total_seconds()),
        "elapsed_seconds": int(clock.elapsed.total_seconds()),
        "remaining_seconds": int(clock.remaining.total_seconds()),
    }


def _summary(ticket: Ticket, clocks: dict[str, ClockStatus]) -> dict[str, Any]:
    return {
        "key": ticket.key,
        "title": ticket.title,
        "priority": ticket.priority,
        "status": ticket.status,
        "created_at": ticket.created_at.isoformat(),
        "update_breaches": ticket.update_breaches,
        "clocks": {name: _clock_json(c) for name, c in clocks.items()},
    }


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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Tickets with their state and the working time left on each clock."""
    with acting(write=False) as (session, principal, now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        rows = svc.list_tickets(session, principal, client_id=client_id, state=state)
        listed = [(t, svc.ticket_clocks(session, principal, t.id, now)) for t in rows]
        if as_json:
            typer.echo(json.dumps([_summary(t, c) for t, c in listed], indent=2))
            return
        if not listed:
            typer.echo("No tickets.")
            return
        table = Table("key", "priority", "status", "response", "resolution", "update")
        for ticket, clocks in listed:
            table.add_row(
                ticket.key,
                ticket.priority,
                ticket.status,
                *(_left(clocks[n]) if n in clocks else "-" for n in CLOCKS),
            )
        Console().print(table)


@app.command("show")
def show_command(key: KeyArg) -> None:
    """A ticket, its clocks and its events."""
    with acting(write=False) as (session, principal, now):
        ticket = svc.find_ticket(session, principal, key)
        clocks = svc.ticket_clocks(session, principal, ticket.id, now)
        typer.echo(f"{ticket.key}: {ticket.title}")
        typer.echo(f"priority {ticket.priority}, status {ticket.status}")
        for name, clock in clocks.items():
            due = "" if clock.due_at is None else f", due {clock.due_at.isoformat()}"
            typer.echo(f"  {name}: {clock.state.value}, {_left(clock)}{due}")
        if ticket.update_breaches:
            typer.echo(f"  update cycles missed: {ticket.update_breaches}")
        for e in svc.events_of(session, principal, ticket.id):
            said = f": {e.text}" if e.text else ""
            typer.echo(f"{e.seq:>3} {e.at.isoformat()} {e.kind}{said}")


def _add(key: str, kind: str, **kw: Any) -> None:
    with acting() as (session, principal, now):
        ticket = svc.find_ticket(session, principal, key)
        if kind == "reply":
            kind = "provider_reply" if principal.is_provider else "client_reply"
        svc.add_event(session, principal, ticket.id, kind, now, **kw)
        typer.echo(f"{ticket.key}: {kind.replace('_', ' ')} recorded ({ticket.status})")


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
