"""`/time-entries` and `/timers`: record time worked for clients, run your timer,
list entries with their totals, change or delete them until they are approved,
and approve a client's period."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from slakeeper.api.deps import (
    ClientFilter,
    NowDep,
    PrincipalDep,
    SessionDep,
    SessionsDep,
    id_filter,
)
from slakeeper.api.idempotency import IdempotencyKeyHeader, create_once
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.api.time_schemas import (
    TimeApprovalCreate,
    TimeEntryCreate,
    TimeEntryUpdate,
    TimerStart,
    TimerStop,
)
from slakeeper.services import time_entries as svc
from slakeeper.services.views.time import (
    TimeApprovalRead,
    TimeEntryList,
    TimeEntryRead,
    TimerCurrentRead,
    TimerRead,
)

__all__ = ["router"]

entries_router = APIRouter(prefix="/time-entries", tags=["time"])
timers_router = APIRouter(prefix="/timers", tags=["time"])


def _duration(seconds: int | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


@entries_router.get(
    "",
    response_model=TimeEntryList,
    summary="List time entries with their totals",
    responses=errors(404, 422),
)
def list_entries(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
    user_id: Annotated[int | None, id_filter("Only this person's.")] = None,
    ticket_id: Annotated[int | None, id_filter("Only this ticket's.")] = None,
    from_: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="Worked at or after this instant."),
    ] = None,
    to: Annotated[
        AwareDatetime | None, Query(description="Worked before this instant.")
    ] = None,
    billable: Annotated[bool | None, Query(description="Only billable (or not).")] = (
        None
    ),
    approved: Annotated[bool | None, Query(description="Only approved (or not).")] = (
        None
    ),
    source: Annotated[
        str | None, Query(max_length=40, description="Only from this source.")
    ] = None,
) -> TimeEntryList:
    """The entries the principal may see that match every filter, oldest first;
    a client contact sees only their own client's. `totals` covers every
    matching entry, not only the page."""
    found = svc.list_entries(
        session,
        principal,
        client_id=client_id,
        user_id=user_id,
        ticket_id=ticket_id,
        from_at=from_,
        to_at=to,
        billable=billable,
        approved=approved,
        source=source,
        page=page,
    )
    items, next_cursor = paginate(found.entries, page, key=lambda e: e.id)
    return TimeEntryList(items=items, next_cursor=next_cursor, totals=found.totals)


@entries_router.post(
    "",
    response_model=TimeEntryRead,
    status_code=201,
    summary="Record time worked",
    responses=errors(404, 409, 422),
)
def add_entry(
    body: TimeEntryCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Record time worked for a client, from a start and an end or as a duration;
    raw seconds are kept as tracked. An `external_id` already recorded from the
    same source is a conflict (409)."""

    def create(session: Session) -> TimeEntryRead:
        entry = svc.add_entry(
            session,
            principal,
            client_id=body.client_id,
            started_at=body.started_at,
            ended_at=body.ended_at,
            duration=_duration(body.duration_seconds),
            worked_at=body.worked_at,
            note=body.note,
            billable=body.billable,
            ticket_id=body.ticket_id,
            milestone_key=body.milestone_key,
            user_id=body.user_id,
            source=body.source,
            external_id=body.external_id,
            now=now,
        )
        return svc.entry_read(session, entry)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@entries_router.post(
    "/approvals",
    response_model=TimeApprovalRead,
    summary="Approve a client's time for a period",
    responses=errors(404, 409, 422),
)
def approve_period(
    body: TimeApprovalCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Approve every unapproved entry of the client worked in `[from, to)`; they
    are locked from then on. Who may approve is the agreement in force when each
    entry was worked (`billing.timesheets.approved_by`, else the provider's
    owner): anyone else gets 403."""

    def create(session: Session) -> TimeApprovalRead:
        return svc.approve_period(
            session,
            principal,
            client_id=body.client_id,
            from_at=body.from_,
            to_at=body.to,
            now=now,
        )

    return create_once(
        sessions, principal, request, body, idempotency_key, now, create, 200
    )


@entries_router.get(
    "/{entry_id}",
    response_model=TimeEntryRead,
    summary="Get a time entry",
    responses=errors(404),
)
def get_entry(
    entry_id: int, session: SessionDep, principal: PrincipalDep
) -> TimeEntryRead:
    """One entry, as tracked."""
    return svc.entry_read(session, svc.get_entry(session, principal, entry_id))


@entries_router.patch(
    "/{entry_id}",
    response_model=TimeEntryRead,
    summary="Change a time entry",
    responses=errors(404, 409, 422),
)
def edit_entry(
    entry_id: int,
    body: TimeEntryUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> TimeEntryRead:
    """Change an entry's time, note or billable flag: your own (an owner: anyone's).
    An approved or invoiced entry is locked (409). The change is audited."""
    entry = svc.edit_entry(
        session,
        principal,
        entry_id,
        started_at=body.started_at,
        ended_at=body.ended_at,
        duration=_duration(body.duration_seconds),
        worked_at=body.worked_at,
        note=body.note,
        billable=body.billable,
        now=now,
    )
    return svc.entry_read(session, entry)


@entries_router.delete(
    "/{entry_id}",
    response_model=TimeEntryRead,
    summary="Delete a time entry",
    responses=errors(404, 409),
)
def delete_entry(
    entry_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> TimeEntryRead:
    """Delete an entry (your own; an owner: anyone's) and answer with what it was.
    An approved or invoiced entry is locked (409); the audit log keeps it."""
    gone = svc.entry_read(session, svc.get_entry(session, principal, entry_id))
    svc.delete_entry(session, principal, entry_id, now=now)
    return gone


@timers_router.post(
    "/start",
    response_model=TimerRead,
    status_code=201,
    summary="Start your timer",
    responses=errors(404, 409, 422),
)
def start_timer(
    body: TimerStart,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Start your timer for a client; one timer runs per user (409 while one
    runs)."""

    def create(session: Session) -> TimerRead:
        timer = svc.start_timer(
            session,
            principal,
            client_id=body.client_id,
            ticket_id=body.ticket_id,
            milestone_key=body.milestone_key,
            note=body.note,
            billable=body.billable,
            now=now,
        )
        return svc.timer_read(session, timer, now)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@timers_router.post(
    "/stop",
    response_model=TimeEntryRead,
    status_code=201,
    summary="Stop your timer",
    responses=errors(409, 422),
)
def stop_timer(
    body: TimerStop,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Stop your timer: its time becomes an entry (source `timer`), which is the
    answer. Stopping when no timer runs (stopping twice) is 409; retry a stop
    whose answer was lost with the same `Idempotency-Key`."""

    def create(session: Session) -> TimeEntryRead:
        entry = svc.stop_timer(session, principal, note=body.note, now=now)
        return svc.entry_read(session, entry)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@timers_router.get(
    "/current",
    response_model=TimerCurrentRead,
    summary="Your running timer",
    responses=errors(),
)
def current_timer(
    session: SessionDep, principal: PrincipalDep, now: NowDep
) -> TimerCurrentRead:
    """Your running timer and how long it has run; `timer` is null when none runs."""
    return svc.current_timer(session, principal, now)


# both, for the app to include (after every route above is defined)
router = APIRouter()
router.include_router(entries_router)
router.include_router(timers_router)
