"""Milestones, client obligations and schedule adjustments (docs/sla-clock.md
section 6).

Milestones come from the agreement: when a version becomes active its
milestones are taken into the `milestone` table (`sync_milestones`), together
with the inputs they need from the client, which become obligations. A later
amendment that moves, renames or drops a milestone is recorded as an event.

A milestone's state is a pure function of its events, its accepted adjustments,
the agreement's calendar and `now` (`derive`), stored in its row after every
change (`recompute`):

- due at `base_due_at` (the end of the agreed date, 24:00 in the agreement's
  time zone), moved by every adjustment accepted since the agreement last set
  that date;
- on time when the submission that was accepted came by the due time; late when
  it came after it, or when nothing is delivered and the due time has passed;
- at risk when nothing is delivered and the working time used since it started
  has reached the agreement's warning level (its first escalation step, 75 %
  by default);
- `next_check_at`: when it turns at risk or late, or when the client's review
  window closes, without anything new happening.

Obligations are clocks one party owes: the client's inputs (by a date),
feedback on a submission (within the milestone's review window), decisions on
change requests, payments; and the provider's estimates of change requests.
When the client meets one late, every milestone that depends on it gets a
proposed adjustment equal to the lateness, in working time of the agreement's
calendar or in calendar days as the agreement says; it takes effect when both
sides accept it, or at once where the agreement makes adjustments automatic.
Silence past a review window follows the milestone's `if_silent`:
`deemed_accepted` accepts the submission when the window closes
(`run_due_checks`); `shift_schedule` leaves the obligation open, and its
lateness moves the later milestones once feedback comes.

Who may do what: the provider's people start and submit milestones, record
delays, meet the client's inputs and answer for obligations; a client contact
reviews submissions of their own client. Either side accepts or rejects a
proposed adjustment for its own party. Another workspace's rows are not found.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.core.delivery import due_instant
from slakeeper.core.milestones import FINISHED, OPEN, MilestoneKind
from slakeeper.core.states import (
    MilestoneStatus,
    ObligationKind,
    ObligationStatus,
    Party,
    Role,
)
from slakeeper.db.models import AgreementVersion, Milestone, MilestoneEvent
from slakeeper.errors import Conflict, InvalidInput, PermissionDenied
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    scoped,
)
from slakeeper.services.delivery import milestone_state as state
from slakeeper.services.delivery import obligations
from slakeeper.services.inputs import one_of
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import VersionTerms, version_terms
from slakeeper.services.views.delivery import (
    MilestoneDetailRead,
    MilestoneEventRead,
    MilestoneRead,
    MilestoneStepRead,
)

__all__ = [
    "Review",
    "check_milestone",
    "detail_of",
    "due_milestones",
    "event_views",
    "events_of",
    "list_milestones",
    "list_views",
    "milestone_due_checks",
    "review",
    "start",
    "step_of",
    "submit",
    "sync_milestones",
    "terms_for",
    "view_of",
]


class Review(StrEnum):
    """The client's answer to a submission."""

    ACCEPT = "accept"
    CHANGES = "changes"


def list_milestones(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    page: Page | None = None,
) -> list[Milestone]:
    """Milestones the principal may see, by client and due time; with a `page`,
    only its rows, by id (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(Milestone), Milestone, principal)
    if client_id is not None:
        query = query.where(Milestone.client_id == client_id)
    query = in_page(
        query, page, Milestone.id, Milestone.client_id, Milestone.due_at, Milestone.id
    )
    return list(session.scalars(query).all())


def events_of(
    session: Session, principal: Principal, milestone_id: int
) -> list[MilestoneEvent]:
    state.get_milestone(session, principal, milestone_id)
    return state.events(session, milestone_id)


# -- read models ---------------------------------------------------------------------


def list_views(
    session: Session,
    principal: Principal,
    now: datetime,
    *,
    client_id: int | None = None,
    page: Page | None = None,
) -> list[MilestoneRead]:
    """`list_milestones` with each one's state at `now`, derived afresh in a
    constant number of queries (`milestone_state.states_at`)."""
    rows = list_milestones(session, principal, client_id=client_id, page=page)
    states = state.states_at(session, rows, now)
    return [MilestoneRead.of(m, s, now) for m, s in zip(rows, states, strict=True)]


def view_of(session: Session, principal: Principal, milestone_id: int) -> MilestoneRead:
    """A milestone with its state as stored after its last change."""
    return MilestoneRead.of(state.get_milestone(session, principal, milestone_id))


def detail_of(
    session: Session, principal: Principal, milestone_id: int, now: datetime
) -> MilestoneDetailRead:
    """A milestone's state at `now` with every adjustment proposed for it."""
    row = state.get_milestone(session, principal, milestone_id)
    (at_now,) = state.states_at(session, [row], now)
    return MilestoneDetailRead.of_rows(row, row.adjustments, at_now, now)


