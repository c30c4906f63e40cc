"""Properties of the business-time engine, checked against an independent oracle.

Calendars are random: weekly windows with lunch breaks, touching windows,
overnight windows, whole 24-hour days, explicit holidays (single dates and
ranges) and extra openings (some on holidays), in zones with and without DST
(including 30-minute DST, +12:45 offsets and transitions at midnight). Instants
are drawn near DST transitions and UTC year boundaries, and are biased towards
the calendar's own opening and closing times (and one microsecond or one second
either side of them). Durations carry microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slakeeper.core import CoreError, NaiveDatetimeError, WorkCalendar
from tests.core.oracle import Oracle, transitions

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",  # transitions at local midnight
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kolkata",  # +05:30, no DST
    "Pacific/Chatham",  # +12:45 / +13:45
)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)
SPAN = timedelta(days=9)  # instants are drawn within anchor +- SPAN
YEAR_STARTS = tuple(datetime(y, 1, 1, tzinfo=UTC) for y in (2025, 2026))
TRANSITIONS = {
    zone: transitions(zone, datetime(2024, 1, 1, tzinfo=UTC), YEAR_STARTS[-1])
    for zone in ZONES
}
CLASSICS: tuple[tuple[dict[str, str], int], ...] = (
    ({"mon-fri": "09:00-12:30, 13:30-17:30"}, 5 * (210 + 240)),
    ({"mon-fri": "09:00-17:00", "sat": "10:00-14:00"}, 5 * 480 + 240),
    ({"mon-sun": "00:00-24:00"}, 7 * 1440),
    ({"mon-fri": "00:00-24:00"}, 5 * 1440),
    ({"mon-sun": "22:00-06:00"}, 7 * 480),
    ({"mon-sun": "00:00-02:00, 02:00-03:00, 03:00-24:00"}, 7 * 1440),
)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def windows_text(windows: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{hhmm(s)}-{hhmm(e)}" for s, e in windows)


def nominal_minutes(window: tuple[int, int]) -> int:
    """Nominal minutes of a window; one ending before it starts crosses midnight."""
    start, end = window
    return end - start if end > start else end + 1440 - start


# -- calendars ----------------------------------------------------------------


def hot_minutes(zone: str) -> tuple[int, ...]:
    """Clock minutes next to the zone's transitions: the edges of its gaps and
    repeated hours, and the minute in the middle of them."""
    tz = ZoneInfo(zone)
    out: set[int] = set()
    for t in TRANSITIONS[zone]:
        before = (t - US).astimezone(tz) + US  # the clock at t, in the old offset
        after = t.astimezone(tz)  # the clock at t, in the new offset
        edges = [x.hour * 60 + x.minute for x in (before, after)]
        out.update(edges)
        out.add(sum(edges) // 2)
        if 0 in edges:
            out.add(1440)
    return tuple(sorted(out))


HOT_MINUTES = {zone: hot_minutes(zone) for zone in ZONES}


@st.composite
def minutes(draw: st.DrawFn, lo: int, hi: int, hot: Sequence[int] = ()) -> int:
    """A minute in [lo, hi], usually on the quarter hour, often a `hot` one."""
    near = [m for m in hot if lo <= m <= hi]
    if near and draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(near))
    q_lo, q_hi = -(-lo // 15), hi // 15
    if q_lo <= q_hi and draw(st.integers(0, 3)):
        return draw(st.integers(q_lo, q_hi)) * 15
    return draw(st.integers(lo, hi))


@st.composite
def day_windows(draw: st.DrawFn, hot: Sequence[int]) -> list[tuple[int, int]]:
    """One day's windows as (start, end) minutes of the clock (end may be 1440).

    Sorted, maybe touching, maybe with a final overnight window (end < start,
    possibly 00:00).
    """
    out: list[tuple[int, int]] = []
    cursor = draw(minutes(0, 12 * 60, hot))
    for _ in range(draw(st.integers(0, 3))):
        start = cursor if draw(st.booleans()) else draw(minutes(cursor, 1439, hot))
        if start >= 1440:
            break
        end = draw(minutes(start + 1, 1440, hot))
        out.append((start, end))
        cursor = end
        if cursor >= 1440:
            break
    if cursor < 1440 and draw(st.integers(0, 3)) == 0:
        start = draw(minutes(cursor, 1439, hot))
        if start > 0:
            out.append((start, draw(minutes(0, start - 1, hot))))
    return out


@dataclass
class Case:
    """A random calendar spec, the oracle for it, and where to look at it."""

    spec: dict[str, Any]
    anchor: datetime
    weekly_open: timedelta  # nominal open time per week (no DST), > 0
    oracle: Oracle = field(init=False)
    boundaries: tuple[datetime, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.oracle = Oracle(self.spec)
        merged = self.oracle.intervals(
            self.anchor - SPAN - timedelta(days=3),
            self.anchor + SPAN + timedelta(days=3),
        )
        self.boundaries = tuple(t for pair in merged for t in pair)
        self.starts = tuple(s for s, _ in merged)
        self.ends = tuple(e for _, e in merged)

    def __repr__(self) -> str:
        return f"Case(spec={self.spec!r}, anchor={self.anchor.isoformat()!r})"

    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_spec(self.spec)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    hot = HOT_MINUTES[zone]
    anchors: list[datetime] = [*TRANSITIONS[zone], *YEAR_STARTS]
    if draw(st.integers(0, 4)) == 0:
        seconds = draw(st.integers(0, 2 * 365 * 86400))
        anchor = datetime(2024, 6, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    else:
        anchor = draw(st.sampled_from(anchors))

    hours: dict[str, str] = {}
    weekly_minutes = 0
    cuts = sorted(draw(st.sets(st.integers(1, 6), max_size=6)))
    bounds = [0, *cuts, 7]
    for lo, hi in pairwise(bounds):
        wins = draw(day_windows(hot))
        if not wins:
            continue
        key = DAY_NAMES[lo] if hi - lo == 1 else f"{DAY_NAMES[lo]}-{DAY_NAMES[hi - 1]}"
        hours[key] = windows_text(wins)
        weekly_minutes += (hi - lo) * sum(map(nominal_minutes, wins))
    if weekly_minutes < 60:  # too little open time: take a classic instead
        hours, weekly_minutes = draw(st.sampled_from(CLASSICS))
    spec: dict[str, Any] = {"timezone": zone, "hours": hours}

    local_anchor = anchor.astimezone(Oracle({"timezone": zone}).zone).date()
    # days from the anchor's local date, often the transition day or its eve
    offsets = st.one_of(
        st.sampled_from([-1, 0, 1]), st.integers(-SPAN.days - 2, SPAN.days + 2)
    )
    dates: list[str | dict[str, str]] = []
    closed: list[date] = []
    for _ in range(draw(st.integers(0, 3))):
        first = local_anchor + timedelta(days=draw(offsets))
        length = draw(st.integers(0, 3)) if draw(st.booleans()) else None
        if length is None:
            dates.append(first.isoformat())
            closed.append(first)
        else:
            last = first + timedelta(days=length)
            dates.append({"from": first.isoformat(), "to": last.isoformat()})
            closed.extend(first + timedelta(days=k) for k in range(length + 1))
    if dates:
        spec["holidays"] = {"dates": dates}

    extra: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 2))):
        on_a_holiday = draw(st.booleans())
        if closed and on_a_holiday:
            day = draw(st.sampled_from(closed))  # an opening beats a holiday
        else:
            day = local_anchor + timedelta(days=draw(offsets))
        wins = draw(day_windows(hot))
        if wins:
            extra[day.isoformat()] = windows_text(wins)
    if extra:
        spec["open"] = extra

    return Case(spec, anchor, timedelta(minutes=weekly_minutes))


@st.composite
def instants(draw: st.DrawFn, case: Case, whole: bool = False) -> datetime:
    """An instant near the anchor; often one of the calendar's boundaries."""
    mode = draw(st.integers(0, 3))
    if mode == 0 or not case.boundaries:
        unit = SECOND if whole else US
        span = SPAN // unit
        return case.anchor + unit * draw(st.integers(-span, span))
    pick = draw(st.sampled_from(case.boundaries))
    if mode == 1:
        return pick
    return pick + (SECOND if whole else US) * draw(st.sampled_from([-1, 1]))


