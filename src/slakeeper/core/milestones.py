"""A milestone's state from its events and accepted adjustments
(docs/sla-clock.md section 6): its status, due time after the adjustments,
delivery, review window, whether it is late or at risk, and when that can next
change without an event. The service stores the result in the milestone's row
(`services/delivery/milestone_state.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from slakeeper.core.calendar import WorkCalendar
from slakeeper.core.delivery import shift
from slakeeper.core.states import MilestoneStatus, ShiftMode

__all__ = [
    "FINISHED",
    "OPEN",
    "STATUS_OF",
    "MilestoneKind",
    "MilestoneShift",
    "MilestoneState",
    "derive_milestone",
    "is_milestone_late",
]

# work can be submitted
OPEN = (
    MilestoneStatus.PLANNED,
    MilestoneStatus.IN_PROGRESS,
    MilestoneStatus.CHANGES_REQUESTED,
)
FINISHED = (MilestoneStatus.ACCEPTED, MilestoneStatus.CANCELLED)


class MilestoneKind(StrEnum):
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
    MilestoneKind.CREATED: MilestoneStatus.PLANNED,
    MilestoneKind.STARTED: MilestoneStatus.IN_PROGRESS,
    MilestoneKind.SUBMITTED: MilestoneStatus.SUBMITTED,
    MilestoneKind.CHANGES_REQUESTED: MilestoneStatus.CHANGES_REQUESTED,
    MilestoneKind.ACCEPTED: MilestoneStatus.ACCEPTED,
    MilestoneKind.DEEMED_ACCEPTED: MilestoneStatus.ACCEPTED,
    MilestoneKind.CANCELLED: MilestoneStatus.CANCELLED,
}


@dataclass(frozen=True, slots=True)
class MilestoneShift:
    """An accepted adjustment: decided at `decided_at`, moving the due time by
    `amount` (working seconds or calendar days, by `mode`)."""

    decided_at: datetime
    mode: ShiftMode
    amount: int


@dataclass(frozen=True, slots=True)
class MilestoneState:
    """A milestone's derived state at `now`."""

    status: MilestoneStatus
    due_at: datetime
    delivered_at: datetime | None
    accepted_at: datetime | None
    review_due_at: datetime | None
    late: bool
    at_risk: bool
    next_check_at: datetime | None


def is_milestone_late(
    due_at: datetime, delivered_at: datetime | None, now: datetime
) -> bool:
    """Whether a milestone is late at `now`: delivered after its due time, or
    nothing delivered and its due time come. (A cancelled milestone is never
    late: `derive_milestone` says so before asking.)"""
    if delivered_at is not None:
        return delivered_at > due_at
    return now >= due_at


def derive_milestone(
    *,
    base_due_at: datetime,
    started_at: datetime,
    events: Sequence[tuple[str, datetime]],
    shifts: Sequence[MilestoneShift],
    calendar: WorkCalendar,
    review_within: timedelta | None,
    warn_at: float,
    now: datetime,
) -> MilestoneState:
    """The state of a milestone from its events (kind, instant; oldest first)
    and accepted adjustments, at `now`.

    1. The status follows the events; a submission is the delivery until
       changes are requested.
    2. The due time is the agreed one moved by each adjustment accepted since
       the agreement last set it (creation or amendment): adjustments accepted
       before are part of that date and not applied again.
    3. A submission waits for review until `review_within` of working time on
       `calendar` has passed.
    4. Late: `is_milestone_late`. At risk: nothing delivered, not late, and the
       working time used since the start reached `warn_at` of the time allowed.
    5. `next_check_at`: the warning instant or the due time while nothing is
       delivered, else the end of the review window while it is open.
    """
    status = MilestoneStatus.PLANNED
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    terms_set_at = started_at
    for kind, at in events:
        if kind in (MilestoneKind.CREATED, MilestoneKind.AMENDED):
            terms_set_at = at
        if kind in STATUS_OF:
            status = STATUS_OF[MilestoneKind(kind)]
        if kind == MilestoneKind.SUBMITTED:
            submitted_at = at
        elif kind == MilestoneKind.CHANGES_REQUESTED:
            submitted_at = None
        elif kind in (MilestoneKind.ACCEPTED, MilestoneKind.DEEMED_ACCEPTED):
            accepted_at = at
    due = base_due_at
    for s in sorted(shifts, key=lambda s: s.decided_at):
        if s.decided_at >= terms_set_at:
            due = shift(due, s.amount, calendar, s.mode)
    review_due = None
    if (
        status is MilestoneStatus.SUBMITTED
        and submitted_at is not None
        and review_within
    ):
        review_due = calendar.add(submitted_at, review_within)
    delivered = (
        submitted_at
        if status in (MilestoneStatus.SUBMITTED, MilestoneStatus.ACCEPTED)
        else None
    )
    if status is MilestoneStatus.CANCELLED:
        return MilestoneState(status, due, None, None, None, False, False, None)
    late = is_milestone_late(due, delivered, now)
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
