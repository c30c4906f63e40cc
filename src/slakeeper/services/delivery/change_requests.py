"""Change requests: the client asks for a change, the provider estimates it
(effort, cost, effect on milestones) within the agreement's time, the client
decides within theirs, and an approved change moves the milestones it names,
with the request as the recorded reason (docs/sla-clock.md section 6).

Each waiting time is an obligation clock: the provider's estimate
(`change_requests.estimate_within`) and the client's decision
(`change_requests.decide_within`, else the agreement's client obligation about
decisions on change requests). A decision that comes late also proposes
adjustments of the milestones the change affects, like any late client
obligation. The client contacts whose agreement role
`change_requests.requires_approval_by` names (`client.approver`) decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement.types import WorkingTime
from slakeeper.core.milestones import FINISHED
from slakeeper.core.states import (
    ChangeRequestStatus,
    ObligationKind,
    ObligationStatus,
    Party,
    Role,
    ShiftMode,
)
from slakeeper.db.models import (
    AgreementVersion,
    ChangeRequest,
    Client,
    Milestone,
    Obligation,
)
from slakeeper.errors import Conflict, InvalidInput, PermissionDenied
from slakeeper.services import counters
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    scoped,
    visible,
    visible_client,
)
from slakeeper.services.delivery import adjustments, milestone_state, obligations
from slakeeper.services.inputs import one_of
from slakeeper.services.locks import write_lock
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import (
    VersionTerms,
    required_in_force,
    version_terms,
)
from slakeeper.services.views.delivery import ChangeRequestRead

__all__ = [
    "Effect",
    "decide",
    "estimate",
    "get_change",
    "list_changes",
    "list_views",
    "request_change",
    "terms_for",
    "view_of",
]

MAX_TITLE = 300


@dataclass(frozen=True, slots=True)
class Effect:
    """How a change moves one milestone: `amount` working seconds, or days with
    mode `calendar_days`."""

    milestone: str
    amount: int
    mode: str = ShiftMode.WORKING_TIME


def get_change(session: Session, principal: Principal, change_id: int) -> ChangeRequest:
    active_user(session, principal)
    return visible(session, principal, ChangeRequest, change_id, "change request")


def list_changes(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    status: str | None = None,
    page: Page | None = None,
) -> list[ChangeRequest]:
    """The change requests the principal may see, by id; with a `page`, only its
    rows (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(ChangeRequest), ChangeRequest, principal)
    if client_id is not None:
        query = query.where(ChangeRequest.client_id == client_id)
    if status is not None:
        query = query.where(ChangeRequest.status == status)
    return list(
        session.scalars(in_page(query, page, ChangeRequest.id, ChangeRequest.id))
    )


def list_views(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    status: str | None = None,
    page: Page | None = None,
) -> list[ChangeRequestRead]:
    """`list_changes` as read models."""
    rows = list_changes(
        session, principal, client_id=client_id, status=status, page=page
    )
    return [ChangeRequestRead.of(c) for c in rows]


def view_of(
    session: Session, principal: Principal, change_id: int
) -> ChangeRequestRead:
    """A change request, its estimate and its decision."""
    return ChangeRequestRead.of(get_change(session, principal, change_id))


def terms_for(
    session: Session, principal: Principal, change_id: int, now: datetime
) -> VersionTerms:
    """The terms in force at `now` with the change's client (its calendar, to
    read an estimate's effort and moves); none in force is a Conflict."""
    row = get_change(session, principal, change_id)
    client = visible_client(session, principal, row.client_id)
    return _terms(session, principal, client, now)[1]


def _terms(
    session: Session, principal: Principal, client: Client, now: datetime
) -> tuple[AgreementVersion, VersionTerms]:
    version = required_in_force(session, principal, client, now)
    return version, version_terms(version)


