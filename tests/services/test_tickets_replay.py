"""Random ticket histories through the service, on both backends: after every
history the materialised columns of each ticket equal a fresh recomputation
from its stored events, and the histories reach every state of every clock.

10,000 events in all in the `extended` Hypothesis profile; 1,200 in `ci` (the
default). Half the histories are short and half are brisk (no silence longer
than half an hour), so that the rare end states (a resolution clock paused by
the client, an update clock still running) come early: with the fixed seed
every state is reached by 750 events, and six other seeds reach them all by
1,000."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from hypothesis import settings
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core import derive_ticket, ticket_columns
from slakeeper.db.models import AgreementVersion, Ticket, TicketEvent
from slakeeper.services import tickets as svc
from slakeeper.services.versions import version_terms
from tests.factories import Cast, activate, make_cast
from tests.services.test_tickets import T0

FULL_EVENTS = 10_000  # the extended profile
QUICK_EVENTS = 1_200  # ci: every state asserted below is still reached
# bursts at one instant, minutes, and nights and weekends of silence; or brisk
GAPS = ((0, 1, 5, 30, 90, 240, 900, 3000), (0, 1, 5, 30))
PRIORITIES = ("critical", "high", "normal", "low")
STATUSES = ("open", "in_progress", "waiting_on_client")


def _next_event(
    rng: random.Random, cast: Cast, status: str, priority: str
) -> tuple[Any, str, dict[str, Any]]:
    """A valid event for a ticket in `status`: (actor, kind, keywords)."""
    if status == "resolved":
        choice = rng.choice(("reopened", "reopened", "close", "note", "reply"))
        if choice == "reopened":
            return rng.choice((cast.jane, cast.erika)), "reopened", {}
        if choice == "close":
            return cast.jane, "status_changed", {"status": "closed"}
        if choice == "note":
            return cast.sam, "note", {"text": "after the fact"}
        return cast.jane, "provider_reply", {"text": "one more thing"}
    roll = rng.random()
    if roll < 0.30:
        kw: dict[str, Any] = {"text": "update"}
        if rng.random() < 0.3:
            kw["status"] = rng.choice(STATUSES)
            if kw["status"] == status:
                del kw["status"]
        return rng.choice((cast.jane, cast.sam)), "provider_reply", kw
    if roll < 0.45:
        return cast.erika, "client_reply", {"text": "any news?"}
    if roll < 0.60:
        choices = [s for s in STATUSES if s != status]
        return cast.jane, "status_changed", {"status": rng.choice(choices)}
    if roll < 0.68:
        level = rng.choice([p for p in PRIORITIES if p != priority])
        return cast.jane, "priority_changed", {"priority": level, "reason": "triage"}
    if roll < 0.76:
        return cast.sam, "note", {"text": "internal"}
    if roll < 0.80:
        return cast.jane, "acknowledgement", {"text": "We have your request."}
    if roll < 0.85:
        who = rng.choice((cast.jane.user_id, cast.sam.user_id, None))
        return cast.jane, "assigned", {"assignee_id": who}
    return cast.jane, "resolved", {}


def total_events() -> int:
    """The number of events to write under the Hypothesis profile in force."""
    extended = settings.get_profile("extended").max_examples
    return FULL_EVENTS if settings().max_examples >= extended else QUICK_EVENTS


def _fresh(session: Session, ticket: Ticket) -> dict[str, Any]:
    rows = session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.seq)
    ).all()
    facts = [svc.event_fact(r) for r in rows]
    version = session.get(AgreementVersion, ticket.agreement_version_id)
    assert version is not None
    return ticket_columns(
        derive_ticket(facts, version_terms(version).tickets, ticket.computed_at)
    )


def _stored(ticket: Ticket, names: list[str]) -> dict[str, Any]:
    return {name: getattr(ticket, name) for name in names}


def test_materialised_state_equals_a_recomputation_after_random_histories(
    sessions: sessionmaker[Session],
) -> None:
    rng = random.Random(20261129)
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    total = total_events()
    written = 0
    tickets: list[int] = []
    while written < total:
        at = T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        length = rng.randrange(2, 12) if rng.random() < 0.5 else rng.randrange(5, 80)
        gaps = rng.choice(GAPS)
        with sessions.begin() as s:
            ticket = svc.open_ticket(
                s,
                rng.choice((cast.erika, cast.jane)),
                client_id=cast.acme_id,
                title="Random",
                priority=rng.choice((None, *PRIORITIES)),
                now=at,
            )
            written += 1
            for _ in range(length):
                if ticket.status == "closed":
                    break
                who, kind, kw = _next_event(rng, cast, ticket.status, ticket.priority)
                at += timedelta(minutes=rng.choice(gaps))
                svc.add_event(s, who, ticket.id, kind, at, **kw)
                written += 1
            tickets.append(ticket.id)
    assert written >= total
    with sessions() as s:
        rows = s.scalars(select(Ticket).where(Ticket.id.in_(tickets))).all()
        assert len(rows) == len(tickets)
        seen_states: set[tuple[str | None, ...]] = set()
        for ticket in rows:
            fresh = _fresh(s, ticket)
            assert _stored(ticket, list(fresh)) == fresh, ticket.key
            seen_states.add(
                (ticket.response_state, ticket.resolution_state, ticket.update_state)
            )
        # the histories reach every state of every clock
        for i, clock in enumerate(("response", "resolution")):
            assert {st[i] for st in seen_states} >= {"met", "breached"}, clock
        assert {st[1] for st in seen_states} >= {"running", "paused"}
        assert {st[2] for st in seen_states} >= {None, "running", "met", "breached"}
        assert any(t.update_breaches > 1 for t in rows)
        assert {t.status for t in rows} >= {"open", "resolved", "closed"}
