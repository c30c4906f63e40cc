"""A milestone's state from its events and adjustments, and when it is late
(docs/sla-clock.md section 6). ACME's office calendar: Monday to Friday
09:00-12:30 and 13:30-17:30 in Berlin, 7.5 working hours a day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from slakeeper.core import (
    MilestoneKind,
    MilestoneShift,
    MilestoneState,
    derive_milestone,
    is_milestone_late,
)
from slakeeper.core.states import MilestoneStatus, ShiftMode
from tests.core.cast import berlin, hours, office

START = berlin(2027, 1, 4, 9)  # Monday 09:00
DUE = berlin(2027, 1, 9)  # the end of Friday 8 January: 37.5 working hours later
# 75 % of 37.5 h is 28 h 7 min 30 s: Thursday 7 January at 15:37:30
WARN = berlin(2027, 1, 7, 15, 37, 30)
REVIEW = hours(15)


def state(
    events: Sequence[tuple[str, datetime]],
    now: datetime,
    *,
    shifts: Sequence[MilestoneShift] = (),
    review_within: timedelta | None = REVIEW,
    base_due_at: datetime = DUE,
) -> MilestoneState:
    return derive_milestone(
        base_due_at=base_due_at,
        started_at=START,
        events=[("created", START), *events],
        shifts=shifts,
        calendar=office(),
        review_within=review_within,
        warn_at=0.75,
        now=now,
    )


def test_a_planned_milestone_is_checked_again_when_it_turns_at_risk():
    early = state([], berlin(2027, 1, 5, 9))
    assert early == MilestoneState(
        MilestoneStatus.PLANNED, DUE, None, None, None, False, False, WARN
    )
    risky = state([("started", berlin(2027, 1, 5))], WARN)
    assert (risky.status, risky.at_risk, risky.late) == ("in_progress", True, False)
    assert risky.next_check_at == DUE


def test_nothing_delivered_by_the_due_time_is_late():
    late = state([("started", berlin(2027, 1, 5))], DUE)
    assert (late.late, late.at_risk, late.next_check_at) == (True, False, None)
    assert not state([], DUE - timedelta(microseconds=1)).late


def test_a_submission_waits_for_review_and_is_late_only_after_the_due_time():
    submitted = berlin(2027, 1, 8, 9)
    review_due = berlin(2027, 1, 11, 17, 30)  # Friday 7.5 h, Monday 7.5 h
    waiting = state([("submitted", submitted)], berlin(2027, 1, 11, 9))
    assert waiting == MilestoneState(
        MilestoneStatus.SUBMITTED,
        DUE,
        submitted,
        None,
        review_due,
        False,
        False,
        review_due,
    )
    silent = state([("submitted", submitted)], review_due)
    assert silent.next_check_at is None
    unreviewed = state(
        [("submitted", submitted)], berlin(2027, 1, 11, 9), review_within=None
    )
    assert (unreviewed.review_due_at, unreviewed.next_check_at) == (None, None)
    late = state([("submitted", berlin(2027, 1, 11, 9))], berlin(2027, 1, 11, 10))
    assert late.late


def test_changes_requested_take_the_delivery_back():
    events = [
        ("submitted", berlin(2027, 1, 6, 9)),
        ("changes_requested", berlin(2027, 1, 6, 12)),
    ]
    again = state(events, berlin(2027, 1, 6, 13))
    assert (again.status, again.delivered_at, again.review_due_at) == (
        "changes_requested",
        None,
        None,
    )
    assert again.next_check_at == WARN


@pytest.mark.parametrize("kind", ["accepted", "deemed_accepted"])
def test_an_accepted_milestone_keeps_its_delivery(kind):
    submitted, accepted = berlin(2027, 1, 6, 9), berlin(2027, 1, 7, 9)
    done = state([("submitted", submitted), (kind, accepted)], berlin(2027, 1, 12))
    assert done == MilestoneState(
        MilestoneStatus.ACCEPTED, DUE, submitted, accepted, None, False, False, None
    )


def test_a_cancelled_milestone_is_never_late_or_at_risk():
    gone = state([("cancelled", berlin(2027, 1, 5))], berlin(2027, 2, 1))
    assert gone == MilestoneState(
        MilestoneStatus.CANCELLED, DUE, None, None, None, False, False, None
    )


def test_adjustments_accepted_since_the_terms_were_set_move_the_due_time():
    amended = berlin(2027, 1, 5, 12)
    shifts = [
        # in the order given, the later one first: applied in decision order
        MilestoneShift(berlin(2027, 1, 6), ShiftMode.CALENDAR_DAYS, 2),
        MilestoneShift(berlin(2027, 1, 5, 13), ShiftMode.WORKING_TIME, 3600),
        # before the amendment set the date: part of it already
        MilestoneShift(berlin(2027, 1, 5, 10), ShiftMode.WORKING_TIME, 7200),
    ]
    events = [("amended", amended), ("adjusted", berlin(2027, 1, 6))]
    moved = state(events, berlin(2027, 1, 6, 9), shifts=shifts)
    # Friday 24:00 + 1 working hour is Monday 10:00; + 2 days is Wednesday 10:00
    assert moved.due_at == berlin(2027, 1, 13, 10)
    assert moved.status == "planned"  # an adjustment changes no status


def test_a_due_time_with_no_working_time_left_warns_at_the_due_time():
    weekend = state([], berlin(2027, 1, 2, 12), base_due_at=START)
    assert (weekend.at_risk, weekend.next_check_at) == (False, START)


@pytest.mark.parametrize(
    ("delivered_at", "now", "late"),
    [
        (None, DUE - timedelta(microseconds=1), False),
        (None, DUE, True),  # due at 24:00: at midnight it is late
        (DUE, DUE + timedelta(days=3), False),  # delivered on the stroke
        (DUE + timedelta(microseconds=1), DUE, True),
        (berlin(2027, 1, 5), DUE + timedelta(days=30), False),
    ],
)
def test_a_milestone_is_late_when_delivered_after_its_due_time_or_not_by_it(
    delivered_at, now, late
):
    assert is_milestone_late(DUE, delivered_at, now) is late


def test_the_event_kinds_are_the_stored_words():
    assert MilestoneKind("deemed_accepted") is MilestoneKind.DEEMED_ACCEPTED
