"""Tickets on both backends: the clocks of SLA-CLOCK.md section 5 through the
service, the agreement version that governs a ticket, access, and bad input
that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core import ClockState, ClockStatus
from slakeeper.db.models import AgreementVersion, Ticket, TicketEvent
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services import agreements
from slakeeper.services import tickets as svc
from slakeeper.services.access import Principal
from tests.factories import (
    Cast,
    World,
    activate,
    example_text,
    make_cast,
    make_world,
)

# Monday 4 January 2027, 10:00 in Berlin: the on-call calendar (critical) is
# open 07:00-22:00 every day, so the arithmetic below is plain hours
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def cast(active_cast: Cast) -> Cast:
    return active_cast


@pytest.fixture(scope="module")
def refusing(module_sessions: sessionmaker[Session]) -> Cast:
    """`cast` once per backend for the refusals, which each open a ticket of
    their own and check that the refused event changed nothing of it."""
    with module_sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
        return cast


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world


def open_one(
    sessions: sessionmaker[Session],
    who: Principal,
    cast: Cast,
    *,
    priority: str | None = "critical",
    at: datetime = T0,
) -> int:
    with sessions.begin() as s:
        ticket = svc.open_ticket(
            s,
            who,
            client_id=cast.acme_id,
            title="Checkout fails",
            body="Every order ends in an error page.",
            priority=priority,
            now=at,
        )
        return ticket.id


def event(
    sessions: sessionmaker[Session],
    who: Principal,
    ticket_id: int,
    kind: str,
    at: datetime,
    **kw: object,
) -> None:
    with sessions.begin() as s:
        svc.add_event(s, who, ticket_id, kind, at, **kw)  # type: ignore[arg-type]


def clocks(
    sessions: sessionmaker[Session], who: Principal, ticket_id: int, at: datetime
) -> dict[str, ClockStatus]:
    with sessions() as s:
        return svc.ticket_clocks(s, who, ticket_id, at)


def row(sessions: sessionmaker[Session], ticket_id: int) -> Ticket:
    with sessions() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        s.expunge(ticket)
        return ticket


def event_count(sessions: sessionmaker[Session], ticket_id: int) -> int:
    with sessions() as s:
        return int(
            s.scalar(select(func.count()).where(TicketEvent.ticket_id == ticket_id))
            or 0
        )


# -- opening ----------------------------------------------------------------------


def test_a_ticket_gets_a_key_per_client_and_the_default_priority(sessions, cast):
    first = open_one(sessions, cast.erika, cast, priority=None)
    second = open_one(sessions, cast.jane, cast, at=T0 + H)
    one, two = row(sessions, first), row(sessions, second)
    assert (one.key, one.number, one.priority, one.status) == (
        "ACME-1",
        1,
        "normal",
        "open",
    )
    assert (two.key, two.priority, two.requester_id) == (
        "ACME-2",
        "critical",
        cast.jane.user_id,
    )
    assert one.requester_id == cast.erika.user_id
    with sessions() as s:
        assert svc.find_ticket(s, cast.jane, "acme-2").id == second
        events = svc.events_of(s, cast.jane, first)
        assert [(e.seq, e.kind) for e in events] == [(1, "created")]
        assert events[0].data == {
            "status": "open",
            "priority": "normal",
            "title": "Checkout fails",
        }


def test_without_an_agreement_in_force_no_ticket_is_opened(sessions):
    with sessions.begin() as s:
        cast = make_cast(s)
    with sessions.begin() as s, pytest.raises(Conflict, match="no agreement in force"):
        svc.open_ticket(s, cast.jane, client_id=cast.acme_id, title="Hi", now=T0)
    with sessions() as s:
        assert not svc.list_tickets(s, cast.jane)


def test_a_ticket_keeps_the_version_it_was_opened_under(sessions, cast):
    old = open_one(sessions, cast.jane, cast)
    with sessions.begin() as s:
        v1 = s.get(AgreementVersion, row(sessions, old).agreement_version_id)
        assert v1 is not None
        amended = example_text().replace("response: 1h", "response: 30m")
        v2 = agreements.amend(
            s,
            cast.jane,
            agreement_id=v1.agreement_id,
            text=amended,
            source_name="acme-v2.yaml",
            now=T0,
        )
        agreements.submit(s, cast.jane, v2.id, T0)
        agreements.approve(s, cast.jane, v2.id, v2.sha256, T0 + 10 * M)
        agreements.approve(s, cast.max, v2.id, v2.sha256, T0 + 10 * M)
        v2_id = v2.id
    new = open_one(sessions, cast.jane, cast, at=T0 + 20 * M)
    assert row(sessions, new).agreement_version_id == v2_id
    assert row(sessions, old).agreement_version_id != v2_id
    at = T0 + 2 * H
    assert clocks(sessions, cast.jane, old, at)["response"].target == H
    assert clocks(sessions, cast.jane, new, at)["response"].target == 30 * M
    assert row(sessions, new).response_due_at == T0 + 50 * M


# -- the clocks ------------------------------------------------------------------


def test_the_first_public_reply_stops_the_response_clock(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast)
    event(sessions, cast.jane, ticket, "acknowledgement", T0 + M, text="Got it.")
    ack = clocks(sessions, cast.jane, ticket, T0 + M)["response"]
    assert ack.state is ClockState.RUNNING  # an acknowledgement is no response
    assert row(sessions, ticket).response_due_at == T0 + H
    event(sessions, cast.jane, ticket, "note", T0 + 10 * M, text="looking")
    event(sessions, cast.sam, ticket, "provider_reply", T0 + 30 * M, text="On it")
    c = clocks(sessions, cast.jane, ticket, T0 + 5 * H)
    assert c["response"].state is ClockState.MET
    assert c["response"].elapsed == 30 * M
    assert c["resolution"].state is ClockState.RUNNING
    assert c["resolution"].due_at == T0 + 8 * H
    r = row(sessions, ticket)
    assert (r.response_state, r.response_breached) == ("met", False)
    assert r.resolution_due_at == T0 + 8 * H
    # the first update is due two hours after the response
    assert r.update_due_at == T0 + 30 * M + 2 * H
    assert r.due_at == T0 + 30 * M + 2 * H
    assert r.next_check_at == T0 + 30 * M + 90 * M  # 75 % of the update cycle


def test_waiting_on_the_client_pauses_resolution_not_response(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast)
    event(
        sessions,
        cast.jane,
        ticket,
        "status_changed",
        T0 + 30 * M,
        status="waiting_on_client",
    )
    c = clocks(sessions, cast.jane, ticket, T0 + 2 * H)
    assert c["response"].state is ClockState.BREACHED
    assert c["response"].breached_at == T0 + H
    assert c["resolution"].state is ClockState.PAUSED
    assert c["resolution"].due_at is None
    assert c["resolution"].elapsed == 30 * M
    r = row(sessions, ticket)
    assert (r.status, r.resolution_state, r.resolution_due_at) == (
        "waiting_on_client",
        "paused",
        None,
    )
    # the client answers: the ticket is open again and the clock runs on
    event(sessions, cast.erika, ticket, "client_reply", T0 + 3 * H, text="Here")
    r = row(sessions, ticket)
    assert r.status == "open"
    assert r.resolution_due_at == T0 + 8 * H + 150 * M
    paused = clocks(sessions, cast.jane, ticket, T0 + 4 * H)["resolution"]
    assert paused.paused_by_cause == {"waiting_on_client": 150 * M}


def test_reopening_resumes_the_resolution_clock(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast)
    event(sessions, cast.jane, ticket, "provider_reply", T0 + 10 * M, text="Fixed")
    event(sessions, cast.jane, ticket, "resolved", T0 + 2 * H)
    c = clocks(sessions, cast.jane, ticket, T0 + 3 * H)
    assert c["resolution"].state is ClockState.MET
    assert row(sessions, ticket).next_check_at is None
    event(sessions, cast.erika, ticket, "reopened", T0 + 4 * H, text="Broken again")
    c = clocks(sessions, cast.jane, ticket, T0 + 5 * H)
    assert c["resolution"].state is ClockState.RUNNING
    assert c["resolution"].elapsed == 3 * H
    assert c["resolution"].due_at == T0 + 10 * H
    assert c["response"].state is ClockState.MET  # answered once is enough
    # a new update cycle runs from the reopen
    assert c["update"].due_at == T0 + 6 * H
    assert row(sessions, ticket).status == "open"


def test_raising_the_priority_breaches_retroactively(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast, priority="normal")
    before = row(sessions, ticket)
    assert before.response_breached is False
    assert before.update_state is None  # normal has no update target
    event(
        sessions,
        cast.jane,
        ticket,
        "priority_changed",
        T0 + 2 * H,
        priority="critical",
        reason="the shop is down for everyone",
    )
    r = row(sessions, ticket)
    assert (r.priority, r.response_state, r.response_breached) == (
        "critical",
        "breached",
        True,
    )
    assert r.breached is True
    c = clocks(sessions, cast.jane, ticket, T0 + 2 * H)
    assert c["response"].breached_at == T0 + H
    with sessions() as s:
        last = svc.events_of(s, cast.jane, ticket)[-1]
        assert last.data == {
            "priority": "critical",
            "previous": "normal",
            "reason": "the shop is down for everyone",
        }


def test_each_update_cycle_past_due_is_one_breach(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast)
    event(sessions, cast.jane, ticket, "provider_reply", T0 + 30 * M, text="Seen")
    event(sessions, cast.jane, ticket, "provider_reply", T0 + 2 * H, text="Update 1")
    assert row(sessions, ticket).update_due_at == T0 + 4 * H
    # five hours of silence: one cycle missed, however long it lasts
    event(sessions, cast.jane, ticket, "note", T0 + 7 * H, text="oops")
    r = row(sessions, ticket)
    assert (r.update_state, r.update_breaches, r.breached) == ("breached", 1, True)
    event(sessions, cast.jane, ticket, "provider_reply", T0 + 7 * H, text="Update 2")
    r = row(sessions, ticket)
    assert (r.update_state, r.update_breaches) == ("running", 1)
    assert r.update_due_at == T0 + 9 * H
    # waiting on the client pauses the update cycle too
    event(
        sessions,
        cast.jane,
        ticket,
        "provider_reply",
        T0 + 7 * H + 30 * M,
        text="Can you send the log?",
        status="waiting_on_client",
    )
    c = clocks(sessions, cast.jane, ticket, T0 + 12 * H)
    assert c["update"].state is ClockState.PAUSED
    assert row(sessions, ticket).update_breaches == 1
    # resolving ends the cycle
    event(sessions, cast.jane, ticket, "resolved", T0 + 13 * H)
    c = clocks(sessions, cast.jane, ticket, T0 + 20 * H)
    assert c["update"].state is ClockState.MET
    assert row(sessions, ticket).next_check_at is None


def test_assignment_and_closing(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast)
    event(sessions, cast.jane, ticket, "assigned", T0 + M, assignee_id=cast.sam.user_id)
    assert row(sessions, ticket).assignee_id == cast.sam.user_id
    event(sessions, cast.jane, ticket, "status_changed", T0 + 2 * M, status="resolved")
    event(sessions, cast.jane, ticket, "status_changed", T0 + 3 * M, status="closed")
    assert row(sessions, ticket).status == "closed"
    with sessions.begin() as s, pytest.raises(Conflict, match="closed"):
        svc.add_event(s, cast.erika, ticket, "reopened", T0 + 4 * M)
    with sessions() as s:
        kinds = [e.kind for e in svc.events_of(s, cast.jane, ticket)]
        assert kinds == ["created", "assigned", "resolved", "status_changed"]
        assert [t.key for t in svc.list_tickets(s, cast.jane, state="closed")] == [
            "ACME-1"
        ]
        assert svc.list_tickets(s, cast.jane, state="active") == []


def test_list_filters_by_state(sessions, cast):
    late = open_one(sessions, cast.jane, cast)
    fine = open_one(sessions, cast.jane, cast, at=T0 + 2 * H)
    event(sessions, cast.jane, late, "note", T0 + 2 * H, text="late")
    event(sessions, cast.jane, fine, "provider_reply", T0 + 2 * H, text="hi")
    with sessions() as s:
        keys = {
            state: [t.id for t in svc.list_tickets(s, cast.jane, state=state)]
            for state in ("active", "breached", "at_risk", "open")
        }
    assert keys == {
        "active": [late, fine],
        "breached": [late],
        "at_risk": [],
        "open": [late, fine],
    }


# -- access -------------------------------------------------------------------------


def test_client_contacts_see_their_own_client_only(sessions, world):
    cast = world.cast
    ticket = open_one(sessions, cast.erika, cast)
    event(sessions, cast.jane, ticket, "note", T0 + M, text="internal only")
    event(sessions, cast.erika, ticket, "client_reply", T0 + 2 * M, text="any news?")
    with sessions() as s:
        seen = [e.kind for e in svc.events_of(s, cast.max, ticket)]
        assert seen == ["created", "client_reply"]  # no notes for the client
        assert [t.id for t in svc.list_tickets(s, cast.max)] == [ticket]
        assert svc.list_tickets(s, world.olga) == []
        for outsider in (world.olga, world.foreign.jane, world.foreign.erika):
            with pytest.raises(NotFound):
                svc.get_ticket(s, outsider, ticket)
            with pytest.raises(NotFound):
                svc.ticket_clocks(s, outsider, ticket, T0)
        with pytest.raises(NotFound):
            svc.find_ticket(s, world.foreign.jane, "ACME-1")
        with pytest.raises(PermissionDenied):
            svc.get_ticket(s, world.dora, ticket)
    for who in (world.olga, world.foreign.jane):
        with sessions.begin() as s, pytest.raises(NotFound):
            svc.add_event(s, who, ticket, "note", T0 + H, text="x")
    with sessions.begin() as s, pytest.raises(NotFound):
        svc.open_ticket(s, world.olga, client_id=cast.acme_id, title="x", now=T0)
    with sessions.begin() as s, pytest.raises(NotFound):
        svc.open_ticket(
            s, world.foreign.jane, client_id=cast.acme_id, title="x", now=T0
        )
    assert event_count(sessions, ticket) == 3


@pytest.mark.parametrize(
    ("kind", "kw"),
    [
        ("provider_reply", {"text": "I am the provider now"}),
        ("acknowledgement", {"text": "auto"}),
        ("note", {"text": "secret"}),
        ("status_changed", {"status": "in_progress"}),
        ("priority_changed", {"priority": "critical", "reason": "urgent!"}),
        ("assigned", {"assignee_id": None}),
        ("resolved", {}),
    ],
)
def test_only_the_provider_posts_provider_events(module_sessions, refusing, kind, kw):
    sessions, cast = module_sessions, refusing
    ticket = open_one(sessions, cast.erika, cast, priority="normal")
    before = row(sessions, ticket)
    with sessions.begin() as s, pytest.raises(PermissionDenied):
        svc.add_event(s, cast.erika, ticket, kind, T0 + H, **kw)
    after = row(sessions, ticket)
    assert (after.status, after.priority, after.last_seq) == (
        before.status,
        before.priority,
        before.last_seq,
    )
    assert event_count(sessions, ticket) == 1


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "kw", "error", "match"),
    [
        ("shout", {"text": "x"}, InvalidInput, "unknown event kind"),
        ("created", {}, InvalidInput, "created by opening"),
        ("provider_reply", {"text": "  "}, InvalidInput, "text must not be empty"),
        ("status_changed", {"status": "on_hold"}, InvalidInput, "unknown status"),
        ("status_changed", {"status": "open"}, Conflict, "already open"),
        ("status_changed", {"status": "closed"}, Conflict, "only a resolved"),
        (
            "priority_changed",
            {"priority": "urgent", "reason": "x"},
            InvalidInput,
            "unknown priority",
        ),
        ("priority_changed", {"priority": "high"}, InvalidInput, "reason"),
        (
            "priority_changed",
            {"priority": "critical", "reason": "x"},
            Conflict,
            "already has priority",
        ),
        ("assigned", {"assignee_id": -1}, InvalidInput, "not an active provider"),
        ("reopened", {}, Conflict, "only a resolved ticket"),
    ],
)
def test_bad_input_changes_nothing(module_sessions, refusing, kind, kw, error, match):
    sessions, cast = module_sessions, refusing
    ticket = open_one(sessions, cast.erika, cast)
    before = row(sessions, ticket)
    with sessions.begin() as s, pytest.raises(error, match=match):
        svc.add_event(s, cast.jane, ticket, kind, T0 + H, **kw)
    after = row(sessions, ticket)
    assert after.last_seq == before.last_seq == 1
    assert (after.status, after.priority) == (before.status, before.priority)
    assert event_count(sessions, ticket) == 1


def test_events_come_in_time_order_and_a_client_cannot_be_assigned(sessions, cast):
    ticket = open_one(sessions, cast.erika, cast)
    event(sessions, cast.jane, ticket, "note", T0 + H, text="x")
    with sessions.begin() as s, pytest.raises(InvalidInput, match="time order"):
        svc.add_event(s, cast.jane, ticket, "note", T0 + M, text="y")
    with sessions.begin() as s, pytest.raises(InvalidInput, match="provider user"):
        svc.add_event(
            s, cast.jane, ticket, "assigned", T0 + 2 * H, assignee_id=cast.max.user_id
        )
    assert event_count(sessions, ticket) == 2


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"title": " "}, InvalidInput, "title must not be empty"),
        ({"title": "x" * 301}, InvalidInput, "at most 300"),
        ({"title": "x", "priority": "urgent"}, InvalidInput, "unknown priority"),
        ({"title": "x", "client_id": -5}, NotFound, "client"),
    ],
)
def test_a_bad_ticket_is_not_opened(sessions, cast, kw, error, match):
    args = {"client_id": cast.acme_id, **kw}
    with sessions.begin() as s, pytest.raises(error, match=match):
        svc.open_ticket(s, cast.jane, now=T0, **args)
    with sessions() as s:
        assert svc.list_tickets(s, cast.jane) == []


def test_the_database_refuses_to_change_ticket_events(sessions, cast, engine):
    ticket = open_one(sessions, cast.erika, cast)
    for statement in (
        "UPDATE ticket_event SET kind = 'note' WHERE ticket_id = :t",
        "DELETE FROM ticket_event WHERE ticket_id = :t",
    ):
        with (
            pytest.raises(DBAPIError, match="immutable"),
            engine.begin() as conn,
        ):
            conn.execute(text(statement), {"t": ticket})
    assert event_count(sessions, ticket) == 1
