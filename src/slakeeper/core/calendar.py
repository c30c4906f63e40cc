"""`WorkCalendar`: business time on a support calendar, exact and fast.

The scalar API (`between`, `add`, `subtract`, ...) works on aware datetimes and
is exact to the microsecond; the vectorised API (`*_many`) works on numpy
`datetime64[s]` / `timedelta64[s]` arrays and gives the same answers for
whole-second inputs. Both read one lazily built interval index (see `index`).
Rules: docs/sla-clock.md.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from slakeeper.core import batch
from slakeeper.core.errors import CalendarError, DurationError, NaiveDatetimeError
from slakeeper.core.index import (
    EPOCH,
    MAX_YEAR,
    MIN_YEAR,
    US,
    Int64Array,
    IntervalIndex,
    YearBlock,
    assemble_index,
    build_year,
    year_of,
    year_start,
)
from slakeeper.core.spec import CalendarRules, parse_calendar_spec

__all__ = ["FIVE_YEARS", "WorkCalendar", "duration_us", "from_us", "to_us"]

_ONE_US = timedelta(microseconds=1)
_ZERO = timedelta(0)
FIVE_YEARS = 5 * 366 * 86400  # seconds; "within five years" errs on the long side
_DATETIME_CLASS_MSG = "must be a datetime"


def to_us(value: datetime, name: str = "instant") -> int:
    """Microseconds since the epoch of an aware datetime; naive ones raise."""
    if not isinstance(value, datetime):
        raise CalendarError(f"{name} {value!r} {_DATETIME_CLASS_MSG}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} {value.isoformat()} has no time zone; pass an aware datetime"
            " (e.g. with tzinfo=ZoneInfo('Europe/Berlin') or UTC)"
        )
    return (value - EPOCH) // _ONE_US


def from_us(micros: int) -> datetime:
    """The aware UTC datetime `micros` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def duration_us(value: timedelta) -> int:
    """Microseconds of a non-negative duration."""
    if not isinstance(value, timedelta):
        raise DurationError(f"duration {value!r} must be a timedelta")
    micros = value // _ONE_US
    if micros < 0:
        raise DurationError(f"duration {value} is negative; it must be zero or more")
    return micros


