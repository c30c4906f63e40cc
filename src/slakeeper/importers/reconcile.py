"""Upwork reconciliation: per Upwork billing week (Monday 00:00 to Sunday 24:00
UTC), the hours billed through Upwork (entries with source `upwork_tracked` or
`upwork_manual`) beside the hours tracked in slakeeper itself (every other
source) for a client, and the difference.

Only billable time counts on either side. An entry counts in the week of its
`worked_at` in UTC, so one started on Sunday at 23:30 UTC belongs to the week
that Sunday ends, whatever the client's time zone.

>>> from datetime import datetime, UTC
>>> billing_week(datetime(2027, 1, 10, 23, 30, tzinfo=UTC))  # a Sunday
datetime.date(2027, 1, 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from slakeeper.errors import InvalidInput
from slakeeper.importers.importer import upwork_contract
from slakeeper.services import time_entries
from slakeeper.services.access import (
    Principal,
    active_user,
    visible_client,
)

__all__ = [
    "UPWORK_SOURCES",
    "Reconciliation",
    "WeekHours",
    "billing_week",
    "reconcile",
]

UPWORK_SOURCES = ("upwork_tracked", "upwork_manual")
WEEK = timedelta(days=7)
MAX_WEEKS = 530  # ten years


def billing_week(at: datetime) -> date:
    """The Monday (UTC) that starts the Upwork billing week holding `at`."""
    utc = at.astimezone(UTC)
    return (utc - timedelta(days=utc.weekday())).date()


def _monday(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class WeekHours:
    week_start: date  # a Monday; the week ends the Sunday after, 24:00 UTC
    upwork_seconds: int
    slakeeper_seconds: int

    @property
    def week_end(self) -> date:
        """The week's last day (a Sunday)."""
        return self.week_start + timedelta(days=6)

    @property
    def difference_seconds(self) -> int:
        """Tracked in slakeeper minus billed through Upwork."""
        return self.slakeeper_seconds - self.upwork_seconds


@dataclass(frozen=True, slots=True)
class Reconciliation:
    client_id: int
    contract: str | None  # the agreement's billing.upwork.contract
    from_at: datetime  # a Monday 00:00 UTC
    to_at: datetime  # a Monday 00:00 UTC (exclusive)
    weeks: list[WeekHours]

    @property
    def upwork_seconds(self) -> int:
        return sum(w.upwork_seconds for w in self.weeks)

    @property
    def slakeeper_seconds(self) -> int:
        return sum(w.slakeeper_seconds for w in self.weeks)

    @property
    def difference_seconds(self) -> int:
        return self.slakeeper_seconds - self.upwork_seconds

    @property
    def has_differences(self) -> bool:
        return any(w.difference_seconds for w in self.weeks)


def reconcile(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    from_at: datetime | None = None,
    to_at: datetime | None = None,
    now: datetime,
) -> Reconciliation:
    """Upwork hours beside slakeeper hours, week by week, for `[from_at, to_at)`
    widened to whole billing weeks (default: the last four weeks and the
    current one)."""
    active_user(session, principal)
    client = visible_client(session, principal, client_id)
    for value, name in ((from_at, "from"), (to_at, "to")):
        if value is not None and value.utcoffset() is None:
            raise InvalidInput(f"{value.isoformat()} has no UTC offset", location=name)
    end_at = to_at or now
    start = _monday(billing_week(from_at or now - 4 * WEEK))
    end = _monday(billing_week(end_at - timedelta(microseconds=1))) + WEEK
    if end <= start:
        raise InvalidInput("the period ends before it starts", location="to")
    weeks = (end - start) // WEEK
    if weeks > MAX_WEEKS:
        raise InvalidInput(
            f"the period spans {weeks} weeks; at most {MAX_WEEKS} at a time",
            location="from",
        )
    rows = time_entries.entries_worked(
        session, principal, client.id, since=start, until=end, billable_only=True
    )
    upwork: dict[date, int] = {}
    ours: dict[date, int] = {}
    for row in rows:
        side = upwork if row.source in UPWORK_SOURCES else ours
        week = billing_week(row.worked_at)
        side[week] = side.get(week, 0) + row.seconds
    days = [(start + i * WEEK).date() for i in range(weeks)]
    return Reconciliation(
        client_id=client.id,
        contract=upwork_contract(session, principal, client.id, now),
        from_at=start,
        to_at=end,
        weeks=[WeekHours(d, upwork.get(d, 0), ours.get(d, 0)) for d in days],
    )
