"""Writers at once, on both backends: tickets and change requests opened at once
for one client get distinct keys (the locked counter, services/counters.py), and
an approved version is activated once however many activators meet
(agreements' compare-and-set)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import AuditEntry, Milestone, VersionState, VersionStatus
from slakeeper.services import agreements, tickets
from slakeeper.services.delivery import change_requests
from tests.factories import ACTIVE_AT, Cast, activate, approve, make_cast

N = 8
T0 = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def at_once(
    sessions: sessionmaker[Session], n: int, work: Callable[[Session, int], Any]
) -> list[Any]:
    """Run `work` in `n` threads released together, each in its own
    transaction; their results (no thread may fail)."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with sessions.begin() as s:
                results.append(work(s, i))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return results


def active_cast(sessions: sessionmaker[Session]) -> Cast:
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    return cast


# -- numbers ---------------------------------------------------------------------


def open_ticket(s: Session, cast: Cast, i: int) -> str:
    return tickets.open_ticket(
        s, cast.erika, client_id=cast.acme_id, title=f"T{i}", now=T0
    ).key


def request_change(s: Session, cast: Cast, i: int) -> str:
    return change_requests.request_change(
        s, cast.erika, client_id=cast.acme_id, title=f"C{i}", now=T0
    ).key


@pytest.mark.parametrize(
    ("write", "prefix"), [(open_ticket, "ACME-"), (request_change, "ACME-CR-")]
)
def test_tickets_and_change_requests_opened_at_once_get_distinct_keys(
    sessions, write, prefix
):
    cast = active_cast(sessions)
    keys = at_once(sessions, N, lambda s, i: write(s, cast, i))
    assert sorted(keys) == sorted(f"{prefix}{i}" for i in range(1, N + 1))


# -- activation ------------------------------------------------------------------


def approved(sessions: sessionmaker[Session]) -> tuple[Cast, int]:
    """A version approved by both sides, taking effect on 1 January 2027."""
    with sessions.begin() as s:
        cast = make_cast(s)
        return cast, approve(s, cast)


def activated_once(
    sessions: sessionmaker[Session], cast: Cast, version_id: int
) -> None:
    with sessions() as s:
        state = s.get(VersionState, version_id)
        assert state is not None
        assert state.status is VersionStatus.ACTIVE
        entries = s.scalars(
            select(AuditEntry.action).where(
                AuditEntry.workspace_id == cast.workspace_id,
                AuditEntry.object_id == str(version_id),
                AuditEntry.action == "agreement.active",
            )
        ).all()
        assert len(entries) == 1
        milestones = s.scalar(
            select(func.count()).where(Milestone.workspace_id == cast.workspace_id)
        )
        assert milestones == 2  # the example's two, taken once


def test_two_workers_activate_a_version_once(sessions):
    cast, version_id = approved(sessions)
    done = at_once(
        sessions,
        2,
        lambda s, _: [
            v.id for v in agreements.activate_scheduled(s, cast.workspace_id, ACTIVE_AT)
        ],
    )
    assert sorted(done) == [[], [version_id]]
    activated_once(sessions, cast, version_id)


def test_an_activator_that_read_before_another_committed_leaves_the_version(
    sessions, backend
):
    """A provider's `activate due` reads the version as approved while the
    worker's activation is not yet committed: its compare-and-set finds the
    version active once it may write, and it changes nothing (on SQLite its
    stale read cannot write at all: the database refuses, nothing changes)."""
    cast, version_id = approved(sessions)
    outcome: list[object] = []

    def user() -> None:
        try:
            with sessions.begin() as s:
                outcome.append(agreements.activate_due(s, cast.jane, ACTIVE_AT))
        except OperationalError as exc:  # SQLite: a stale read cannot write
            outcome.append(exc)

    with sessions.begin() as s:
        (worker_done,) = agreements.activate_scheduled(s, cast.workspace_id, ACTIVE_AT)
        thread = threading.Thread(target=user)
        thread.start()
        time.sleep(0.5)  # the user's activation reads, then waits for our locks
    thread.join(timeout=60)
    assert worker_done.id == version_id
    (result,) = outcome
    if backend == "postgresql" or not isinstance(result, OperationalError):
        assert result == []
    activated_once(sessions, cast, version_id)
