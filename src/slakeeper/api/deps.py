"""What routes depend on: the settings, a session in one transaction (a reader
for GET and HEAD), the acting principal (from the `Authorization: Bearer`
token) and `now` (tests override `get_now` to freeze time)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.session import begin_reading
from slakeeper.errors import Unauthenticated
from slakeeper.services.access import MAX_ID, Principal
from slakeeper.services.workspaces import sign_in
from slakeeper.settings import Settings

__all__ = [
    "AtQuery",
    "ClientFilter",
    "NowDep",
    "PrincipalDep",
    "SessionDep",
    "SessionsDep",
    "SettingsDep",
    "get_now",
    "get_principal",
    "get_session",
    "get_sessions",
    "get_settings",
    "id_filter",
]

# the methods that only read: their transaction is a reader (db.session)
_READING = frozenset({"GET", "HEAD"})

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`slakeeper token create`), sent as"
    " `Authorization: Bearer slk_...`.",
)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


def get_now() -> datetime:
    return datetime.now(UTC)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
NowDep = Annotated[datetime, Depends(get_now)]


def id_filter(description: str) -> Any:
    """A query parameter that names a row by id (`?client_id=3`): an id the
    database cannot hold is a 422, never a query."""
    return Query(ge=1, le=MAX_ID, description=description)


ClientFilter = Annotated[int | None, id_filter("Only this client's.")]
AtQuery = Annotated[
    AwareDatetime | None,
    Query(description="An ISO 8601 instant with its UTC offset (default: now)."),
]


def get_session(request: Request, sessions: SessionsDep) -> Iterator[Session]:
    """A session in one transaction: committed when the route returns (before the
    response is sent), rolled back when it raises. GET and HEAD get a reader
    (`begin_reading`): they never take the write lock, and cannot write."""
    with sessions.begin() as session:
        if request.method in _READING:
            begin_reading(session)
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(
    sessions: SessionsDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal the bearer token acts as, checked apart from the route's
    transaction (see `sign_in`)."""
    if credentials is None or not credentials.credentials.strip():
        raise Unauthenticated("send an API token as `Authorization: Bearer TOKEN`")
    return sign_in(sessions, credentials.credentials, now)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