def event_views(
    session: Session, principal: Principal, milestone_id: int
) -> list[MilestoneEventRead]:
    """A milestone's history, oldest first."""
    return [
        MilestoneEventRead.of(e) for e in events_of(session, principal, milestone_id)
    ]


def step_of(
    session: Session, principal: Principal, milestone_id: int
) -> MilestoneStepRead:
    """A milestone as stored and the event its last step appended."""
    row = state.get_milestone(session, principal, milestone_id)
    last = state.events(session, row.id)[-1]
    return MilestoneStepRead(
        event=MilestoneEventRead.of(last), milestone=MilestoneRead.of(row)
    )


def terms_for(
    session: Session, principal: Principal, milestone_id: int
) -> VersionTerms:
    """The terms of the agreement version that defines a milestone now (its
    calendar and time zone, to read a move or a due date given for it)."""
    row = state.get_milestone(session, principal, milestone_id)
    return version_terms(state.version_of(session, row))


# -- steps -------------------------------------------------------------------------


def sync_milestones(
    session: Session, version: AgreementVersion, client_id: int, at: datetime
) -> list[Milestone]:
    """Take the milestones of a version that has just become active: new ones
    are created (with the inputs they need from the client as obligations),
    changed ones get an `amended` event, dropped ones a `cancelled` event."""
    terms = version_terms(version)
    existing = {
        m.key: m
        for m in session.scalars(
            select(Milestone).where(Milestone.agreement_id == version.agreement_id)
        )
    }
    shift_mode = terms.shift_mode
    touched: list[Milestone] = []
    for item in terms.agreement.milestones:
        base_due = due_instant(item.due, terms.zone)
        row = existing.pop(item.id, None)
        if row is None:
            row = Milestone(
                workspace_id=version.workspace_id,
                client_id=client_id,
                agreement_id=version.agreement_id,
                agreement_version_id=version.id,
                key=item.id,
                title=item.title,
                after_key=item.after,
                base_due_at=base_due,
                started_at=at,
                created_at=at,
                status=MilestoneStatus.PLANNED,
                due_at=base_due,
                late=False,
                at_risk=False,
                last_seq=0,
                computed_at=at,
            )
            session.add(row)
            session.flush()
            state.append_event(
                session,
                row,
                MilestoneKind.CREATED,
                at,
                None,
                data={"version": version.number},
            )
            for need in item.needs_from_client:
                obligations.new_obligation(
                    session,
                    row,
                    kind=ObligationKind.INPUT,
                    party=Party.CLIENT,
                    title=need.what,
                    started_at=at,
                    due_at=due_instant(need.by, terms.zone),
                    shift_mode=shift_mode,
                )
        else:
            changes = {
                name: [old, new]
                for name, old, new in (
                    ("title", row.title, item.title),
                    ("after", row.after_key, item.after),
                    ("due", row.base_due_at.isoformat(), base_due.isoformat()),
                )
                if old != new
            }
            row.agreement_version_id = version.id
            if changes and row.status not in FINISHED:
                row.title, row.after_key, row.base_due_at = (
                    item.title,
                    item.after,
                    base_due,
                )
                state.append_event(
                    session,
                    row,
                    MilestoneKind.AMENDED,
                    at,
                    None,
                    data={"version": version.number, "changes": changes},
                )
        touched.append(state.recompute(session, row.id, at))
    for row in existing.values():
        if row.status not in FINISHED:
            state.append_event(
                session,
                row,
                MilestoneKind.CANCELLED,
                at,
                None,
                text=f"dropped by version {version.number} of the agreement",
            )
            touched.append(state.recompute(session, row.id, at))
    return touched


def start(
    session: Session, principal: Principal, milestone_id: int, now: datetime
) -> Milestone:
    """Mark a planned milestone as in progress."""
    row = state.get_milestone(session, principal, milestone_id)
    require_provider(principal, "start milestones")
    if row.status is not MilestoneStatus.PLANNED:
        raise Conflict(f"milestone {row.key} is {row.status}, not planned")
    state.append_event(session, row, MilestoneKind.STARTED, now, principal.user_id)
    return state.recompute(session, row.id, now)


