"""Tickets: a client's requests, each an append-only log of events, with the
response, resolution and update clocks of docs/sla-clock.md section 5.

A ticket is governed for its whole life by the agreement version in force when
it was opened (its priorities, calendars with the holidays resolved into that
version, `pause_on` and warning level). Its clocks are a pure function of
(events, that version, now): `core.derive_ticket`. After every event the service
stores the result in the ticket's row (`recompute`), so queries such as "what
needs looking at next" (`next_check_at`) read indexed columns; the row always
equals a fresh recomputation at its `computed_at`.

Who may do what: owners and staff act on every ticket of their workspace; a
client contact sees only their own client's tickets and may open tickets,
reply to them and reopen them. Another workspace's ticket is not found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, load_only

from slakeeper.core import (
    ClockReading,
    ClockStatus,
    EventFact,
    TicketState,
    TicketTerms,
    derive_ticket,
    read_ticket_clocks,
    ticket_columns,
)
from slakeeper.core.states import Role
from slakeeper.core.tickets import (
    CLOCK_NAMES,
    DONE,
    PAYMENT_PAUSED,
    PAYMENT_RESUMED,
    EventKind,
)
from slakeeper.db.models import Ticket, TicketEvent, User
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services import counters
from slakeeper.services.access import (
    Principal,
    active_user,
    scoped,
    visible,
    visible_client,
)
from slakeeper.services.locks import write_lock
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import (
    agreement_in_force,
    version_terms,
    version_terms_by_id,
)
from slakeeper.services.views.tickets import (
    EventCreatedRead,
    EventRead,
    TicketClocksRead,
    TicketDetailRead,
    TicketRead,
)

__all__ = [
    "add_event",
    "clocks_view",
    "event_created_view",
    "event_fact",
    "event_views",
    "events_of",
    "find_ticket",
    "get_ticket",
    "list_tickets",
    "list_views",
    "list_with_clocks",
    "open_ticket",
    "overdue_checks",
    "payment_paused_clocks",
    "recompute",
    "set_payment_pause",
    "ticket_clocks",
    "view_by_key",
    "view_of",
]

MAX_TITLE = 300
LIST_STATES = ("active", "at_risk", "breached")
CLIENT_KINDS = (EventKind.CLIENT_REPLY, EventKind.REOPENED)


# -- reading ------------------------------------------------------------------------


def get_ticket(session: Session, principal: Principal, ticket_id: int) -> Ticket:
    active_user(session, principal)
    return visible(session, principal, Ticket, ticket_id, "ticket")


def find_ticket(session: Session, principal: Principal, key: str) -> Ticket:
    """A ticket by its key (`ACME-42`, any case)."""
    active_user(session, principal)
    ticket = session.scalars(
        scoped(select(Ticket), Ticket, principal).where(
            Ticket.key == key.strip().upper()
        )
    ).first()
    if ticket is None:
        raise NotFound(f"ticket {key} not found")
    return ticket


def events_of(
    session: Session, principal: Principal, ticket_id: int
) -> list[TicketEvent]:
    """A ticket's events, oldest first; a client contact never sees notes."""
    ticket = get_ticket(session, principal, ticket_id)
    rows = _events(session, ticket.id)
    if not principal.is_provider:
        rows = [r for r in rows if r.kind != EventKind.NOTE]
    return rows


def list_tickets(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    state: str | None = None,
    page: Page | None = None,
) -> list[Ticket]:
    """Tickets the principal may see, by key order within each client (with a
    `page`, only its rows, by id: `services.pages`). `state`: `active` (not
    resolved or closed), `at_risk`, `breached`, or a status; the materialised
    state is as of each ticket's `computed_at`."""
    active_user(session, principal)
    query = _listed(principal, client_id=client_id, state=state)
    query = in_page(query, page, Ticket.id, Ticket.client_id, Ticket.number)
    return list(session.scalars(query).all())


