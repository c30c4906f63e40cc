"""The workspace's write lock, and the row count that decides a compare-and-set.

Writers that read before they write take `write_lock` first: on PostgreSQL it
is the workspace row's lock (writers of one workspace run one after the other);
on SQLite a deferred transaction that read first could not take the write lock
once another writer had committed (a stale snapshot: "database is locked"), so
the no-op write comes before any read.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from slakeeper.db.models import Workspace

__all__ = ["rowcount", "write_lock"]


def rowcount(result: object) -> int:
    """The number of rows an UPDATE or DELETE statement touched."""
    return cast(CursorResult[Any], result).rowcount


def write_lock(session: Session, workspace_id: int) -> None:
    """The workspace's write lock (a no-op write, as `audit.record` takes it),
    taken before anything is read: on PostgreSQL it serialises the workspace's
    writers; on SQLite a transaction that read first could not take it once
    another writer committed (a stale snapshot)."""
    session.execute(
        update(Workspace).where(Workspace.id == workspace_id).values(id=Workspace.id)
    )