def request_change(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    title: str,
    body: str = "",
    now: datetime,
) -> ChangeRequest:
    """Record a change the client asks for (by a client contact, or by the
    provider on the client's behalf). The provider's estimate is due within the
    agreement's `change_requests.estimate_within`."""
    write_lock(session, principal.workspace_id)  # first: see locks.write_lock
    active_user(session, principal)
    client = visible_client(session, principal, client_id)
    text = (title or "").strip()
    if not text:
        raise InvalidInput("title must not be empty", location="title")
    if len(text) > MAX_TITLE:
        raise InvalidInput(
            f"a title has at most {MAX_TITLE} characters", location="title"
        )
    version, terms = _terms(session, principal, client, now)
    number = counters.next_value(
        session, client.workspace_id, counters.change_request_series(client.id)
    )
    row = ChangeRequest(
        workspace_id=client.workspace_id,
        client_id=client.id,
        agreement_id=version.agreement_id,
        number=number,
        key=f"{client.key.upper()}-CR-{number}",
        title=text,
        body=body.strip(),
        status=ChangeRequestStatus.REQUESTED,
        requested_at=now,
        requested_by_id=principal.user_id,
        effects=[],
    )
    session.add(row)
    session.flush()
    rules = terms.agreement.change_requests
    if rules is not None:
        _obligation(
            session,
            row,
            terms,
            kind=ObligationKind.ESTIMATE,
            party=Party.PROVIDER,
            title=f"Estimate of {row.key}: {text}",
            within=rules.estimate_within,
            now=now,
        )
    return row


def _obligation(
    session: Session,
    row: ChangeRequest,
    terms: VersionTerms,
    *,
    kind: ObligationKind,
    party: Party,
    title: str,
    within: WorkingTime,
    now: datetime,
) -> Obligation:
    return obligations.new_obligation(
        session,
        None,
        kind=kind,
        party=party,
        title=title,
        started_at=now,
        due_at=milestone_state.due_after(now, within, terms),
        shift_mode=terms.shift_mode,
        client_id=row.client_id,
        agreement_id=row.agreement_id,
        workspace_id=row.workspace_id,
        change_request_id=row.id,
    )


def _open(
    session: Session, row: ChangeRequest, kind: ObligationKind
) -> list[Obligation]:
    return list(
        session.scalars(
            select(Obligation).where(
                Obligation.change_request_id == row.id,
                Obligation.kind == kind,
                Obligation.status == ObligationStatus.OPEN,
            )
        )
    )


def _milestones(session: Session, row: ChangeRequest) -> dict[str, Milestone]:
    return {
        m.key: m
        for m in session.scalars(
            select(Milestone).where(Milestone.agreement_id == row.agreement_id)
        )
    }


