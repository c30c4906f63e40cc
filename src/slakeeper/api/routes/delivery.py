"""Delivery: `/milestones` (with their events, submissions, reviews and delays),
`/adjustments`, `/obligations`, `/change-requests` and a client's cadenced
`/clients/{client_id}/commitments`.

A POST to a collection records something new (an obligation, a change request,
a submission, a review, a delay, a commitment update): it answers 201 and takes
an `Idempotency-Key`. A POST that moves one object on (start, accept, reject,
met, waive, estimate, decision) answers 200 with the object after it and takes
no key: a retry finds it moved already and is refused (409), changing nothing.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from slakeeper.api.delivery_schemas import (
    ChangeRequestCreate,
    CommitmentUpdateCreate,
    DecisionCreate,
    DelayCreate,
    EstimateCreate,
    FulfilmentCreate,
    ObligationCreate,
    ReviewCreate,
    SubmissionCreate,
    WaiverCreate,
)
from slakeeper.api.deps import (
    AtQuery,
    ClientFilter,
    NowDep,
    PrincipalDep,
    SessionDep,
    SessionsDep,
)
from slakeeper.api.idempotency import IdempotencyKeyHeader, create_once
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.services.delivery import (
    adjustments,
    change_requests,
    commitments,
    obligations,
)
from slakeeper.services.delivery import milestones as svc
from slakeeper.services.delivery.change_requests import Effect
from slakeeper.services.views.delivery import (
    AdjustmentResultRead,
    ChangeRequestList,
    ChangeRequestRead,
    CommitmentsRead,
    CommitmentUpdateRead,
    MilestoneDetailRead,
    MilestoneEventRead,
    MilestoneList,
    MilestoneRead,
    MilestoneStepRead,
    ObligationList,
    ObligationRead,
)

__all__ = [
    "adjustments_router",
    "changes_router",
    "commitments_router",
    "milestones_router",
    "obligations_router",
]

milestones_router = APIRouter(prefix="/milestones", tags=["milestones"])
adjustments_router = APIRouter(prefix="/adjustments", tags=["milestones"])
obligations_router = APIRouter(prefix="/obligations", tags=["obligations"])
changes_router = APIRouter(prefix="/change-requests", tags=["change requests"])
commitments_router = APIRouter(
    prefix="/clients/{client_id}/commitments", tags=["commitments"]
)


# -- milestones --------------------------------------------------------------------


@milestones_router.get(
    "", response_model=MilestoneList, summary="List milestones", responses=errors(422)
)
def list_milestones(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    now: NowDep,
    client_id: ClientFilter = None,
) -> MilestoneList:
    """The milestones the principal may see, oldest first, with their state now
    (`computed_at`); a client contact sees only their own client's."""
    rows = svc.list_views(session, principal, now, client_id=client_id, page=page)
    items, next_cursor = paginate(rows, page, key=lambda m: m.id)
    return MilestoneList(items=items, next_cursor=next_cursor)


