"""A calendar's open time as sorted, merged UTC intervals, built one year at a time.

Each UTC year is built from the local dates around it (a window may start up to
two days before the year and reach into it), merged, and clipped to the year, so
years can be built lazily in any order and concatenated. An `IntervalIndex` is an
immutable, contiguous run of years with prefix sums of open time; both the
scalar path (Python ints in microseconds, `bisect`) and the vectorised path
(numpy int64 seconds, `searchsorted`) read it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from slakeeper.core.errors import CalendarError
from slakeeper.core.spec import CalendarRules, Window

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "IntervalIndex",
    "assemble_index",
    "build_year",
    "year_of",
    "year_start",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_YEAR = 1900
MAX_YEAR = 2199  # inclusive
US = 1_000_000

Int64Array = NDArray[np.int64]
YearBlock = tuple[Int64Array, Int64Array]


def year_start(year: int) -> int:
    """Seconds since the epoch of 1 January `year`, 00:00 UTC."""
    return (datetime(year, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(seconds=1)


def year_of(seconds: int) -> int:
    """The UTC year of an instant given in seconds since the epoch."""
    if seconds < year_start(MIN_YEAR) or seconds >= year_start(MAX_YEAR + 1):
        try:
            when = (EPOCH + timedelta(seconds=seconds)).isoformat()
        except OverflowError:
            when = f"an instant {seconds} s from 1970"
        raise CalendarError(
            f"{when} is outside the supported range of years {MIN_YEAR}-{MAX_YEAR}"
        )
    return (EPOCH + timedelta(seconds=seconds)).year


def _day_windows(
    rules: CalendarRules, day: date, closed: Callable[[date], bool]
) -> tuple[Window, ...]:
    extra = rules.open.get(day)
    if extra is not None:
        return extra  # an explicit opening beats a closed date
    if closed(day):
        return ()
    return rules.weekly[day.weekday()]


def build_year(
    rules: CalendarRules, year: int, closed: Callable[[date], bool]
) -> YearBlock:
    """Open intervals (UTC seconds) of one UTC year, merged and clipped to it.

    Steps:
    1. Take every local date from 27 December of the year before to 4 January
       of the year after (no window lasts 48 h, no offset exceeds 14 h).
    2. Turn each window into instants the way Python does with fold=0 (a time in
       a DST gap takes the offset before the gap; an ambiguous one the first).
    3. Drop windows a DST gap made empty, merge overlapping and touching ones,
       and clip to [1 January year, 1 January year + 1).
    """
    tz = rules.timezone
    lo, hi = year_start(year), year_start(year + 1)
    raw: list[tuple[int, int]] = []
    day = date(year - 1, 12, 27)
    last = date(year + 1, 1, 4)
    one_day = timedelta(days=1)
    while day <= last:
        windows = _day_windows(rules, day, closed)
        if windows:
            base = datetime(day.year, day.month, day.day, tzinfo=tz)
            for window in windows:
                start = int((base + timedelta(minutes=window.start)).timestamp())
                end = int((base + timedelta(minutes=window.end)).timestamp())
                if end > start:
                    raw.append((start, end))
        day += one_day
    raw.sort()
    starts: list[int] = []
    ends: list[int] = []
    for start, end in raw:
        if starts and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    s = np.clip(np.array(starts, dtype=np.int64), lo, hi)
    e = np.clip(np.array(ends, dtype=np.int64), lo, hi)
    keep = e > s
    return s[keep], e[keep]


@dataclass(frozen=True, slots=True)
class IntervalIndex:
    """Open intervals of the UTC years [first_year, end_year), with prefix sums.

    Index 0 is a zero-length sentinel at `lo`, so every instant in [lo, hi] has
    an interval at or before it. `cum[i]` is the open time before interval i,
    counted from `lo`; `cum_end[i] = cum[i] + lens[i]`.
    """

    first_year: int
    end_year: int
    lo: int
    hi: int
    starts: Int64Array
    lens: Int64Array
    cum: Int64Array
    cum_end: Int64Array
    starts_us: list[int]
    lens_us: list[int]
    cum_us: list[int]
    cum_end_us: list[int]

    @property
    def total(self) -> int:
        """Open seconds in the whole index."""
        return int(self.cum_end[-1])

    def covers(self, lo: int, hi: int) -> bool:
        """Whether positions of instants in [lo, hi] (seconds) can be read."""
        return self.lo <= lo and hi <= self.hi

    # -- scalar path: microseconds, Python ints -------------------------------

    def position_us(self, t: int) -> int:
        """Open microseconds in [lo, t) (t in microseconds, lo <= t <= hi)."""
        i = bisect_right(self.starts_us, t) - 1
        return self.cum_us[i] + min(t - self.starts_us[i], self.lens_us[i])

    def is_open_us(self, t: int) -> bool:
        i = bisect_right(self.starts_us, t) - 1
        return t - self.starts_us[i] < self.lens_us[i]

    # -- vectorised path: seconds, numpy --------------------------------------

    def in_microseconds(self) -> IntervalIndex:
        """This index with its numpy arrays, `lo` and `hi` in microseconds, so
        that `position`, `total` and the prefix sums read microseconds (for
        clocks measured to the microsecond)."""
        return replace(
            self,
            lo=self.lo * US,
            hi=self.hi * US,
            starts=self.starts * US,
            lens=self.lens * US,
            cum=self.cum * US,
            cum_end=self.cum_end * US,
        )

    def position(self, t: Int64Array) -> Int64Array:
        """Open seconds in [lo, t) for each t (lo <= t <= hi); microseconds for
        an index `in_microseconds`."""
        i = np.searchsorted(self.starts, t, side="right")
        i -= 1
        out = t - self.starts[i]
        np.minimum(out, self.lens[i], out=out)
        out += self.cum[i]
        return out


def assemble_index(
    blocks: Mapping[int, YearBlock], first_year: int, end_year: int
) -> IntervalIndex:
    """Concatenate the year blocks [first_year, end_year) into one index."""
    lo, hi = year_start(first_year), year_start(end_year)
    parts_s = [np.array([lo], dtype=np.int64)]
    parts_e = [np.array([lo], dtype=np.int64)]
    for year in range(first_year, end_year):
        s, e = blocks[year]
        parts_s.append(s)
        parts_e.append(e)
    starts = np.concatenate(parts_s)
    lens = np.concatenate(parts_e) - starts
    cum_end = np.cumsum(lens)
    cum = cum_end - lens
    return IntervalIndex(
        first_year=first_year,
        end_year=end_year,
        lo=lo,
        hi=hi,
        starts=starts,
        lens=lens,
        cum=cum,
        cum_end=cum_end,
        starts_us=(starts * US).tolist(),
        lens_us=(lens * US).tolist(),
        cum_us=(cum * US).tolist(),
        cum_end_us=(cum_end * US).tolist(),
    )
