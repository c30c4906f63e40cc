"""Calendar feeds: `/clients/{client_id}/deadlines.ics?token=...` (a client's
milestone and obligation deadlines as iCalendar, for calendar apps) and
`/feeds` to create, list and revoke the tokens that open it.

The feed itself is the one route without a bearer token: calendar apps cannot
send one, so the feed token travels in the URL. It reads that client's deadlines
and nothing else; a token that is unknown, revoked or another client's is
answered 404 like a feed that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import APIKeyQuery
from sqlalchemy.orm import Session

from slakeeper.api.deps import (
    ClientFilter,
    NowDep,
    PrincipalDep,
    SessionDep,
    SessionsDep,
)
from slakeeper.api.feed_schemas import FeedCreate, FeedList
from slakeeper.api.idempotency import IdempotencyKeyHeader, create_once
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.services import feeds as svc
from slakeeper.services.views.feeds import FeedCreatedRead, FeedRead
from slakeeper.services.workspaces import record_use_apart

__all__ = ["calendar_router", "feeds_router"]

calendar_router = APIRouter(tags=["feeds"])
feeds_router = APIRouter(prefix="/feeds", tags=["feeds"])

_feed_token = APIKeyQuery(
    name="token",
    scheme_name="FeedToken",
    auto_error=False,
    description="A feed token (`POST /feeds`, `slakeeper feed create`): it reads"
    " one client's deadlines and nothing else.",
)
_ERROR = {
    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
}
_FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The deadlines as an iCalendar document (RFC 5545).",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    },
    404: {
        "description": "No such feed: no token, or one that is unknown, revoked or"
        " another client's.",
        "content": _ERROR,
    },
    422: {"description": "The client id is not a number.", "content": _ERROR},
}


@calendar_router.get(
    "/clients/{client_id}/deadlines.ics",
    response_class=Response,
    summary="A client's deadlines as an iCalendar feed",
    responses=_FEED_RESPONSES,
)
def deadlines_feed(
    client_id: int,
    session: SessionDep,
    sessions: SessionsDep,
    now: NowDep,
    token: Annotated[str | None, Depends(_feed_token)] = None,
) -> Response:
    """Every milestone of the client that is not cancelled and every open
    obligation, one event each at its due instant (UTC), for calendar apps to
    subscribe to (they refresh it hourly). Opened by the feed token in the URL,
    not a bearer token."""
    document, use = svc.read_deadlines(session, client_id, token or "", now)
    record_use_apart(sessions, use, now)
    return Response(
        document,
        media_type="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="deadlines.ics"',
            "Cache-Control": "private, no-cache",
        },
    )


@feeds_router.post(
    "",
    response_model=FeedCreatedRead,
    status_code=201,
    summary="Create a calendar feed of a client's deadlines",
    responses=errors(404, 422),
)
def create_feed(
    body: FeedCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A new feed token for a client (the provider's people for any client, a
    client contact for their own). The answer carries the token and the feed's
    path; listing never shows them again (a retry with the same
    `Idempotency-Key` gets this answer back)."""

    def create(session: Session) -> FeedCreatedRead:
        return svc.create_feed_token(
            session, principal, client_id=body.client_id, name=body.name, now=now
        )

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@feeds_router.get(
    "",
    response_model=FeedList,
    summary="List calendar feeds",
    responses=errors(422),
)
def list_feeds(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
) -> FeedList:
    """The feeds you created, oldest first (an owner sees the whole workspace's),
    revoked ones included; never their tokens."""
    rows = svc.list_feed_tokens(session, principal, client_id=client_id, page=page)
    items, next_cursor = paginate(rows, page, key=lambda r: r.id)
    return FeedList(items=items, next_cursor=next_cursor)


@feeds_router.post(
    "/{feed_id}/revoke",
    response_model=FeedRead,
    summary="Revoke a calendar feed",
    responses=errors(404, 409),
)
def revoke_feed(
    feed_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> FeedRead:
    """Revoke a feed at once: its URL answers 404 from then on. Your own, or any
    of the workspace's for an owner; a revoked feed is a conflict (409)."""
    return svc.revoke_feed_token(session, principal, feed_id, now)
