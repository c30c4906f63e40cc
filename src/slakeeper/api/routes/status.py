"""`/status`: the morning screen as JSON (what `slakeeper status --json` prints)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from slakeeper.api.deps import AtQuery, NowDep, PrincipalDep, SessionDep, id_filter
from slakeeper.api.responses import errors
from slakeeper.services import status as svc
from slakeeper.services.views.status import StatusRead

__all__ = ["router"]

router = APIRouter(prefix="/status", tags=["status"])


@router.get(
    "",
    response_model=StatusRead,
    summary="The morning screen",
    responses=errors(404, 422),
)
def get_status(
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
    client_id: Annotated[
        int | None, id_filter("Only this client (default: all).")
    ] = None,
    at: AtQuery = None,
) -> StatusRead:
    """Open tickets with the working time left on their most urgent clock,
    milestones not yet accepted with their adjustments, open obligations, and
    cadenced commitments with the periods missed. A client contact sees their
    own client's."""
    return svc.board(session, principal, now if at is None else at, client_id=client_id)
