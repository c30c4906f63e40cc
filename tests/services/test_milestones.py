"""Milestones, client obligations and adjustments (docs/sla-clock.md section 6),
on both backends, with the example agreement: the office calendar is open
Mon-Fri 09:00-12:30 and 13:30-17:30 in Berlin (7.5 working hours a day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Milestone, Obligation
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services import agreements
from slakeeper.services.access import Principal
from slakeeper.services.delivery import adjustments, milestone_state, obligations
from slakeeper.services.delivery import milestones as svc
from tests.factories import NOW, Cast, World, activate, example_text, make_world

H = 3600
LATE = int(10.5 * H)
# Berlin is UTC+1 in winter and UTC+2 from 28 March 2027
REDESIGN_DUE = datetime(2027, 2, 15, 23, 0, tzinfo=UTC)  # 16 Feb 00:00 Berlin
LAUNCH_DUE = datetime(2027, 4, 1, 22, 0, tzinfo=UTC)  # 2 Apr 00:00 Berlin
ASSETS_DUE = datetime(2027, 1, 15, 23, 0, tzinfo=UTC)
STARTED = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)  # effective 1 Jan, Berlin


def berlin(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    """An instant in January-March 2027 given in Berlin winter time."""
    return datetime(2027, month, day, hour - 1, minute, tzinfo=UTC)


def with_rules(*replacements: tuple[str, str]) -> str:
    text = example_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


AUTOMATIC = (
    "client_caused: {shift_milestones: working_time, adjustments: need_acceptance}",
    "client_caused: {shift_milestones: working_time, adjustments: automatic}",
)
CALENDAR_DAYS = (
    "client_caused: {shift_milestones: working_time, adjustments: need_acceptance}",
    "client_caused: {shift_milestones: calendar_days, adjustments: automatic}",
)
SHIFT_SCHEDULE = ("if_silent: deemed_accepted", "if_silent: shift_schedule")


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world


@pytest.fixture
def cast(world: World) -> Cast:
    return world.cast


def ms(s: Session, who: Principal, key: str) -> Milestone:
    return next(m for m in svc.list_milestones(s, who) if m.key == key)


def test_activation_takes_the_milestones_and_the_inputs_they_need(sessions, cast):
    with sessions.begin() as s:
        rows = svc.list_milestones(s, cast.jane)
        assert [(m.key, m.status, m.due_at, m.after_key) for m in rows] == [
            ("redesign-mockups", "planned", REDESIGN_DUE, None),
            ("launch", "planned", LAUNCH_DUE, "redesign-mockups"),
        ]
        assert rows[0].started_at == STARTED
        assert rows[0].next_check_at is not None
        (need,) = obligations.list_obligations(s, cast.jane)
        assert (need.kind, need.party, need.title, need.due_at, need.status) == (
            "input",
            "client",
            "Brand assets and logo files",
            ASSETS_DUE,
            "open",
        )
        assert need.milestone_id == rows[0].id
        kinds = [e.kind for e in svc.events_of(s, cast.erika, rows[0].id)]
        assert kinds == ["created"]


def test_submitted_and_accepted_on_time(sessions, cast):
    with sessions.begin() as s:
        m = ms(s, cast.jane, "redesign-mockups")
        svc.start(s, cast.jane, m.id, berlin(4, 1, 10))
        svc.submit(s, cast.jane, m.id, berlin(10, 2, 16), note="Figma link inside")
        assert m.status == "submitted"
        # the review window is 5bd on the office calendar: to 17 Feb 16:00
        assert m.review_due_at == berlin(17, 2, 16)
        assert m.next_check_at == m.review_due_at
        feedback = obligations.list_obligations(s, cast.max, status="open")
        assert [o.kind for o in feedback] == ["input", "feedback"]
        svc.review(s, cast.max, m.id, "accept", berlin(12, 2, 9))
        assert (m.status, m.late, m.delivered_at) == (
            "accepted",
            False,
            berlin(10, 2, 16),
        )
        assert m.next_check_at is None
        met = s.get(Obligation, feedback[1].id)
        assert met is not None
        assert (met.status, met.lateness) == ("met", 0)
        assert adjustments.adjustments_of(s, cast.jane, m.id) == []


def test_at_risk_and_late_follow_the_working_time_used(sessions, cast):
    with sessions.begin() as s:
        m = ms(s, cast.jane, "redesign-mockups")
        warn = m.next_check_at
        assert warn is not None
        assert STARTED < warn < REDESIGN_DUE
        milestone_state.recompute(s, m.id, warn - timedelta(seconds=1))
        assert (m.at_risk, m.late, m.next_check_at) == (False, False, warn)
        milestone_state.recompute(s, m.id, warn)
        assert (m.at_risk, m.late, m.next_check_at) == (True, False, REDESIGN_DUE)
        milestone_state.recompute(s, m.id, REDESIGN_DUE)
        assert (m.at_risk, m.late, m.next_check_at) == (False, True, None)
        # delivered late stays late
        svc.submit(s, cast.jane, m.id, REDESIGN_DUE + timedelta(hours=10))
        svc.review(s, cast.max, m.id, "accept", REDESIGN_DUE + timedelta(days=1))
        assert (m.status, m.late) == ("accepted", True)


def test_an_input_met_late_proposes_adjustments_that_need_both_sides(sessions, cast):
    # due Fri 15 Jan 24:00; received Tue 19 Jan 12:00: Mon 7.5h + Tue 3h late
    with sessions.begin() as s:
        (need,) = obligations.list_obligations(s, cast.jane)
        obligations.meet_obligation(
            s, cast.jane, need.id, berlin(19, 1, 12), note="via mail"
        )
        assert (need.status, need.lateness, need.shift_mode) == (
            "met",
            LATE,
            "working_time",
        )
        redesign = ms(s, cast.jane, "redesign-mockups")
        launch = ms(s, cast.jane, "launch")
        proposals = [
            *adjustments.adjustments_of(s, cast.jane, redesign.id),
            *adjustments.adjustments_of(s, cast.jane, launch.id),
        ]
        assert [(a.cause, a.kind, a.status, a.amount) for a in proposals] == [
            ("client", "delay", "proposed", LATE)
        ] * 2
        assert proposals[0].reason == "Brand assets and logo files: met 10h 30m late"
        assert redesign.due_at == REDESIGN_DUE
        adjustments.accept_adjustment(s, cast.jane, proposals[0].id, berlin(19, 1, 13))
        assert proposals[0].status == "proposed"
        adjustments.accept_adjustment(s, cast.max, proposals[0].id, berlin(19, 1, 14))
        assert proposals[0].status == "accepted"
        # Tue 16 Feb 09:00 + 10.5h of office time: Wed 17 Feb 12:00 Berlin
        assert redesign.due_at == berlin(17, 2, 12)
        adjustments.reject_adjustment(s, cast.max, proposals[1].id, berlin(19, 1, 15))
        assert (proposals[1].status, launch.due_at) == ("rejected", LAUNCH_DUE)
        with pytest.raises(Conflict, match="already rejected"):
            adjustments.accept_adjustment(
                s, cast.jane, proposals[1].id, berlin(19, 1, 16)
            )
        kinds = [e.kind for e in svc.events_of(s, cast.jane, redesign.id)]
        assert kinds == ["created", "adjusted"]


def test_automatic_adjustments_take_effect_at_once(sessions):
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast, with_rules(AUTOMATIC))
        jane = world.cast.jane
        (need,) = obligations.list_obligations(s, jane)
        obligations.meet_obligation(s, jane, need.id, berlin(19, 1, 12))
        launch = ms(s, jane, "launch")
        (adj,) = adjustments.adjustments_of(s, jane, launch.id)
        assert (adj.status, adj.automatic) == ("accepted", True)
        # Fri 2 Apr 09:00 + 10.5h: Fri 7.5h, then Mon 5 Apr 12:00 Berlin (summer
        # time, UTC+2; Easter was a week before)
        assert launch.due_at == datetime(2027, 4, 5, 10, 0, tzinfo=UTC)


def test_calendar_days_count_a_started_day(sessions):
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast, with_rules(CALENDAR_DAYS))
        jane = world.cast.jane
        (need,) = obligations.list_obligations(s, jane)
        obligations.meet_obligation(s, jane, need.id, berlin(17, 1, 10))
        assert (need.lateness, need.shift_mode) == (2, "calendar_days")
        assert ms(s, jane, "redesign-mockups").due_at == REDESIGN_DUE + timedelta(
            days=2
        )


def test_silence_past_the_review_window_is_acceptance(sessions, cast):
    with sessions.begin() as s:
        m = ms(s, cast.jane, "redesign-mockups")
        svc.submit(s, cast.jane, m.id, berlin(10, 2, 16))
        closes = m.review_due_at
        assert closes is not None
        before = closes - timedelta(seconds=1)
        assert svc.milestone_due_checks(s, cast.workspace_id, before) == []
        (checked,) = svc.milestone_due_checks(s, cast.workspace_id, berlin(20, 2, 9))
        assert checked.id == m.id
        assert (m.status, m.accepted_at, m.late) == ("accepted", closes, False)
        feedback = obligations.list_obligations(s, cast.jane, status="lapsed")
        assert [o.kind for o in feedback] == ["feedback"]
        kinds = [e.kind for e in svc.events_of(s, cast.jane, m.id)]
        assert kinds == ["created", "submitted", "deemed_accepted"]


def test_late_feedback_moves_the_later_milestones_under_shift_schedule(sessions):
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast, with_rules(SHIFT_SCHEDULE, AUTOMATIC))
        jane, max_ = world.cast.jane, world.cast.max
        m = ms(s, jane, "redesign-mockups")
        svc.submit(s, jane, m.id, berlin(10, 2, 16))
        assert svc.milestone_due_checks(s, world.cast.workspace_id, berlin(18, 2, 9))
        assert m.status == "submitted"  # silence is not acceptance here
        svc.review(s, max_, m.id, "changes", berlin(18, 2, 10), note="Bigger logo")
        assert m.status == "changes_requested"
        launch = ms(s, jane, "launch")
        (adj,) = adjustments.adjustments_of(s, jane, launch.id)
        # the window closed Wed 17 Feb 16:00; Thu 18 Feb 10:00 is 2.5h later
        assert (adj.amount, adj.status) == (int(2.5 * H), "accepted")
        assert adjustments.adjustments_of(s, jane, m.id) == []


def test_a_delay_with_its_cause_needs_the_other_side(sessions, cast):
    with sessions.begin() as s:
        m = ms(s, cast.jane, "launch")
        adj = adjustments.record_delay(
            s,
            cast.jane,
            m.id,
            cause="third_party",
            amount=2,
            mode="calendar_days",
            reason="Hosting provider migration",
            now=berlin(1, 3, 9),
        )
        assert (adj.status, adj.provider_accepted_by_id) == (
            "proposed",
            cast.jane.user_id,
        )
        adjustments.accept_adjustment(s, cast.max, adj.id, berlin(1, 3, 10))
        assert m.due_at == LAUNCH_DUE + timedelta(days=2)
        for bad, where in (
            ({"cause": "weather"}, "cause"),
            ({"mode": "weeks"}, "mode"),
            ({"amount": 0}, "amount"),
            ({"reason": " "}, "reason"),
        ):
            args: dict[str, Any] = {
                "cause": "provider",
                "amount": 3600,
                "mode": "working_time",
                "reason": "Ill",
            } | bad
            with pytest.raises(InvalidInput) as caught:
                adjustments.record_delay(
                    s, cast.jane, m.id, now=berlin(1, 3, 11), **args
                )
            assert caught.value.location == where
        with pytest.raises(PermissionDenied):
            adjustments.record_delay(
                s,
                cast.max,
                m.id,
                cause="client",
                amount=1,
                mode="calendar_days",
                reason="x",
                now=berlin(1, 3, 11),
            )
    with sessions.begin() as s:
        assert len(adjustments.adjustments_of(s, cast.jane, m.id)) == 1


def test_who_may_do_what(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        m = ms(s, cast.jane, "redesign-mockups")
        mid = m.id
        with pytest.raises(PermissionDenied):
            svc.submit(s, cast.max, mid, berlin(4, 1, 10))
        with pytest.raises(PermissionDenied):
            svc.start(s, cast.erika, mid, berlin(4, 1, 10))
        svc.submit(s, cast.sam, mid, berlin(4, 1, 10))
        with pytest.raises(PermissionDenied, match="client"):
            svc.review(s, cast.jane, mid, "accept", berlin(4, 1, 11))
        with pytest.raises(InvalidInput, match="expected one of accept, changes"):
            svc.review(s, cast.max, mid, "maybe", berlin(4, 1, 11))
        with pytest.raises(InvalidInput, match="what should change"):
            svc.review(s, cast.max, mid, "changes", berlin(4, 1, 11))
        with pytest.raises(Conflict, match="cannot be submitted"):
            svc.submit(s, cast.jane, mid, berlin(4, 1, 11))
        with pytest.raises(Conflict, match="not planned"):
            svc.start(s, cast.jane, mid, berlin(4, 1, 11))
        with pytest.raises(InvalidInput, match="time order"):
            svc.review(s, cast.max, mid, "accept", berlin(4, 1, 9))
        for outsider in (world.olga, world.foreign.jane, world.foreign.max):
            with pytest.raises(NotFound):
                milestone_state.get_milestone(s, outsider, mid)
            assert svc.list_milestones(s, outsider) == []
            assert obligations.list_obligations(s, outsider) == []
        (need,) = obligations.list_obligations(s, cast.jane, kind="input")
        with pytest.raises(PermissionDenied):
            obligations.meet_obligation(s, cast.max, need.id, berlin(4, 1, 12))
        with pytest.raises(NotFound):
            obligations.meet_obligation(
                s, world.foreign.jane, need.id, berlin(4, 1, 12)
            )


def test_obligations_recorded_met_and_waived(sessions, cast):
    with sessions.begin() as s:
        m = ms(s, cast.jane, "launch")
        extra = obligations.add_obligation(
            s,
            cast.jane,
            client_id=cast.acme_id,
            title="DNS access for the go-live",
            due_at=berlin(15, 3, 17),
            now=berlin(1, 3, 9),
            milestone_id=m.id,
        )
        assert (extra.party, extra.status, extra.milestone_id) == (
            "client",
            "open",
            m.id,
        )
        obligations.meet_obligation(s, cast.jane, extra.id, berlin(15, 3, 16))
        assert (extra.status, extra.lateness) == ("met", 0)
        assert adjustments.adjustments_of(s, cast.jane, m.id) == []
        with pytest.raises(Conflict, match="not open"):
            obligations.meet_obligation(s, cast.jane, extra.id, berlin(15, 3, 17))
        (need,) = obligations.list_obligations(
            s, cast.jane, kind="input", status="open"
        )
        with pytest.raises(InvalidInput, match="reason"):
            obligations.waive_obligation(
                s, cast.jane, need.id, berlin(1, 3, 9), reason=""
            )
        obligations.waive_obligation(
            s, cast.jane, need.id, berlin(1, 3, 9), reason="We had them"
        )
        assert need.status == "waived"
        with pytest.raises(InvalidInput, match="empty"):
            obligations.add_obligation(
                s,
                cast.jane,
                client_id=cast.acme_id,
                title=" ",
                due_at=berlin(15, 3, 17),
                now=berlin(1, 3, 9),
            )
        with pytest.raises(NotFound):
            obligations.add_obligation(
                s,
                cast.jane,
                client_id=9999,
                title="x",
                due_at=berlin(15, 3, 17),
                now=berlin(1, 3, 9),
            )


def test_an_amendment_moves_renames_and_drops_milestones(sessions, cast):
    amended = with_rules(
        ("due: 2027-02-15", "due: 2027-02-22"),
    )
    # drop the launch milestone
    start = amended.index("  - id: launch")
    end = amended.index("\n\n", start)
    amended = amended[:start].rstrip("\n") + amended[end:]
    with sessions.begin() as s:
        agreement_id = agreements.list_agreements(s, cast.jane)[0].id
        v2 = agreements.amend(
            s,
            cast.jane,
            agreement_id=agreement_id,
            text=amended,
            source_name="acme.yaml",
            now=NOW,
        )
        agreements.submit(s, cast.jane, v2.id, NOW)
        agreements.approve(s, cast.jane, v2.id, v2.sha256, NOW)
        agreements.approve(s, cast.max, v2.id, v2.sha256, NOW)
        agreements.activate_due(s, cast.jane, berlin(1, 2, 9))
        redesign = ms(s, cast.jane, "redesign-mockups")
        launch = ms(s, cast.jane, "launch")
        assert redesign.due_at == REDESIGN_DUE + timedelta(days=7)
        assert redesign.agreement_version_id == v2.id
        assert launch.status == "cancelled"
        assert launch.next_check_at is None
        events = svc.events_of(s, cast.jane, redesign.id)
        assert [e.kind for e in events] == ["created", "amended"]
        assert events[1].data["changes"]["due"][1].startswith("2027-02-22T23:00")


def test_the_stored_state_equals_a_recomputation(sessions, cast):
    with sessions.begin() as s:
        m = ms(s, cast.jane, "redesign-mockups")
        svc.submit(s, cast.jane, m.id, berlin(10, 2, 16))
        svc.review(s, cast.max, m.id, "changes", berlin(11, 2, 9), note="Colours")
        svc.submit(s, cast.jane, m.id, berlin(16, 2, 10))
        before = {
            c: getattr(m, c)
            for c in ("status", "due_at", "delivered_at", "late", "review_due_at")
        }
        milestone_state.recompute(s, m.id, m.computed_at)
        after = {c: getattr(m, c) for c in before}
        assert before == after
        assert (m.delivered_at, m.late) == (berlin(16, 2, 10), True)
        assert len(svc.events_of(s, cast.jane, m.id)) == 4


def test_the_read_models_show_the_state_now_and_as_stored(sessions, world):
    """`list_views` and `detail_of` derive the state at the instant asked;
    `view_of` and `step_of` show it as stored after the last step."""
    cast = world.cast
    with sessions.begin() as s:
        m = ms(s, cast.jane, "redesign-mockups")
        svc.submit(s, cast.jane, m.id, berlin(10, 2, 16), note="Figma")
        step = svc.step_of(s, cast.max, m.id)
        assert (step.event.kind, step.event.text) == ("submitted", "Figma")
        assert step.milestone == svc.view_of(s, cast.max, m.id)
        assert step.milestone.status == "submitted"
        # past the launch's due time it is late: derived, not stored
        later = LAUNCH_DUE + timedelta(days=3)
        listed = svc.list_views(s, cast.max, later)
        assert [v.key for v in listed] == ["redesign-mockups", "launch"]
        assert (listed[1].late, listed[1].computed_at) == (True, later)
        stored = svc.view_of(s, cast.max, listed[1].id)
        assert (stored.late, stored.computed_at) == (False, STARTED)
        detail = svc.detail_of(s, cast.max, m.id, later)
        assert detail.model_dump(exclude={"adjustments"}) == listed[0].model_dump()
        assert detail.adjustments == []
        assert [e.kind for e in svc.event_views(s, cast.max, m.id)] == [
            "created",
            "submitted",
        ]
        assert svc.terms_for(s, cast.max, m.id).zone.key == "Europe/Berlin"
        with pytest.raises(NotFound):
            svc.detail_of(s, world.olga, m.id, later)


def test_only_the_clients_approver_decides_and_each_side_once(sessions, cast):
    with sessions.begin() as s:
        (need,) = obligations.list_obligations(s, cast.jane)
        obligations.meet_obligation(s, cast.jane, need.id, berlin(19, 1, 12))
        redesign = ms(s, cast.jane, "redesign-mockups")
        (adj,) = adjustments.adjustments_of(s, cast.jane, redesign.id)
        with pytest.raises(PermissionDenied, match=r"max@acme\.example"):
            adjustments.accept_adjustment(s, cast.erika, adj.id, berlin(19, 1, 13))
        with pytest.raises(PermissionDenied, match="schedule changes"):
            adjustments.reject_adjustment(s, cast.erika, adj.id, berlin(19, 1, 13))
        adjustments.accept_adjustment(s, cast.sam, adj.id, berlin(19, 1, 13))
        with pytest.raises(Conflict, match="already accepted"):
            adjustments.accept_adjustment(s, cast.jane, adj.id, berlin(19, 1, 14))
        assert adj.status == "proposed"


def test_titles_and_estimates_are_checked(sessions, cast):
    from slakeeper.services.delivery import change_requests

    with sessions.begin() as s:
        with pytest.raises(InvalidInput, match="at most 300"):
            obligations.add_obligation(
                s,
                cast.jane,
                client_id=cast.acme_id,
                title="x" * 301,
                due_at=berlin(15, 3, 17),
                now=berlin(1, 3, 9),
            )
        change_requests.request_change(
            s, cast.erika, client_id=cast.acme_id, title="Blog", now=berlin(1, 3, 9)
        )
        (estimate,) = obligations.list_obligations(s, cast.jane, kind="estimate")
        with pytest.raises(Conflict, match="by estimating"):
            obligations.meet_obligation(s, cast.jane, estimate.id, berlin(1, 3, 10))
