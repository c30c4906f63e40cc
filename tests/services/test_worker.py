"""The worker's pass (`run_due_checks`) on both backends: it activates, rechecks
what is due, isolates an item that fails (logged, pushed back, skipped; the
others go on), ends after the item in hand when stopped; and the `slakeeper
worker run` process exits 0 on SIGTERM or SIGINT, and acts at the CLI's clock."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import slakeeper
from slakeeper.cli import status as cli_status
from slakeeper.db.migrate import upgrade
from slakeeper.db.models import Milestone, Ticket, VersionState, VersionStatus
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.services import tickets
from slakeeper.services.delivery import milestones
from slakeeper.services.worker import (
    RETRY_AFTER,
    Failure,
    Pass,
    run_due_checks,
    run_forever,
)
from slakeeper.settings import Settings
from tests.cli.helpers import Cli
from tests.factories import (
    ACTIVE_AT,
    NOW,
    Cast,
    activate,
    approve,
    example_text,
    make_cast,
)

# Monday 4 January 2027, 10:00 in Berlin (the agreement is in force from the 1st)
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def cast(active_cast: Cast) -> Cast:
    return active_cast


def open_tickets(sessions: sessionmaker[Session], cast: Cast, n: int) -> list[int]:
    ids = []
    for i in range(n):
        with sessions.begin() as s:
            ticket = tickets.open_ticket(
                s,
                cast.erika,
                client_id=cast.acme_id,
                title=f"Checkout fails {i}",
                priority="critical",
                now=T0,
            )
            ids.append(ticket.id)
    return ids


def due_after(sessions: sessionmaker[Session], ids: list[int]) -> datetime:
    """An instant at which every one of the tickets is due for a recheck."""
    with sessions() as s:
        due = s.scalars(select(Ticket.next_check_at).where(Ticket.id.in_(ids))).all()
    assert all(at is not None for at in due)
    return max(at for at in due if at is not None) + timedelta(seconds=1)


def rows(sessions: sessionmaker[Session], ids: list[int]) -> dict[int, Ticket]:
    with sessions() as s:
        return {t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_(ids)))}


def test_a_pass_activates_due_versions_and_rechecks_due_tickets(sessions):
    with sessions.begin() as s:
        cast = make_cast(s)
        version_id = approve(s, cast)
    only = [cast.workspace_id]
    assert run_due_checks(sessions, NOW, workspace_ids=only) == Pass()
    done = run_due_checks(sessions, ACTIVE_AT, workspace_ids=only)
    assert (done.activated, done.failed) == (1, ())
    with sessions() as s:
        state = s.get(VersionState, version_id)
        assert state is not None
        assert state.status is VersionStatus.ACTIVE
    ids = open_tickets(sessions, cast, 2)
    at = due_after(sessions, ids)
    done = run_due_checks(sessions, at, workspace_ids=only)
    assert (done.tickets, done.failed, done.stopped) == (2, (), False)
    assert all(t.computed_at == at for t in rows(sessions, ids).values())


def test_a_ticket_that_fails_is_logged_pushed_back_and_skipped(
    sessions, cast, monkeypatch, caplog
):
    first, poison, last = ids = open_tickets(sessions, cast, 3)
    real = tickets.recompute

    def recompute(session: Session, ticket_id: int, now: datetime) -> Ticket:
        if ticket_id == poison:
            real(session, ticket_id, now)  # its writes are rolled back
            raise RuntimeError("a ticket the worker cannot check")
        return real(session, ticket_id, now)

    monkeypatch.setattr(tickets, "recompute", recompute)
    at = due_after(sessions, ids)
    before = rows(sessions, ids)[poison]
    done = run_due_checks(sessions, at, workspace_ids=[cast.workspace_id])
    assert (done.tickets, done.failed) == (2, (Failure("ticket", poison),))
    after = rows(sessions, ids)
    assert after[first].computed_at == after[last].computed_at == at
    assert after[poison].computed_at == before.computed_at  # rolled back
    assert after[poison].next_check_at == at + RETRY_AFTER
    (record,) = [r for r in caplog.records if r.name == "slakeeper.services.worker"]
    assert f"ticket {poison} failed" in record.getMessage()
    assert record.exc_info is not None  # the traceback is in the log
    # not retried at once (nor by a restarted worker), but once its time comes
    assert run_due_checks(sessions, at, workspace_ids=[cast.workspace_id]) == Pass()
    monkeypatch.setattr(tickets, "recompute", real)
    later = run_due_checks(
        sessions, at + RETRY_AFTER, workspace_ids=[cast.workspace_id]
    )
    assert later.failed == ()
    assert rows(sessions, [poison])[poison].computed_at == at + RETRY_AFTER


def test_a_milestone_that_fails_is_pushed_back_and_skipped(sessions, cast, monkeypatch):
    with sessions() as s:
        due = s.scalars(
            select(Milestone)
            .where(
                Milestone.workspace_id == cast.workspace_id,
                Milestone.next_check_at.is_not(None),
            )
            .order_by(Milestone.next_check_at)
        ).all()
    assert due, "the example's milestones are checked again in time"
    at = max(m.next_check_at for m in due if m.next_check_at) + timedelta(seconds=1)

    def check(session: Session, row: Milestone, now: datetime) -> None:
        raise RuntimeError("a milestone the worker cannot check")

    monkeypatch.setattr(milestones, "check_milestone", check)
    done = run_due_checks(sessions, at, workspace_ids=[cast.workspace_id])
    assert set(done.failed) == {Failure("milestone", m.id) for m in due}
    with sessions() as s:
        for m in due:
            row = s.get(Milestone, m.id)
            assert row is not None
            assert row.next_check_at == at + RETRY_AFTER
    monkeypatch.undo()
    later = run_due_checks(
        sessions, at + RETRY_AFTER, workspace_ids=[cast.workspace_id]
    )
    assert (later.milestones, later.failed) == (len(due), ())


def test_a_stop_during_a_pass_ends_it_after_the_item_in_hand(
    sessions, cast, monkeypatch
):
    first, *others = ids = open_tickets(sessions, cast, 3)
    stop = threading.Event()
    real = tickets.recompute

    def recompute(session: Session, ticket_id: int, now: datetime) -> Ticket:
        stop.set()  # SIGTERM arrives while the first ticket is being checked
        return real(session, ticket_id, now)

    monkeypatch.setattr(tickets, "recompute", recompute)
    at = due_after(sessions, ids)
    before = rows(sessions, ids)
    done = run_due_checks(sessions, at, stop=stop, workspace_ids=[cast.workspace_id])
    assert (done.tickets, done.stopped) == (1, True)
    after = rows(sessions, ids)
    assert after[first].computed_at == at  # finished and committed
    assert [after[i].computed_at for i in others] == [
        before[i].computed_at for i in others
    ]


def test_run_forever_runs_a_pass_per_interval_until_stopped(sessions, cast):
    stop = threading.Event()
    instants = iter([T0, T0 + timedelta(minutes=1)])
    heard: list[datetime] = []

    def on_pass(now: datetime, done: Pass) -> None:
        heard.append(now)
        if len(heard) == 2:
            stop.set()

    run_forever(
        sessions, lambda: next(instants), interval=0, stop_event=stop, on_pass=on_pass
    )
    assert heard == [T0, T0 + timedelta(minutes=1)]


# -- the process -----------------------------------------------------------------


def _past_world(path: Path) -> int:
    """A SQLite database whose agreement is in force since November 2026 with a
    critical ticket due for a recheck by the wall clock; the ticket's id."""
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    approved = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    body = example_text().replace("effective: 2027-01-01", "effective: 2026-11-01")
    with sessions.begin() as s:
        cast = make_cast(s, approved)
        activate(s, cast, body, at=datetime(2026, 11, 2, tzinfo=UTC), approved=approved)
    with sessions.begin() as s:
        ticket = tickets.open_ticket(
            s,
            cast.erika,
            client_id=cast.acme_id,
            title="Checkout fails",
            priority="critical",
            now=datetime(2026, 11, 16, 9, 0, tzinfo=UTC),
        )
        ticket_id = ticket.id
    engine.dispose()
    return ticket_id


