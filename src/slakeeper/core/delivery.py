"""Delivery arithmetic: milestone due instants, lateness, schedule shifts and
cadenced commitments (docs/sla-clock.md section 6).

- A milestone due on a date is due at the end of that date (24:00) in the
  agreement's time zone: `due_instant`.
- When the client meets an obligation late, the dependent milestones move by the
  lateness: in working time of the agreement's calendar (`working_time`) or in
  whole calendar days (`calendar_days`): `lateness` measures it, `shift` applies it.
- A commitment with a cadence (a progress update every week on Friday) is a
  series of periods, each met when an update falls inside it: `cadence_periods`.
- Periods on the wall calendar (`14 days`, `1 month`): `add_months` clamps to
  the end of a shorter month (31 January + 1 month is 28 February), `add_period`
  moves a date, `period_after` an instant keeping its local time.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from slakeeper.core.calendar import WorkCalendar, to_us
from slakeeper.core.errors import CoreError
from slakeeper.core.states import ShiftMode

__all__ = [
    "CadencePeriod",
    "DelayError",
    "PeriodUnit",
    "add_months",
    "add_period",
    "cadence_periods",
    "due_instant",
    "lateness",
    "period_after",
    "shift",
]

PeriodUnit = Literal["day", "week", "month", "year"]
DAY = timedelta(days=1)


class DelayError(CoreError):
    """A delay or cadence computation was asked something it cannot answer."""


def due_instant(due: date | datetime, zone: ZoneInfo) -> datetime:
    """The instant a milestone is due: the end of a date (24:00, which is 00:00 of
    the next day) in `zone`, or an exact instant (naive ones are read in `zone`)."""
    if isinstance(due, datetime):
        aware = due if due.tzinfo is not None else due.replace(tzinfo=zone)
        return aware.astimezone(UTC)
    return datetime.combine(due + DAY, time(0), zone).astimezone(UTC)


def _mode(mode: str) -> ShiftMode:
    try:
        return ShiftMode(mode)
    except ValueError:
        raise DelayError(
            f"unknown shift mode {mode!r}; expected working_time or calendar_days"
        ) from None


def lateness(
    due: datetime, done: datetime, calendar: WorkCalendar, mode: ShiftMode
) -> int:
    """How late `done` is against `due`: working seconds of `calendar` between
    them (`working_time`), or whole calendar days, counting a started day as a day
    (`calendar_days`). Zero when on time."""
    to_us(due, "due")
    to_us(done, "done")
    if _mode(mode) is ShiftMode.WORKING_TIME:
        return int(calendar.between(due, done).total_seconds()) if done > due else 0
    late = done - due
    return -(-late // DAY) if late > timedelta(0) else 0


def shift(
    due: datetime, amount: int, calendar: WorkCalendar, mode: ShiftMode
) -> datetime:
    """`due` moved later by `amount` (working seconds of `calendar`, or calendar
    days keeping the wall-clock time in the calendar's zone)."""
    to_us(due, "due")
    if amount < 0:
        raise DelayError(f"a shift is never negative, got {amount}")
    if _mode(mode) is ShiftMode.WORKING_TIME:
        return calendar.add(due, timedelta(seconds=amount)) if amount else due
    local = due.astimezone(calendar.timezone)
    moved = datetime.combine(local.date() + amount * DAY, local.time(), local.tzinfo)
    return moved.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CadencePeriod:
    """One period of a cadenced commitment: due by `end` (exclusive), counting
    updates from `start` (inclusive); `met_at` is the first update inside it."""

    start: datetime
    end: datetime
    met_at: datetime | None

    def state(self, now: datetime) -> str:
        """`met`, `missed` (ended without an update) or `open`."""
        if self.met_at is not None:
            return "met"
        return "missed" if now >= self.end else "open"


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months (back when `months` is negative), on the same
    day of the month or, when that month is shorter, on its last day: 31
    January + 1 month is 28 February (29 in a leap year)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def add_period(day: date, amount: int, unit: PeriodUnit) -> date:
    """`day` plus `amount` days, weeks, months or years of the wall calendar;
    months and years clamp to the end of a shorter month (`add_months`)."""
    if unit == "day":
        return day + DAY * amount
    if unit == "week":
        return day + DAY * 7 * amount
    return add_months(day, amount * (12 if unit == "year" else 1))


def period_after(
    start: datetime, amount: int, unit: PeriodUnit, zone: ZoneInfo
) -> datetime:
    """The instant (UTC) `amount` wall-calendar units after `start`: the date
    moves by `add_period` in `zone` and the local time of day stays."""
    to_us(start, "start")
    local = start.astimezone(zone)
    moved = datetime.combine(add_period(local.date(), amount, unit), local.timetz())
    return moved.astimezone(UTC)


def cadence_periods(
    start: datetime,
    until: datetime,
    zone: ZoneInfo,
    *,
    every: int,
    unit: PeriodUnit,
    on: int | None,
    updates: Sequence[datetime],
) -> list[CadencePeriod]:
    """The periods of a commitment from `start` up to the one open at `until`.

    Each period ends at the end of its due date in `zone`. The first due date
    is the first weekday `on` (0 = Monday) on or after the start date, or, with
    no weekday, the start date plus one period less a day (a monthly update
    from 1 March is due by 31 March). The n-th due date is found the same way
    from the start date moved n periods on. A period is met by the first
    update at or after its start and before its end.
    """
    to_us(start, "start")
    to_us(until, "until")
    if every < 1:
        raise DelayError(f"a cadence is at least 1 {unit}, got {every}")
    begin = start.astimezone(zone).date()

    def due(n: int) -> date:
        if on is None:
            return add_period(begin, every * (n + 1), unit) - DAY
        anchor = add_period(begin, every * n, unit)
        return anchor + DAY * ((on - anchor.weekday()) % 7)

    ordered = sorted(updates)
    periods: list[CadencePeriod] = []
    period_start = start.astimezone(UTC)
    n = 0
    while period_start <= until:
        end = due_instant(due(n), zone)
        met = next((u for u in ordered if period_start <= u < end), None)
        periods.append(CadencePeriod(period_start, end, met))
        period_start = end
        n += 1
    return periods
