"""`/agreements`: import and amend agreement files, review, approve or reject
versions, comment on them, and render their contract as HTML or PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from slakeeper.agreement.pdf import to_pdf
from slakeeper.agreement.render import to_html
from slakeeper.api.deps import (
    ClientFilter,
    NowDep,
    PrincipalDep,
    SessionDep,
    SessionsDep,
)
from slakeeper.api.idempotency import IdempotencyKeyHeader, create_once
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.api.schemas import (
    AgreementCreate,
    AgreementList,
    ApprovalCreate,
    CommentCreate,
    RejectionCreate,
    VersionCreate,
)
from slakeeper.services import agreements as svc
from slakeeper.services import contracts
from slakeeper.services.access import Principal
from slakeeper.services.views.agreements import (
    CommentRead,
    VersionDetailRead,
    VersionRead,
)

__all__ = ["comments_router", "router"]

router = APIRouter(prefix="/agreements", tags=["agreements"])
comments_router = APIRouter(prefix="/comments", tags=["agreements"])
VERSION = "/{agreement_id}/versions/{number}"


def _version_id(
    session: Session, principal: Principal, agreement_id: int, number: int
) -> int:
    return svc.get_version(session, principal, agreement_id, number).id


@router.get(
    "", response_model=AgreementList, summary="List agreements", responses=errors(422)
)
def list_agreements(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
) -> AgreementList:
    """The agreements the principal may see, oldest first; a client contact sees
    only their own client's. `client_id` narrows to one client."""
    rows = svc.list_agreements(session, principal, client_id=client_id, page=page)
    items, next_cursor = paginate(rows, page, key=lambda a: a.id)
    return AgreementList(items=items, next_cursor=next_cursor)


@router.post(
    "",
    response_model=VersionRead,
    status_code=201,
    summary="Import an agreement (version 1, draft)",
    responses=errors(404, 422),
)
def import_agreement(
    body: AgreementCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Store an agreement file with a client as version 1 of a new agreement. The
    file must validate and pass the lint checks without errors."""

    def create(session: Session) -> VersionRead:
        return svc.import_agreement(
            session,
            principal,
            client_id=body.client_id,
            text=body.text,
            source_name=body.source_name,
            now=now,
        )

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@router.get(
    "/{agreement_id}/versions",
    response_model=list[VersionRead],
    summary="List an agreement's versions",
    responses=errors(404),
)
def list_versions(
    agreement_id: int, session: SessionDep, principal: PrincipalDep
) -> list[VersionRead]:
    """Every version, oldest first, with its state, approvals and what changed
    from the version before."""
    return svc.history(session, principal, agreement_id)


@router.post(
    "/{agreement_id}/versions",
    response_model=VersionRead,
    status_code=201,
    summary="Amend an agreement (a new draft version)",
    responses=errors(404, 422),
)
def amend(
    agreement_id: int,
    body: VersionCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Store a changed file as a new draft version; an open draft or review
    before it is withdrawn."""

    def create(session: Session) -> VersionRead:
        return svc.amend(
            session,
            principal,
            agreement_id=agreement_id,
            text=body.text,
            source_name=body.source_name,
            now=now,
        )

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@router.get(
    VERSION,
    response_model=VersionDetailRead,
    summary="Get a version with its file",
    responses=errors(404),
)
def get_version(
    agreement_id: int, number: int, session: SessionDep, principal: PrincipalDep
) -> VersionDetailRead:
    """A version's state, hash, approvals and what changed from the version
    before, and the agreement file as stored."""
    return svc.version_detail(session, principal, agreement_id, number)


@router.post(
    VERSION + "/submit",
    response_model=VersionRead,
    summary="Send a draft for review",
    responses=errors(404, 409),
)
def submit(
    agreement_id: int,
    number: int,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> VersionRead:
    """Send a draft version for review and approval by both parties."""
    version_id = _version_id(session, principal, agreement_id, number)
    return svc.submit(session, principal, version_id, now)


@router.post(
    VERSION + "/approve",
    response_model=VersionRead,
    summary="Approve a version's exact content",
    responses=errors(404, 409, 422),
)
def approve(
    agreement_id: int,
    number: int,
    body: ApprovalCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> VersionRead:
    """Approve the content whose SHA-256 you reviewed; a stale hash is refused
    (409). The last party's approval approves the version, and activates it when
    its effective date has come."""
    version_id = _version_id(session, principal, agreement_id, number)
    return svc.approve(session, principal, version_id, body.sha256, now)


@router.post(
    VERSION + "/reject",
    response_model=VersionRead,
    summary="Send a version under review back to draft",
    responses=errors(404, 409, 422),
)
def reject(
    agreement_id: int,
    number: int,
    body: RejectionCreate,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> VersionRead:
    """Reject a version under review, saying why; it goes back to draft."""
    version_id = _version_id(session, principal, agreement_id, number)
    return svc.reject(session, principal, version_id, body.reason, now)


@router.get(
    VERSION + "/comments",
    response_model=list[CommentRead],
    summary="List a version's comments",
    responses=errors(404),
)
def list_comments(
    agreement_id: int, number: int, session: SessionDep, principal: PrincipalDep
) -> list[CommentRead]:
    """The version's comments, oldest first."""
    version_id = _version_id(session, principal, agreement_id, number)
    return svc.comments(session, principal, version_id)


@router.post(
    VERSION + "/comments",
    response_model=CommentRead,
    status_code=201,
    summary="Comment on a version",
    responses=errors(404, 422),
)
def add_comment(
    agreement_id: int,
    number: int,
    body: CommentCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A comment on a version, on one of its fields (`anchor`), or in reply to
    another comment (`parent_id`)."""

    def create(session: Session) -> CommentRead:
        version_id = _version_id(session, principal, agreement_id, number)
        return svc.comment(
            session,
            principal,
            version_id,
            body.body,
            now,
            anchor=body.anchor,
            parent_id=body.parent_id,
        )

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@comments_router.post(
    "/{comment_id}/resolve",
    response_model=CommentRead,
    summary="Resolve a comment",
    responses=errors(404, 409),
)
def resolve_comment(
    comment_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> CommentRead:
    """Mark a comment resolved (once)."""
    return svc.resolve_comment(session, principal, comment_id, now)


@router.get(
    VERSION + "/contract.html",
    response_class=HTMLResponse,
    summary="The version's contract as HTML",
    responses=errors(404, document=True),
)
def contract_html(
    agreement_id: int, number: int, session: SessionDep, principal: PrincipalDep
) -> HTMLResponse:
    """The plain-English contract; its footer carries the stored hash, the
    approvers and the audit log's head."""
    doc = contracts.stored_contract(session, principal, agreement_id, number)
    return HTMLResponse(to_html(doc))


@router.get(
    VERSION + "/contract.pdf",
    response_class=Response,
    summary="The version's contract as PDF",
    responses={
        200: {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}
            }
        },
        **errors(404, document=True),
    },
)
def contract_pdf(
    agreement_id: int, number: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The contract as a PDF document (the same bytes for the same version and
    audit head)."""
    doc = contracts.stored_contract(session, principal, agreement_id, number)
    return Response(
        to_pdf(doc),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="agreement-{agreement_id}'
            f'-v{number}.pdf"'
        },
    )
