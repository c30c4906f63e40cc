"""Transactions on both backends (db/session.py): writers take SQLite's write lock
when they begin, readers never write nor wait, a writer that does not wait gives
up at once, and the errors that trying again may cure become `Unavailable`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Workspace
from slakeeper.db.session import (
    BUSY_TIMEOUT_MS,
    begin_reading,
    begin_without_waiting,
    make_engine,
)
from slakeeper.errors import Unavailable
from slakeeper.settings import Settings

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def workspace(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        row = Workspace(name=f"Session test {time.monotonic_ns()}", created_at=NOW)
        s.add(row)
        s.flush()
        return row.id


def _touch(session: Session, workspace_id: int) -> None:
    """A write that locks the workspace's row (and SQLite's whole database)."""
    session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(name=Workspace.name)
    )


def _write_without_waiting(sessions: sessionmaker[Session], workspace_id: int) -> None:
    with sessions.begin() as s:
        begin_without_waiting(s)
        _touch(s, workspace_id)


@pytest.fixture
def holding(sessions: sessionmaker[Session], workspace: int) -> Iterator[Session]:
    """A writer that has written the workspace's row and not yet committed."""
    holder = sessions()
    _touch(holder, workspace)
    yield holder
    holder.rollback()
    holder.close()


def test_a_reader_reads_while_a_writer_holds_the_lock(sessions, workspace, holding):
    with sessions() as s:
        begin_reading(s)
        assert s.get(Workspace, workspace) is not None


def test_a_reader_cannot_write(sessions, workspace):
    with sessions() as s:
        begin_reading(s)
        with pytest.raises(DBAPIError, match=r"read-?only"):
            _touch(s, workspace)


def test_a_writer_after_a_reader_on_the_same_connection_writes(sessions, workspace):
    for _ in range(2):  # the pool hands the same connection back
        with sessions() as s:
            begin_reading(s)
            s.get(Workspace, workspace)
        with sessions.begin() as s:
            _touch(s, workspace)


def test_a_writer_that_does_not_wait_is_unavailable_at_once(
    sessions, workspace, holding
):
    started = time.monotonic()
    with pytest.raises(Unavailable, match="try again") as caught:
        _write_without_waiting(sessions, workspace)
    assert time.monotonic() - started < 5
    assert caught.value.status_code == 503
    assert caught.value.retry_after == 1
    assert "lock" in str(caught.value.__cause__)  # the driver's error


def test_a_writer_waits_for_the_writer_before_it(sessions, workspace):
    holder = sessions()
    _touch(holder, workspace)
    done = threading.Event()

    def write() -> None:
        with sessions.begin() as s:
            _touch(s, workspace)
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert not done.wait(0.3)  # waiting for the lock
    holder.commit()
    holder.close()
    thread.join(10)
    assert done.is_set()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_writers_take_the_lock_when_they_begin(sessions, workspace):
    """BEGIN IMMEDIATE: a writer that has only read holds the lock already, so
    it can never fail to upgrade from a stale snapshot later."""
    with sessions.begin() as reading_first:
        reading_first.get(Workspace, workspace)
        with pytest.raises(Unavailable):
            _write_without_waiting(sessions, workspace)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_waits_out_the_busy_timeout(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_postgresql_serialization_failure_is_unavailable(sessions, workspace):
    first = sessions()
    first.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    first.get(Workspace, workspace)  # its snapshot
    with sessions.begin() as second:
        _touch(second, workspace)
    try:
        with pytest.raises(Unavailable, match="serialise"):
            _touch(first, workspace)
    finally:
        first.rollback()
        first.close()


def test_other_database_errors_stay_what_they_are(sessions, workspace):
    with sessions() as s:
        name = s.scalar(select(Workspace.name).where(Workspace.id == workspace))
        s.add(Workspace(name=name, created_at=NOW))
        with pytest.raises(IntegrityError):
            s.flush()
    with pytest.raises(DBAPIError), sessions.begin() as s:
        s.execute(text("SELECT * FROM no_such_table"))


def test_a_postgresql_server_that_cannot_be_reached_is_unavailable():
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    engine = make_engine(Settings(database_url=url))
    try:
        with pytest.raises(Unavailable, match="cannot be reached"):
            engine.connect()
    finally:
        engine.dispose()