def _listed(
    principal: Principal, *, client_id: int | None, state: str | None
) -> Select[Ticket]:
    """The select of `list_tickets` (unordered)."""
    query = scoped(select(Ticket), Ticket, principal)
    if client_id is not None:
        query = query.where(Ticket.client_id == client_id)
    if state == "active":
        query = query.where(Ticket.status.not_in(DONE))
    elif state == "at_risk":
        query = query.where(Ticket.at_risk.is_(True), Ticket.breached.is_(False))
    elif state == "breached":
        query = query.where(Ticket.breached.is_(True))
    elif state is not None:
        query = query.where(Ticket.status == state)
    return query


def list_with_clocks(
    session: Session,
    principal: Principal,
    now: datetime,
    *,
    client_id: int | None = None,
    state: str | None = None,
) -> list[tuple[Ticket, dict[str, ClockReading]]]:
    """The tickets `list_tickets` gives, each with its clocks at `now` as
    `ticket_clocks` measures them (InvalidInput, as there, for a ticket opened
    after `now`).

    However many tickets: one query for the tickets, one for their events, one
    per agreement version they are governed by, and one vectorised pass
    (`core.read_ticket_clocks`).
    """
    rows = list_tickets(session, principal, client_id=client_id, state=state)
    for ticket in rows:
        _opened_by(ticket, now)
    listed = _listed(principal, client_id=client_id, state=state)
    facts: dict[int, list[EventFact]] = {t.id: [] for t in rows}
    events = (
        select(TicketEvent)
        .options(
            load_only(
                TicketEvent.ticket_id,
                TicketEvent.at,
                TicketEvent.kind,
                TicketEvent.data,
            )
        )
        .where(TicketEvent.ticket_id.in_(listed.with_only_columns(Ticket.id)))
        .order_by(TicketEvent.ticket_id, TicketEvent.seq)
    )
    for row in session.scalars(events):
        known = facts.get(row.ticket_id)  # None: opened since the tickets were read
        if known is not None:
            known.append(event_fact(row))
    readings = read_ticket_clocks(
        [(facts[t.id], _terms(session, t)) for t in rows], now
    )
    return list(zip(rows, readings, strict=True))


def ticket_clocks(
    session: Session, principal: Principal, ticket_id: int, now: datetime
) -> dict[str, ClockStatus]:
    """The ticket's clocks at `now` (those its priority has targets for)."""
    return dict(_clocks(session, get_ticket(session, principal, ticket_id), now))


def _clocks(
    session: Session, ticket: Ticket, now: datetime
) -> Mapping[str, ClockStatus]:
    """A ticket's clocks at `now`, refused before it was opened."""
    _opened_by(ticket, now)
    return _derive(session, ticket, now).clocks


# -- read models ---------------------------------------------------------------------


def list_views(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    state: str | None = None,
    page: Page | None = None,
) -> list[TicketRead]:
    """`list_tickets` as read models: each ticket with its clock state as stored
    after its last event (one query, however many tickets)."""
    rows = list_tickets(session, principal, client_id=client_id, state=state, page=page)
    return [TicketRead.of(t) for t in rows]


def view_of(
    session: Session, principal: Principal, ticket_id: int, now: datetime
) -> TicketDetailRead:
    """A ticket with its request and its clocks measured at `now`."""
    return _detail(session, get_ticket(session, principal, ticket_id), now)


def view_by_key(
    session: Session, principal: Principal, key: str, now: datetime
) -> TicketDetailRead:
    """`view_of` the ticket with this key (`ACME-42`, any case)."""
    return _detail(session, find_ticket(session, principal, key), now)


def _detail(session: Session, ticket: Ticket, now: datetime) -> TicketDetailRead:
    return TicketDetailRead.of_ticket(ticket, _clocks(session, ticket, now), now)


def clocks_view(
    session: Session, principal: Principal, ticket_id: int, at: datetime
) -> TicketClocksRead:
    """The ticket's clocks as they stood at `at` (events after it are ignored);
    InvalidInput for an instant before the ticket was opened."""
    ticket = get_ticket(session, principal, ticket_id)
    return TicketClocksRead.of_ticket(ticket, _clocks(session, ticket, at), at)


def event_views(
    session: Session, principal: Principal, ticket_id: int
) -> list[EventRead]:
    """`events_of` as read models."""
    return [EventRead.of(e) for e in events_of(session, principal, ticket_id)]


