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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.migrate import ensure_current
from slakeeper.db.models import Client, Role, User, Workspace
from slakeeper.db.session import begin_reading, make_engine, make_sessionmaker
from slakeeper.errors import InvalidInput, NotFound, PermissionDenied
from slakeeper.services.access import Principal
from slakeeper.services.workspaces import principal_for
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


def resolve_workspace(session: Session, settings: Settings) -> Workspace:
    """The workspace named by `settings.workspace` (SLAKEEPER_WORKSPACE), else the
    only workspace in the database; NotFound when there is none (or no such
    name), InvalidInput when several exist and none is named."""
    if settings.workspace:
        found = session.scalars(
            select(Workspace).where(Workspace.name == settings.workspace)
        ).first()
        if found is None:
            raise NotFound(
                f"no workspace named {settings.workspace!r} in the database"
                f" ({_names(session)}); check SLAKEEPER_WORKSPACE"
            )
        return found
    first_two = session.scalars(select(Workspace).order_by(Workspace.id).limit(2)).all()
    if not first_two:
        raise NotFound(
            "the database has no workspace yet; create one with `slakeeper init`"
        )
    if len(first_two) > 1:
        raise InvalidInput(
            f"the database holds several workspaces ({_names(session)});"
            " choose one with SLAKEEPER_WORKSPACE=NAME",
            location="SLAKEEPER_WORKSPACE",
        )
    return first_two[0]


def _names(session: Session, most: int = 5) -> str:
    names = session.scalars(
        select(Workspace.name).order_by(Workspace.name).limit(most + 1)
    ).all()
    if not names:
        return "it has none"
    shown = ", ".join(repr(n) for n in names[:most])
    return f"it has {shown}{', ...' if len(names) > most else ''}"


def acting_principal(
    session: Session, settings: Settings, workspace: Workspace
) -> Principal:
    """Who the CLI acts as: the user whose e-mail is `settings.user`
    (SLAKEEPER_USER), else the workspace's first active owner. NotFound when
    there is no such user, PermissionDenied when that user is disabled."""
    query = select(User).where(User.workspace_id == workspace.id)
    if settings.user:
        email = settings.user.strip().lower()
        user = session.scalars(query.where(func.lower(User.email) == email)).first()
        if user is None:
            raise NotFound(
                f"no user {settings.user!r} in workspace {workspace.name!r};"
                " check SLAKEEPER_USER"
            )
        if user.disabled_at is not None:
            raise PermissionDenied(f"user {user.email} is disabled")
        return principal_for(user)
    owner = session.scalars(
        query.where(User.role == Role.OWNER, User.disabled_at.is_(None)).order_by(
            User.id
        )
    ).first()
    if owner is None:
        raise NotFound(
            f"workspace {workspace.name!r} has no active owner;"
            " name a user with SLAKEEPER_USER"
        )
    return principal_for(owner)


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


def client_named(session: Session, principal: Principal, name: str) -> Client:
    """A client of the principal's workspace, by its name."""
    found = session.scalars(
        select(Client).where(
            Client.workspace_id == principal.workspace_id, Client.name == name
        )
    ).first()
    if found is None:
        raise NotFound(f"no client named {name!r}; see `slakeeper client list`")
    return found
