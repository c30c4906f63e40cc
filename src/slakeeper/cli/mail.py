"""`slakeeper mail fetch|quarantine|show|release|discard`: inbound e-mail.

`fetch` reads the IMAP mailbox the settings name (SLAKEEPER_IMAP_*; see
docs/mail.md) and takes each new message once: a new ticket, a client reply,
or the quarantine. The commands act in the workspace and as the user the
settings name (SLAKEEPER_WORKSPACE, SLAKEEPER_USER), who must be one of the
provider's people.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from slakeeper.cli.context import (
    acting,
    acting_principal,
    current_instant,
    open_database,
    resolve_workspace,
)
from slakeeper.cli.output import echo_json
from slakeeper.mail.imap import ImapConfig
from slakeeper.services import mail as svc
from slakeeper.services.mail_fetch import FetchSummary, fetch_mail
from slakeeper.settings import load_settings

__all__ = ["app"]

app = typer.Typer(
    help="Inbound e-mail: tickets and client replies from an IMAP mailbox.",
    no_args_is_help=True,
)

PROGRESS_FROM = 20  # a progress bar for runs with at least this many messages

IdArg = Annotated[
    int, typer.Argument(metavar="ID", help="The quarantined mail's number.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


class _Bar:
    """A progress bar on standard error, shown once a run has many messages."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if self.progress is None:
            self.progress = Progress(
                TextColumn("taking mail"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("mail", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _keys(taken: list[svc.Taken]) -> str:
    keys = list(dict.fromkeys(t.ticket_key for t in taken if t.ticket_key))
    return f"  {', '.join(keys)}" if keys else ""


def _report(summary: FetchSummary) -> None:
    count = summary.messages
    typer.echo(
        f"{summary.address} {summary.folder}: {count} message{'s' * (count != 1)}"
    )
    typer.echo(f"  new tickets:    {len(summary.tickets)}{_keys(summary.tickets)}")
    typer.echo(f"  client replies: {len(summary.replies)}{_keys(summary.replies)}")
    held = len(summary.quarantined)
    hint = "  see `slakeeper mail quarantine`" if held else ""
    typer.echo(f"  quarantined:    {held}{hint}")
    typer.echo(f"  already taken:  {summary.seen}")
    if summary.vanished:
        typer.echo(f"  gone before they could be read: {summary.vanished}")


@app.command("fetch")
def fetch_command() -> None:
    """Take new mail from the IMAP mailbox: a known contact's mail opens a
    ticket, a reply naming a ticket key adds a client reply, anything else is
    quarantined. Each message is taken once, by its Message-ID."""
    settings = load_settings()
    config = ImapConfig.from_settings(settings)
    with open_database(settings) as sessions:
        with sessions() as session:
            workspace = resolve_workspace(session, settings)
            principal = acting_principal(session, settings, workspace)
        bar = _Bar()
        try:
            summary = fetch_mail(
                sessions,
                principal,
                config,
                now=current_instant(settings),
                progress=bar,
            )
        finally:
            bar.close()
    _report(summary)


@app.command("quarantine")
def quarantine_command(
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also the mail released or discarded before."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Quarantined mail waiting for a decision, oldest first."""
    with acting(write=False) as (session, principal, _now):
        rows = svc.list_quarantine(session, principal, include_done=show_all)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        typer.echo("No quarantined mail.")
        return
    columns = ["id", "received", "from", "subject", "reason"]
    table = Table(*columns, *(["state"] if show_all else []))
    for row in rows:
        cells = [
            str(row.id),
            row.received_at.isoformat(timespec="minutes"),
            row.sender or "-",
            row.subject or "-",
            row.reason,
        ]
        table.add_row(*cells, *([row.state] if show_all else []))
    console = Console(highlight=False)
    if not console.is_terminal:  # piped: whole rows, for grep
        console.width = 1000
    console.print(table)


@app.command("show")
def show_command(
    quarantine_id: IdArg,
    raw: Annotated[
        bool, typer.Option("--raw", help="The whole message as received.")
    ] = False,
) -> None:
    """A quarantined mail: its sender, subject, reason and text."""
    with acting(write=False) as (session, principal, _now):
        if raw:
            message = svc.quarantined_raw(session, principal, quarantine_id)
            typer.echo(message.decode("utf-8", "replace"), nl=False)
            return
        mail = svc.quarantined_mail(session, principal, quarantine_id)
    typer.echo(f"state: {mail.state}")
    typer.echo(f"received at: {mail.received_at.isoformat()}")
    for name in ("sender", "subject", "reason"):
        typer.echo(f"{name}: {getattr(mail, name)}")
    typer.echo("")
    typer.echo(mail.text)


@app.command("release")
def release_command(
    quarantine_id: IdArg,
    as_email: Annotated[
        str,
        typer.Option(
            "--as", metavar="EMAIL", help="The client contact it is taken as from."
        ),
    ],
) -> None:
    """Take a quarantined mail as if the client contact EMAIL had sent it."""
    with acting() as (session, principal, now):
        taken = svc.release_mail(
            session, principal, quarantine_id, as_email=as_email, now=now
        )
        what = (
            f"new ticket {taken.ticket_key}"
            if taken.outcome.value == "ticket"
            else f"client reply on {taken.ticket_key}"
        )
        typer.echo(f"Released mail {quarantine_id} as {as_email.strip()}: {what}")


@app.command("discard")
def discard_command(
    quarantine_id: IdArg,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it is set aside.")],
) -> None:
    """Set a quarantined mail aside for good (it is kept, marked discarded)."""
    with acting() as (session, principal, now):
        svc.discard_mail(session, principal, quarantine_id, reason=reason, now=now)
        typer.echo(f"Discarded mail {quarantine_id} (kept, with the reason).")