@milestones_router.get(
    "/{milestone_id}",
    response_model=MilestoneDetailRead,
    summary="Get a milestone with its adjustments",
    responses=errors(404),
)
def get_milestone(
    milestone_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> MilestoneDetailRead:
    """The milestone's state now and every adjustment proposed for it, oldest
    first."""
    return svc.detail_of(session, principal, milestone_id, now)


@milestones_router.get(
    "/{milestone_id}/events",
    response_model=list[MilestoneEventRead],
    summary="List a milestone's events",
    responses=errors(404),
)
def list_milestone_events(
    milestone_id: int, session: SessionDep, principal: PrincipalDep
) -> list[MilestoneEventRead]:
    """The milestone's history, oldest first."""
    return svc.event_views(session, principal, milestone_id)


@milestones_router.post(
    "/{milestone_id}/start",
    response_model=MilestoneRead,
    summary="Start a planned milestone",
    responses=errors(404, 409),
)
def start_milestone(
    milestone_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> MilestoneRead:
    """The provider marks a planned milestone as in progress (409 otherwise)."""
    svc.start(session, principal, milestone_id, now)
    return svc.view_of(session, principal, milestone_id)


@milestones_router.post(
    "/{milestone_id}/submissions",
    response_model=MilestoneStepRead,
    status_code=201,
    summary="Submit a milestone for the client's review",
    responses=errors(404, 409, 422),
)
def submit_milestone(
    milestone_id: int,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    body: SubmissionCreate | None = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """The provider hands the deliverables over; the client's feedback becomes
    an obligation due when the review window closes (`review_due_at`). A
    milestone planned, in progress or with changes requested may be submitted
    (409 otherwise)."""
    given = body or SubmissionCreate()

    def create(session: Session) -> MilestoneStepRead:
        svc.submit(session, principal, milestone_id, now, note=given.note)
        return svc.step_of(session, principal, milestone_id)

    return create_once(
        sessions, principal, request, given, idempotency_key, now, create
    )


@milestones_router.post(
    "/{milestone_id}/reviews",
    response_model=MilestoneStepRead,
    status_code=201,
    summary="Review a submitted milestone",
    responses=errors(404, 409, 422),
)
def review_milestone(
    milestone_id: int,
    body: ReviewCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """The client's people accept the submission or ask for changes (saying
    what). Feedback after the review window is late: the later milestones get
    an adjustment proposed by the lateness."""

    def create(session: Session) -> MilestoneStepRead:
        svc.review(session, principal, milestone_id, body.answer, now, note=body.note)
        return svc.step_of(session, principal, milestone_id)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@milestones_router.post(
    "/{milestone_id}/delays",
    response_model=AdjustmentResultRead,
    status_code=201,
    summary="Record a delay of a milestone",
    responses=errors(404, 409, 422),
)
def record_delay(
    milestone_id: int,
    body: DelayCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """The provider records a delay with its cause and proposes moving the
    milestone by it, accepting it for the provider's side; it takes effect when
    the client accepts (at once for a client-caused delay where the agreement
    makes adjustments automatic)."""
    amount, mode = body.amount()

    def create(session: Session) -> AdjustmentResultRead:
        row = adjustments.record_delay(
            session,
            principal,
            milestone_id,
            cause=body.cause,
            amount=amount,
            mode=mode,
            reason=body.reason,
            now=now,
        )
        return adjustments.result_of(session, principal, row.id)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@adjustments_router.post(
    "/{adjustment_id}/accept",
    response_model=AdjustmentResultRead,
    summary="Accept a proposed adjustment",
    responses=errors(404, 409),
)
def accept_adjustment(
    adjustment_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> AdjustmentResultRead:
    """Accept for your side (provider or client); once both sides have, the
    milestone's due time moves. One no longer proposed is 409."""
    adjustments.accept_adjustment(session, principal, adjustment_id, now)
    return adjustments.result_of(session, principal, adjustment_id)


@adjustments_router.post(
    "/{adjustment_id}/reject",
    response_model=AdjustmentResultRead,
    summary="Reject a proposed adjustment",
    responses=errors(404, 409),
)
def reject_adjustment(
    adjustment_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> AdjustmentResultRead:
    """Either side turns a proposed adjustment down; the milestone keeps its due
    time. One no longer proposed is 409."""
    adjustments.reject_adjustment(session, principal, adjustment_id, now)
    return adjustments.result_of(session, principal, adjustment_id)


# -- obligations -------------------------------------------------------------------


@obligations_router.get(
    "", response_model=ObligationList, summary="List obligations", responses=errors(422)
)
def list_obligations(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
    status: Annotated[
        str | None,
        Query(max_length=20, description="open, met, waived or lapsed."),
    ] = None,
    party: Annotated[
        str | None,
        Query(max_length=10, description="Who owes it: client or provider."),
    ] = None,
    kind: Annotated[
        str | None,
        Query(max_length=20, description="input, feedback, decision, estimate, ..."),
    ] = None,
) -> ObligationList:
    """The obligations the principal may see, oldest first; a client contact
    sees only their own client's."""
    rows = obligations.list_views(
        session,
        principal,
        client_id=client_id,
        status=status,
        party=party,
        kind=kind,
        page=page,
    )
    items, next_cursor = paginate(rows, page, key=lambda o: o.id)
    return ObligationList(items=items, next_cursor=next_cursor)


@obligations_router.post(
    "",
    response_model=ObligationRead,
    status_code=201,
    summary="Record an input the client owes",
    responses=errors(404, 409, 422),
)
def add_obligation(
    body: ObligationCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """The provider records something the client owes by `due_at`, optionally
    for one of the client's milestones, which then moves when it comes late.
    The client needs an agreement in force (409 otherwise)."""

    def create(session: Session) -> ObligationRead:
        row = obligations.add_obligation(
            session,
            principal,
            client_id=body.client_id,
            title=body.title,
            due_at=body.due_at.astimezone(UTC),
            now=now,
            milestone_id=body.milestone_id,
            kind=body.kind,
        )
        return obligations.view_of(session, principal, row.id)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@obligations_router.post(
    "/{obligation_id}/met",
    response_model=ObligationRead,
    summary="Record an obligation as met",
    responses=errors(404, 409, 422),
)
def meet_obligation(
    obligation_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    body: FulfilmentCreate | None = None,
) -> ObligationRead:
    """The provider records that an open obligation was met now (an input it
    received). Met late by the client, it proposes adjustments of the
    milestones that depend on it (see `GET /milestones/{id}`). Feedback and
    decisions are met by the client's answer, not here (409)."""
    note = None if body is None else body.note
    obligations.meet_obligation(session, principal, obligation_id, now, note=note)
    return obligations.view_of(session, principal, obligation_id)


@obligations_router.post(
    "/{obligation_id}/waive",
    response_model=ObligationRead,
    summary="Waive an obligation",
    responses=errors(404, 409, 422),
)
def waive_obligation(
    obligation_id: int,
    body: WaiverCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> ObligationRead:
    """The provider releases the client from an open obligation, saying why; no
    lateness counts."""
    obligations.waive_obligation(
        session, principal, obligation_id, now, reason=body.reason
    )
    return obligations.view_of(session, principal, obligation_id)


# -- change requests ---------------------------------------------------------------


@changes_router.get(
    "",
    response_model=ChangeRequestList,
    summary="List change requests",
    responses=errors(422),
)
def list_changes(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
    status: Annotated[
        str | None,
        Query(max_length=20, description="requested, estimated, approved or rejected."),
    ] = None,
) -> ChangeRequestList:
    """The change requests the principal may see, oldest first; a client
    contact sees only their own client's."""
    rows = change_requests.list_views(
        session, principal, client_id=client_id, status=status, page=page
    )
    items, next_cursor = paginate(rows, page, key=lambda c: c.id)
    return ChangeRequestList(items=items, next_cursor=next_cursor)


@changes_router.post(
    "",
    response_model=ChangeRequestRead,
    status_code=201,
    summary="Request a change",
    responses=errors(404, 409, 422),
)
def request_change(
    body: ChangeRequestCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A client contact (or the provider on the client's behalf) asks for a
    change, numbered per client (`ACME-CR-1`); the provider's estimate is then
    due within the agreement's time. The client needs an agreement in force
    (409 otherwise)."""

    def create(session: Session) -> ChangeRequestRead:
        row = change_requests.request_change(
            session,
            principal,
            client_id=body.client_id,
            title=body.title,
            body=body.body,
            now=now,
        )
        return change_requests.view_of(session, principal, row.id)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@changes_router.get(
    "/{change_id}",
    response_model=ChangeRequestRead,
    summary="Get a change request",
    responses=errors(404),
)
def get_change(
    change_id: int, session: SessionDep, principal: PrincipalDep
) -> ChangeRequestRead:
    """The change request, its estimate and its decision."""
    return change_requests.view_of(session, principal, change_id)


@changes_router.post(
    "/{change_id}/estimate",
    response_model=ChangeRequestRead,
    summary="Estimate a requested change",
    responses=errors(404, 409, 422),
)
def estimate_change(
    change_id: int,
    body: EstimateCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> ChangeRequestRead:
    """The provider estimates a requested change (409 otherwise): effort, cost
    and how it would move milestones. The client's decision is then due."""
    effects = [Effect(key, amount, mode) for key, amount, mode in body.effect_amounts()]
    change_requests.estimate(
        session,
        principal,
        change_id,
        effort=timedelta(seconds=body.effort_seconds),
        cost=body.cost,
        effects=effects,
        now=now,
        note=body.note,
    )
    return change_requests.view_of(session, principal, change_id)


@changes_router.post(
    "/{change_id}/decision",
    response_model=ChangeRequestRead,
    summary="Approve or reject an estimated change",
    responses=errors(404, 409, 422),
)
def decide_change(
    change_id: int,
    body: DecisionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> ChangeRequestRead:
    """The client contact the agreement names (`change_requests.requires_approval_by`)
    approves or rejects an estimated change (409 otherwise). An approved change
    moves the milestones it names at once; a late decision also proposes
    adjustments, like any late client obligation."""
    change_requests.decide(
        session, principal, change_id, approve=body.approve, now=now, note=body.note
    )
    return change_requests.view_of(session, principal, change_id)


# -- commitments -------------------------------------------------------------------


@commitments_router.get(
    "",
    response_model=CommitmentsRead,
    summary="A client's cadenced commitments and their periods",
    responses=errors(404, 422),
)
def list_commitments(
    client_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    at: AtQuery = None,
) -> CommitmentsRead:
    """Every cadenced commitment of the agreement in force at `at` (none before
    the first agreement), with its periods from the agreement's start up to the
    one open at `at`, each met, missed or open; answered in UTC."""
    at = now if at is None else at.astimezone(UTC)
    return commitments.status_view(session, principal, client_id, at)


@commitments_router.post(
    "/updates",
    response_model=CommitmentUpdateRead,
    status_code=201,
    summary="Record an update that keeps a commitment",
    responses=errors(404, 409, 422),
)
def record_commitment_update(
    client_id: int,
    body: CommitmentUpdateCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """The provider records that it kept a cadenced commitment now (what was
    sent); it meets the period it falls in."""

    def create(session: Session) -> CommitmentUpdateRead:
        row = commitments.record_update(
            session,
            principal,
            client_id=client_id,
            commitment=body.commitment,
            text=body.text,
            now=now,
        )
        return commitments.update_of(session, principal, row.id)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)
