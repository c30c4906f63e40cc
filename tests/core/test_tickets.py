"""A ticket's clocks from its events, with no database (docs/sla-clock.md
section 5): the worked example, each rule of the response, resolution and
update clocks and of the payment pause, the stored row, and the vectorised
reading of many tickets, which agrees with the one-ticket derivation clock by
clock (a property over random histories, to the microsecond).

The terms are those of the example agreement: critical on the on-call calendar
(07:00-22:00 every day in Berlin), the others on the office calendar."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slakeeper.core import (
    ClockError,
    ClockReading,
    ClockState,
    EventFact,
    NaiveDatetimeError,
    PriorityTerms,
    TicketState,
    TicketTerms,
    WorkCalendar,
    derive_ticket,
    read_ticket_clocks,
    replay_ticket,
    ticket_columns,
)
from slakeeper.core.tickets import CLOCKS, EventKind
from tests.core.cast import berlin, office

H = timedelta(hours=1)
M = timedelta(minutes=1)
ON_CALL = WorkCalendar.from_spec(
    {"timezone": "Europe/Berlin", "hours": {"mon-sun": "07:00-22:00"}}
)
OFFICE = office()
DAY = 7.5 * H  # a business day of the office calendar
TERMS = TicketTerms(
    priorities={
        "critical": PriorityTerms("critical", ON_CALL, H, 2 * H, 8 * H),
        "high": PriorityTerms("high", OFFICE, 4 * H, None, 2 * DAY),
        "normal": PriorityTerms("normal", OFFICE, DAY, None, 5 * DAY),
        "low": PriorityTerms("low", OFFICE, 2 * DAY, None, None),
    },
    default_priority="normal",
    pause_on=("waiting_on_client", "on_hold"),
    warn_at=0.75,
)
MON = berlin(2027, 1, 4, 10)  # Monday 4 January 2027, 10:00 Berlin


def at(hours: float) -> datetime:
    return MON + hours * H


def fact(kind: str, hours: float, **kw: Any) -> EventFact:
    return EventFact(kind=kind, at=at(hours), **kw)


def created(priority: str = "critical", status: str = "open") -> EventFact:
    return EventFact("created", MON, status=status, priority=priority)


def states(state: TicketState) -> dict[str, str]:
    return {name: clock.state.value for name, clock in state.clocks.items()}


def dues(state: TicketState) -> dict[str, str | None]:
    return {
        name: None if c.due_at is None else c.due_at.astimezone(MON.tzinfo).isoformat()
        for name, c in state.clocks.items()
    }


# -- the worked example of docs/sla-clock.md section 5 ------------------------------


def test_the_worked_example():
    events = [
        created(),
        fact("provider_reply", 0.5),
        fact("provider_reply", 2),
        fact("provider_reply", 7),
        fact("provider_reply", 7.5, status="waiting_on_client"),
    ]
    first = derive_ticket(events[:1], TERMS, at(0))
    assert states(first) == {"response": "running", "resolution": "running"}
    assert dues(first) == {
        "response": "2027-01-04T11:00:00+01:00",
        "resolution": "2027-01-04T18:00:00+01:00",
    }
    replied = derive_ticket(events[:2], TERMS, at(0.5))
    assert states(replied)["response"] == "met"
    assert dues(replied)["update"] == "2027-01-04T12:30:00+01:00"
    assert derive_ticket(events[:3], TERMS, at(2)).clocks["update"].due_at == at(4)
    late = derive_ticket(events[:4], TERMS, at(7))
    assert (late.update_breaches, late.update_cycles) == (1, 3)
    assert dues(late)["update"] == "2027-01-04T19:00:00+01:00"
    assert late.breached
    waiting = derive_ticket(events, TERMS, at(7.5))
    assert states(waiting) == {
        "response": "met",
        "resolution": "paused",
        "update": "paused",
    }
    assert waiting.status == "waiting_on_client"


def test_raising_the_priority_retargets_the_clocks_from_their_start():
    events = [created("normal"), fact("priority_changed", 2, priority="critical")]
    state = derive_ticket(events, TERMS, at(2))
    assert state.priority == "critical"
    assert state.clocks["response"].state is ClockState.BREACHED
    assert state.clocks["response"].breached_at == at(1)


# -- the rules, one by one ----------------------------------------------------------


def test_an_acknowledgement_is_no_response_and_a_note_changes_nothing():
    events = [created(), fact("acknowledgement", 0.25), fact("note", 0.3)]
    assert states(derive_ticket(events, TERMS, at(0.5))) == {
        "response": "running",
        "resolution": "running",
    }


def test_a_ticket_opened_waiting_pauses_its_resolution_clock_at_once():
    state = derive_ticket([created("normal", "waiting_on_client")], TERMS, at(1))
    assert states(state) == {"response": "running", "resolution": "paused"}


def test_a_first_reply_in_a_paused_status_starts_a_paused_update_cycle():
    events = [
        created(),
        fact("status_changed", 0.25, status="on_hold"),
        fact("provider_reply", 0.5),
        fact("provider_reply", 0.75),  # the cycle ends, the next starts paused
        fact("status_changed", 1, status="in_progress"),
    ]
    held = derive_ticket(events[:4], TERMS, at(0.9))
    assert held.clocks["update"].is_paused
    assert held.update_cycles == 2
    moving = derive_ticket(events, TERMS, at(1.5))
    assert states(moving)["update"] == "running"
    assert moving.clocks["update"].elapsed == 0.5 * H


def test_resolving_stops_every_clock_and_reopening_restarts_them():
    events = [
        created(),
        fact("resolved", 0.5, status="resolved"),
        fact("provider_reply", 0.75),  # after resolving: the response, no cycle
        fact("status_changed", 1, status="closed"),
    ]
    closed = derive_ticket(events, TERMS, at(2))
    assert states(closed) == {"response": "met", "resolution": "met"}
    assert closed.update_cycles == 0
    reopened = [*events[:2], fact("reopened", 1, status="open")]
    state = derive_ticket(reopened, TERMS, at(1.25))
    # nobody answered before it was resolved: the response clock runs again
    assert states(state) == {"response": "running", "resolution": "running"}
    assert state.clocks["response"].elapsed == 0.75 * H
    answered = [
        created(),
        fact("provider_reply", 0.25),
        fact("resolved", 0.5, status="resolved"),
        fact("provider_reply", 0.6),  # no cycle runs on a resolved ticket
        fact("reopened", 1, status="on_hold"),
    ]
    state = derive_ticket(answered, TERMS, at(2))
    assert state.update_cycles == 2  # a reopen starts a new cycle, here paused
    assert states(state) == {
        "response": "met",
        "resolution": "paused",
        "update": "paused",
    }


def test_a_status_pause_ends_with_a_status_that_does_not_pause():
    events = [
        created(),
        fact("provider_reply", 0.25),
        fact("status_changed", 0.5, status="waiting_on_client"),
        fact("client_reply", 1, status="open"),
        fact("status_changed", 1.5, status="in_progress"),  # nothing to resume
        fact("assigned", 1.75, assignee_id=7),
    ]
    state = derive_ticket(events, TERMS, at(2))
    assert states(state)["resolution"] == "running"
    assert state.clocks["resolution"].paused_by_cause == {"waiting_on_client": 0.5 * H}
    assert state.assignee_id == 7


def test_a_payment_pause_holds_only_the_named_clocks_beside_a_status_pause():
    early = -1  # from 09:00
    events = [
        EventFact("created", at(early), status="open", priority="normal"),
        fact("payment_paused", early + 1, clocks=("resolution", "weekly_report")),
        fact("provider_reply", early + 2, status="waiting_on_client"),
        fact("client_reply", early + 3, status="open"),
        fact("payment_resumed", early + 4),
    ]
    during = derive_ticket(events[:4], TERMS, at(early + 3.5))
    assert during.clocks["resolution"].is_paused
    assert not during.clocks["response"].is_paused  # not named
    after = derive_ticket(events, TERMS, at(early + 5))
    resolution = after.clocks["resolution"]
    assert resolution.state is ClockState.RUNNING
    assert dict(resolution.paused_by_cause) == {
        # 11:00-12:00 and 13:00-14:00 Berlin, less the 12:30 lunch break
        "payment_overdue": 90 * M,
        "waiting_on_client": H,
    }


def test_a_clock_reopened_during_a_payment_pause_is_paused():
    events = [
        created("normal"),
        fact("resolved", 1, status="resolved"),
        fact("payment_paused", 2, clocks=("response", "resolution", "update_every")),
        fact("reopened", 3, status="open"),
    ]
    state = derive_ticket(events, TERMS, at(4))
    assert state.clocks["resolution"].is_paused
    assert state.clocks["response"].is_paused
    assert "payment_overdue" in state.clocks["resolution"].paused_by_cause


def test_update_cycles_started_during_a_payment_pause_are_paused():
    events = [
        created(),
        fact("payment_paused", 0.25, clocks=("update",)),
        fact("provider_reply", 0.5),  # the first cycle starts paused
        fact("provider_reply", 1),  # and the next
        fact("status_changed", 1.25, status="on_hold"),
        fact("status_changed", 1.5, status="open"),  # the payment pause goes on
        fact("payment_paused", 2, clocks=("update", "response")),  # response: met
        fact("resolved", 2.5, status="resolved"),
        fact("reopened", 3, status="open"),  # the new cycle too
    ]
    for hours, cycles in ((0.75, 1), (1.75, 2), (3.5, 3)):
        state = derive_ticket(events, TERMS, at(hours))
        assert state.update_cycles == cycles
        assert state.clocks["update"].is_paused
        assert state.clocks["update"].paused_by_cause.get("payment_overdue")
    resumed = [*events, fact("payment_resumed", 4)]
    assert states(derive_ticket(resumed, TERMS, at(5)))["update"] == "running"


def test_a_payment_pause_under_a_status_pause_waits_for_it():
    events = [
        created(),
        fact("provider_reply", 0.25),
        fact("status_changed", 0.5, status="on_hold"),
        fact("payment_paused", 1, clocks=("resolution", "update")),  # held already
        fact("payment_resumed", 2),  # the status pause goes on
    ]
    state = derive_ticket(events, TERMS, at(3))
    assert set(state.clocks["resolution"].paused_by_cause) == {"on_hold"}
    assert state.clocks["resolution"].is_paused


def test_events_after_now_are_ignored_and_a_history_begins_with_its_creation():
    events = [created(), fact("resolved", 5, status="resolved")]
    assert derive_ticket(events, TERMS, at(1)).status == "open"
    with pytest.raises(ClockError, match="begins with its created event"):
        derive_ticket(events[1:], TERMS, at(6))
    with pytest.raises(ClockError, match="begins with its created event"):
        derive_ticket(events, TERMS, MON - H)


def test_a_priority_without_targets_has_no_clocks():
    state = derive_ticket([created("low")], TERMS, at(1))
    assert list(state.clocks) == ["response"]
    history = replay_ticket([created("low")], TERMS, at(1))
    assert [name for name, _, _ in history.clocks(TERMS)] == ["response"]
    watch = PriorityTerms("watch", OFFICE, None, None, 5 * DAY)
    terms = TicketTerms({"watch": watch}, "watch", (), 0.75)
    state = derive_ticket([EventFact("created", MON)], terms, at(1))
    assert (state.priority, list(state.clocks)) == ("watch", ["resolution"])


def test_the_terms_know_every_status_and_each_priority_its_targets():
    assert TERMS.statuses == (
        "open",
        "in_progress",
        "waiting_on_client",
        "resolved",
        "closed",
        "on_hold",
    )
    critical = TERMS.priorities["critical"]
    assert [critical.target(c) for c in CLOCKS] == [H, 8 * H, 2 * H]
    assert EventKind("provider_reply") is EventKind.PROVIDER_REPLY


# -- the stored row -----------------------------------------------------------------


def test_the_row_holds_the_state_of_each_clock():
    events = [created(), fact("provider_reply", 0.5)]
    state = derive_ticket(events, TERMS, at(3))  # the update cycle is breached
    assert ticket_columns(state) == {
        "status": "open",
        "priority": "critical",
        "assignee_id": None,
        "computed_at": at(3),
        "update_breaches": 1,
        "due_at": at(8),
        "at_risk": False,
        "breached": True,
        "next_check_at": at(8) - 0.25 * 8 * H,
        "response_state": "met",
        "response_due_at": at(1),
        "response_breached": False,
        "resolution_state": "running",
        "resolution_due_at": at(8),
        "resolution_breached": False,
        "update_state": "breached",
        "update_due_at": at(2.5),
    }
    # Tuesday 16:00: 12.5 of the 15 working hours to respond to a low ticket
    quiet = ticket_columns(derive_ticket([created("low")], TERMS, at(30)))
    assert (quiet["resolution_state"], quiet["resolution_breached"]) == (None, False)
    assert (quiet["update_state"], quiet["update_due_at"]) == (None, None)
    assert (quiet["at_risk"], quiet["due_at"]) == (True, quiet["response_due_at"])
    paused = derive_ticket([created("normal", "on_hold")], TERMS, at(1))
    assert paused.due_at == paused.clocks["response"].due_at


# -- many tickets at once -----------------------------------------------------------


def reading(status: Any) -> ClockReading:
    return ClockReading(status.state, status.at_risk, status.due_at, status.remaining)


def test_reading_many_tickets_gives_what_each_derivation_gives():
    tickets = [
        [created()],
        [created("normal"), fact("status_changed", 1, status="on_hold")],
        [created(), fact("provider_reply", 0.5)],
        [created("low")],
    ]
    now = at(3) + timedelta(microseconds=7)
    got = read_ticket_clocks([(t, TERMS) for t in tickets], now)
    for events, clocks in zip(tickets, got, strict=True):
        derived = derive_ticket(events, TERMS, now).clocks
        assert clocks == {name: reading(c) for name, c in derived.items()}
    assert got[0]["response"].state is ClockState.BREACHED
    assert got[1]["resolution"].state is ClockState.PAUSED
    assert read_ticket_clocks([], now) == []
    with pytest.raises(NaiveDatetimeError):
        read_ticket_clocks([], now.replace(tzinfo=None))


STATUSES = ("open", "in_progress", "waiting_on_client", "on_hold")


def random_history(rng: random.Random, start: datetime) -> list[EventFact]:
    """A valid random history, as the service would write it, with instants
    to the microsecond (bursts at one instant, nights and weekends of silence)."""
    status, priority = "open", rng.choice(list(TERMS.priorities))
    events = [EventFact("created", start, status=status, priority=priority)]
    t = start
    for _ in range(rng.randrange(0, 25)):
        t += rng.choice((0, 1, 5, 30, 90, 240, 900, 3000)) * M
        t += timedelta(microseconds=rng.randrange(0, 1_000_000))
        roll = rng.random()
        if status == "resolved":
            status = "open"
            events.append(EventFact("reopened", t, status=status))
        elif roll < 0.3:
            new = rng.choice(STATUSES) if rng.random() < 0.3 else None
            status = new or status
            events.append(EventFact("provider_reply", t, status=new))
        elif roll < 0.5:
            status = rng.choice([s for s in STATUSES if s != status])
            events.append(EventFact("status_changed", t, status=status))
        elif roll < 0.6:
            priority = rng.choice([p for p in TERMS.priorities if p != priority])
            events.append(EventFact("priority_changed", t, priority=priority))
        elif roll < 0.7:
            named = rng.sample(("response", "resolution", "update_every"), 2)
            events.append(EventFact("payment_paused", t, clocks=tuple(named)))
        elif roll < 0.75:
            events.append(EventFact("payment_resumed", t))
        elif roll < 0.85:
            events.append(EventFact("client_reply", t))
        else:
            status = "resolved"
            events.append(EventFact("resolved", t, status=status))
    return events


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), later=st.integers(0, 6000))
def test_reading_many_tickets_agrees_with_derive_ticket_clock_by_clock(
    seed: int, later: int
) -> None:
    rng = random.Random(seed)
    starts = [
        datetime(2027, 3, 24, 6, tzinfo=UTC) + rng.randrange(0, 4000) * M
        for _ in range(rng.randrange(1, 12))
    ]
    histories: Sequence[list[EventFact]] = [random_history(rng, s) for s in starts]
    now = min(starts) + later * M + timedelta(microseconds=rng.randrange(1_000_000))
    histories = [h for h in histories if h[0].at <= now]
    got = read_ticket_clocks([(h, TERMS) for h in histories], now)
    for events, clocks in zip(histories, got, strict=True):
        derived = derive_ticket(events, TERMS, now).clocks
        assert clocks == {name: reading(c) for name, c in derived.items()}