def event_created_view(
    session: Session, principal: Principal, event: TicketEvent, now: datetime
) -> EventCreatedRead:
    """An event `add_event` appended, and its ticket as it is after it."""
    return EventCreatedRead(
        event=EventRead.of(event),
        ticket=view_of(session, principal, event.ticket_id, now),
    )


def _opened_by(ticket: Ticket, now: datetime) -> None:
    """Refuse to measure a ticket at an instant before it was opened."""
    if now < ticket.created_at:
        raise InvalidInput(
            f"{now.isoformat()} is before {ticket.key} was opened"
            f" ({ticket.created_at.isoformat()})",
            location="at",
        )


def _events(session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(
        session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.seq)
        ).all()
    )


def event_fact(row: TicketEvent) -> EventFact:
    """What the derivation reads of a stored event."""
    data = row.data or {}
    return EventFact(
        kind=row.kind,
        at=row.at,
        status=data.get("status"),
        priority=data.get("priority"),
        assignee_id=data.get("assignee_id"),
        clocks=tuple(data.get("clocks") or ()),
    )


def _terms(session: Session, ticket: Ticket) -> TicketTerms:
    """The terms of the version governing a ticket."""
    return version_terms_by_id(session, ticket.agreement_version_id).tickets


def _derive(session: Session, ticket: Ticket, now: datetime) -> TicketState:
    facts = [event_fact(r) for r in _events(session, ticket.id)]
    return derive_ticket(facts, _terms(session, ticket), now)


