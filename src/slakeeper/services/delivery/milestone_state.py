"""A milestone's state: derived from its events and accepted adjustments on the
agreement's calendar (`core.derive_milestone`), and stored in its row after every
change (`recompute`). The rules are in docs/sla-clock.md section 6 and in
`slakeeper.services.delivery.milestones`; the steps that change a milestone
live there, obligations in `services.delivery.obligations`, adjustments in
`services.delivery.adjustments`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from slakeeper.agreement.schema import Milestone as MilestoneTerms
from slakeeper.agreement.schema import Obligation as ObligationTerms
from slakeeper.agreement.types import CalendarPeriod, WorkingTime
from slakeeper.core import (
    MilestoneKind,
    MilestoneShift,
    MilestoneState,
    derive_milestone,
    period_after,
)
from slakeeper.core.states import AdjustmentStatus
from slakeeper.db.models import (
    Adjustment,
    AgreementVersion,
    Milestone,
    MilestoneEvent,
)
from slakeeper.errors import InvalidInput, NotFound
from slakeeper.services.access import (
    Principal,
    active_user,
    visible,
)
from slakeeper.services.versions import VersionTerms, version_terms

__all__ = [
    "adjustment_rows",
    "append_event",
    "clean_text",
    "dependents",
    "due_after",
    "events",
    "get_milestone",
    "obligation_terms",
    "preload",
    "recompute",
    "review_within",
    "state_at",
    "states_at",
    "terms_of",
    "version_of",
]


def due_after(
    start: datetime, within: WorkingTime | CalendarPeriod, terms: VersionTerms
) -> datetime:
    """The due time of an obligation started at `start` with `within` allowed:
    working time on the agreement's calendar, or a wall-calendar period in its
    time zone."""
    calendar = terms.default_calendar
    if isinstance(within, WorkingTime):
        return calendar.add(start, within.resolve(calendar.business_day))
    return period_after(start, within.amount, within.unit, terms.zone)


def dependents(milestones: Iterable[Milestone], key: str) -> list[Milestone]:
    """The milestone `key` and every milestone after it (transitively through
    `after`), in agreement order."""
    rows = list(milestones)
    keys = {key}
    grew = True
    while grew:
        grew = False
        for m in rows:
            if m.after_key in keys and m.key not in keys:
                keys.add(m.key)
                grew = True
    return [m for m in rows if m.key in keys]


def get_milestone(
    session: Session, principal: Principal, milestone_id: int
) -> Milestone:
    active_user(session, principal)
    return visible(session, principal, Milestone, milestone_id, "milestone")


def events(session: Session, milestone_id: int) -> list[MilestoneEvent]:
    return list(
        session.scalars(
            select(MilestoneEvent)
            .where(MilestoneEvent.milestone_id == milestone_id)
            .order_by(MilestoneEvent.seq)
        )
    )


def adjustment_rows(session: Session, milestone_id: int) -> list[Adjustment]:
    return list(
        session.scalars(
            select(Adjustment)
            .where(Adjustment.milestone_id == milestone_id)
            .order_by(Adjustment.id)
        )
    )


def version_of(session: Session, milestone: Milestone) -> AgreementVersion:
    version = session.get(AgreementVersion, milestone.agreement_version_id)
    assert version is not None
    return version


def terms_of(session: Session, milestone: Milestone) -> MilestoneTerms | None:
    agreement = version_terms(version_of(session, milestone)).agreement
    return next((m for m in agreement.milestones if m.id == milestone.key), None)


def review_within(session: Session, milestone: Milestone) -> timedelta | None:
    """The client's review window for a submission: the milestone's acceptance
    terms, else the agreement's client obligation about feedback."""
    terms = version_terms(version_of(session, milestone))
    calendar = terms.default_calendar
    own = terms_of(session, milestone)
    if own is not None and own.acceptance is not None:
        return own.acceptance.review_within.resolve(calendar.business_day)
    feedback = obligation_terms(terms, "feedback")
    if feedback is not None and isinstance(feedback.within, WorkingTime):
        return feedback.within.resolve(calendar.business_day)
    return None


def obligation_terms(terms: VersionTerms, word: str) -> ObligationTerms | None:
    """The agreement's client obligation whose wording starts with `word`
    (`Feedback on delivered work`, `Decisions on change requests`)."""
    for item in terms.agreement.responsibilities.client:
        if isinstance(item, ObligationTerms) and item.obligation.lower().startswith(
            word
        ):
            return item
    return None


