"""What a CLI command acts on: the database and the workspace named by the settings.

```python
settings = load_settings()
with open_database(settings) as sessions, sessions() as session:
    workspace = resolve_workspace(session, settings)
```
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.migrate import ensure_current
from slakeeper.db.session import begin_reading, make_engine, make_sessionmaker
from slakeeper.errors import InvalidInput
from slakeeper.services import workspaces
from slakeeper.services.access import Principal
from slakeeper.services.views.admin import WorkspaceRead
from slakeeper.services.views.agreements import ClientRead
from slakeeper.settings import Settings, load_settings

__all__ = [
    "acting",
    "acting_principal",
    "client_named",
    "current_instant",
    "open_database",
    "resolve_workspace",
]


@contextmanager
def open_database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database, refused (Conflict) when it is behind;
    the engine is disposed of on the way out."""
    engine = make_engine(settings)
    try:
        ensure_current(engine)
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def resolve_workspace(session: Session, settings: Settings) -> WorkspaceRead:
    """The workspace named by `settings.workspace` (SLAKEEPER_WORKSPACE), else the
    only workspace in the database (`workspaces.workspace_named`)."""
    return workspaces.workspace_named(session, settings.workspace)


def acting_principal(
    session: Session, settings: Settings, workspace: WorkspaceRead
) -> Principal:
    """Who the CLI acts as: the user whose e-mail is `settings.user`
    (SLAKEEPER_USER), else the workspace's first active owner
    (`workspaces.acting_principal`)."""
    return workspaces.acting_principal(session, workspace, settings.user)


def current_instant(settings: Settings) -> datetime:
    """The instant a command acts at: the clock, or the fixed `SLAKEEPER_NOW` of
    a test or demo, which only `SLAKEEPER_ALLOW_FIXED_NOW=1` allows
    (InvalidInput otherwise, so a stray setting never moves real work in time)."""
    if settings.now is None:
        return datetime.now(UTC)
    if not settings.allow_fixed_now:
        raise InvalidInput(
            f"a fixed time ({settings.now.isoformat()}) is for tests and demos;"
            " unset SLAKEEPER_NOW, or set SLAKEEPER_ALLOW_FIXED_NOW=1 to use it",
            location="SLAKEEPER_NOW",
        )
    return settings.now.astimezone(UTC)


@contextmanager
def acting(write: bool = True) -> Iterator[tuple[Session, Principal, datetime]]:
    """For one command: a session (one transaction when `write`, else a reader
    that never takes the write lock), the acting principal and the current
    instant (`current_instant`)."""
    settings = load_settings()
    now = current_instant(settings)
    with open_database(settings) as sessions:
        context = sessions.begin() if write else sessions()
        with context as session:
            if not write:
                begin_reading(session)
            workspace = resolve_workspace(session, settings)
            principal = acting_principal(session, settings, workspace)
            yield session, principal, now


def client_named(session: Session, principal: Principal, name: str) -> ClientRead:
    """A client the principal may see, by its name (`workspaces.client_named`)."""
    return workspaces.client_named(session, principal, name)