def _line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            pytest.fail(f"the worker printed nothing in {timeout} s")
    return process.stdout.readline()


def test_a_worker_process_ends_with_0_on_sigterm_and_sigint(tmp_path):
    """Two workers at once (one per signal, each on its own database): each
    finishes its first pass, idles, and exits 0 when signalled."""
    workers = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        path = tmp_path / f"{signum.name}.db"
        env = {
            **os.environ,
            "SLAKEEPER_DATABASE_URL": f"sqlite:///{path}",
            "PYTHONPATH": str(Path(slakeeper.__file__).resolve().parents[1]),
        }
        ticket_id = _past_world(path)
        process = subprocess.Popen(
            [sys.executable, "-m", "slakeeper", "worker", "run", "--interval", "3600"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        workers.append((signum, path, ticket_id, process))
    try:
        for signum, _, _, process in workers:
            line = _line(process, timeout=60)  # its first pass is committed
            assert "1 tickets" in line
            process.send_signal(signum)
        for signum, _, _, process in workers:
            code = process.wait(timeout=30)
            assert code == 0, (signum.name, process.stderr and process.stderr.read())
    finally:
        for *_, process in workers:
            if process.poll() is None:
                process.kill()
            process.communicate()
    for _, path, ticket_id, _ in workers:
        engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
        with make_sessionmaker(engine)() as s:
            ticket = s.get(Ticket, ticket_id)
            assert ticket is not None
            assert ticket.computed_at > datetime(2026, 12, 1, tzinfo=UTC)
        engine.dispose()


# -- the CLI's clock ---------------------------------------------------------------


def test_worker_run_acts_at_the_clis_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`worker run` reads the CLI's clock: a fixed SLAKEEPER_NOW (when allowed)
    for `--once` and for every pass of the loop, refused when not allowed."""
    path = tmp_path / "worker.db"
    ticket_id = _past_world(path)  # opened 2026-11-16 09:00 UTC
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", f"sqlite:///{path}")
    run = Cli("worker", "run", user=None)
    early = "2026-11-16T09:01:00+00:00"  # before its first recheck is due
    later = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    out = run("--once", NOW=early, ALLOW_FIXED_NOW="1")
    assert out.startswith("2026-11-16 09:01:00 UTC: 0 agreement versions")
    assert "0 tickets" in out  # by the wall clock, the ticket is due
    out = run("--once", NOW=later.isoformat(), ALLOW_FIXED_NOW="1")
    assert out.startswith("2026-11-20 09:00:00 UTC:")
    assert "1 tickets" in out
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    with make_sessionmaker(engine)() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        assert ticket.computed_at == later
    engine.dispose()
    assert "SLAKEEPER_NOW" in run.error("--once", NOW=early)

    instants: list[datetime] = []

    def one_loop(_sessions: object, clock: Callable[[], datetime], **_: object) -> None:
        instants.extend([clock(), clock()])  # each pass reads the clock again

    monkeypatch.setattr(cli_status, "run_forever", one_loop)
    run("--interval", "1", NOW=later.isoformat(), ALLOW_FIXED_NOW="1")
    assert instants == [later, later]
