"""Tickets and change requests opened at once for one client get distinct
numbers (the locked counter, services/counters.py), on both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from slakeeper.services import change_requests, tickets
from tests.factories import Cast, activate, make_cast

N = 8
T0 = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def at_once(
    sessions: sessionmaker[Session], work: Callable[[Session, int], str]
) -> list[str]:
    barrier = threading.Barrier(N)
    keys: list[str] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with sessions.begin() as s:
                keys.append(work(s, i))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return keys


def ready(sessions: sessionmaker[Session]) -> Cast:
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    return cast


def test_tickets_opened_at_once_get_distinct_keys(sessions):
    cast = ready(sessions)
    keys = at_once(
        sessions,
        lambda s, i: (
            tickets.open_ticket(
                s, cast.erika, client_id=cast.acme_id, title=f"T{i}", now=T0
            ).key
        ),
    )
    assert sorted(keys) == sorted(f"ACME-{i}" for i in range(1, N + 1))


def test_change_requests_requested_at_once_get_distinct_keys(sessions):
    cast = ready(sessions)
    keys = at_once(
        sessions,
        lambda s, i: (
            change_requests.request_change(
                s, cast.erika, client_id=cast.acme_id, title=f"C{i}", now=T0
            ).key
        ),
    )
    assert sorted(keys) == sorted(f"ACME-CR-{i}" for i in range(1, N + 1))