def _derive(session: Session, milestone: Milestone, now: datetime) -> MilestoneState:
    return _derive_from(
        session,
        milestone,
        events(session, milestone.id),
        adjustment_rows(session, milestone.id),
        now,
    )


def _derive_from(
    session: Session,
    milestone: Milestone,
    event_rows: Sequence[MilestoneEvent],
    adjustments: Sequence[Adjustment],
    now: datetime,
) -> MilestoneState:
    """`derive` for a milestone whose events (by seq) and adjustments (by id)
    are loaded; its version is read through the session (once per session)."""
    version = version_of(session, milestone)
    shifts = [
        MilestoneShift(a.decided_at, a.mode, a.amount)
        for a in adjustments
        if a.status is AdjustmentStatus.ACCEPTED and a.decided_at is not None
    ]
    return derive_milestone(
        base_due_at=milestone.base_due_at,
        started_at=milestone.started_at,
        events=[(e.kind, e.at) for e in event_rows],
        shifts=shifts,
        calendar=version_terms(version).default_calendar,
        review_within=review_within(session, milestone),
        warn_at=version_terms(version).tickets.warn_at,
        now=now,
    )


def state_at(
    session: Session, principal: Principal, milestone_id: int, now: datetime
) -> MilestoneState:
    """A milestone's state at `now`, derived afresh (nothing is stored)."""
    return _derive(session, get_milestone(session, principal, milestone_id), now)


def states_at(
    session: Session, milestones: Sequence[Milestone], now: datetime
) -> list[MilestoneState]:
    """The states at `now` of milestones a scoped list read (a page), derived
    afresh like `state_at`, in a constant number of queries: their versions,
    events and adjustments are loaded for all of them at once."""
    preload(session, milestones)
    return [_derive_from(session, m, m.events, m.adjustments, now) for m in milestones]


def preload(
    session: Session, milestones: Sequence[Milestone], *, events: bool = True
) -> None:
    """Load the versions, adjustments (by id) and, unless `events` is False,
    events (by seq) of milestones a scoped list read, for all of them at once
    (one query each, however many milestones): `m.version`, `m.adjustments`
    and `m.events` are then read without a query."""
    if not milestones:
        return
    children = [selectinload(Milestone.version), selectinload(Milestone.adjustments)]
    if events:
        children.append(selectinload(Milestone.events))
    session.scalars(
        select(Milestone)
        .where(Milestone.id.in_([m.id for m in milestones]))
        .options(*children)
    ).all()


def recompute(session: Session, milestone_id: int, now: datetime) -> Milestone:
    """Derive a milestone's state at `now` and store it in its row (no access
    check: for the service itself and for workers)."""
    row = session.get(Milestone, milestone_id)
    if row is None:
        raise NotFound(f"milestone {milestone_id} not found")
    state = _derive(session, row, now)
    row.status = state.status
    row.due_at = state.due_at
    row.delivered_at = state.delivered_at
    row.accepted_at = state.accepted_at
    row.review_due_at = state.review_due_at
    row.late = state.late
    row.at_risk = state.at_risk
    row.next_check_at = state.next_check_at
    row.computed_at = now
    session.flush()
    return row


def append_event(
    session: Session,
    milestone: Milestone,
    kind: MilestoneKind,
    at: datetime,
    actor_id: int | None,
    *,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> MilestoneEvent:
    last = session.scalars(
        select(MilestoneEvent.at)
        .where(MilestoneEvent.milestone_id == milestone.id)
        .order_by(MilestoneEvent.seq.desc())
        .limit(1)
    ).first()
    if last is not None and at < last:
        raise InvalidInput(
            f"events are appended in time order: {at.isoformat()} is before the"
            f" milestone's last event at {last.isoformat()}",
            location="now",
        )
    milestone.last_seq += 1
    row = MilestoneEvent(
        workspace_id=milestone.workspace_id,
        milestone_id=milestone.id,
        seq=milestone.last_seq,
        at=at,
        kind=kind,
        actor_id=actor_id,
        text=text,
        data=data or {},
    )
    session.add(row)
    session.flush()
    return row


def clean_text(text: str | None) -> str | None:
    return text.strip() if text is not None and text.strip() else None