def submit(
    session: Session,
    principal: Principal,
    milestone_id: int,
    now: datetime,
    *,
    note: str | None = None,
) -> Milestone:
    """Hand a milestone's deliverables to the client for review; the client's
    feedback becomes an obligation due at the end of the review window."""
    row = state.get_milestone(session, principal, milestone_id)
    require_provider(principal, "submit milestones")
    if row.status not in OPEN:
        raise Conflict(f"milestone {row.key} is {row.status}; it cannot be submitted")
    state.append_event(
        session,
        row,
        MilestoneKind.SUBMITTED,
        now,
        principal.user_id,
        text=state.clean_text(note),
    )
    window = state.review_within(session, row)
    if window is not None:
        terms = version_terms(state.version_of(session, row))
        obligations.new_obligation(
            session,
            row,
            kind=ObligationKind.FEEDBACK,
            party=Party.CLIENT,
            title=f"Feedback on {row.title}",
            started_at=now,
            due_at=terms.default_calendar.add(now, window),
            shift_mode=terms.shift_mode,
        )
    return state.recompute(session, row.id, now)


def review(
    session: Session,
    principal: Principal,
    milestone_id: int,
    answer: str,
    now: datetime,
    *,
    note: str | None = None,
) -> Milestone:
    """The client's feedback on a submission: `accept` or `changes` (with what
    to change). Feedback after the review window is late: the later milestones
    get an adjustment proposed by the lateness."""
    row = state.get_milestone(session, principal, milestone_id)
    if principal.role is not Role.CLIENT:
        raise PermissionDenied("only the client's people review a submission")
    verdict = one_of(Review, answer, "answer")
    if row.status is not MilestoneStatus.SUBMITTED:
        raise Conflict(f"milestone {row.key} is {row.status}; nothing to review")
    text = state.clean_text(note)
    if verdict is Review.CHANGES and text is None:
        raise InvalidInput("say what should change", location="note")
    kind = (
        MilestoneKind.ACCEPTED
        if verdict is Review.ACCEPT
        else MilestoneKind.CHANGES_REQUESTED
    )
    state.append_event(session, row, kind, now, principal.user_id, text=text)
    feedback = obligations.open_obligations(session, row.id, ObligationKind.FEEDBACK)
    for obligation in feedback:
        obligations.settle(session, principal, obligation, now, skip=row.key)
    return state.recompute(session, row.id, now)


def milestone_due_checks(
    session: Session, workspace_id: int, now: datetime
) -> list[Milestone]:
    """Bring milestones whose `next_check_at` has come up to date
    (`check_milestone` each, in one transaction; the worker checks each on its
    own)."""
    due = due_milestones(session, workspace_id, now)
    for row in due:
        check_milestone(session, row, now)
    return due


def due_milestones(
    session: Session, workspace_id: int, now: datetime
) -> list[Milestone]:
    """The milestones whose `next_check_at` has come, locked for the caller's
    transaction (those another worker holds are skipped)."""
    return list(
        session.scalars(
            select(Milestone)
            .where(
                Milestone.workspace_id == workspace_id,
                Milestone.next_check_at.is_not(None),
                Milestone.next_check_at <= now,
            )
            .order_by(Milestone.id)
            .with_for_update(skip_locked=True)
        )
    )


def check_milestone(session: Session, row: Milestone, now: datetime) -> None:
    """Bring a due milestone up to date: a submission whose review window closed
    in silence is accepted where the agreement says silence means acceptance
    (`deemed_accepted`, at the instant the window closed)."""
    if row.status is MilestoneStatus.SUBMITTED and row.review_due_at is not None:
        own = state.terms_of(session, row)
        silent = "deemed_accepted"
        if own is not None and own.acceptance is not None:
            silent = own.acceptance.if_silent
        if silent == "deemed_accepted":
            # when the window closed (or at the last event, if one came since)
            closed = max(row.review_due_at, state.events(session, row.id)[-1].at)
            state.append_event(
                session,
                row,
                MilestoneKind.DEEMED_ACCEPTED,
                closed,
                None,
                text="no feedback within the review window: accepted as agreed",
            )
            for obligation in obligations.open_obligations(
                session, row.id, ObligationKind.FEEDBACK
            ):
                obligation.status = ObligationStatus.LAPSED
                obligation.note = "the submission was deemed accepted"
    state.recompute(session, row.id, now)