@st.composite
def durations(draw: st.DrawFn, case: Case, whole: bool = False) -> timedelta:
    """A non-negative duration of up to two weeks' worth of open time."""
    unit = SECOND if whole else US
    mode = draw(st.integers(0, 4))
    if mode == 0:
        return timedelta(0)
    if mode == 1:
        return unit * draw(st.integers(1, 3600 * SECOND // unit))
    return unit * draw(st.integers(1, 2 * case.weekly_open // unit))


def is_utc(t: datetime) -> bool:
    return t.tzinfo is not None and t.utcoffset() == timedelta(0)


# -- the scalar API -----------------------------------------------------------


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_counts_open_time_like_the_oracle(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a, b = data.draw(instants(case), "a"), data.draw(instants(case), "b")
    got = cal.between(a, b)
    assert got == case.oracle.between(a, b)
    assert (got == timedelta(0)) if b <= a else (got >= timedelta(0))


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_adds_like_the_oracle(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a, d = data.draw(instants(case), "a"), data.draw(durations(case), "d")
    got = cal.add(a, d)
    assert got == case.oracle.add(a, d)
    assert is_utc(got)


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_subtracts_like_the_oracle(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a, d = data.draw(instants(case), "a"), data.draw(durations(case), "d")
    got = cal.subtract(a, d)
    assert got == case.oracle.subtract(a, d)
    assert is_utc(got)


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_gives_back_the_duration_it_added(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a, d = data.draw(instants(case), "a"), data.draw(durations(case), "d")
    assert cal.between(a, cal.add(a, d)) == d
    assert cal.between(cal.subtract(a, d), a) == d


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_lands_on_a_closing_time_when_the_duration_ends_there(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    a = data.draw(instants(case), "a")
    later = [e for e in case.ends if e > a]
    assume(later)
    close = data.draw(st.sampled_from(later), "close")
    d = case.oracle.between(a, close)
    assume(d > timedelta(0))
    assert cal.add(a, d) == close


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_lands_on_an_opening_time_when_subtracting_to_it(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    a = data.draw(instants(case), "a")
    earlier = [s for s in case.starts if s < a]
    assume(earlier)
    opening = data.draw(st.sampled_from(earlier), "opening")
    d = case.oracle.between(opening, a)
    assume(d > timedelta(0))
    assert cal.subtract(a, d) == opening


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_agrees_with_the_oracle_over_spans_of_many_months(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    days = st.integers(0, 500 * 86400)
    a = data.draw(instants(case), "a") - SECOND * data.draw(days, "back")
    b = data.draw(instants(case), "b") + SECOND * data.draw(days, "ahead")
    assert cal.between(a, b) == case.oracle.between(a, b)
    d = case.oracle.between(a, b) + US * data.draw(st.integers(0, 10**6), "extra")
    assert cal.add(a, d) == case.oracle.add(a, d)
    assert cal.subtract(b, d) == case.oracle.subtract(b, d)


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_is_additive_over_adjacent_spans(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a, b, c = sorted(data.draw(instants(case), name) for name in "abc")
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_adds_monotonically_in_the_start(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a1, a2 = sorted(data.draw(instants(case), name) for name in ("a1", "a2"))
    d = data.draw(durations(case), "d")
    assert cal.add(a1, d) <= cal.add(a2, d)
    assert cal.subtract(a1, d) <= cal.subtract(a2, d)


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_adds_monotonically_in_the_duration(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a = data.draw(instants(case), "a")
    d1, d2 = sorted(data.draw(durations(case), name) for name in ("d1", "d2"))
    assert a <= cal.add(a, d1) <= cal.add(a, d2)
    assert a >= cal.subtract(a, d1) >= cal.subtract(a, d2)


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_undoes_an_add_with_a_subtract(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    a, d = data.draw(instants(case), "a"), data.draw(durations(case), "d")
    # subtract lands on the opening that add counted from
    expected = a if d == timedelta(0) else case.oracle.next_open(a)
    assert cal.subtract(cal.add(a, d), d) == expected


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_undoes_a_subtract_with_an_add_when_open_just_before(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    a, d = data.draw(instants(case), "a"), data.draw(durations(case), "d")
    if d == timedelta(0) or case.oracle.is_open(a - US):
        # a is inside a window or at its closing time
        expected = a
    else:
        # add stops at the closing time before a, not at the opening a waits for
        expected = case.oracle.windows(a - timedelta(days=60), a)[-1][1]
    assert cal.add(cal.subtract(a, d), d) == expected


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_reports_windows_and_openings_like_the_oracle(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    a, b = data.draw(instants(case), "a"), data.draw(instants(case), "b")
    got = [(s, e) for s, e in cal.windows(a, b)]
    assert got == case.oracle.windows(a, b)
    assert all(is_utc(s) and is_utc(e) for s, e in got)
    assert all(e1 < s2 for (_, e1), (s2, _) in pairwise(got))
    assert cal.is_open(a) == case.oracle.is_open(a)
    nxt = cal.next_open(a)
    assert nxt == case.oracle.next_open(a)
    assert is_utc(nxt)
    assert cal.is_open(nxt)


# -- the vectorised API ---------------------------------------------------------


def to_datetime64(ts: Sequence[datetime]) -> npt.NDArray[np.datetime64]:
    return np.array([(t - EPOCH) // SECOND for t in ts], dtype="datetime64[s]")


def to_timedelta64(ds: Sequence[timedelta]) -> npt.NDArray[np.timedelta64]:
    return np.array([d // SECOND for d in ds], dtype="timedelta64[s]")


def from_datetime64(arr: npt.NDArray[np.datetime64]) -> list[datetime]:
    assert arr.dtype == np.dtype("datetime64[s]")
    return [EPOCH + timedelta(seconds=int(x)) for x in arr.astype(np.int64)]


def from_timedelta64(arr: npt.NDArray[np.timedelta64]) -> list[timedelta]:
    assert arr.dtype == np.dtype("timedelta64[s]")
    return [timedelta(seconds=int(x)) for x in arr.astype(np.int64)]


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_adds_many_like_one_at_a_time(case: Case, data: st.DataObject) -> None:
    cal = case.calendar()
    n = data.draw(st.integers(0, 6), "n")
    starts = [data.draw(instants(case, whole=True)) for _ in range(n)]
    ds = [data.draw(durations(case, whole=True)) for _ in range(n)]
    added = from_datetime64(cal.add_many(to_datetime64(starts), to_timedelta64(ds)))
    assert added == [case.oracle.add(a, d) for a, d in zip(starts, ds, strict=True)]
    assert added == [cal.add(a, d) for a, d in zip(starts, ds, strict=True)]


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_counts_many_spans_like_one_at_a_time(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    n = data.draw(st.integers(0, 6), "n")
    starts = [data.draw(instants(case, whole=True)) for _ in range(n)]
    ends = [data.draw(instants(case, whole=True)) for _ in range(n)]
    got = from_timedelta64(cal.between_many(to_datetime64(starts), to_datetime64(ends)))
    pairs = list(zip(starts, ends, strict=True))
    assert got == [case.oracle.between(a, b) for a, b in pairs]
    assert got == [cal.between(a, b) for a, b in pairs]


@PROPERTY
@given(case=cases(), data=st.data())
def test_it_leaves_out_the_open_time_inside_pauses(
    case: Case, data: st.DataObject
) -> None:
    cal = case.calendar()
    n = data.draw(st.integers(1, 5), "n")
    starts = [data.draw(instants(case, whole=True)) for _ in range(n)]
    ends = [data.draw(instants(case, whole=True)) for _ in range(n)]
    pauses: list[tuple[int, datetime, datetime]] = []
    for i in range(n):
        for _ in range(data.draw(st.integers(0, 3))):
            ps = data.draw(instants(case, whole=True))
            if data.draw(st.booleans()):
                pe = data.draw(instants(case, whole=True))
            else:
                pe = ps + SECOND * data.draw(st.integers(1, 2 * 86400))
            if pe > ps:
                pauses.append((i, ps, pe))
    pauses = data.draw(st.permutations(pauses), "pauses")
    owner = np.array([i for i, _, _ in pauses], dtype=np.int64)
    got = from_timedelta64(
        cal.between_many(
            to_datetime64(starts),
            to_datetime64(ends),
            pauses=(
                owner,
                to_datetime64([ps for _, ps, _ in pauses]),
                to_datetime64([pe for _, _, pe in pauses]),
            ),
        )
    )
    expected = [
        case.oracle.between_paused(
            starts[i], ends[i], [(ps, pe) for j, ps, pe in pauses if j == i]
        )
        for i in range(n)
    ]
    assert got == expected


# -- refusals -----------------------------------------------------------------


def test_it_refuses_naive_datetimes() -> None:
    cal = WorkCalendar.from_spec(
        {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}
    )
    naive = datetime(2025, 1, 6, 10, 0)  # noqa: DTZ001
    aware = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    with pytest.raises(NaiveDatetimeError):
        cal.between(naive, aware)
    with pytest.raises(NaiveDatetimeError):
        cal.between(aware, naive)
    with pytest.raises(NaiveDatetimeError):
        cal.add(naive, timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        cal.subtract(naive, timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        cal.is_open(naive)
    with pytest.raises(NaiveDatetimeError):
        cal.next_open(naive)
    with pytest.raises(NaiveDatetimeError):
        cal.windows(naive, aware)
    assert issubclass(NaiveDatetimeError, CoreError)
    assert issubclass(CoreError, ValueError)


def test_it_refuses_a_negative_duration() -> None:
    cal = WorkCalendar.from_spec(
        {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}
    )
    aware = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    with pytest.raises(CoreError):
        cal.add(aware, -US)
    assert cal.add(aware, timedelta(0)) == aware
    assert cal.subtract(aware, timedelta(0)) == aware
