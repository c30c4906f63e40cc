"""Obligations: clocks one party owes (docs/sla-clock.md section 6): the
client's inputs, feedback on a submission, decisions on change requests and
payments; the provider's estimates of change requests.

An obligation is open until it is met, waived by the provider, or lapsed (the
feedback on a submission deemed accepted). When the client meets one late,
every milestone depending on it gets a proposed adjustment equal to the
lateness (`settle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.core.delivery import lateness
from slakeeper.core.milestones import FINISHED
from slakeeper.core.states import (
    AdjustmentCause,
    AdjustmentKind,
    ObligationKind,
    ObligationStatus,
    Party,
    ShiftMode,
)
from slakeeper.db.models import (
    AgreementVersion,
    Milestone,
    Obligation,
    VersionState,
)
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    scoped,
    visible,
    visible_client,
)
from slakeeper.services.delivery import adjustments
from slakeeper.services.delivery import milestone_state as state
from slakeeper.services.inputs import one_of
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import (
    required_in_force,
    version_terms,
)
from slakeeper.services.views.delivery import ObligationRead

__all__ = [
    "MAX_TITLE",
    "RECORDED_KINDS",
    "add_obligation",
    "list_obligations",
    "list_views",
    "meet_obligation",
    "new_obligation",
    "open_obligations",
    "settle",
    "view_of",
    "waive_obligation",
]


MAX_TITLE = 300


RECORDED_KINDS = (  # add_obligation
    ObligationKind.INPUT,
    ObligationKind.APPROVAL,
    ObligationKind.PAYMENT,
    ObligationKind.OTHER,
)


def list_obligations(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    status: str | None = None,
    party: str | None = None,
    kind: str | None = None,
    page: Page | None = None,
) -> list[Obligation]:
    """Obligations the principal may see, by due time; with a `page`, only its
    rows, by id (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(Obligation), Obligation, principal)
    if client_id is not None:
        query = query.where(Obligation.client_id == client_id)
    if status is not None:
        query = query.where(Obligation.status == status)
    if party is not None:
        query = query.where(Obligation.party == party)
    if kind is not None:
        query = query.where(Obligation.kind == kind)
    query = in_page(query, page, Obligation.id, Obligation.due_at, Obligation.id)
    return list(session.scalars(query))


def list_views(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    status: str | None = None,
    party: str | None = None,
    kind: str | None = None,
    page: Page | None = None,
) -> list[ObligationRead]:
    """`list_obligations` as read models."""
    rows = list_obligations(
        session,
        principal,
        client_id=client_id,
        status=status,
        party=party,
        kind=kind,
        page=page,
    )
    return [ObligationRead.of(o) for o in rows]


def view_of(
    session: Session, principal: Principal, obligation_id: int
) -> ObligationRead:
    """An obligation as it is now."""
    return ObligationRead.of(_get_obligation(session, principal, obligation_id))


def new_obligation(
    session: Session,
    milestone: Milestone | None,
    *,
    kind: ObligationKind,
    party: Party,
    title: str,
    started_at: datetime,
    due_at: datetime,
    shift_mode: ShiftMode,
    client_id: int | None = None,
    agreement_id: int | None = None,
    workspace_id: int | None = None,
    change_request_id: int | None = None,
) -> Obligation:
    """Store an open obligation (no access check: for the services that create
    obligations by their own steps); without a milestone, the client, agreement
    and workspace are given."""
    row = Obligation(
        workspace_id=milestone.workspace_id if milestone else workspace_id,
        client_id=milestone.client_id if milestone else client_id,
        agreement_id=milestone.agreement_id if milestone else agreement_id,
        milestone_id=milestone.id if milestone else None,
        change_request_id=change_request_id,
        kind=kind,
        party=party,
        title=title[:MAX_TITLE],
        started_at=started_at,
        due_at=due_at,
        status=ObligationStatus.OPEN,
        shift_mode=shift_mode,
        created_at=started_at,
    )
    session.add(row)
    session.flush()
    return row


def open_obligations(
    session: Session, milestone_id: int, kind: ObligationKind
) -> list[Obligation]:
    return list(
        session.scalars(
            select(Obligation).where(
                Obligation.milestone_id == milestone_id,
                Obligation.kind == kind,
                Obligation.status == ObligationStatus.OPEN,
            )
        )
    )


def add_obligation(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    title: str,
    due_at: datetime,
    now: datetime,
    milestone_id: int | None = None,
    kind: str = ObligationKind.INPUT,
) -> Obligation:
    """Record something the client owes by `due_at` (`kind`: an input, an
    approval, a payment or other), optionally for a milestone (which then
    depends on it)."""
    active_user(session, principal)
    require_provider(principal, "record client obligations")
    recorded = one_of(ObligationKind, kind, "kind", allowed=RECORDED_KINDS)
    client = visible_client(session, principal, client_id)
    text = state.clean_text(title)
    if text is None:
        raise InvalidInput("title must not be empty", location="title")
    if len(text) > MAX_TITLE:
        raise InvalidInput(
            f"a title has at most {MAX_TITLE} characters", location="title"
        )
    milestone = None
    if milestone_id is not None:
        milestone = state.get_milestone(session, principal, milestone_id)
        if milestone.client_id != client_id:
            raise InvalidInput(
                f"milestone {milestone.key} belongs to another client",
                location="milestone",
            )
    version = required_in_force(session, principal, client, now)
    terms = version_terms(version)
    return new_obligation(
        session,
        milestone,
        kind=recorded,
        party=Party.CLIENT,
        title=text,
        started_at=now,
        due_at=due_at,
        shift_mode=terms.shift_mode,
        client_id=client.id,
        agreement_id=version.agreement_id,
        workspace_id=client.workspace_id,
    )


