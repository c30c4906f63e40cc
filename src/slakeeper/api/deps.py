"""What routes depend on: the settings, a session in one transaction, the acting
principal (from the `Authorization: Bearer` token) and `now` (tests override
`get_now` to freeze time)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, ClassVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.errors import AppError, PermissionDenied
from slakeeper.services.access import Principal
from slakeeper.services.workspaces import authenticate_token
from slakeeper.settings import Settings

__all__ = [
    "AtQuery",
    "NowDep",
    "PrincipalDep",
    "SessionDep",
    "SessionsDep",
    "SettingsDep",
    "Unauthenticated",
    "get_now",
    "get_principal",
    "get_session",
    "get_sessions",
    "get_settings",
]

# the service's message for a token it does not know (as opposed to a revoked
# token or a disabled user, which are known but refused: 403)
_UNKNOWN_TOKEN = "invalid API token"

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`slakeeper token create`), sent as"
    " `Authorization: Bearer slk_...`.",
)


class Unauthenticated(AppError):
    """No credentials, or credentials nobody issued: 401 with
    `WWW-Authenticate: Bearer`."""

    code: ClassVar[str] = "unauthenticated"
    status_code: ClassVar[int] = 401


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
AtQuery = Annotated[
    AwareDatetime | None,
    Query(description="An ISO 8601 instant with its UTC offset (default: now)."),
]


def get_session(sessions: SessionsDep) -> Iterator[Session]:
    """A session in one transaction: committed when the route returns (before the
    response is sent), rolled back when it raises."""
    with sessions.begin() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_principal(
    sessions: SessionsDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal the bearer token acts as, checked in a transaction of its own
    (which records the token's last use)."""
    if credentials is None or not credentials.credentials.strip():
        raise Unauthenticated("send an API token as `Authorization: Bearer TOKEN`")
    try:
        with sessions.begin() as session:
            return authenticate_token(session, credentials.credentials, now)
    except PermissionDenied as exc:
        if exc.message == _UNKNOWN_TOKEN:
            raise Unauthenticated("the API token is not valid") from None
        raise


PrincipalDep = Annotated[Principal, Depends(get_principal)]
