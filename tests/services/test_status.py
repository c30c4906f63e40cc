"""The status board's tickets on both backends: every ticket's clocks read at
once say what each ticket's own clocks say, and the board costs as many SQL
statements for 30 open tickets as for 3."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core import ClockReading
from slakeeper.errors import InvalidInput
from slakeeper.services import status, tickets
from tests.factories import Cast

# Monday 4 January 2027, 10:00 in Berlin
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
US = timedelta(microseconds=1)


@pytest.fixture
def cast(active_cast: Cast) -> Cast:
    return active_cast


def open_tickets(
    sessions: sessionmaker[Session], cast: Cast, count: int, start: datetime
) -> None:
    """`count` tickets with histories of every shape, at instants to the
    microsecond: untouched, answered, waiting on the client, in a running
    update cycle, and answered by the client."""
    shapes: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = [
        ("critical", []),
        ("normal", [("provider_reply", {"status": "waiting_on_client"})]),
        ("high", [("provider_reply", {})]),
        ("critical", [("provider_reply", {}), ("provider_reply", {})]),
        ("low", [("client_reply", {})]),
    ]
    with sessions.begin() as s:
        for i in range(count):
            priority, steps = shapes[i % len(shapes)]
            at = start + timedelta(minutes=7 * i) + 1234 * US * (i + 1)
            ticket = tickets.open_ticket(
                s,
                cast.erika,
                client_id=cast.acme_id,
                title=f"Request {i}",
                priority=priority,
                now=at,
            )
            for kind, kw in steps:
                at += timedelta(minutes=20, microseconds=77)
                who = cast.erika if kind == "client_reply" else cast.jane
                tickets.add_event(s, who, ticket.id, kind, at, text="...", **kw)


@contextmanager
def counting(engine: Engine) -> Iterator[Callable[[], int]]:
    """Count the SQL statements sent through `engine` inside the block."""
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield lambda: len(sent)
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_clocks_read_at_once_are_each_tickets_own_clocks(sessions, cast):
    open_tickets(sessions, cast, 10, T0)
    for now in (T0 + timedelta(hours=5, microseconds=3), T0 + timedelta(days=3)):
        with sessions() as s:
            listed = tickets.list_with_clocks(s, cast.jane, now, state="active")
            assert [t.key for t, _ in listed] == [
                t.key for t in tickets.list_tickets(s, cast.jane, state="active")
            ]
            for ticket, clocks in listed:
                own = tickets.ticket_clocks(s, cast.jane, ticket.id, now)
                assert clocks == {
                    name: ClockReading(c.state, c.at_risk, c.due_at, c.remaining)
                    for name, c in own.items()
                }, ticket.key
    with sessions() as s:
        states = {
            line.state
            for line in status.board(s, cast.jane, now, client_id=None).tickets
        }
    assert states >= {"breached", "paused"}


def test_the_board_costs_as_many_statements_for_30_tickets_as_for_3(
    sessions, cast, engine
):
    now = T0 + timedelta(days=2)

    def statements() -> tuple[int, int]:
        with sessions() as s, counting(engine) as sent:
            board = status.board(s, cast.jane, now, client_id=None)
            return sent(), len(board.tickets)

    open_tickets(sessions, cast, 3, T0)
    few, shown = statements()
    assert shown == 3
    open_tickets(sessions, cast, 27, T0 + timedelta(hours=1))
    many, shown = statements()
    assert shown == 30
    assert many == few, (few, many)


def test_a_board_before_a_ticket_was_opened_is_refused(sessions, cast):
    open_tickets(sessions, cast, 1, T0)
    with sessions() as s, pytest.raises(InvalidInput, match="before ACME-1 was opened"):
        status.board(s, cast.jane, T0 - timedelta(hours=1), client_id=None)
