"""Adjustments: moves of a milestone's due time with their cause (`provider`,
`client`, `third_party`) and reason (docs/sla-clock.md section 6).

An adjustment is proposed when the client meets an obligation late
(`services.delivery.obligations.settle`), when the provider records a delay
(`record_delay`), or when an approved change request moves a milestone
(`propose_for_change`, in effect at once). It takes effect when both sides have
accepted it (each side once: the provider's people; the client's approvers
named in the agreement), or at once where the agreement makes client-caused
adjustments automatic; either side may reject it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from slakeeper.core import format_duration
from slakeeper.core.milestones import FINISHED, MilestoneKind
from slakeeper.core.states import (
    AdjustmentCause,
    AdjustmentKind,
    AdjustmentStatus,
    Party,
    ShiftMode,
)
from slakeeper.db.models import (
    Adjustment,
    Milestone,
)
from slakeeper.errors import Conflict, InvalidInput, PermissionDenied
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    visible,
)
from slakeeper.services.delivery import milestone_state as state
from slakeeper.services.inputs import one_of
from slakeeper.services.versions import version_terms
from slakeeper.services.views.delivery import (
    AdjustmentRead,
    AdjustmentResultRead,
    MilestoneRead,
)

__all__ = [
    "accept_adjustment",
    "adjustments_of",
    "amount_words",
    "propose",
    "propose_for_change",
    "record_delay",
    "reject_adjustment",
    "result_of",
]


def adjustments_of(
    session: Session, principal: Principal, milestone_id: int
) -> list[Adjustment]:
    state.get_milestone(session, principal, milestone_id)
    return state.adjustment_rows(session, milestone_id)


def result_of(
    session: Session, principal: Principal, adjustment_id: int
) -> AdjustmentResultRead:
    """An adjustment and its milestone as they are now (after a step on it)."""
    active_user(session, principal)
    row = visible(session, principal, Adjustment, adjustment_id, "adjustment")
    milestone = state.get_milestone(session, principal, row.milestone_id)
    return AdjustmentResultRead(
        adjustment=AdjustmentRead.of(row), milestone=MilestoneRead.of(milestone)
    )


def amount_words(amount: int, mode: ShiftMode) -> str:
    if mode is ShiftMode.CALENDAR_DAYS:
        return f"{amount} day{'s' if amount != 1 else ''}"
    return format_duration(timedelta(seconds=amount))


def propose(
    session: Session,
    milestone: Milestone,
    *,
    cause: AdjustmentCause,
    kind: AdjustmentKind,
    reason: str,
    mode: ShiftMode,
    amount: int,
    now: datetime,
    proposed_by: Principal | None,
    automatic: bool = False,
    obligation_id: int | None = None,
    change_request_id: int | None = None,
    accepted: bool = False,
) -> Adjustment:
    row = Adjustment(
        workspace_id=milestone.workspace_id,
        client_id=milestone.client_id,
        milestone_id=milestone.id,
        obligation_id=obligation_id,
        change_request_id=change_request_id,
        cause=cause,
        kind=kind,
        reason=reason,
        mode=mode,
        amount=amount,
        status=AdjustmentStatus.PROPOSED,
        automatic=automatic,
        proposed_at=now,
        proposed_by_id=None if proposed_by is None else proposed_by.user_id,
    )
    if proposed_by is not None:
        _accept_side(row, proposed_by, now)
    session.add(row)
    session.flush()
    if automatic or accepted:
        _take_effect(session, row, now)
    return row


def _accept_side(row: Adjustment, principal: Principal, now: datetime) -> None:
    if principal.is_provider:
        row.provider_accepted_at, row.provider_accepted_by_id = now, principal.user_id
    else:
        row.client_accepted_at, row.client_accepted_by_id = now, principal.user_id


def _take_effect(session: Session, row: Adjustment, now: datetime) -> None:
    row.status, row.decided_at = AdjustmentStatus.ACCEPTED, now
    session.flush()
    milestone = session.get(Milestone, row.milestone_id)
    assert milestone is not None
    state.append_event(
        session,
        milestone,
        MilestoneKind.ADJUSTED,
        now,
        None,
        text=row.reason,
        data={"adjustment": row.id, "mode": row.mode, "amount": row.amount},
    )
    state.recompute(session, milestone.id, now)


def record_delay(
    session: Session,
    principal: Principal,
    milestone_id: int,
    *,
    cause: str,
    amount: int,
    mode: str,
    reason: str,
    now: datetime,
) -> Adjustment:
    """Record a delay of a milestone with its cause (`provider`, `client`,
    `third_party`) and propose moving it by `amount` (working seconds, or days
    with mode `calendar_days`). The proposer's side accepts it by proposing; a
    client-caused delay takes effect at once where the agreement makes
    adjustments automatic."""
    row = state.get_milestone(session, principal, milestone_id)
    require_provider(principal, "record delays")
    why_late = one_of(AdjustmentCause, cause, "cause")
    shift_mode = one_of(ShiftMode, mode, "mode")
    if amount <= 0:
        raise InvalidInput("a delay is longer than zero", location="amount")
    why = state.clean_text(reason)
    if why is None:
        raise InvalidInput("give the reason", location="reason")
    if row.status in FINISHED:
        raise Conflict(f"milestone {row.key} is {row.status}; it cannot move")
    terms = version_terms(state.version_of(session, row))
    automatic = (
        why_late is AdjustmentCause.CLIENT
        and terms.agreement.delays.client_caused.adjustments == "automatic"
    )
    return propose(
        session,
        row,
        cause=why_late,
        kind=AdjustmentKind.DELAY,
        reason=why,
        mode=shift_mode,
        amount=amount,
        now=now,
        proposed_by=principal,
        automatic=automatic,
    )


def _get_adjustment(
    session: Session, principal: Principal, adjustment_id: int
) -> Adjustment:
    """A proposed adjustment the principal may decide on: any of the provider's
    people, or one of the client's approvers named in the agreement (every
    client contact when it names none)."""
    user = active_user(session, principal)
    row = visible(session, principal, Adjustment, adjustment_id, "adjustment")
    if row.status is not AdjustmentStatus.PROPOSED:
        raise Conflict(f"adjustment {row.id} is already {row.status}")
    if not principal.is_provider:
        milestone = session.get(Milestone, row.milestone_id)
        assert milestone is not None
        approvers = version_terms(state.version_of(session, milestone)).approvers(
            Party.CLIENT
        )
        if user.email.lower() not in approvers:
            raise PermissionDenied(
                f"{user.email} does not decide on schedule changes for the client"
                f" (the agreement names {', '.join(approvers)})"
            )
    return row


def accept_adjustment(
    session: Session, principal: Principal, adjustment_id: int, now: datetime
) -> Adjustment:
    """Accept a proposed adjustment for the principal's side; it takes effect
    once both sides have."""
    row = _get_adjustment(session, principal, adjustment_id)
    side = row.provider_accepted_at if principal.is_provider else row.client_accepted_at
    if side is not None:
        raise Conflict(f"your side has already accepted adjustment {row.id}")
    _accept_side(row, principal, now)
    if row.provider_accepted_at is not None and row.client_accepted_at is not None:
        _take_effect(session, row, now)
    session.flush()
    return row


def reject_adjustment(
    session: Session, principal: Principal, adjustment_id: int, now: datetime
) -> Adjustment:
    """Either side turns a proposed adjustment down; the milestone keeps its date."""
    row = _get_adjustment(session, principal, adjustment_id)
    row.status = AdjustmentStatus.REJECTED
    row.decided_at, row.rejected_by_id = now, principal.user_id
    session.flush()
    return row


def propose_for_change(
    session: Session,
    milestone: Milestone,
    *,
    mode: ShiftMode,
    amount: int,
    reason: str,
    change_request_id: int,
    now: datetime,
) -> Adjustment:
    """An approved change request moves a milestone: both sides agreed to it
    (the provider's estimate, the client's approval), so it takes effect now."""
    return propose(
        session,
        milestone,
        cause=AdjustmentCause.CLIENT,
        kind=AdjustmentKind.CHANGE,
        reason=reason,
        mode=mode,
        amount=amount,
        now=now,
        proposed_by=None,
        change_request_id=change_request_id,
        accepted=True,
    )
