"""Engines and sessions: SQLite in WAL mode with a busy timeout and foreign keys,
PostgreSQL through psycopg 3.

Transactions come in three kinds. On SQLite they follow SQLAlchemy's recipe for
pysqlite ("Serializable isolation / Savepoints / Transactional DDL"): the
driver's own BEGIN is switched off when a connection opens (`connect`), and ours
is issued when a transaction begins (`begin`).

- A writer (every session, unless told otherwise) begins with `BEGIN IMMEDIATE`:
  it takes the write lock up front, waiting up to the busy timeout (30 s) for
  the writer before it. A deferred BEGIN would read first and then fail to take
  the lock if another writer committed in between ("database is locked" at
  once, whatever the timeout). On PostgreSQL it is an ordinary transaction.
- A reader (`begin_reading`) begins deferred with `PRAGMA query_only` on
  SQLite and READ ONLY on PostgreSQL: it never waits for writers (WAL) and a
  write in it fails instead of taking the lock.
- A writer that does not wait (`begin_without_waiting`) gives up at once when
  another writer holds the lock: for bookkeeping that may be skipped (a
  token's last use).

A lock that still times out (SQLite's "database is locked"), and on PostgreSQL
a serialization failure, a deadlock, a lock timeout or a lost or refused
connection, becomes `Unavailable` here, in `handle_error`, for every statement,
commit and connect: the API answers 503 with `Retry-After`, the CLI exits 75.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.errors import InvalidInput, Unavailable
from slakeeper.settings import Settings

__all__ = [
    "BUSY_TIMEOUT_MS",
    "begin_reading",
    "begin_without_waiting",
    "make_engine",
    "make_sessionmaker",
]

BUSY_TIMEOUT_MS = 30_000

_READ_ONLY = "slakeeper_read_only"
_NO_WAIT = "slakeeper_no_wait"
# PostgreSQL's "try again" states: serialization failure and deadlock detected,
# lock not available (lock_timeout)
_SERIALIZATION = frozenset({"40001", "40P01"})
_LOCK_TIMEOUT = "55P03"
_SQLITE_LOCKED = ("database is locked", "database table is locked")
_BUSY = "the database is busy (locked by another writer); try again"


SUPPORTED = "slakeeper runs on SQLite (sqlite:///path/to/file.db) or PostgreSQL (postgresql://user@host/db)"


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured URL; a URL that is not one, or names a
    database slakeeper does not run on, is `InvalidInput` (what to set)."""
    url = settings.database_url
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise InvalidInput(
            f"{url!r} is not a database URL; {SUPPORTED}",
            location="SLAKEEPER_DATABASE_URL",
        ) from None
    if backend not in ("sqlite", "postgresql"):
        raise InvalidInput(
            f"{backend} is not supported; {SUPPORTED}",
            location="SLAKEEPER_DATABASE_URL",
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "begin", _postgresql_begin)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_reading(session: Session) -> None:
    """Begin `session`'s transaction as a reader (see the module's doc); call it
    before the session's first statement."""
    session.connection(
        execution_options={_READ_ONLY: True, "postgresql_readonly": True}
    )


def begin_without_waiting(session: Session) -> None:
    """Begin `session`'s transaction as a writer that raises `Unavailable` at
    once when another writer holds the lock; call it before the first
    statement."""
    session.connection(execution_options={_NO_WAIT: True})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    read_only = bool(options.get(_READ_ONLY))
    # set each time (not only when it changes), so that a transaction sends the
    # same statements whichever pooled connection it gets
    connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
    if read_only:
        connection.exec_driver_sql("BEGIN")
    elif options.get(_NO_WAIT):
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgresql_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(_NO_WAIT):
        # the first statement begins psycopg's transaction; LOCAL ends with it
        connection.exec_driver_sql("SET LOCAL lock_timeout = '50ms'")


def _unavailable(context: ExceptionContext) -> Unavailable | None:
    """The `Unavailable` a database error stands for, if it is one that trying
    again may cure; None leaves the error as it is."""
    if context.is_pre_ping:  # the pool handles a dead connection itself
        return None
    error = context.original_exception
    if context.dialect.name == "sqlite":
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith(
            _SQLITE_LOCKED
        ):
            return Unavailable(_BUSY)
        return None
    state = getattr(error, "sqlstate", None)
    if state == _LOCK_TIMEOUT:
        return Unavailable(_BUSY)
    if state in _SERIALIZATION:
        return Unavailable(
            "the database could not serialise this change with another one; try again"
        )
    operational = context.dialect.loaded_dbapi.OperationalError
    if context.is_disconnect or (
        context.connection is None and isinstance(error, operational)
    ):
        return Unavailable("the database cannot be reached; try again")
    return None