class WorkCalendar:
    """A support calendar: time zone, weekly windows, closed dates, extra openings.

    Build one with `WorkCalendar.from_spec(mapping)`. Instances are safe to share
    between threads: the interval index grows under a lock and is replaced, never
    changed in place.
    """

    __slots__ = ("_blocks", "_holiday_cache", "_index", "_lock", "_rules")

    def __init__(self, rules: CalendarRules) -> None:
        self._rules = rules
        self._blocks: dict[int, YearBlock] = {}
        self._holiday_cache: dict[int, dict[date, str]] = {}
        self._index: IntervalIndex | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> WorkCalendar:
        """Build a calendar from its spec; raises `CalendarSpecError` listing
        every problem."""
        return cls(parse_calendar_spec(spec))

    @property
    def rules(self) -> CalendarRules:
        return self._rules

    @property
    def timezone(self) -> ZoneInfo:
        return self._rules.timezone

    @property
    def business_day(self) -> timedelta:
        """The length of one business day (`1bd`)."""
        return self._rules.business_day

    def __repr__(self) -> str:
        return f"WorkCalendar(timezone={self._rules.timezone.key!r})"

    # -- closed dates ----------------------------------------------------------

    def _holidays(self, year: int) -> dict[date, str]:
        cached = self._holiday_cache.get(year)
        if cached is None:
            cached = {}
            country = self._rules.country
            if country is not None:
                localized = holidays.list_localized_countries().get(country, [])
                found = holidays.country_holidays(
                    country,
                    subdiv=self._rules.subdivision,
                    years=year,
                    language="en_US" if "en_US" in localized else None,
                )
                cached = {day: str(name) for day, name in found.items()}
            self._holiday_cache[year] = cached
        return cached

    def _is_closed(self, day: date) -> bool:
        return day in self._rules.closed or day in self._holidays(day.year)

    def closed_dates(self, first: date, last: date) -> dict[date, str]:
        """Closed dates in [first, last] with their names (extra openings excluded)."""
        out: dict[date, str] = {}
        day = first
        while day <= last:
            if day not in self._rules.open:
                label = self._rules.closed.get(day)
                holiday = self._holidays(day.year).get(day)
                if label is not None and (label != "closed" or holiday is None):
                    out[day] = label
                elif holiday is not None:
                    out[day] = holiday
            day += timedelta(days=1)
        return out

    # -- the index ---------------------------------------------------------------

    def _cover(self, lo: int, hi: int) -> IntervalIndex:
        """An index whose range holds the instants [lo, hi] (seconds)."""
        idx = self._index
        if idx is not None and idx.covers(lo, hi):
            return idx
        # an index ending exactly at hi holds hi: no need for hi's own year
        first, last = year_of(lo), year_of(max(lo, hi - 1))
        with self._lock:
            idx = self._index
            if idx is not None:
                if idx.covers(lo, hi):  # pragma: no cover - another thread grew it
                    return idx
                first = min(first, idx.first_year)
                last = max(last, idx.end_year - 1)
            last = min(last + 1, MAX_YEAR)  # a year ahead: most queries look forward
            for year in range(first, last + 1):
                if year not in self._blocks:
                    self._blocks[year] = build_year(self._rules, year, self._is_closed)
            idx = assemble_index(self._blocks, first, last + 1)
            self._index = idx
            return idx

    def index_covering(self, lo: int, hi: int) -> IntervalIndex:
        """The interval index holding the instants [lo, hi] (epoch seconds), for
        the engine's vectorised modules (clocks)."""
        return self._cover(lo, hi)

    def _grow(
        self, idx: IntervalIndex, origin: int, need: int, forward: bool
    ) -> IntervalIndex:
        """Extend `idx` by enough years to hold `need` more open seconds.

        Raises CalendarError when there has been no open time within five years
        of `origin` (seconds) in that direction, or past the supported years.
        """
        origin_pos = int(idx.position(np.array([origin], dtype=np.int64))[0])
        if forward:
            empty = origin_pos == idx.total and idx.hi - origin >= FIVE_YEARS
        else:
            empty = origin_pos == 0 and origin - idx.lo >= FIVE_YEARS
        if empty:
            side = "after" if forward else "before"
            raise CalendarError(
                f"the calendar has no open time within five years {side}"
                f" {(EPOCH + timedelta(seconds=origin)).isoformat()}"
            )
        years = idx.end_year - idx.first_year
        per_year = idx.total / years
        extra = 1 if per_year <= 0 else int(need / per_year) + 1
        if forward:
            if idx.end_year > MAX_YEAR:
                raise CalendarError(
                    f"the result falls after {MAX_YEAR}, the last supported year"
                )
            target_year = min(MAX_YEAR, idx.end_year - 1 + extra)
            # a second into that year: the index's own end would count as covered
            return self._cover(idx.lo, year_start(target_year) + 1)
        if idx.first_year <= MIN_YEAR:
            raise CalendarError(
                f"the result falls before {MIN_YEAR}, the first supported year"
            )
        target_year = max(MIN_YEAR, idx.first_year - extra)
        return self._cover(year_start(target_year), idx.hi)

    def _cover_us(self, lo: int, hi: int) -> IntervalIndex:
        return self._cover(lo // US, -(-hi // US))

    # -- scalar API ------------------------------------------------------------

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Open time inside [a, b); zero when b <= a."""
        ta, tb = to_us(a, "start"), to_us(b, "end")
        if tb <= ta:
            return _ZERO
        idx = self._cover_us(ta, tb)
        return timedelta(microseconds=idx.position_us(tb) - idx.position_us(ta))

    def add(self, a: datetime, d: timedelta) -> datetime:
        """The earliest instant t >= a with `between(a, t) == d` (UTC).

        A deadline that lands on a closing time is that closing time;
        `add(a, 0) == a`; a negative `d` raises DurationError.
        """
        t, amount = to_us(a, "start"), duration_us(d)
        if amount == 0:
            return from_us(t)
        idx = self._cover_us(t, t)
        target = idx.position_us(t) + amount
        while target > idx.cum_end_us[-1]:
            idx = self._grow(idx, t // US, (target - idx.cum_end_us[-1]) // US, True)
            target = idx.position_us(t) + amount
        i = bisect_left(idx.cum_end_us, target)
        return from_us(idx.starts_us[i] + target - idx.cum_us[i])

    def subtract(self, a: datetime, d: timedelta) -> datetime:
        """The latest instant u <= a with `between(u, a) == d` (UTC)."""
        t, amount = to_us(a, "start"), duration_us(d)
        if amount == 0:
            return from_us(t)
        idx = self._cover_us(t, t)
        target = idx.position_us(t) - amount
        while target < 0:
            idx = self._grow(idx, -(-t // US), -target // US, False)
            target = idx.position_us(t) - amount
        i = bisect_right(idx.cum_end_us, target)
        return from_us(idx.starts_us[i] + target - idx.cum_us[i])

    def is_open(self, a: datetime) -> bool:
        """Whether `a` lies inside an open interval (intervals are half-open)."""
        t = to_us(a)
        return self._cover_us(t, t).is_open_us(t)

    def next_open(self, a: datetime) -> datetime:
        """`a` itself (in UTC) when open, else the next opening after it."""
        t = to_us(a)
        idx = self._cover_us(t, t)
        if idx.is_open_us(t):
            return from_us(t)
        while True:
            i = bisect_right(idx.starts_us, t)
            if i < len(idx.starts_us):
                return from_us(idx.starts_us[i])
            idx = self._grow(idx, t // US, 1, True)

    def windows(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        """The merged open intervals clipped to [a, b), as aware UTC pairs."""
        ta, tb = to_us(a, "start"), to_us(b, "end")
        if tb <= ta:
            return []
        idx = self._cover_us(ta, tb)
        out: list[list[int]] = []
        i = max(bisect_right(idx.starts_us, ta) - 1, 0)
        starts, lens = idx.starts_us, idx.lens_us
        while i < len(starts) and starts[i] < tb:
            start, end = max(starts[i], ta), min(starts[i] + lens[i], tb)
            if end > start:
                if out and out[-1][1] == start:
                    out[-1][1] = end  # pieces of one interval split at a year end
                else:
                    out.append([start, end])
            i += 1
        return [(from_us(s), from_us(e)) for s, e in out]

    # -- vectorised API ----------------------------------------------------------

    def between_many(
        self,
        starts: Any,
        ends: Any,
        pauses: tuple[Any, Any, Any] | None = None,
    ) -> np.ndarray[Any, np.dtype[np.timedelta64]]:
        """Open time inside each [starts[i], ends[i]) as `timedelta64[s]`.

        With `pauses=(owner, pause_starts, pause_ends)`, item `owner[k]` loses the
        open time inside the union of its pauses clipped to its span. NaT in
        `starts` or `ends` gives NaT; a NaT pause end means the pause has not
        ended.
        """
        s = batch.seconds(starts, "starts")
        e = batch.seconds(ends, "ends")
        batch.same_shape(s, e, "starts", "ends")
        s, e, nat = batch.fill_nat(s, e)
        if s.size == 0:
            return e.astype("timedelta64[s]")
        idx = self._cover(int(min(s.min(), e.min())), int(max(s.max(), e.max())))
        out = idx.position(e) - idx.position(s)
        np.maximum(out, 0, out=out)
        if pauses is not None:
            out -= batch.paused_open_time(idx, s, e, pauses)
        return batch.restore_nat(out, nat).view("timedelta64[s]")

    def add_many(
        self, starts: Any, durations: Any
    ) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        """`add` for each (start, duration) pair, as `datetime64[s]` (UTC)."""
        s = batch.seconds(starts, "starts")
        d = batch.seconds(durations, "durations", kind="m")
        batch.same_shape(s, d, "starts", "durations")
        s, d, nat = batch.fill_nat(s, d, fill_second=0)
        if s.size == 0:
            return s.astype("datetime64[s]")
        if d.min() < 0:
            bad = int(np.flatnonzero(d < 0)[0])
            raise DurationError(
                f"durations[{bad}] is negative; durations must be zero or more"
            )
        idx = self._cover(int(s.min()), int(s.max()))
        target = idx.position(s) + d
        while target.max() > idx.total:
            worst = int(np.argmax(target))
            need = int(target[worst]) - idx.total
            idx = self._grow(idx, int(s[worst]), need, True)
            target = idx.position(s) + d
        i = np.searchsorted(idx.cum_end, target, side="left")
        out: Int64Array = idx.starts[i] + (target - idx.cum[i])
        np.copyto(out, s, where=d == 0)
        return batch.restore_nat(out, nat).view("datetime64[s]")
