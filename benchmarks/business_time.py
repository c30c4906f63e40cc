"""Business-time benchmark: slakeeper's engine against a numpy floor and peers.

Run `python benchmarks/business_time.py` (or `make bench`). One run, on one
machine, prints a side-by-side table of operations per second for:

- slakeeper: `add_many`, `between_many`, `between_many` with 0-3 pauses per item,
  `evaluate_clocks` (SLA clocks in reduced form, 0-3 pauses each) and the scalar
  `add` / `between`;
- a floor: the same interval-index algorithm as bare `numpy.searchsorted` calls
  over arrays precomputed from `WorkCalendar.windows`, with no checks at all;
- peers: workclock (batch and per-item), timegrid (per-item), pandas
  `CustomBusinessHour` (per-item) and businesstimedelta (per-item).

Every case runs on the same seeded random items: a start anywhere in 2027-2028,
a duration of 1-40 working hours (whole seconds), an end 0-14 days after the
start and 0-3 pauses, on Mon-Fri 09:00-17:00 Europe/Berlin with the German
national holidays; a tenth of the starts, ends and durations are on the whole
hour, so that results often land exactly on openings and closings. Slow cases
run the first N items only; their rate is extrapolated to the full item count
and labelled as such.

Each case's answers are compared with slakeeper's on the items it ran, and the
number of disagreements is printed with a few examples: the table reports them,
it does not hide them. At the end the targets are printed as ratios from this
same run, with PASS or MISS.

To add a case, write a function `(Context, n_items) -> Timing` and append a
`Case` to `CASES`; to add a target, append a `Target` to `TARGETS`.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import operator
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import metadata
from time import perf_counter
from typing import Any, Literal
from zoneinfo import ZoneInfo

import holidays
import numpy as np
from numpy.typing import NDArray

from slakeeper.core import WorkCalendar, evaluate_clocks

Int64Array = NDArray[np.int64]
Op = Literal["add", "add_whole_hours", "between", "between_paused", "clocks"]

ZONE_NAME = "Europe/Berlin"
ZONE = ZoneInfo(ZONE_NAME)
COUNTRY = "DE"
SPEC: dict[str, Any] = {
    "timezone": ZONE_NAME,
    "hours": {"mon-fri": "09:00-17:00"},
    "holidays": {"country": COUNTRY},
}
OPENS, CLOSES = time(9), time(17)  # local, as given to the peers
WORKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday
FIRST_YEAR, LAST_YEAR = 2027, 2028  # the items' starts lie in these years
# Holidays and floor windows cover a margin around the items: an item may end
# up to 14 days after 2028, and a 40-hour `add` may run into January 2029.
HOLIDAY_YEARS = range(FIRST_YEAR - 1, LAST_YEAR + 2)
SPAN = (
    datetime(FIRST_YEAR - 1, 12, 1, tzinfo=UTC),
    datetime(LAST_YEAR + 1, 3, 1, tzinfo=UTC),
)
INDEX_BUILD_YEARS = range(2030, 2040)

HOUR = 3600
DAY = 86400
MIN_DURATION, MAX_DURATION = 1 * HOUR, 40 * HOUR
MAX_GAP = 14 * DAY  # an item's end is 0-14 days (wall clock) after its start
MAX_PAUSES = 3
MAX_PAUSE = 3 * DAY
EXAMPLES = 3  # disagreements shown per case
WARM_UP = 10  # per-item cases call this many items before the timing
ON_THE_HOUR = 0.1  # share of starts, ends and durations rounded to whole hours


# --- the items ---------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """The random items every case runs on; int64 arrays of UTC epoch seconds."""

    starts: Int64Array
    durations: Int64Array  # working seconds, for add
    ends: Int64Array  # for between
    pause_owner: Int64Array  # item index of each pause, ascending
    pause_starts: Int64Array
    pause_ends: Int64Array
    holiday_dates: list[date]

    @property
    def size(self) -> int:
        return len(self.starts)

    def pauses_of_first(self, n: int) -> tuple[Int64Array, Int64Array, Int64Array]:
        """The pauses of items 0..n-1 (owners are ascending)."""
        k = int(np.searchsorted(self.pause_owner, n, "left"))
        return self.pause_owner[:k], self.pause_starts[:k], self.pause_ends[:k]


def make_workload(n: int, seed: int) -> Workload:
    rng = np.random.default_rng(seed)
    first = int(datetime(FIRST_YEAR, 1, 1, tzinfo=ZONE).timestamp())
    last = int(datetime(LAST_YEAR + 1, 1, 1, tzinfo=ZONE).timestamp())
    starts = rng.integers(first, last, n, dtype=np.int64)
    durations = rng.integers(MIN_DURATION, MAX_DURATION + 1, n, dtype=np.int64)
    gaps = rng.integers(0, MAX_GAP + 1, n, dtype=np.int64)
    ends = starts + gaps
    # Some starts, ends and durations on the whole hour, so that results land
    # exactly on openings and closings (14:00 + 3h = 17:00) often enough.
    for column in (starts, ends, durations):
        hit = rng.random(n) < ON_THE_HOUR
        column[hit] -= column[hit] % HOUR
    np.maximum(durations, MIN_DURATION, out=durations)
    np.maximum(ends, starts, out=ends)
    counts = rng.integers(0, MAX_PAUSES + 1, n)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    # Pauses start from a day before the item to its end, so some are clipped
    # at either side and some fall outside it; pauses of one item may overlap.
    offset = rng.integers(-DAY, (ends - starts)[owner] + 1, dtype=np.int64)
    pause_starts = starts[owner] + offset
    pause_ends = pause_starts + rng.integers(
        0, MAX_PAUSE + 1, len(owner), dtype=np.int64
    )
    country = holidays.country_holidays(COUNTRY, years=list(HOLIDAY_YEARS))
    return Workload(
        starts=starts,
        durations=durations,
        ends=ends,
        pause_owner=owner,
        pause_starts=pause_starts,
        pause_ends=pause_ends,
        holiday_dates=sorted(country),
    )


def as_datetime64(seconds: Int64Array) -> NDArray[np.datetime64]:
    return seconds.astype("datetime64[s]")


def as_timedelta64(seconds: Int64Array) -> NDArray[np.timedelta64]:
    return seconds.astype("timedelta64[s]")


def seconds_of(values: NDArray[Any]) -> Int64Array:
    """datetime64 / timedelta64 of any unit as int64 seconds; refuses fractions."""
    unit = "datetime64[s]" if values.dtype.kind == "M" else "timedelta64[s]"
    whole = values.astype(unit)
    if np.any(whole != values):
        raise ValueError(f"results with fractions of a second: {values[:3]!r}")
    result: Int64Array = whole.astype(np.int64)
    return result


def aware_utc(seconds: Int64Array) -> list[datetime]:
    return [datetime.fromtimestamp(s, tz=UTC) for s in seconds.tolist()]


def naive_local(seconds: Int64Array) -> list[datetime]:
    """Local Berlin wall-clock times, for peers that work on naive datetimes."""
    return [
        datetime.fromtimestamp(s, tz=ZONE).replace(tzinfo=None)
        for s in seconds.tolist()
    ]


def epoch_of_naive_local(values: Sequence[datetime]) -> Int64Array:
    # Results of an add lie in 09:00-17:00 local time, never in a DST gap or fold.
    return np.array(
        [int(v.replace(tzinfo=ZONE).timestamp()) for v in values], dtype=np.int64
    )


def epoch_of_aware(values: Sequence[datetime]) -> Int64Array:
    return np.array([int(v.timestamp()) for v in values], dtype=np.int64)


def seconds_of_timedeltas(values: Sequence[timedelta]) -> Int64Array:
    return np.array([v // timedelta(seconds=1) for v in values], dtype=np.int64)


def timedeltas(seconds: Int64Array) -> list[timedelta]:
    return [timedelta(seconds=s) for s in seconds.tolist()]


def whole_hours(durations: Int64Array) -> Int64Array:
    """Durations floored to whole hours (pandas' business-hour offset counts hours)."""
    result: Int64Array = durations // HOUR * HOUR
    return result


# --- the floor ---------------------------------------------------------------


@dataclass(frozen=True)
class FloorIndex:
    """Open intervals as int64 epoch seconds with prefix sums of open time."""

    starts: Int64Array
    lengths: Int64Array
    cum: Int64Array  # open seconds before interval i
    cum_end: Int64Array  # open seconds up to the end of interval i

    @classmethod
    def from_windows(cls, windows: Sequence[tuple[datetime, datetime]]) -> FloorIndex:
        starts = np.array([int(a.timestamp()) for a, _ in windows], dtype=np.int64)
        ends = np.array([int(b.timestamp()) for _, b in windows], dtype=np.int64)
        lengths = ends - starts
        cum_end = np.cumsum(lengths)
        return cls(
            starts=starts, lengths=lengths, cum=cum_end - lengths, cum_end=cum_end
        )

    def prefix(self, t: Int64Array) -> Int64Array:
        """F(t): open seconds from the first interval's start up to t."""
        i = np.searchsorted(self.starts, t, "right") - 1
        result: Int64Array = self.cum[i] + np.minimum(
            t - self.starts[i], self.lengths[i]
        )
        return result

    def between(self, a: Int64Array, b: Int64Array) -> Int64Array:
        result: Int64Array = self.prefix(b) - self.prefix(a)
        return result

    def add(self, a: Int64Array, d: Int64Array) -> Int64Array:
        target = self.prefix(a) + d
        i = np.searchsorted(self.cum_end, target, "left")
        result: Int64Array = self.starts[i] + target - self.cum[i]
        return result

    def between_paused(
        self,
        a: Int64Array,
        b: Int64Array,
        owner: Int64Array,
        pause_starts: Int64Array,
        pause_ends: Int64Array,
    ) -> Int64Array:
        """between(a, b) less the open time in the union of each item's pauses."""
        lo = np.maximum(pause_starts, a[owner])
        hi = np.minimum(pause_ends, b[owner])
        order = np.lexsort((lo, owner))
        owner, lo, hi = owner[order], lo[order], hi[order]
        # Running maximum of the pause ends within each owner: offset each owner
        # by a constant larger than any epoch second so one accumulate does it.
        big = np.int64(1 << 36)
        reach = np.maximum.accumulate(owner * big + hi)
        before = np.empty_like(reach)
        before[0] = np.iinfo(np.int64).min // 2
        before[1:] = reach[:-1]
        lo = np.maximum(lo, before - owner * big)
        counted = hi > lo
        lost = self.between(lo[counted], hi[counted])
        by_item = np.bincount(owner[counted], weights=lost, minlength=len(a))
        result: Int64Array = self.between(a, b) - by_item.astype(np.int64)
        return result


# --- the context every case runs in ------------------------------------------


@dataclass
class Context:
    items: Workload
    repeats: int  # best of this many runs for the fast batch cases
    calendar: WorkCalendar
    floor: FloorIndex
    peers: dict[str, Any] = field(default_factory=dict)
    # slakeeper's batch answers on all items: every case is checked against them
    expected: dict[Op, Int64Array] = field(default_factory=dict)


@dataclass(frozen=True)
class Timing:
    seconds: float  # wall time of the measured calls (best of the repeats)
    items: int
    results: Int64Array  # epoch seconds (add) or working seconds (between)


def best_of(repeats: int, call: Callable[[], Any]) -> tuple[float, Any]:
    """Run `call` `repeats` times; the fastest wall time and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(max(1, repeats)):
        gc.collect()
        began = perf_counter()
        result = call()
        best = min(best, perf_counter() - began)
    return best, result


def time_calls(
    repeats: int, call: Callable[..., Any], *columns: Sequence[Any]
) -> tuple[float, list[Any]]:
    """Time `call` once per item, as `list(map(call, *columns))` (no loop overhead).

    The first few items are called once before, so lazy set-up is not timed.
    """
    list(map(call, *(column[:WARM_UP] for column in columns)))
    seconds, out = best_of(repeats, lambda: list(map(call, *columns)))
    return seconds, out


def new_calendar() -> WorkCalendar:
    return WorkCalendar.from_spec(SPEC)


def make_context(items: Workload, repeats: int) -> Context:
    calendar = new_calendar()
    floor = FloorIndex.from_windows(calendar.windows(*SPAN))
    ctx = Context(items=items, repeats=repeats, calendar=calendar, floor=floor)
    a = as_datetime64(items.starts)
    ctx.expected["add"] = seconds_of(
        calendar.add_many(a, as_timedelta64(items.durations))
    )
    ctx.expected["add_whole_hours"] = seconds_of(
        calendar.add_many(a, as_timedelta64(whole_hours(items.durations)))
    )
    b = as_datetime64(items.ends)
    ctx.expected["between"] = seconds_of(calendar.between_many(a, b))
    pauses = (
        items.pause_owner,
        as_datetime64(items.pause_starts),
        as_datetime64(items.pause_ends),
    )
    ctx.expected["between_paused"] = seconds_of(
        calendar.between_many(a, b, pauses=pauses)
    )
    # the clocks' elapsed time is open time up to the stop (or now) less pauses
    clocks = clock_arrays(items, items.size)
    ctx.expected["clocks"] = seconds_of(
        calendar.between_many(
            clocks.starts,
            np.where(np.isnat(clocks.stops), clocks.now, clocks.stops),
            pauses=clocks.pauses,
        )
    )
    return ctx


@dataclass(frozen=True)
class ClockItems:
    """The items as reduced SLA clocks: target = the item's duration; every
    other clock stopped at the item's end, the rest open at `now`; the item's
    pauses, every tenth of them still open (NaT end) when its clock is open."""

    starts: NDArray[np.datetime64]
    targets: NDArray[np.timedelta64]
    stops: NDArray[np.datetime64]
    now: np.datetime64
    pauses: tuple[Int64Array, NDArray[np.datetime64], NDArray[np.datetime64]]


def clock_arrays(items: Workload, n: int) -> ClockItems:
    owner, ps, pe = items.pauses_of_first(n)
    now = int(max(items.ends.max(), items.pause_ends.max()))
    stops = as_datetime64(items.ends[:n])
    stops[1::2] = np.datetime64("NaT")
    open_clock = np.isnat(stops)[owner]
    ends = as_datetime64(pe)
    ends[open_clock & (np.arange(len(owner)) % 10 == 0)] = np.datetime64("NaT")
    return ClockItems(
        starts=as_datetime64(items.starts[:n]),
        targets=as_timedelta64(items.durations[:n]),
        stops=stops,
        now=np.datetime64(now, "s"),
        pauses=(owner, as_datetime64(ps), ends),
    )


# --- the cases: one function each ---------------------------------------------


def ours_add_many(ctx: Context, n: int) -> Timing:
    a = as_datetime64(ctx.items.starts[:n])
    d = as_timedelta64(ctx.items.durations[:n])
    seconds, out = best_of(ctx.repeats, lambda: ctx.calendar.add_many(a, d))
    return Timing(seconds, n, seconds_of(out))


def ours_between_many(ctx: Context, n: int) -> Timing:
    a = as_datetime64(ctx.items.starts[:n])
    b = as_datetime64(ctx.items.ends[:n])
    seconds, out = best_of(ctx.repeats, lambda: ctx.calendar.between_many(a, b))
    return Timing(seconds, n, seconds_of(out))


def ours_between_many_paused(ctx: Context, n: int) -> Timing:
    a = as_datetime64(ctx.items.starts[:n])
    b = as_datetime64(ctx.items.ends[:n])
    owner, ps, pe = ctx.items.pauses_of_first(n)
    pauses = (owner, as_datetime64(ps), as_datetime64(pe))
    seconds, out = best_of(
        ctx.repeats, lambda: ctx.calendar.between_many(a, b, pauses=pauses)
    )
    return Timing(seconds, n, seconds_of(out))


def ours_evaluate_clocks(ctx: Context, n: int) -> Timing:
    c = clock_arrays(ctx.items, n)
    seconds, out = best_of(
        ctx.repeats,
        lambda: evaluate_clocks(
            ctx.calendar, c.starts, c.targets, c.stops, c.now, pauses=c.pauses
        ),
    )
    return Timing(seconds, n, seconds_of(out.elapsed))


def ours_add_scalar(ctx: Context, n: int) -> Timing:
    a = aware_utc(ctx.items.starts[:n])
    d = timedeltas(ctx.items.durations[:n])
    seconds, out = time_calls(ctx.repeats, ctx.calendar.add, a, d)
    return Timing(seconds, n, epoch_of_aware(out))


def ours_between_scalar(ctx: Context, n: int) -> Timing:
    a = aware_utc(ctx.items.starts[:n])
    b = aware_utc(ctx.items.ends[:n])
    seconds, out = time_calls(ctx.repeats, ctx.calendar.between, a, b)
    return Timing(seconds, n, seconds_of_timedeltas(out))


def floor_add(ctx: Context, n: int) -> Timing:
    a, d = ctx.items.starts[:n], ctx.items.durations[:n]
    seconds, out = best_of(ctx.repeats, lambda: ctx.floor.add(a, d))
    return Timing(seconds, n, out)


def floor_between(ctx: Context, n: int) -> Timing:
    a, b = ctx.items.starts[:n], ctx.items.ends[:n]
    seconds, out = best_of(ctx.repeats, lambda: ctx.floor.between(a, b))
    return Timing(seconds, n, out)


def floor_between_paused(ctx: Context, n: int) -> Timing:
    a, b = ctx.items.starts[:n], ctx.items.ends[:n]
    owner, ps, pe = ctx.items.pauses_of_first(n)
    seconds, out = best_of(
        ctx.repeats, lambda: ctx.floor.between_paused(a, b, owner, ps, pe)
    )
    return Timing(seconds, n, out)


def workclock_schedule(ctx: Context) -> Any:
    if "workclock" not in ctx.peers:
        import workclock

        ctx.peers["workclock"] = workclock.Schedule(
            [
                workclock.WorkDay(OPENS, CLOSES, days=WORKDAYS),
                workclock.Holidays(ctx.items.holiday_dates),
            ],
            time_zone=ZONE_NAME,
        )
    return ctx.peers["workclock"]


def workclock_add_many(ctx: Context, n: int) -> Timing:
    schedule = workclock_schedule(ctx)
    a = as_datetime64(ctx.items.starts[:n])
    d = as_timedelta64(ctx.items.durations[:n])
    schedule.add_many(a[:100], d[:100])  # warm up
    seconds, out = best_of(ctx.repeats, lambda: schedule.add_many(a, d))
    return Timing(seconds, n, seconds_of(out))


def workclock_between_many(ctx: Context, n: int) -> Timing:
    schedule = workclock_schedule(ctx)
    a = as_datetime64(ctx.items.starts[:n])
    b = as_datetime64(ctx.items.ends[:n])
    schedule.between_many(a[:100], b[:100])  # warm up
    seconds, out = best_of(ctx.repeats, lambda: schedule.between_many(a, b))
    return Timing(seconds, n, seconds_of(out))


def workclock_add(ctx: Context, n: int) -> Timing:
    a = aware_utc(ctx.items.starts[:n])
    d = timedeltas(ctx.items.durations[:n])
    seconds, out = time_calls(ctx.repeats, workclock_schedule(ctx).add, a, d)
    return Timing(seconds, n, epoch_of_aware(out))


def workclock_between(ctx: Context, n: int) -> Timing:
    a = aware_utc(ctx.items.starts[:n])
    b = aware_utc(ctx.items.ends[:n])
    seconds, out = time_calls(ctx.repeats, workclock_schedule(ctx).between, a, b)
    return Timing(seconds, n, seconds_of_timedeltas(out))


def timegrid_calendar(ctx: Context) -> tuple[Any, Any]:
    """timegrid's calendar and its compiled timeline (naive local times)."""
    if "timegrid" not in ctx.peers:
        import timegrid

        calendar = timegrid.TimeGridCalendar.weekdays(OPENS, CLOSES)
        for day in ctx.items.holiday_dates:
            calendar = calendar.close(day)
        span = [s.astimezone(ZONE).replace(tzinfo=None) for s in SPAN]
        ctx.peers["timegrid"] = (calendar, calendar.compile(*span))
    calendar_and_timeline: tuple[Any, Any] = ctx.peers["timegrid"]
    return calendar_and_timeline


def timegrid_add(ctx: Context, n: int) -> Timing:
    # The compiled timeline has no add; the calendar's add_work_duration does it.
    calendar, _ = timegrid_calendar(ctx)
    a = naive_local(ctx.items.starts[:n])
    d = timedeltas(ctx.items.durations[:n])
    seconds, out = time_calls(ctx.repeats, calendar.add_work_duration, a, d)
    return Timing(seconds, n, epoch_of_naive_local(out))


def timegrid_between(ctx: Context, n: int) -> Timing:
    _, timeline = timegrid_calendar(ctx)
    a = naive_local(ctx.items.starts[:n])
    b = naive_local(ctx.items.ends[:n])
    seconds, out = time_calls(ctx.repeats, timeline.get_working_duration, a, b)
    return Timing(seconds, n, seconds_of_timedeltas(out))


def pandas_add(ctx: Context, n: int) -> Timing:
    import pandas as pd
    from pandas.tseries.offsets import CustomBusinessHour

    hours = (whole_hours(ctx.items.durations[:n]) // HOUR).tolist()
    # One offset object per hour count, built outside the timing.
    by_hours = {
        h: CustomBusinessHour(
            n=h,
            start=f"{OPENS:%H:%M}",
            end=f"{CLOSES:%H:%M}",
            weekmask="Mon Tue Wed Thu Fri",
            holidays=ctx.items.holiday_dates,
        )
        for h in set(hours)
    }
    offsets = [by_hours[h] for h in hours]
    a = [pd.Timestamp(x) for x in naive_local(ctx.items.starts[:n])]
    seconds, out = time_calls(1, operator.add, a, offsets)
    return Timing(seconds, n, epoch_of_naive_local([t.to_pydatetime() for t in out]))


def businesstimedelta_rule(ctx: Context) -> Any:
    if "businesstimedelta" not in ctx.peers:
        import businesstimedelta
        import pytz

        zone = pytz.timezone(ZONE_NAME)
        workday = businesstimedelta.WorkDayRule(
            start_time=OPENS, end_time=CLOSES, working_days=list(WORKDAYS), tz=zone
        )
        closed = businesstimedelta.HolidayRule(set(ctx.items.holiday_dates), tz=zone)
        ctx.peers["businesstimedelta"] = businesstimedelta.Rules([workday, closed])
    return ctx.peers["businesstimedelta"]


def businesstimedelta_add(ctx: Context, n: int) -> Timing:
    from businesstimedelta import BusinessTimeDelta

    rule = businesstimedelta_rule(ctx)
    a = aware_utc(ctx.items.starts[:n])
    # The delta objects are built outside the timing, like pandas' offsets.
    d = [
        BusinessTimeDelta(rule, timedelta=y)
        for y in timedeltas(ctx.items.durations[:n])
    ]
    seconds, out = time_calls(1, operator.add, a, d)
    return Timing(seconds, n, epoch_of_aware(out))


def businesstimedelta_between(ctx: Context, n: int) -> Timing:
    rule = businesstimedelta_rule(ctx)
    a = aware_utc(ctx.items.starts[:n])
    b = aware_utc(ctx.items.ends[:n])
    seconds, out = time_calls(1, rule.difference, a, b)
    return Timing(seconds, n, seconds_of_timedeltas([r.timedelta for r in out]))


# --- the list of cases ---------------------------------------------------------


Size = Literal["all", "scalar", "slow"]


@dataclass(frozen=True)
class Case:
    key: str  # names the case in TARGETS
    label: str
    op: Op
    run: Callable[[Context, int], Timing]
    size: Size = "all"  # all items, or the scalar / slow subset
    needs: str | None = None  # the peer's module; the case is skipped without it
    note: str = ""


CASES: list[Case] = [
    Case("ours.add_many", "slakeeper add_many", "add", ours_add_many),
    Case("floor.add", "floor numpy searchsorted", "add", floor_add),
    Case(
        "workclock.add_many",
        "workclock add_many",
        "add",
        workclock_add_many,
        needs="workclock",
    ),
    Case("ours.add", "slakeeper add (scalar)", "add", ours_add_scalar, "scalar"),
    Case(
        "workclock.add",
        "workclock add (per item)",
        "add",
        workclock_add,
        "scalar",
        needs="workclock",
    ),
    Case(
        "timegrid.add",
        "timegrid add_work_duration",
        "add",
        timegrid_add,
        "scalar",
        needs="timegrid",
        note="naive local times",
    ),
    Case(
        "businesstimedelta.add",
        "businesstimedelta +",
        "add",
        businesstimedelta_add,
        "slow",
        needs="businesstimedelta",
    ),
    Case(
        "pandas.add",
        "pandas CustomBusinessHour",
        "add_whole_hours",
        pandas_add,
        "slow",
        needs="pandas",
        note="durations floored to whole hours",
    ),
    Case("ours.between_many", "slakeeper between_many", "between", ours_between_many),
    Case("floor.between", "floor numpy searchsorted", "between", floor_between),
    Case(
        "workclock.between_many",
        "workclock between_many",
        "between",
        workclock_between_many,
        needs="workclock",
    ),
    Case(
        "ours.between",
        "slakeeper between (scalar)",
        "between",
        ours_between_scalar,
        "scalar",
    ),
    Case(
        "workclock.between",
        "workclock between (per item)",
        "between",
        workclock_between,
        "scalar",
        needs="workclock",
    ),
    Case(
        "timegrid.between",
        "timegrid get_working_duration",
        "between",
        timegrid_between,
        "scalar",
        needs="timegrid",
        note="compiled timeline, naive local times",
    ),
    Case(
        "businesstimedelta.between",
        "businesstimedelta difference",
        "between",
        businesstimedelta_between,
        "slow",
        needs="businesstimedelta",
    ),
    Case(
        "ours.between_paused",
        "slakeeper between_many pauses",
        "between_paused",
        ours_between_many_paused,
        note="ops are items (1.5 pauses each on average)",
    ),
    Case(
        "floor.between_paused",
        "floor numpy searchsorted",
        "between_paused",
        floor_between_paused,
    ),
    Case(
        "ours.clocks",
        "slakeeper evaluate_clocks",
        "clocks",
        ours_evaluate_clocks,
        note="ops are clocks (0-3 pauses); checked: elapsed",
    ),
]


@dataclass(frozen=True)
class Target:
    label: str
    numerator: str  # case keys; the ratio compares their ops per second
    denominator: str
    at_least: float


TARGETS: list[Target] = [
    Target("add_many / floor", "ours.add_many", "floor.add", 0.5),
    Target("between_many / floor", "ours.between_many", "floor.between", 0.5),
    Target("add_many / workclock add_many", "ours.add_many", "workclock.add_many", 5.0),
    Target(
        "between_many / workclock between_many",
        "ours.between_many",
        "workclock.between_many",
        5.0,
    ),
    Target(
        "between_many 0-3 pauses / floor with pauses",
        "ours.between_paused",
        "floor.between_paused",
        0.2,
    ),
    Target(
        "evaluate_clocks / between_many with pauses",
        "ours.clocks",
        "ours.between_paused",
        0.5,
    ),
    Target("scalar add / workclock add (per item)", "ours.add", "workclock.add", 1.5),
    Target(
        "scalar between / workclock between (per item)",
        "ours.between",
        "workclock.between",
        1.5,
    ),
]
INDEX_BUILD_TARGET_MS = 50.0
# Printed for information: (label, numerator case key, denominator case key).
OTHER_RATIOS: list[tuple[str, str, str]] = [
    (
        "between_many pauses / floor without pauses",
        "ours.between_paused",
        "floor.between",
    ),
    ("scalar add / timegrid add_work_duration", "ours.add", "timegrid.add"),
    (
        "scalar between / timegrid get_working_duration",
        "ours.between",
        "timegrid.between",
    ),
    ("scalar add / businesstimedelta +", "ours.add", "businesstimedelta.add"),
    (
        "scalar between / businesstimedelta difference",
        "ours.between",
        "businesstimedelta.between",
    ),
    ("scalar add / pandas CustomBusinessHour", "ours.add", "pandas.add"),
]


# --- checking ------------------------------------------------------------------


def local_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=ZONE).strftime("%a %Y-%m-%d %H:%M:%S %Z")


def is_closing_roll(ours: int, theirs: int, floor: FloorIndex) -> bool:
    """Whether `ours` is a closing time and `theirs` the next opening after it."""
    i = int(np.searchsorted(floor.starts, ours, "left"))
    closes = i > 0 and int(floor.starts[i - 1] + floor.lengths[i - 1]) == ours
    return closes and i < len(floor.starts) and int(floor.starts[i]) == theirs


def describe_disagreements(case: Case, ctx: Context, timing: Timing) -> list[str]:
    expected = ctx.expected[case.op][: timing.items]
    wrong = np.flatnonzero(timing.results != expected)
    if not len(wrong):
        return []
    lines = [f"{case.label} [{case.op}]: {len(wrong)} of {timing.items} disagree"]
    if case.op.startswith("add"):
        rolls = sum(
            is_closing_roll(int(expected[i]), int(timing.results[i]), ctx.floor)
            for i in wrong
        )
        if rolls:
            lines[0] += (
                f" ({rolls} of them: ours lands on a closing time, theirs on the "
                "next opening)"
            )
    items = ctx.items
    for i in wrong[:EXAMPLES].tolist():
        start = f"start {local_text(int(items.starts[i]))}"
        if case.op == "add":
            given = f"+ {int(items.durations[i])} s"
        elif case.op == "add_whole_hours":
            given = f"+ {int(whole_hours(items.durations[i : i + 1])[0])} s"
        else:
            given = f"end {local_text(int(items.ends[i]))}"
        if case.op.startswith("add"):
            ours_text = local_text(int(expected[i]))
            theirs_text = local_text(int(timing.results[i]))
        else:
            ours_text, theirs_text = (
                f"{int(expected[i])} s",
                f"{int(timing.results[i])} s",
            )
        lines.append(
            f"    item {i}: {start} {given}: ours {ours_text}, theirs {theirs_text}"
        )
    return lines


# --- index build -----------------------------------------------------------------


@dataclass(frozen=True)
class IndexBuild:
    from_spec_ms: list[float]
    first_between_ms: list[float]


def time_index_build(years: Sequence[int]) -> IndexBuild:
    """A fresh calendar per year; its first `between` over that year builds it."""
    warm = new_calendar()  # imports and caches outside the timing
    warm.between(datetime(2026, 1, 1, tzinfo=ZONE), datetime(2027, 1, 1, tzinfo=ZONE))
    from_spec_ms, between_ms = [], []
    for year in years:
        gc.collect()
        began = perf_counter()
        calendar = new_calendar()
        built = perf_counter()
        calendar.between(
            datetime(year, 1, 1, tzinfo=ZONE), datetime(year + 1, 1, 1, tzinfo=ZONE)
        )
        done = perf_counter()
        from_spec_ms.append((built - began) * 1e3)
        between_ms.append((done - built) * 1e3)
    return IndexBuild(from_spec_ms, between_ms)


# --- running and printing -------------------------------------------------------


@dataclass(frozen=True)
class Row:
    case: Case
    timing: Timing | None  # None: skipped
    extrapolated: bool

    @property
    def ops(self) -> float:
        if self.timing is None:
            return float("nan")
        return (
            self.timing.items / self.timing.seconds
            if self.timing.seconds
            else float("inf")
        )


PACKAGES = (
    "slakeeper",
    "numpy",
    "workclock",
    "timegrid",
    "pandas",
    "businesstimedelta",
)


def versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def installed(module: str | None) -> bool:
    return module is None or importlib.util.find_spec(module) is not None


def run_cases(ctx: Context, cases: Sequence[Case], sizes: dict[Size, int]) -> list[Row]:
    rows = []
    for case in cases:
        if not installed(case.needs):
            rows.append(Row(case, None, False))
            continue
        n = min(sizes[case.size], ctx.items.size)
        print(f"  running {case.label} [{case.op}] on {n:,} items ...", file=sys.stderr)
        timing = case.run(ctx, n)
        rows.append(Row(case, timing, n < ctx.items.size))
    return rows


def format_rate(ops: float) -> str:
    return "-" if ops != ops else f"{ops:,.0f}"


def print_table(rows: Sequence[Row], ctx: Context) -> None:
    full = ctx.items.size
    header = (
        f"{'op':<15} {'implementation':<31} {'items':>9} {'time s':>8} "
        f"{'ops/s':>12} {f'est. s for {full:,}':>17} {'disagree':>9}  note"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        case, timing = row.case, row.timing
        if timing is None:
            print(f"{case.op:<15} {case.label:<31} {'skipped: not installed':>40}")
            continue
        expected = ctx.expected[case.op][: timing.items]
        disagree = int(np.count_nonzero(timing.results != expected))
        estimate = full / row.ops
        notes = [case.note] if case.note else []
        if row.extrapolated:
            notes.insert(0, f"subset of {timing.items:,}, extrapolated")
        line = (
            f"{case.op:<15} {case.label:<31} {timing.items:>9,} {timing.seconds:>8.3f} "
            f"{format_rate(row.ops):>12} {estimate:>17,.2f} {disagree:>9,}  "
        )
        print((line + "; ".join(notes)).rstrip())


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_targets(rows: Sequence[Row], build: IndexBuild) -> None:
    ops = {row.case.key: row.ops for row in rows if row.timing is not None}
    for target in TARGETS:
        if target.numerator not in ops or target.denominator not in ops:
            print(f"  {target.label:<48} {'n/a':>8}   (a case was skipped)")
            continue
        ratio = ops[target.numerator] / ops[target.denominator]
        print(
            f"  {target.label:<48} {ratio:>8.2f}x  target >= {target.at_least:g}x  "
            f"{verdict(ratio >= target.at_least)}"
        )
    per_year = statistics.fmean(build.first_between_ms)
    ok = verdict(per_year <= INDEX_BUILD_TARGET_MS)
    print(
        f"  {'index build, ms per calendar year':<48} {per_year:>8.1f}   "
        f"target <= {INDEX_BUILD_TARGET_MS:g} ms  {ok}"
    )
    years = len(build.first_between_ms)
    print(
        f"    first between over a year on a fresh calendar, {years} "
        f"years {INDEX_BUILD_YEARS.start}-{INDEX_BUILD_YEARS.stop - 1}: "
        f"mean {per_year:.1f} ms, max {max(build.first_between_ms):.1f} ms; "
        f"from_spec alone mean {statistics.fmean(build.from_spec_ms):.1f} ms"
    )


def print_other_ratios(rows: Sequence[Row]) -> None:
    ops = {row.case.key: row.ops for row in rows if row.timing is not None}
    for label, numerator, denominator in OTHER_RATIOS:
        if numerator in ops and denominator in ops:
            print(f"  {label:<48} {ops[numerator] / ops[denominator]:>8.2f}x")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--items",
        type=int,
        default=None,
        help="number of random items (default 1,000,000; 50,000 with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer items, smaller subsets, no repeats: a fast smoke run",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed runs per fast case, the best counts (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--seed", type=int, default=2027, help="random seed (default 2027)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    n_items = args.items or (50_000 if args.quick else 1_000_000)
    sizes: dict[Size, int] = {
        "all": n_items,
        "scalar": 2_000 if args.quick else 20_000,
        "slow": 300 if args.quick else 2_000,
    }
    repeats = args.repeats or (1 if args.quick else 3)

    print(f"python {sys.version.split()[0]}, seed {args.seed}; {versions()}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.2f} before the run")
    print(
        f"{n_items:,} items: starts in {FIRST_YEAR}-{LAST_YEAR}, durations "
        f"{MIN_DURATION // HOUR}-{MAX_DURATION // HOUR} working hours, ends "
        f"0-{MAX_GAP // DAY} days after the start, 0-{MAX_PAUSES} pauses each"
    )
    print(
        f"  {ON_THE_HOUR:.0%} of starts, ends and durations on the whole hour; "
        f"Mon-Fri {OPENS:%H:%M}-{CLOSES:%H:%M} {ZONE_NAME}, {COUNTRY} national holidays"
    )
    items = make_workload(n_items, args.seed)
    print(
        f"{len(items.pause_owner):,} pauses; {len(items.holiday_dates)} holiday dates "
        f"{HOLIDAY_YEARS.start}-{HOLIDAY_YEARS.stop - 1} given to the peers"
    )
    ctx = make_context(items, repeats)
    print(
        f"floor: {len(ctx.floor.starts):,} open intervals from WorkCalendar.windows, "
        f"{SPAN[0]:%Y-%m-%d} to {SPAN[1]:%Y-%m-%d} UTC; timings: best of "
        f"{repeats} runs, slow peers one run\n"
    )

    rows = run_cases(ctx, CASES, sizes)
    build = time_index_build(INDEX_BUILD_YEARS)

    print_table(rows, ctx)
    print("\ndisagreements with slakeeper's batch answers:")
    reports = [
        line
        for row in rows
        if row.timing is not None
        for line in describe_disagreements(row.case, ctx, row.timing)
    ]
    print("\n".join(f"  {line}" for line in reports) if reports else "  none")
    print("\ntargets (ratios of ops/s in this run):")
    print_targets(rows, build)
    print("\nother ratios:")
    print_other_ratios(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
