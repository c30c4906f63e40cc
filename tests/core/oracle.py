"""A slow, obviously-correct business-time oracle, written from the rules alone.

It shares no code with `slakeeper.core`. The model:

1. every local date D gets its windows: the `open` entry for D when there is
   one (it replaces the weekly windows and beats holidays), else nothing when D
   is a holiday, else the weekly windows of D's weekday;
2. a window "HH:MM-HH:MM" belongs to the date it starts on; its end is on the
   next date when it is "24:00" or earlier than its start;
3. both ends become instants the way Python does with fold=0
   (`datetime.combine(date, time, tzinfo=zone)`), then UTC;
4. a window whose end instant is not after its start instant is dropped;
5. all the windows are sorted and merged (overlapping or touching = one).

Every query is answered by walking that merged list of half-open UTC intervals.
Only explicit holiday dates are supported (no `country`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["Interval", "Oracle", "merge", "parse_windows", "transitions"]

Interval = tuple[datetime, datetime]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
SEARCH_LIMIT = timedelta(days=3 * 366)


def parse_minutes(text: str) -> int:
    """ "HH:MM" -> minutes after midnight (0..1440)."""
    hh, mm = text.strip().split(":")
    minutes = int(hh) * 60 + int(mm)
    assert 0 <= minutes <= 24 * 60, text
    return minutes


def parse_windows(text: str) -> list[tuple[int, int]]:
    """ "09:00-12:30, 22:00-06:00" -> [(540, 750), (1320, 360)] (local minutes)."""
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        start, end = part.split("-")
        out.append((parse_minutes(start), parse_minutes(end)))
    return out


def expand_day_key(key: str) -> list[int]:
    """ "mon" -> [0]; "mon-fri" -> [0, 1, 2, 3, 4]."""
    if "-" in key:
        first, last = key.split("-")
        lo, hi = DAY_NAMES.index(first.strip()), DAY_NAMES.index(last.strip())
        assert lo <= hi, key
        return list(range(lo, hi + 1))
    return [DAY_NAMES.index(key.strip())]


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Local `day` + `minutes` (may be 1440) as a UTC instant, fold=0."""
    day += timedelta(days=minutes // 1440)
    minutes %= 1440
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort, drop empty, and merge overlapping or touching intervals."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def clip(intervals: Iterable[Interval], lo: datetime, hi: datetime) -> list[Interval]:
    out: list[Interval] = []
    for start, end in intervals:
        s, e = max(start, lo), min(end, hi)
        if e > s:
            out.append((s, e))
    return out


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((e - s for s, e in intervals), ZERO)


def utc(t: datetime) -> datetime:
    """`t` in UTC; it must be aware."""
    assert t.tzinfo is not None, t
    assert t.utcoffset() is not None, t
    return t.astimezone(UTC)


class Oracle:
    """The reference model of a `WorkCalendar` spec (same query API)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.zone = ZoneInfo(spec["timezone"])
        self.weekly: dict[int, list[tuple[int, int]]] = {i: [] for i in range(7)}
        for key, text in (spec.get("hours") or {}).items():
            for weekday in expand_day_key(key):
                self.weekly[weekday] = parse_windows(text)
        self.closed: set[date] = set()
        holidays = spec.get("holidays") or {}
        assert not holidays.get("country"), "the oracle knows explicit dates only"
        for item in holidays.get("dates") or []:
            if isinstance(item, str):
                self.closed.add(date.fromisoformat(item))
            else:
                day = date.fromisoformat(item["from"])
                last = date.fromisoformat(item["to"])
                while day <= last:
                    self.closed.add(day)
                    day += ONE_DAY
        self.opened: dict[date, list[tuple[int, int]]] = {
            date.fromisoformat(k): parse_windows(v)
            for k, v in (spec.get("open") or {}).items()
        }

    # -- the model -----------------------------------------------------------

    def local_windows(self, day: date) -> list[tuple[int, int]]:
        """The (start, end) minute windows that start on local `day`."""
        if day in self.opened:
            return self.opened[day]
        if day in self.closed:
            return []
        return self.weekly[day.weekday()]

    def day_intervals(self, day: date) -> list[Interval]:
        """The UTC instants of the windows starting on `day`, unmerged."""
        out: list[Interval] = []
        for start, end in self.local_windows(day):
            end_minutes = end if end > start else end + 1440
            out.append(
                (
                    local_instant(day, start, self.zone),
                    local_instant(day, end_minutes, self.zone),
                )
            )
        return out

    def intervals(self, lo: datetime, hi: datetime) -> list[Interval]:
        """The merged open intervals, clipped to [lo, hi)."""
        lo, hi = utc(lo), utc(hi)
        if hi <= lo:
            return []
        day = lo.astimezone(self.zone).date() - 2 * ONE_DAY
        last = hi.astimezone(self.zone).date() + 2 * ONE_DAY
        raw: list[Interval] = []
        while day <= last:
            raw.extend(self.day_intervals(day))
            day += ONE_DAY
        return clip(merge(raw), lo, hi)

    # -- the queries ---------------------------------------------------------

    def between(self, a: datetime, b: datetime) -> timedelta:
        return total(self.intervals(a, b))

    def windows(self, a: datetime, b: datetime) -> list[Interval]:
        return self.intervals(a, b)

    def is_open(self, a: datetime) -> bool:
        return bool(self.intervals(a, a + timedelta(microseconds=1)))

    def _forward(self, a: datetime) -> Iterator[Interval]:
        """The open intervals after `a`, in order, in growing chunks."""
        lo, step = a, timedelta(days=16)
        while lo - a < SEARCH_LIMIT:
            yield from self.intervals(lo, lo + step)
            lo, step = lo + step, step * 2
        raise LookupError("no open time within reach")

    def _backward(self, a: datetime) -> Iterator[Interval]:
        """The open intervals before `a`, latest first, in growing chunks."""
        hi, step = a, timedelta(days=16)
        while a - hi < SEARCH_LIMIT:
            yield from reversed(self.intervals(hi - step, hi))
            hi, step = hi - step, step * 2
        raise LookupError("no open time within reach")

    def next_open(self, a: datetime) -> datetime:
        return next(self._forward(utc(a)))[0]

    def add(self, a: datetime, d: timedelta) -> datetime:
        """The earliest t >= a with between(a, t) >= d."""
        a = utc(a)
        assert d >= ZERO
        if d == ZERO:
            return a
        left = d
        for start, end in self._forward(a):
            if end - start >= left:
                return start + left
            left -= end - start
        raise AssertionError("unreachable")

    def subtract(self, a: datetime, d: timedelta) -> datetime:
        """The latest u <= a with between(u, a) == d."""
        a = utc(a)
        assert d >= ZERO
        if d == ZERO:
            return a
        left = d
        for start, end in self._backward(a):
            if end - start >= left:
                return end - left
            left -= end - start
        raise AssertionError("unreachable")

    def between_paused(
        self, a: datetime, b: datetime, pauses: Iterable[Interval]
    ) -> timedelta:
        """Open time in [a, b) outside the union of `pauses`."""
        paused = clip(merge(pauses), a, b) if b > a else []
        return self.between(a, b) - sum((self.between(s, e) for s, e in paused), ZERO)


def transitions(zone: str, lo: datetime, hi: datetime) -> list[datetime]:
    """The exact UTC instants in [lo, hi) at which `zone` changes its UTC offset.

    Scans every six hours, then bisects each change down to the microsecond.
    """
    tz = ZoneInfo(zone)
    out: list[datetime] = []
    step = timedelta(hours=6)
    t = lo
    while t < hi:
        before, after = t.astimezone(tz).utcoffset(), (t + step).astimezone(tz)
        if after.utcoffset() != before:
            a, b = t, t + step
            while b - a > timedelta(microseconds=1):
                mid = a + (b - a) // 2
                if mid.astimezone(tz).utcoffset() == before:
                    a = mid
                else:
                    b = mid
            if b < hi:
                out.append(b)
        t += step
    return out