def _get_obligation(
    session: Session, principal: Principal, obligation_id: int
) -> Obligation:
    active_user(session, principal)
    return visible(session, principal, Obligation, obligation_id, "obligation")


def meet_obligation(
    session: Session,
    principal: Principal,
    obligation_id: int,
    now: datetime,
    *,
    note: str | None = None,
) -> Obligation:
    """Record that an input or other obligation was met at `now` (by the provider
    for the client's inputs it received). Met late, it proposes adjustments of
    the milestones that depend on it."""
    row = _get_obligation(session, principal, obligation_id)
    require_provider(principal, "record obligations as met")
    if row.status is not ObligationStatus.OPEN:
        raise Conflict(f"obligation {row.id} is {row.status}, not open")
    if row.kind in (ObligationKind.FEEDBACK, ObligationKind.DECISION):
        raise Conflict(
            f"a {row.kind} obligation is met by the client's answer, not recorded"
        )
    if row.kind is ObligationKind.ESTIMATE:
        raise Conflict("an estimate obligation is met by estimating the change")
    if now < row.started_at:
        raise InvalidInput("it cannot be met before it started", location="now")
    row.note = state.clean_text(note) or row.note
    return settle(session, principal, row, now)


def waive_obligation(
    session: Session,
    principal: Principal,
    obligation_id: int,
    now: datetime,
    *,
    reason: str,
) -> Obligation:
    """The provider releases the client from an obligation (no lateness counts)."""
    row = _get_obligation(session, principal, obligation_id)
    require_provider(principal, "waive obligations")
    if row.status is not ObligationStatus.OPEN:
        raise Conflict(f"obligation {row.id} is {row.status}, not open")
    why = state.clean_text(reason)
    if why is None:
        raise InvalidInput("give the reason", location="reason")
    row.status, row.note, row.met_at = ObligationStatus.WAIVED, why, now
    session.flush()
    return row


def settle(
    session: Session,
    principal: Principal,
    row: Obligation,
    now: datetime,
    *,
    skip: str | None = None,
    milestones: Sequence[Milestone] | None = None,
) -> Obligation:
    """Mark an obligation met (no access check: for the services that meet
    obligations by their own steps) and, when the client met it late, propose the
    adjustments of the milestones depending on it (`milestones`, else the
    obligation's milestone and those after it, except `skip`)."""
    row.status, row.met_at, row.met_by_id = (
        ObligationStatus.MET,
        now,
        principal.user_id,
    )
    version = _agreement_version(session, row.agreement_id, now)
    terms = version_terms(version)
    mode = terms.shift_mode
    row.shift_mode = mode
    row.lateness = lateness(row.due_at, now, terms.default_calendar, mode)
    session.flush()
    if row.party is not Party.CLIENT or not row.lateness:
        return row
    if milestones is None:
        milestones = []
        if row.milestone_id is not None:
            own = session.get(Milestone, row.milestone_id)
            assert own is not None
            every = session.scalars(
                select(Milestone).where(Milestone.agreement_id == own.agreement_id)
            ).all()
            milestones = [m for m in state.dependents(every, own.key) if m.key != skip]
    automatic = terms.agreement.delays.client_caused.adjustments == "automatic"
    late = adjustments.amount_words(row.lateness, mode)
    for milestone in milestones:
        if milestone.status in FINISHED:
            continue
        adjustments.propose(
            session,
            milestone,
            cause=AdjustmentCause.CLIENT,
            kind=AdjustmentKind.DELAY,
            reason=f"{row.title}: met {late} late",
            mode=mode,
            amount=row.lateness,
            now=now,
            proposed_by=None,
            automatic=automatic,
            obligation_id=row.id,
        )
    return row


def _agreement_version(
    session: Session, agreement_id: int, now: datetime
) -> AgreementVersion:
    """The version of an agreement whose delay rules apply at `now`: the one
    active then, else the newest active or superseded one."""
    rows = session.scalars(
        select(AgreementVersion)
        .join(VersionState, VersionState.version_id == AgreementVersion.id)
        .where(
            AgreementVersion.agreement_id == agreement_id,
            VersionState.active_from.is_not(None),
            VersionState.active_from <= now,
        )
        .order_by(VersionState.active_from.desc())
    ).first()
    if rows is None:
        raise Conflict("the agreement has no version in force")
    return rows
