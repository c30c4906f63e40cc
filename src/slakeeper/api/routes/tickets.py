"""`/tickets`: open tickets, append events to them, and read them with their
SLA clocks, now or at any instant."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from slakeeper.api.deps import (
    AtQuery,
    NowDep,
    PrincipalDep,
    SessionDep,
    SessionsDep,
    id_filter,
)
from slakeeper.api.idempotency import IdempotencyKeyHeader, create_once
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.api.ticket_schemas import EventCreate, TicketCreate
from slakeeper.errors import InvalidInput
from slakeeper.services import tickets as svc
from slakeeper.services.views.tickets import (
    EventCreatedRead,
    EventRead,
    TicketClocksRead,
    TicketDetailRead,
    TicketList,
)

__all__ = ["router"]

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get(
    "", response_model=TicketList, summary="List tickets", responses=errors(422)
)
def list_tickets(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: Annotated[int | None, id_filter("Only this client's tickets.")] = None,
    state: Annotated[
        str | None,
        Query(
            max_length=50,
            description="`active` (not resolved or closed), `at_risk`, `breached`,"
            " or a status such as `waiting_on_client` (default: all).",
        ),
    ] = None,
) -> TicketList:
    """The tickets the principal may see, oldest first, with their clock state as
    stored after their last event; a client contact sees only their own
    client's."""
    rows = svc.list_views(
        session, principal, client_id=client_id, state=state, page=page
    )
    items, next_cursor = paginate(rows, page, key=lambda t: t.id)
    return TicketList(items=items, next_cursor=next_cursor)


@router.post(
    "",
    response_model=TicketDetailRead,
    status_code=201,
    summary="Open a ticket",
    responses=errors(404, 409, 422),
)
def open_ticket(
    body: TicketCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Open a ticket for a client under the agreement version in force now (409
    when none is), numbered per client (`ACME-42`), with its clocks running."""

    def create(session: Session) -> TicketDetailRead:
        ticket = svc.open_ticket(
            session,
            principal,
            client_id=body.client_id,
            title=body.title,
            body=body.body,
            priority=body.priority,
            now=now,
        )
        return svc.view_of(session, principal, ticket.id, now)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@router.get(
    "/by-key/{key}",
    response_model=TicketDetailRead,
    summary="Get a ticket by its key",
    responses=errors(404),
)
def get_ticket_by_key(
    key: str, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> TicketDetailRead:
    """The ticket with this key (`ACME-42`, any case) and its clocks now."""
    return svc.view_by_key(session, principal, key, now)


@router.get(
    "/{ticket_id}",
    response_model=TicketDetailRead,
    summary="Get a ticket",
    responses=errors(404),
)
def get_ticket(
    ticket_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> TicketDetailRead:
    """The ticket, its request and its clocks measured now."""
    return svc.view_of(session, principal, ticket_id, now)


@router.get(
    "/{ticket_id}/events",
    response_model=list[EventRead],
    summary="List a ticket's events",
    responses=errors(404),
)
def list_events(
    ticket_id: int, session: SessionDep, principal: PrincipalDep
) -> list[EventRead]:
    """The ticket's history, oldest first; a client contact never sees internal
    notes."""
    return svc.event_views(session, principal, ticket_id)


@router.post(
    "/{ticket_id}/events",
    response_model=EventCreatedRead,
    status_code=201,
    summary="Append an event to a ticket",
    responses=errors(404, 409, 422),
)
def add_event(
    ticket_id: int,
    body: EventCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Append a reply, note, status or priority change, assignment, resolution
    or reopening (see `EventCreate` for what each kind takes); the ticket's
    clocks are recomputed. Client contacts may only reply and reopen (403
    otherwise); a closed ticket takes no events (409)."""

    def create(session: Session) -> EventCreatedRead:
        event = svc.add_event(
            session,
            principal,
            ticket_id,
            body.kind,
            now,
            text=body.text,
            status=body.status,
            priority=body.priority,
            reason=body.reason,
            assignee_id=body.assignee_id,
        )
        return svc.event_created_view(session, principal, event, now)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@router.get(
    "/{ticket_id}/clocks",
    response_model=TicketClocksRead,
    summary="A ticket's clocks at an instant",
    responses=errors(404, 422),
)
def get_clocks(
    ticket_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    at: AtQuery = None,
) -> TicketClocksRead:
    """The ticket's clocks as they stood at `at` (events after it are ignored),
    which must not be before the ticket was opened; answered in UTC."""
    at = now if at is None else at.astimezone(UTC)
    try:
        return svc.clocks_view(session, principal, ticket_id, at)
    except InvalidInput as exc:  # before the ticket was opened: the query's `at`
        raise InvalidInput(exc.details[0].message, location="query.at") from exc
