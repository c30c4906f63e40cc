"""The workspace's write lock, and the row count that decides a compare-and-set.

Writers that read before they write take `write_lock` first: on PostgreSQL it
is the workspace row's lock (writers of one workspace run one after the other).
On SQLite every writer already begins with `BEGIN IMMEDIATE` (db/session.py),
which takes the database's write lock at once, so there the no-op write only
costs a statement.
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
    writers (on SQLite the transaction holds the write lock already)."""
    session.execute(
        update(Workspace).where(Workspace.id == workspace_id).values(id=Workspace.id)
    )
