"""`/clients`: the clients the principal may see, and the agreement in force."""

from __future__ import annotations

from fastapi import APIRouter

from slakeeper.api.deps import AtQuery, NowDep, PrincipalDep, SessionDep
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.api.schemas import ClientList
from slakeeper.services import agreements, workspaces
from slakeeper.services.views.agreements import AgreementInForceRead

__all__ = ["router"]

router = APIRouter(prefix="/clients", tags=["clients"])


@router.get(
    "",
    response_model=ClientList,
    summary="List clients",
    responses=errors(422),
)
def list_clients(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> ClientList:
    """The workspace's clients, oldest first; a client contact sees only their own."""
    rows = workspaces.list_clients(session, principal, page)
    items, next_cursor = paginate(rows, page, key=lambda c: c.id)
    return ClientList(items=items, next_cursor=next_cursor)


@router.get(
    "/{client_id}/agreement-in-force",
    response_model=AgreementInForceRead,
    summary="The agreement version in force at an instant",
    responses=errors(404, 422),
)
def agreement_in_force(
    client_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    at: AtQuery = None,
) -> AgreementInForceRead:
    """The version that governed the client's work at `at`; null before the first."""
    at = now if at is None else at
    return agreements.in_force(session, principal, client_id, at)
