"""Storage on both backends: migrations, aware instants, immutable rows."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.migrate import current_revision, ensure_current, head_revision
from slakeeper.db.models import AuditEntry, Workspace
from slakeeper.db.session import make_engine
from slakeeper.errors import Conflict
from slakeeper.services.audit import GENESIS, record
from slakeeper.settings import Settings

NOW = datetime(2027, 1, 4, 9, 0, 0, 123456, tzinfo=UTC)


def new_workspace(sessions: sessionmaker[Session], name: str = "Jane Doe Web") -> int:
    with sessions.begin() as s:
        ws = Workspace(name=f"{name} {datetime.now(UTC).timestamp()}", created_at=NOW)
        s.add(ws)
        s.flush()
        return ws.id


def test_the_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    ensure_current(engine)


def test_a_database_that_is_behind_is_refused_with_the_fix(tmp_path):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path}/empty.db"))
    with pytest.raises(Conflict, match="run `slakeeper db upgrade` first"):
        ensure_current(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path}/x.db"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_instants_come_back_aware_in_utc(sessions):
    berlin = timezone(timedelta(hours=1))
    with sessions.begin() as s:
        ws = Workspace(name="aware", created_at=NOW.astimezone(berlin))
        s.add(ws)
    with sessions() as s:
        got = s.get(Workspace, ws.id)
        assert got is not None
        assert got.created_at == NOW
        assert got.created_at.tzinfo is UTC


def test_a_naive_instant_is_refused(sessions):
    naive = datetime(2027, 1, 1)  # noqa: DTZ001
    with (
        pytest.raises(StatementError, match="refusing to store naive datetime"),
        sessions.begin() as s,
    ):
        s.add(Workspace(name="naive", created_at=naive))


def test_audit_entries_chain_and_the_database_refuses_to_change_them(sessions, engine):
    ws = new_workspace(sessions)
    with sessions.begin() as s:
        first = record(
            s,
            workspace_id=ws,
            actor_id=None,
            now=NOW,
            action="test.one",
            object_type="thing",
            object_id=1,
            payload={"b": 2, "a": 1},
        )
        second = record(
            s,
            workspace_id=ws,
            actor_id=None,
            now=NOW,
            action="test.two",
            object_type="thing",
            object_id=1,
        )
        assert (first.seq, first.prev_hash) == (1, GENESIS)
        assert (second.seq, second.prev_hash) == (2, first.hash)
        assert first.payload == '{"a":1,"b":2}'
    for sql in (
        "UPDATE audit_entry SET action = 'x' WHERE workspace_id = :ws",
        "DELETE FROM audit_entry WHERE workspace_id = :ws",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(sql), {"ws": ws})
    with sessions() as s:
        count = len(
            s.scalars(select(AuditEntry).where(AuditEntry.workspace_id == ws)).all()
        )
        assert count == 2