def recompute(session: Session, ticket_id: int, now: datetime) -> Ticket:
    """Derive a ticket's state at `now` from its events and store it in its row
    (no access check: for the service itself and for workers that wake at
    `next_check_at`)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    _store(ticket, _derive(session, ticket, now))
    session.flush()
    return ticket


def _store(ticket: Ticket, state: TicketState) -> None:
    for name, value in ticket_columns(state).items():
        setattr(ticket, name, value)


# -- writing ------------------------------------------------------------------------


def _text(value: str | None, what: str, *, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise InvalidInput(f"{what} must not be empty", location=what)
        return None
    return value.strip()


def _priority(terms: TicketTerms, priority: str) -> str:
    if priority not in terms.priorities:
        known = ", ".join(terms.priorities) or "none"
        raise InvalidInput(
            f"unknown priority {priority!r}; the agreement has {known}",
            location="priority",
        )
    return priority


def open_ticket(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    title: str,
    body: str = "",
    priority: str | None = None,
    now: datetime,
) -> Ticket:
    """Open a ticket for a client under the agreement version in force at `now`
    (Conflict when there is none). A client contact opens tickets for their own
    client only."""
    write_lock(session, principal.workspace_id)  # first: see locks.write_lock
    user = active_user(session, principal)
    client = visible_client(session, principal, client_id)
    clean_title = _text(title, "title")
    assert clean_title is not None
    if len(clean_title) > MAX_TITLE:
        raise InvalidInput(
            f"a title has at most {MAX_TITLE} characters", location="title"
        )
    version = agreement_in_force(session, principal, client.id, now)
    if version is None:
        raise Conflict(
            f"{client.name} has no agreement in force at {now.isoformat()}:"
            " a ticket is governed by the agreement in force when it is opened;"
            " activate an approved agreement first"
        )
    terms = version_terms(version).tickets
    if not terms.priorities:
        raise Conflict(f"the agreement in force with {client.name} names no priorities")
    level = _priority(terms, priority or terms.default_priority)
    number = counters.next_value(
        session, client.workspace_id, counters.ticket_series(client.id)
    )
    ticket = Ticket(
        workspace_id=client.workspace_id,
        client_id=client.id,
        agreement_version_id=version.id,
        number=number,
        key=f"{client.key.upper()}-{number}",
        title=clean_title,
        body=body.strip(),
        requester_id=user.id,
        created_at=now,
        priority=level,
        status="open",
        last_seq=0,
        computed_at=now,
        response_breached=False,
        resolution_breached=False,
        update_breaches=0,
        at_risk=False,
        breached=False,
    )
    session.add(ticket)
    session.flush()
    _append(
        session,
        ticket,
        principal,
        EventKind.CREATED,
        now,
        text=ticket.body or None,
        data={"status": "open", "priority": level, "title": clean_title},
        history=(),
        terms=terms,
    )
    return ticket


def _append(
    session: Session,
    ticket: Ticket,
    principal: Principal | None,
    kind: EventKind | str,
    now: datetime,
    *,
    text: str | None,
    data: dict[str, Any],
    history: Sequence[TicketEvent],
    terms: TicketTerms,
) -> TicketEvent:
    """Write one event and store the state derived from the whole history."""
    ticket.last_seq += 1
    row = TicketEvent(
        workspace_id=ticket.workspace_id,
        ticket_id=ticket.id,
        seq=ticket.last_seq,
        at=now,
        kind=str(kind),
        actor_id=None if principal is None else principal.user_id,
        text=text,
        data=data,
    )
    session.add(row)
    facts = [event_fact(r) for r in (*history, row)]
    _store(ticket, derive_ticket(facts, terms, now))
    session.flush()
    return row


def add_event(
    session: Session,
    principal: Principal,
    ticket_id: int,
    kind: str,
    now: datetime,
    *,
    text: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    reason: str | None = None,
    assignee_id: int | None = None,
) -> TicketEvent:
    """Append one event to a ticket and refresh its materialised state.

    Kinds (`EventKind`): `provider_reply` (text; optional `status`, e.g. reply
    and wait on the client), `acknowledgement` (text), `note` (text),
    `client_reply` (text; a ticket waiting on the client goes back to `open`),
    `status_changed` (`status`), `priority_changed` (`priority`, `reason`),
    `assigned` (`assignee_id`, a provider user; None unassigns), `resolved`,
    `reopened`. Client contacts may only reply and reopen. A closed ticket
    takes no events; events come in time order. Nothing is written when the
    input is refused.
    """
    ticket = get_ticket(session, principal, ticket_id)
    try:
        event_kind = EventKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in EventKind if k is not EventKind.CREATED)
        raise InvalidInput(
            f"unknown event kind {kind!r}; expected one of {allowed}", location="kind"
        ) from None
    if event_kind is EventKind.CREATED:
        raise InvalidInput("a ticket is created by opening it", location="kind")
    if not principal.is_provider and event_kind not in CLIENT_KINDS:
        raise PermissionDenied(
            f"only the provider's people can add a {event_kind.value} event"
        )
    if ticket.status == "closed":
        raise Conflict(f"ticket {ticket.key} is closed; it takes no more events")
    history = _events(session, ticket.id)
    last_at = history[-1].at if history else None
    if last_at is not None and now < last_at:
        raise InvalidInput(
            f"events are appended in time order: {now.isoformat()} is before the"
            f" ticket's last event at {last_at.isoformat()}",
            location="now",
        )
    terms = _terms(session, ticket)
    data: dict[str, Any] = {}
    body: str | None = None
    done = ticket.status in DONE

    def new_status(value: str | None) -> str:
        if value is None:
            raise InvalidInput("give the new status", location="status")
        if value not in terms.statuses:
            raise InvalidInput(
                f"unknown status {value!r}; expected one of"
                f" {', '.join(terms.statuses)}",
                location="status",
            )
        return value

    if event_kind in (
        EventKind.PROVIDER_REPLY,
        EventKind.ACKNOWLEDGEMENT,
        EventKind.NOTE,
        EventKind.CLIENT_REPLY,
    ):
        body = _text(text, "text")
        if event_kind is EventKind.PROVIDER_REPLY and status is not None:
            target = new_status(status)
            if target in DONE or done:
                raise Conflict(
                    "a reply changes the status only of an unresolved ticket to an"
                    " unresolved status; resolve or reopen it instead"
                )
            if target != ticket.status:
                data["status"] = target
        if (
            event_kind is EventKind.CLIENT_REPLY
            and ticket.status == "waiting_on_client"
        ):
            data["status"] = "open"  # the client answered: the clock runs again
    elif event_kind is EventKind.STATUS_CHANGED:
        target = new_status(status)
        if target == ticket.status:
            raise Conflict(f"ticket {ticket.key} is already {target}")
        if target == "resolved":
            event_kind = EventKind.RESOLVED
        elif target == "closed":
            if ticket.status != "resolved":
                raise Conflict(
                    f"only a resolved ticket can be closed, not {ticket.key}"
                )
        elif done:
            raise Conflict(f"ticket {ticket.key} is resolved; reopen it first")
        data["status"] = target
        body = _text(text, "text", required=False)
    elif event_kind is EventKind.PRIORITY_CHANGED:
        if priority is None:
            raise InvalidInput("give the new priority", location="priority")
        level = _priority(terms, priority)
        why = _text(reason, "reason")
        if level == ticket.priority:
            raise Conflict(f"ticket {ticket.key} already has priority {level}")
        data.update(priority=level, previous=ticket.priority, reason=why)
        body = why
    elif event_kind is EventKind.ASSIGNED:
        if assignee_id is not None:
            assignee = session.get(User, assignee_id)
            if (
                assignee is None
                or assignee.workspace_id != ticket.workspace_id
                or assignee.role is Role.CLIENT
                or assignee.disabled_at is not None
            ):
                raise InvalidInput(
                    f"user {assignee_id} is not an active provider user of the"
                    " workspace",
                    location="assignee",
                )
        data["assignee_id"] = assignee_id
        body = _text(text, "text", required=False)
    elif event_kind is EventKind.RESOLVED:
        if done:
            raise Conflict(f"ticket {ticket.key} is already resolved")
        data["status"] = "resolved"
        body = _text(text, "text", required=False)
    else:  # reopened
        if ticket.status != "resolved":
            raise Conflict(f"only a resolved ticket can be reopened, not {ticket.key}")
        data["status"] = "open"
        body = _text(text, "text", required=False)
    return _append(
        session,
        ticket,
        principal,
        event_kind,
        now,
        text=body,
        data=data,
        history=history,
        terms=terms,
    )


def overdue_checks(session: Session, workspace_id: int, now: datetime) -> list[int]:
    """Tickets whose materialised state may have changed by `now` without an
    event (their `next_check_at` has come): a worker recomputes them."""
    return list(
        session.scalars(
            select(Ticket.id)
            .where(
                Ticket.workspace_id == workspace_id,
                Ticket.next_check_at.is_not(None),
                Ticket.next_check_at <= now,
            )
            .order_by(Ticket.id)
            .with_for_update(skip_locked=True)
        ).all()
    )


# -- the payment-delay rule ----------------------------------------------------------


def payment_paused_clocks(history: Sequence[TicketEvent]) -> frozenset[str]:
    """The clocks a ticket's payment pause holds after `history` (its events in
    order): those of its last `payment_paused` event, none after a
    `payment_resumed`."""
    for row in reversed(history):
        if row.kind == PAYMENT_RESUMED:
            return frozenset()
        if row.kind == PAYMENT_PAUSED:
            return frozenset((row.data or {}).get("clocks") or ())
    return frozenset()


def set_payment_pause(
    session: Session,
    ticket_id: int,
    clocks: Sequence[str],
    at: datetime,
    *,
    reason: str,
    data: Mapping[str, Any] | None = None,
) -> TicketEvent | None:
    """Make the payment pause of a ticket hold exactly `clocks` (none: resume)
    from `at`, for the invoice service (no access check, no actor).

    The event is dated `at`, or the ticket's last event when that is later
    (events stay in time order). Nothing is written when the pause already
    holds those clocks, or when the ticket is closed. Returns the event written.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    if ticket.status == "closed":
        return None
    wanted = sorted({c for c in clocks if c in CLOCK_NAMES})
    history = _events(session, ticket.id)
    if frozenset(wanted) == payment_paused_clocks(history):
        return None
    when = max(at, history[-1].at) if history else at
    kind = PAYMENT_PAUSED if wanted else PAYMENT_RESUMED
    payload: dict[str, Any] = dict(data or {})
    if wanted:
        payload["clocks"] = wanted
    return _append(
        session,
        ticket,
        None,
        kind,
        when,
        text=reason,
        data=payload,
        history=history,
        terms=_terms(session, ticket),
    )
