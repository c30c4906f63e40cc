"""`slakeeper status`: the screen a provider opens every morning, and
`slakeeper worker run`: the scheduled recheck of what changes with time."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from slakeeper.cli.context import (
    acting,
    client_named,
    current_instant,
    open_database,
)
from slakeeper.cli.output import echo_json
from slakeeper.core import format_duration
from slakeeper.services import status as svc
from slakeeper.services.views.status import StatusAdjustment, StatusRead
from slakeeper.services.worker import Pass, run_due_checks, run_forever
from slakeeper.settings import load_settings

__all__ = ["status", "worker_app"]

STYLE = {
    "breached": "bold red",
    "late": "bold red",
    "overdue": "bold red",
    "at_risk": "yellow",
    "paused": "cyan",
    "on_track": "green",
}

worker_app = typer.Typer(
    help="The scheduled recheck: activations, clocks turning, silent reviews.",
    no_args_is_help=True,
)


def _left(seconds: int | None) -> str:
    """Working seconds left (negative: over), in words."""
    if seconds is None:
        return "-"
    if seconds < 0:
        return f"{format_duration(timedelta(seconds=-seconds))} over"
    return f"{format_duration(timedelta(seconds=seconds))} left"


def _state(state: str) -> Text:
    return Text(state.replace("_", " "), style=STYLE.get(state, ""))


def status(
    client: Annotated[
        str | None,
        typer.Option("--client", "-c", metavar="NAME", help="Only this client."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open tickets with the working time left, milestones with their due dates
    and adjustments, obligations waiting on the client, missed commitments.

    Exits with 1 when something is breached, late, overdue or missed.
    """
    with acting(write=False) as (session, principal, now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        board = svc.board(session, principal, now, client_id=client_id)
    if as_json:
        echo_json(board)
    else:
        _print(board)
    if board.problems:
        raise typer.Exit(1)


def _moved(a: StatusAdjustment) -> str:
    amount = (
        format_duration(timedelta(seconds=a.amount))
        if a.mode == "working_time"
        else f"{a.amount}d"
    )
    return f"+{amount} {a.cause} ({a.status})"


def _table(title: str, *columns: str, many: bool) -> Table:
    """A table; the client column only when the board shows several clients."""
    shown = [c for c in columns if many or c != "client"]
    table = Table(*shown, title=title, title_justify="left")
    for column in table.columns:
        column.overflow = "fold"  # a narrow terminal wraps, never cuts a name
    table.columns[0].no_wrap = True  # keys and ids stay whole
    return table


def _print(board: StatusRead) -> None:
    console = Console()
    clients = {t.client for t in board.tickets} | {m.client for m in board.milestones}
    many = len(clients | {o.client for o in board.obligations}) > 1

    def row(table: Table, client: str, *cells: str | Text) -> None:
        table.add_row(*cells[:1], *([client] if many else []), *cells[1:])

    console.print(f"[bold]Status at {board.now.astimezone(UTC):%Y-%m-%d %H:%M} UTC[/]")
    if board.tickets:
        table = _table(
            "Open tickets",
            "ticket",
            "client",
            "priority",
            "status",
            "state",
            "clock",
            "left",
            many=many,
        )
        for t in board.tickets:
            row(
                table,
                t.client,
                t.key,
                t.priority,
                t.status.replace("_", " "),
                _state(t.state),
                t.clock or "-",
                _left(t.left),
            )
        console.print(table)
    else:
        console.print("No open tickets.")
    if board.milestones:
        table = _table(
            "Milestones",
            "milestone",
            "client",
            "status",
            "due (UTC)",
            "state",
            "left",
            "moved",
            many=many,
        )
        for m in board.milestones:
            row(
                table,
                m.client,
                m.key,
                m.status.replace("_", " "),
                f"{m.due_at.astimezone(UTC):%Y-%m-%d %H:%M}",
                _state(m.state),
                _left(m.left),
                "; ".join(_moved(a) for a in m.adjustments) or "-",
            )
        console.print(table)
    if board.obligations:
        table = _table(
            "Obligations",
            "id",
            "client",
            "owed by",
            "what",
            "due (UTC)",
            "state",
            many=many,
        )
        for o in board.obligations:
            row(
                table,
                o.client,
                str(o.id),
                o.party,
                o.title,
                f"{o.due_at.astimezone(UTC):%Y-%m-%d %H:%M}",
                _state("overdue" if o.overdue else "on_track"),
            )
        console.print(table)
    for c in board.commitments:
        missed = len(c.missed)
        style = "bold red" if missed else "green"
        now_part = "met this period" if c.current_met else "due this period"
        console.print(
            Text(
                f"{c.client}: {c.commitment} (every {c.every}): "
                f"{missed} missed, {now_part}",
                style=style,
            )
        )


@worker_app.command("run")
def worker_run(
    once: Annotated[
        bool, typer.Option("--once", help="One pass, then exit (for cron).")
    ] = False,
    interval: Annotated[
        float,
        typer.Option("--interval", min=1, help="Seconds between passes."),
    ] = 60.0,
) -> None:
    """Recheck what changes with time alone: agreements taking effect, clocks
    turning at risk or breached, review windows closing in silence. Safe to run
    in several processes against one PostgreSQL database. An item that fails is
    logged, skipped and retried later; SIGTERM or SIGINT ends the worker after
    the item in hand (exit 0). Each pass acts at the CLI's clock (SLAKEEPER_NOW
    in tests and demos)."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s")
    settings = load_settings()
    now = current_instant(settings)  # refuses a stray SLAKEEPER_NOW at once
    with open_database(settings) as sessions, _stop_on_signals() as stop:
        if once:
            _report(now, run_due_checks(sessions, now, stop=stop), always=True)
            return
        run_forever(
            sessions,
            lambda: current_instant(settings),
            interval=interval,
            stop_event=stop,
            on_pass=_report,
        )


def _report(now: datetime, done: Pass, *, always: bool = False) -> None:
    if done.changed or done.failed or always:
        failed = f"; {len(done.failed)} failed (see the log)" if done.failed else ""
        typer.echo(
            f"{now:%Y-%m-%d %H:%M:%S} UTC: {done.activated}"
            f" agreement versions activated, {done.tickets} tickets and"
            f" {done.milestones} milestones rechecked{failed}"
        )


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event that SIGTERM and SIGINT set while the block runs (a second
    signal acts as it did before); the handlers are restored after. The event
    is set from a thread of its own: the handler runs in the main thread,
    which may hold the event's lock inside `wait`."""
    stop = threading.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    before = {signum: signal.getsignal(signum) for signum in signals}

    def handler(signum: int, _frame: object) -> None:
        signal.signal(signum, before[signal.Signals(signum)])
        threading.Thread(target=stop.set, daemon=True).start()

    for signum in signals:
        signal.signal(signum, handler)
    try:
        yield stop
    finally:
        for signum, previous in before.items():
            signal.signal(signum, previous)