def estimate(
    session: Session,
    principal: Principal,
    change_id: int,
    *,
    effort: timedelta,
    cost: Decimal | str | None,
    effects: list[Effect],
    now: datetime,
    note: str | None = None,
) -> ChangeRequest:
    """The provider's estimate: effort, cost (in the agreement's billing
    currency) and the effect on milestones. The client's decision is then due."""
    row = get_change(session, principal, change_id)
    require_provider(principal, "estimate change requests")
    if row.status is not ChangeRequestStatus.REQUESTED:
        raise Conflict(f"change request {row.key} is {row.status}, not requested")
    if effort <= timedelta(0):
        raise InvalidInput("the effort is longer than zero", location="effort")
    amount = None
    if cost is not None:
        try:
            amount = Decimal(str(cost))
        except InvalidOperation:
            raise InvalidInput(f"{cost!r} is not an amount", location="cost") from None
        if not amount.is_finite() or amount < 0:
            raise InvalidInput("the cost is a positive amount", location="cost")
    known = _milestones(session, row)
    modes: list[ShiftMode] = []
    for i, effect in enumerate(effects):
        where = f"effects[{i}]"
        if effect.milestone not in known:
            names = ", ".join(known) or "none"
            raise InvalidInput(
                f"unknown milestone {effect.milestone!r}; the agreement has {names}",
                location=where,
            )
        modes.append(one_of(ShiftMode, effect.mode, where, what="mode"))
        if effect.amount <= 0:
            raise InvalidInput("a milestone moves by more than zero", location=where)
    client = session.get(Client, row.client_id)
    assert client is not None
    _version, terms = _terms(session, principal, client, now)
    row.status = ChangeRequestStatus.ESTIMATED
    row.estimate_seconds = int(effort.total_seconds())
    row.cost = amount
    row.currency = (
        None if terms.agreement.billing is None else terms.agreement.billing.currency
    )
    row.effects = [
        {"milestone": e.milestone, "amount": e.amount, "mode": mode}
        for e, mode in zip(effects, modes, strict=True)
    ]
    row.estimated_at, row.estimated_by_id = now, principal.user_id
    row.decision_note = note.strip() if note and note.strip() else None
    for obligation in _open(session, row, ObligationKind.ESTIMATE):
        obligations.settle(session, principal, obligation, now)
    within = _decide_within(terms)
    if within is not None:
        _obligation(
            session,
            row,
            terms,
            kind=ObligationKind.DECISION,
            party=Party.CLIENT,
            title=f"Decision on {row.key}: {row.title}",
            within=within,
            now=now,
        )
    session.flush()
    return row


def _decide_within(terms: VersionTerms) -> WorkingTime | None:
    rules = terms.agreement.change_requests
    if rules is not None and rules.decide_within is not None:
        return rules.decide_within
    stated = milestone_state.obligation_terms(terms, "decision")
    if stated is not None and isinstance(stated.within, WorkingTime):
        return stated.within
    return None


def _may_decide(session: Session, principal: Principal, terms: VersionTerms) -> None:
    """Only the client's people decide; when the agreement names who approves
    changes (`change_requests.requires_approval_by`), only its holders."""
    if principal.role is not Role.CLIENT:
        raise PermissionDenied("only the client's people decide on a change request")
    rules = terms.agreement.change_requests
    if rules is None:
        return
    user = active_user(session, principal)
    holders = terms.holders(rules.requires_approval_by)
    if user.email.lower() not in holders:
        named = ", ".join(sorted(holders)) or "nobody holds that role"
        raise PermissionDenied(
            f"the agreement says {rules.requires_approval_by} decides on change"
            f" requests ({named}); {user.email} is not"
        )


def decide(
    session: Session,
    principal: Principal,
    change_id: int,
    *,
    approve: bool,
    now: datetime,
    note: str | None = None,
) -> ChangeRequest:
    """The client approves or rejects an estimated change. An approved change
    moves the milestones it names at once (both sides agreed to it)."""
    row = get_change(session, principal, change_id)
    client = session.get(Client, row.client_id)
    assert client is not None
    _version, terms = _terms(session, principal, client, now)
    _may_decide(session, principal, terms)
    if row.status is not ChangeRequestStatus.ESTIMATED:
        raise Conflict(f"change request {row.key} is {row.status}, not estimated")
    row.status = (
        ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    )
    row.decided_at, row.decided_by_id = now, principal.user_id
    if note and note.strip():
        row.decision_note = note.strip()
    known = _milestones(session, row)
    affected = [known[e["milestone"]] for e in row.effects if e["milestone"] in known]
    for obligation in _open(session, row, ObligationKind.DECISION):
        obligations.settle(session, principal, obligation, now, milestones=affected)
    if approve:
        for effect in row.effects:
            target = known.get(effect["milestone"])
            if target is None or target.status in FINISHED:
                continue
            adjustments.propose_for_change(
                session,
                target,
                mode=ShiftMode(effect["mode"]),
                amount=int(effect["amount"]),
                reason=f"Change request {row.key} approved: {row.title}",
                change_request_id=row.id,
                now=now,
            )
    session.flush()
    return row
