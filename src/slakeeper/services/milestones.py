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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement.schema import Milestone as MilestoneTerms
from slakeeper.agreement.schema import Obligation as ObligationTerms
from slakeeper.agreement.types import CalendarPeriod, WorkingTime
from slakeeper.core import WorkCalendar, format_duration
from slakeeper.core.delivery import ShiftMode, due_instant, lateness, shift
from slakeeper.db.models import (
    Adjustment,
    AgreementVersion,
    Client,
    Milestone,
    MilestoneEvent,
    Obligation,
    Role,
    VersionState,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services.access import (
    Principal,
    active_user,
    require_client_access,
    require_provider,
)
from slakeeper.services.agreements import CLIENT_APPROVER_ROLES, agreement_in_force
from slakeeper.services.terms import VersionTerms, version_terms
from slakeeper.services.tickets import terms_for

__all__ = [
    "CAUSES",
    "MilestoneState",
    "Review",
    "accept_adjustment",
    "add_obligation",
    "adjustments_of",
    "derive",
    "due_after",
    "events_of",
    "get_milestone",
    "list_milestones",
    "list_obligations",
    "meet_obligation",
    "milestone_due_checks",
    "new_obligation",
    "obligation_terms",
    "propose_for_change",
    "recompute",
    "record_delay",
    "reject_adjustment",
    "review",
    "settle",
    "start",
    "state_at",
    "submit",
    "sync_milestones",
    "waive_obligation",
]

CAUSES = ("provider", "client", "third_party")
STATUSES = (
    "planned",
    "in_progress",
    "submitted",
    "changes_requested",
    "accepted",
    "cancelled",
)
OPEN = ("planned", "in_progress", "changes_requested")
MAX_TITLE = 300
RECORDED_KINDS = ("input", "approval", "payment", "other")  # add_obligation
FINISHED = ("accepted", "cancelled")


class Kind(StrEnum):
    """What happened to a milestone."""

    CREATED = "created"
    AMENDED = "amended"  # a new agreement version changed its terms
    STARTED = "started"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    DEEMED_ACCEPTED = "deemed_accepted"
    ADJUSTED = "adjusted"  # an adjustment took effect
    CANCELLED = "cancelled"  # dropped by an amendment


STATUS_OF = {
    Kind.CREATED: "planned",
    Kind.STARTED: "in_progress",
    Kind.SUBMITTED: "submitted",
    Kind.CHANGES_REQUESTED: "changes_requested",
    Kind.ACCEPTED: "accepted",
    Kind.DEEMED_ACCEPTED: "accepted",
    Kind.CANCELLED: "cancelled",
}


class Review(StrEnum):
    """The client's answer to a submission."""

    ACCEPT = "accept"
    CHANGES = "changes"


# -- the pure part ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shift:
    """An accepted adjustment, as `derive` needs it."""

    decided_at: datetime
    mode: ShiftMode
    amount: int


@dataclass(frozen=True, slots=True)
class MilestoneState:
    """A milestone's derived state at `now`."""

    status: str
    due_at: datetime
    delivered_at: datetime | None
    accepted_at: datetime | None
    review_due_at: datetime | None
    late: bool
    at_risk: bool
    next_check_at: datetime | None


def derive(
    *,
    base_due_at: datetime,
    started_at: datetime,
    events: Sequence[tuple[str, datetime]],
    shifts: Sequence[Shift],
    calendar: WorkCalendar,
    review_within: timedelta | None,
    warn_at: float,
    now: datetime,
) -> MilestoneState:
    """The state of a milestone from its events (kind, instant; oldest first) and
    accepted adjustments. Adjustments accepted before the agreement last set the
    due date (creation or amendment) are part of that date and not applied
    again."""
    status, submitted_at, accepted_at = "planned", None, None
    terms_set_at = started_at
    for kind, at in events:
        if kind in (Kind.CREATED, Kind.AMENDED):
            terms_set_at = at
        if kind in STATUS_OF:
            status = STATUS_OF[Kind(kind)]
        if kind == Kind.SUBMITTED:
            submitted_at = at
        elif kind == Kind.CHANGES_REQUESTED:
            submitted_at = None
        elif kind in (Kind.ACCEPTED, Kind.DEEMED_ACCEPTED):
            accepted_at = at
    due = base_due_at
    for s in sorted(shifts, key=lambda s: s.decided_at):
        if s.decided_at >= terms_set_at:
            due = shift(due, s.amount, calendar, s.mode)
    review_due = None
    if status == "submitted" and submitted_at is not None and review_within:
        review_due = calendar.add(submitted_at, review_within)
    delivered = submitted_at if status in ("submitted", "accepted") else None
    if status == "cancelled":
        return MilestoneState(status, due, None, None, None, False, False, None)
    late = delivered > due if delivered is not None else now >= due
    at_risk, next_check = False, None
    if delivered is None and not late:
        total = calendar.between(started_at, due)
        warn = calendar.add(started_at, total * warn_at) if total else due
        at_risk = now >= warn
        next_check = due if at_risk else min(warn, due)
    elif review_due is not None and now < review_due:
        next_check = review_due
    return MilestoneState(
        status, due, delivered, accepted_at, review_due, late, at_risk, next_check
    )


def due_after(
    start: datetime, within: WorkingTime | CalendarPeriod, terms: VersionTerms
) -> datetime:
    """The due time of an obligation started at `start` with `within` allowed:
    working time on the agreement's calendar, or a wall-calendar period in its
    time zone."""
    calendar = terms.default_calendar
    if isinstance(within, WorkingTime):
        return calendar.add(start, within.resolve(calendar.business_day))
    local = start.astimezone(terms.zone)
    if within.unit in ("day", "week"):
        days = within.amount * (7 if within.unit == "week" else 1)
        return (local + timedelta(days=days)).astimezone(UTC)
    months = within.amount * (12 if within.unit == "year" else 1)
    month0 = local.month - 1 + months
    year, month = local.year + month0 // 12, month0 % 12 + 1
    day = min(local.day, _days_in(year, month))
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def _days_in(year: int, month: int) -> int:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


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


# -- reading ---------------------------------------------------------------------------


def get_milestone(
    session: Session, principal: Principal, milestone_id: int
) -> Milestone:
    active_user(session, principal)
    row = session.get(Milestone, milestone_id)
    if row is None:
        raise NotFound(f"milestone {milestone_id} not found")
    require_client_access(principal, row.workspace_id, row.client_id, "milestone")
    return row


def list_milestones(
    session: Session, principal: Principal, *, client_id: int | None = None
) -> list[Milestone]:
    """Milestones the principal may see, by client and due time."""
    active_user(session, principal)
    query = select(Milestone).where(Milestone.workspace_id == principal.workspace_id)
    if principal.role is Role.CLIENT:
        query = query.where(Milestone.client_id == principal.client_id)
    if client_id is not None:
        query = query.where(Milestone.client_id == client_id)
    return list(
        session.scalars(
            query.order_by(Milestone.client_id, Milestone.due_at, Milestone.id)
        ).all()
    )


def events_of(
    session: Session, principal: Principal, milestone_id: int
) -> list[MilestoneEvent]:
    get_milestone(session, principal, milestone_id)
    return _events(session, milestone_id)


def adjustments_of(
    session: Session, principal: Principal, milestone_id: int
) -> list[Adjustment]:
    get_milestone(session, principal, milestone_id)
    return _adjustments(session, milestone_id)


def list_obligations(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    status: str | None = None,
    party: str | None = None,
    kind: str | None = None,
) -> list[Obligation]:
    """Obligations the principal may see, by due time."""
    active_user(session, principal)
    query = select(Obligation).where(Obligation.workspace_id == principal.workspace_id)
    if principal.role is Role.CLIENT:
        query = query.where(Obligation.client_id == principal.client_id)
    if client_id is not None:
        query = query.where(Obligation.client_id == client_id)
    if status is not None:
        query = query.where(Obligation.status == status)
    if party is not None:
        query = query.where(Obligation.party == party)
    if kind is not None:
        query = query.where(Obligation.kind == kind)
    return list(session.scalars(query.order_by(Obligation.due_at, Obligation.id)))


def _events(session: Session, milestone_id: int) -> list[MilestoneEvent]:
    return list(
        session.scalars(
            select(MilestoneEvent)
            .where(MilestoneEvent.milestone_id == milestone_id)
            .order_by(MilestoneEvent.seq)
        )
    )


def _adjustments(session: Session, milestone_id: int) -> list[Adjustment]:
    return list(
        session.scalars(
            select(Adjustment)
            .where(Adjustment.milestone_id == milestone_id)
            .order_by(Adjustment.id)
        )
    )


def _version(session: Session, milestone: Milestone) -> AgreementVersion:
    version = session.get(AgreementVersion, milestone.agreement_version_id)
    assert version is not None
    return version


def _terms_of(session: Session, milestone: Milestone) -> MilestoneTerms | None:
    agreement = version_terms(_version(session, milestone)).agreement
    return next((m for m in agreement.milestones if m.id == milestone.key), None)


def _review_within(session: Session, milestone: Milestone) -> timedelta | None:
    """The client's review window for a submission: the milestone's acceptance
    terms, else the agreement's client obligation about feedback."""
    terms = version_terms(_version(session, milestone))
    calendar = terms.default_calendar
    own = _terms_of(session, milestone)
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
    version = _version(session, milestone)
    shifts = [
        Shift(a.decided_at, a.mode, a.amount)  # type: ignore[arg-type]
        for a in _adjustments(session, milestone.id)
        if a.status == "accepted" and a.decided_at is not None
    ]
    return derive(
        base_due_at=milestone.base_due_at,
        started_at=milestone.started_at,
        events=[(e.kind, e.at) for e in _events(session, milestone.id)],
        shifts=shifts,
        calendar=version_terms(version).default_calendar,
        review_within=_review_within(session, milestone),
        warn_at=terms_for(version).warn_at,
        now=now,
    )


def state_at(
    session: Session, principal: Principal, milestone_id: int, now: datetime
) -> MilestoneState:
    """A milestone's state at `now`, derived afresh (nothing is stored)."""
    return _derive(session, get_milestone(session, principal, milestone_id), now)


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


def _append(
    session: Session,
    milestone: Milestone,
    kind: Kind,
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
        kind=kind.value,
        actor_id=actor_id,
        text=text,
        data=data or {},
    )
    session.add(row)
    session.flush()
    return row


# -- from the agreement ----------------------------------------------------------------


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
    shift_mode = terms.agreement.delays.client_caused.shift_milestones
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
                status="planned",
                due_at=base_due,
                late=False,
                at_risk=False,
                last_seq=0,
                computed_at=at,
            )
            session.add(row)
            session.flush()
            _append(
                session, row, Kind.CREATED, at, None, data={"version": version.number}
            )
            for need in item.needs_from_client:
                new_obligation(
                    session,
                    row,
                    kind="input",
                    party="client",
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
                _append(
                    session,
                    row,
                    Kind.AMENDED,
                    at,
                    None,
                    data={"version": version.number, "changes": changes},
                )
        touched.append(recompute(session, row.id, at))
    for row in existing.values():
        if row.status not in FINISHED:
            _append(
                session,
                row,
                Kind.CANCELLED,
                at,
                None,
                text=f"dropped by version {version.number} of the agreement",
            )
            touched.append(recompute(session, row.id, at))
    return touched


# -- the provider's steps --------------------------------------------------------------


def start(
    session: Session, principal: Principal, milestone_id: int, now: datetime
) -> Milestone:
    """Mark a planned milestone as in progress."""
    row = get_milestone(session, principal, milestone_id)
    require_provider(principal, "start milestones")
    if row.status != "planned":
        raise Conflict(f"milestone {row.key} is {row.status}, not planned")
    _append(session, row, Kind.STARTED, now, principal.user_id)
    return recompute(session, row.id, now)


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
    row = get_milestone(session, principal, milestone_id)
    require_provider(principal, "submit milestones")
    if row.status not in OPEN:
        raise Conflict(f"milestone {row.key} is {row.status}; it cannot be submitted")
    _append(session, row, Kind.SUBMITTED, now, principal.user_id, text=_clean(note))
    window = _review_within(session, row)
    if window is not None:
        terms = version_terms(_version(session, row))
        new_obligation(
            session,
            row,
            kind="feedback",
            party="client",
            title=f"Feedback on {row.title}",
            started_at=now,
            due_at=terms.default_calendar.add(now, window),
            shift_mode=terms.agreement.delays.client_caused.shift_milestones,
        )
    return recompute(session, row.id, now)


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
    row = get_milestone(session, principal, milestone_id)
    if principal.role is not Role.CLIENT:
        raise PermissionDenied("only the client's people review a submission")
    try:
        verdict = Review(answer)
    except ValueError:
        raise InvalidInput(
            f"unknown answer {answer!r}; expected accept or changes",
            location="answer",
        ) from None
    if row.status != "submitted":
        raise Conflict(f"milestone {row.key} is {row.status}; nothing to review")
    text = _clean(note)
    if verdict is Review.CHANGES and text is None:
        raise InvalidInput("say what should change", location="note")
    kind = Kind.ACCEPTED if verdict is Review.ACCEPT else Kind.CHANGES_REQUESTED
    _append(session, row, kind, now, principal.user_id, text=text)
    for obligation in _open_obligations(session, row.id, "feedback"):
        settle(session, principal, obligation, now, skip=row.key)
    return recompute(session, row.id, now)


def milestone_due_checks(
    session: Session, workspace_id: int, now: datetime
) -> list[Milestone]:
    """Bring milestones whose `next_check_at` has come up to date: a submission
    whose review window closed in silence is accepted where the agreement says
    silence means acceptance (`deemed_accepted`, at the instant the window
    closed)."""
    due = list(
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
    for row in due:
        if row.status == "submitted" and row.review_due_at is not None:
            own = _terms_of(session, row)
            silent = "deemed_accepted"
            if own is not None and own.acceptance is not None:
                silent = own.acceptance.if_silent
            if silent == "deemed_accepted":
                # when the window closed (or at the last event, if one came since)
                closed = max(row.review_due_at, _events(session, row.id)[-1].at)
                _append(
                    session,
                    row,
                    Kind.DEEMED_ACCEPTED,
                    closed,
                    None,
                    text="no feedback within the review window: accepted as agreed",
                )
                for obligation in _open_obligations(session, row.id, "feedback"):
                    obligation.status = "lapsed"
                    obligation.note = "the submission was deemed accepted"
        recompute(session, row.id, now)
    return due


# -- obligations -----------------------------------------------------------------------


def new_obligation(
    session: Session,
    milestone: Milestone | None,
    *,
    kind: str,
    party: str,
    title: str,
    started_at: datetime,
    due_at: datetime,
    shift_mode: str,
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
        status="open",
        shift_mode=shift_mode,
        created_at=started_at,
    )
    session.add(row)
    session.flush()
    return row


def _open_obligations(
    session: Session, milestone_id: int, kind: str
) -> list[Obligation]:
    return list(
        session.scalars(
            select(Obligation).where(
                Obligation.milestone_id == milestone_id,
                Obligation.kind == kind,
                Obligation.status == "open",
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
    kind: str = "input",
) -> Obligation:
    """Record something the client owes by `due_at` (`kind`: an input, an
    approval, a payment or other), optionally for a milestone (which then
    depends on it)."""
    active_user(session, principal)
    require_provider(principal, "record client obligations")
    if kind not in RECORDED_KINDS:
        raise InvalidInput(
            f"unknown kind {kind!r}; expected one of {', '.join(RECORDED_KINDS)}",
            location="kind",
        )
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"client {client_id} not found")
    require_client_access(principal, client.workspace_id, client.id, "client")
    text = _clean(title)
    if text is None:
        raise InvalidInput("title must not be empty", location="title")
    if len(text) > MAX_TITLE:
        raise InvalidInput(
            f"a title has at most {MAX_TITLE} characters", location="title"
        )
    milestone = None
    if milestone_id is not None:
        milestone = get_milestone(session, principal, milestone_id)
        if milestone.client_id != client_id:
            raise InvalidInput(
                f"milestone {milestone.key} belongs to another client",
                location="milestone",
            )
    version = agreement_in_force(session, principal, client_id, now)
    if version is None:
        raise Conflict(f"{client.name} has no agreement in force")
    terms = version_terms(version)
    return new_obligation(
        session,
        milestone,
        kind=kind,
        party="client",
        title=text,
        started_at=now,
        due_at=due_at,
        shift_mode=terms.agreement.delays.client_caused.shift_milestones,
        client_id=client.id,
        agreement_id=version.agreement_id,
        workspace_id=client.workspace_id,
    )


def _get_obligation(
    session: Session, principal: Principal, obligation_id: int
) -> Obligation:
    active_user(session, principal)
    row = session.get(Obligation, obligation_id)
    if row is None:
        raise NotFound(f"obligation {obligation_id} not found")
    require_client_access(principal, row.workspace_id, row.client_id, "obligation")
    return row


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
    if row.status != "open":
        raise Conflict(f"obligation {row.id} is {row.status}, not open")
    if row.kind in ("feedback", "decision"):
        raise Conflict(
            f"a {row.kind} obligation is met by the client's answer, not recorded"
        )
    if row.kind == "estimate":
        raise Conflict("an estimate obligation is met by estimating the change")
    if now < row.started_at:
        raise InvalidInput("it cannot be met before it started", location="now")
    row.note = _clean(note) or row.note
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
    if row.status != "open":
        raise Conflict(f"obligation {row.id} is {row.status}, not open")
    why = _clean(reason)
    if why is None:
        raise InvalidInput("give the reason", location="reason")
    row.status, row.note, row.met_at = "waived", why, now
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
    row.status, row.met_at, row.met_by_id = "met", now, principal.user_id
    version = _agreement_version(session, row.agreement_id, now)
    terms = version_terms(version)
    mode: ShiftMode = terms.agreement.delays.client_caused.shift_milestones
    row.shift_mode = mode
    row.lateness = lateness(row.due_at, now, terms.default_calendar, mode)
    session.flush()
    if row.party != "client" or not row.lateness:
        return row
    if milestones is None:
        milestones = []
        if row.milestone_id is not None:
            own = session.get(Milestone, row.milestone_id)
            assert own is not None
            every = session.scalars(
                select(Milestone).where(Milestone.agreement_id == own.agreement_id)
            ).all()
            milestones = [m for m in dependents(every, own.key) if m.key != skip]
    automatic = terms.agreement.delays.client_caused.adjustments == "automatic"
    late = _amount_words(row.lateness, mode)
    for milestone in milestones:
        if milestone.status in FINISHED:
            continue
        _propose(
            session,
            milestone,
            cause="client",
            kind="delay",
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


# -- adjustments and delays ------------------------------------------------------------


def _amount_words(amount: int, mode: str) -> str:
    if mode == "calendar_days":
        return f"{amount} day{'s' if amount != 1 else ''}"
    return format_duration(timedelta(seconds=amount))


def _propose(
    session: Session,
    milestone: Milestone,
    *,
    cause: str,
    kind: str,
    reason: str,
    mode: str,
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
        status="proposed",
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
    row.status, row.decided_at = "accepted", now
    session.flush()
    milestone = session.get(Milestone, row.milestone_id)
    assert milestone is not None
    _append(
        session,
        milestone,
        Kind.ADJUSTED,
        now,
        None,
        text=row.reason,
        data={"adjustment": row.id, "mode": row.mode, "amount": row.amount},
    )
    recompute(session, milestone.id, now)


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
    row = get_milestone(session, principal, milestone_id)
    require_provider(principal, "record delays")
    if cause not in CAUSES:
        raise InvalidInput(
            f"unknown cause {cause!r}; expected one of {', '.join(CAUSES)}",
            location="cause",
        )
    if mode not in ("working_time", "calendar_days"):
        raise InvalidInput(
            f"unknown mode {mode!r}; expected working_time or calendar_days",
            location="mode",
        )
    if amount <= 0:
        raise InvalidInput("a delay is longer than zero", location="amount")
    why = _clean(reason)
    if why is None:
        raise InvalidInput("give the reason", location="reason")
    if row.status in FINISHED:
        raise Conflict(f"milestone {row.key} is {row.status}; it cannot move")
    terms = version_terms(_version(session, row))
    automatic = (
        cause == "client"
        and terms.agreement.delays.client_caused.adjustments == "automatic"
    )
    return _propose(
        session,
        row,
        cause=cause,
        kind="delay",
        reason=why,
        mode=mode,
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
    row = session.get(Adjustment, adjustment_id)
    if row is None:
        raise NotFound(f"adjustment {adjustment_id} not found")
    require_client_access(principal, row.workspace_id, row.client_id, "adjustment")
    if row.status != "proposed":
        raise Conflict(f"adjustment {row.id} is already {row.status}")
    if not principal.is_provider:
        milestone = session.get(Milestone, row.milestone_id)
        assert milestone is not None
        contacts = version_terms(_version(session, milestone)).agreement.agreement
        emails = [c.email.lower() for c in contacts.client.contacts]
        approvers = [
            c.email.lower()
            for c in contacts.client.contacts
            if c.role in CLIENT_APPROVER_ROLES
        ]
        if user.email.lower() not in (approvers or emails):
            raise PermissionDenied(
                f"{user.email} does not decide on schedule changes for the client"
                f" (the agreement names {', '.join(approvers or emails)})"
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
    row.status, row.decided_at, row.rejected_by_id = "rejected", now, principal.user_id
    session.flush()
    return row


def propose_for_change(
    session: Session,
    milestone: Milestone,
    *,
    mode: str,
    amount: int,
    reason: str,
    change_request_id: int,
    now: datetime,
) -> Adjustment:
    """An approved change request moves a milestone: both sides agreed to it
    (the provider's estimate, the client's approval), so it takes effect now."""
    return _propose(
        session,
        milestone,
        cause="client",
        kind="change",
        reason=reason,
        mode=mode,
        amount=amount,
        now=now,
        proposed_by=None,
        change_request_id=change_request_id,
        accepted=True,
    )


def _clean(text: str | None) -> str | None:
    return text.strip() if text is not None and text.strip() else None
