"""`evaluate_clocks`: many reduced SLA clocks measured at once, with numpy.

Works on the reduced form (`ClockSpan`: start, target, pause spans, stop) as
arrays of whole seconds, or of microseconds, and gives, item by item, the
state, due time, elapsed and remaining time that `evaluate_clock` gives. Rules:
docs/sla-clock.md, section 4.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np

from slakeeper.core import batch
from slakeeper.core.calendar import WorkCalendar, from_us, to_us
from slakeeper.core.clock import ClockState
from slakeeper.core.errors import ClockError
from slakeeper.core.index import US, Int64Array, IntervalIndex

__all__ = ["ClockArrays", "evaluate_clocks"]

NAT = batch.NAT
_RUNNING = ClockState.RUNNING.code
_PAUSED = ClockState.PAUSED.code
_MET = ClockState.MET.code
_BREACHED = ClockState.BREACHED.code


class ClockArrays(NamedTuple):
    """The measures of many clocks, one item per clock.

    `state`: int8 codes 0 running, 1 paused, 2 met, 3 breached
    (`ClockState.from_code`); `due_at`: `datetime64[s]`, NaT where undefined
    (paused and not breached); `elapsed`, `remaining`: `timedelta64[s]`
    (`remaining` is signed). In microseconds (`[us]`) when the clocks were
    given in microseconds.
    """

    state: np.ndarray[Any, np.dtype[np.int8]]
    due_at: np.ndarray[Any, np.dtype[np.datetime64]]
    elapsed: np.ndarray[Any, np.dtype[np.timedelta64]]
    remaining: np.ndarray[Any, np.dtype[np.timedelta64]]


def _now_in(now: Any, unit: str) -> int:
    """`now` as a count of `unit` (s or us) since the epoch."""
    whole = "second" if unit == "s" else "microsecond"
    if isinstance(now, datetime):
        micros = to_us(now, "now")
        if unit == "s" and micros % US:
            raise ClockError(f"now {now.isoformat()} must be a whole second")
        return micros if unit == "us" else micros // US
    if isinstance(now, np.datetime64):
        value = now.astype(f"datetime64[{unit}]")
        if value != now or np.isnat(value):
            raise ClockError(f"now {now!r} must be a whole {whole}, not NaT")
        return int(value.astype(np.int64))
    raise ClockError(f"now {now!r} must be an aware datetime or a numpy datetime64")


def _first_bad(mask: Any) -> int:
    return int(np.flatnonzero(mask)[0])


def _check(s: Int64Array, target: Int64Array, stop: Int64Array, now: int) -> None:
    if s.size == 0:
        return
    if s.min() == NAT:
        raise ClockError(f"starts[{_first_bad(s == NAT)}] is NaT; every clock starts")
    if target.min() < 0:  # NaT is the smallest int64
        raise ClockError(
            f"targets[{_first_bad(target < 0)}] must be zero or more (and not NaT)"
        )
    if s.max() > now:
        raise ClockError(
            f"starts[{_first_bad(s > now)}] is after now; pass the clocks folded"
            " from the events at or before now"
        )
    stopped = stop != NAT
    bad = stopped & ((stop < s) | (stop > now))
    if bad.any():
        raise ClockError(f"stops[{_first_bad(bad)}] must lie between its start and now")


def _pause_arrays(
    pauses: tuple[Any, Any, Any], n: int, now: int, unit: str
) -> tuple[Int64Array, Int64Array, Int64Array]:
    if len(pauses) != 3:
        raise ClockError("pauses must be a tuple (owner, pause_starts, pause_ends)")
    owner = np.asarray(pauses[0])
    if owner.dtype.kind not in "iu":
        raise ClockError(f"pause owners must be an integer array, not {owner.dtype}")
    owner = owner.astype(np.int64, copy=False)
    p_start = batch.seconds(pauses[1], "pause_starts", unit=unit)
    p_end = batch.seconds(pauses[2], "pause_ends", unit=unit)
    batch.same_shape(owner, p_start, "pause owners", "pause_starts")
    batch.same_shape(owner, p_end, "pause owners", "pause_ends")
    if owner.size:
        if owner.min() < 0 or owner.max() >= n:
            raise ClockError(f"pause owners must be clock indices from 0 to {n - 1}")
        if p_start.min() == NAT:
            raise ClockError("pause_starts must not hold NaT")
        if p_start.max() > now or p_end.max() > now:
            raise ClockError(
                "pauses must start and end at or before now (an open pause has a"
                " NaT end)"
            )
    return owner, p_start, p_end


def evaluate_clocks(
    calendar: WorkCalendar,
    starts: Any,
    targets: Any,
    stops: Any,
    now: Any,
    pauses: tuple[Any, Any, Any] | None = None,
) -> ClockArrays:
    """Measure many reduced clocks at `now` (see `ClockArrays` for the result).

    Clock `i` started at `starts[i]` (`datetime64[s]`, UTC) with target
    `targets[i]` (`timedelta64[s]`, the final target) and stopped at `stops[i]`
    (NaT while open). `pauses=(owner, pause_starts, pause_ends)` gives each
    pause span with the index of its clock; a NaT end is an open pause (it
    lasts past now: the clock is paused). These are the `ClockSpan`s folded
    from the events at or before `now` (a whole second, as an aware datetime
    or a `datetime64`): starts, stops and pause instants after `now` raise
    `ClockError`. Overlapping pauses count once. Item by item the answers
    equal `evaluate_clock`'s for whole-second inputs.

    When `starts` is a `datetime64[us]` array the clocks are measured in
    microseconds: the other arrays are read in microseconds, `now` may be any
    instant, the results are `[us]` arrays, and the answers equal
    `evaluate_clock`'s for any inputs.
    """
    micro = np.asarray(starts).dtype == np.dtype("datetime64[us]")
    unit, scale = ("us", US) if micro else ("s", 1)
    s = batch.seconds(starts, "starts", unit=unit)
    target = batch.seconds(targets, "targets", kind="m", unit=unit)
    stop = batch.seconds(stops, "stops", unit=unit)
    batch.same_shape(s, target, "starts", "targets")
    batch.same_shape(s, stop, "starts", "stops")
    now_s = _now_in(now, unit)
    _check(s, target, stop, now_s)
    n = s.size
    p = None if pauses is None else _pause_arrays(pauses, n, now_s, unit)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return ClockArrays(
            np.zeros(0, dtype=np.int8),
            empty.view(f"datetime64[{unit}]"),
            empty.view(f"timedelta64[{unit}]"),
            empty.view(f"timedelta64[{unit}]"),
        )
    # one unit past now: the end of an open pause, for the due time
    beyond = now_s + 1
    idx = calendar.index_covering(int(s.min()) // scale, -(-beyond // scale))
    if micro:
        idx = idx.in_microseconds()
    stopped = stop != NAT
    end = np.where(stopped, stop, now_s)
    pos_start = idx.position(s)
    pos_end = idx.position(end)
    # each clock's due time lies in a running segment starting at seg_start
    # (position seg_pos), with `left` working seconds still to count
    seg_start, seg_pos, left = s, pos_start, target
    paused_open = np.zeros(n, dtype=np.bool_)
    elapsed = pos_end - pos_start
    if p is not None and p[0].size:
        found = _with_pauses(
            idx, s, target, stop, stopped, pos_start, pos_end, p, beyond
        )
        if found is not None:
            seg_start, seg_pos, left, lost, paused_open = found
            elapsed -= lost
    behind = seg_start == beyond  # the due time lies behind an open pause
    if behind.any():
        left = np.where(behind, 0, left)
    due = _due(calendar, idx, seg_start, seg_pos, left, scale)
    due[behind] = NAT
    state = np.full(n, _RUNNING, dtype=np.int8)
    state[paused_open] = _PAUSED
    late = ~behind & (end > due)
    state[stopped] = _MET
    state[late] = _BREACHED
    due = np.where(state == _PAUSED, NAT, due)
    return ClockArrays(
        state,
        due.view(f"datetime64[{unit}]"),
        elapsed.view(f"timedelta64[{unit}]"),
        (target - elapsed).view(f"timedelta64[{unit}]"),
    )


def _due(
    calendar: WorkCalendar,
    idx: IntervalIndex,
    seg_start: Int64Array,
    seg_pos: Int64Array,
    left: Int64Array,
    scale: int,
) -> Int64Array:
    """The earliest instant at or after seg_start with `left` open time from it
    (`WorkCalendar.add`), read from `idx` where it reaches (all in units of
    1 / `scale` second)."""
    goal = seg_pos + left
    inside = goal <= idx.total
    i = np.searchsorted(idx.cum_end, np.where(inside, goal, 0), side="left")
    due: Int64Array = idx.starts[i] + (goal - idx.cum[i])
    np.copyto(due, seg_start, where=left == 0)
    per_us = US // scale
    for k in np.flatnonzero(~inside):  # past the index: the calendar grows
        at = calendar.add(
            from_us(int(seg_start[k]) * per_us),
            timedelta(microseconds=int(left[k]) * per_us),
        )
        due[k] = to_us(at) // per_us
    return due


def _with_pauses(
    idx: IntervalIndex,
    s: Int64Array,
    target: Int64Array,
    stop: Int64Array,
    stopped: Any,
    pos_start: Int64Array,
    pos_end: Int64Array,
    pauses: tuple[Int64Array, Int64Array, Int64Array],
    beyond: int,
) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array, Any] | None:
    """Segments, due segment and paused open time of the clocks with pauses.

    Steps:
    1. Clip each pause to [start, stop) of its clock (an open pause of an open
       clock ends at `beyond`, just after now); drop empty ones.
    2. Sort by (clock, pause start) unless already sorted.
    3. The running segment before pause k starts where the pauses before it
       ended (running maximum of their ends; the clock's start for the first)
       and ends at the pause's start; its open time is L_k. Positions are
       monotone, so the running maximum is taken on positions as well.
    4. The due time lies in the first segment where the running sum of L
       reaches the target, else in the last segment, from the latest end on.
    """
    owner, p_start, p_end = pauses
    n = s.size
    # 1. clip
    run_on = np.where(stopped, stop, beyond)
    c_start = np.maximum(p_start, s[owner])
    c_end = np.minimum(np.where(p_end == NAT, beyond, p_end), run_on[owner])
    keep = c_end > c_start
    if not keep.all():
        owner, c_start, c_end = owner[keep], c_start[keep], c_end[keep]
        if owner.size == 0:
            return None
    # 2. sort
    owner, c_start, c_end = batch.sort_by_owner(owner, c_start, c_end)
    first = np.ones(owner.size, dtype=np.bool_)
    first[1:] = owner[1:] != owner[:-1]
    last = np.empty_like(first)
    last[:-1] = first[1:]
    last[-1] = True
    # 3. segments
    pos_cs = idx.position(c_start)
    pos_ce = idx.position(c_end)
    prev_pos = batch.previous_max_end(owner, pos_cs, pos_ce)
    seg_pos_k = np.where(first, pos_start[owner], prev_pos)
    seg_len = np.maximum(pos_cs - seg_pos_k, 0)
    # paused open time inside [start, end): from the effective pause start
    pos_e = pos_end[owner]
    eff = np.minimum(np.maximum(pos_cs, prev_pos), pos_e)
    lost_k = np.maximum(np.minimum(pos_ce, pos_e) - eff, 0)
    lost = np.bincount(owner, weights=lost_k, minlength=n).astype(np.int64)
    # 4. the due segment
    run = np.cumsum(seg_len)
    group = np.flatnonzero(first)
    base = (run - seg_len)[group]  # the running sum before each clock's pauses
    counted = run - np.repeat(base, np.diff(np.append(group, owner.size)))
    before = counted - seg_len  # L of the clock's segments before this one
    hit = counted >= target[owner]
    hits = np.flatnonzero(hit)
    hit_first = np.ones(hits.size, dtype=np.bool_)
    hit_owner = owner[hits]
    hit_first[1:] = hit_owner[1:] != hit_owner[:-1]
    hits = hits[hit_first]
    # default: the last segment, from the latest pause end on
    seg_start = s.copy()
    seg_pos = pos_start.copy()
    left = target.copy()
    last_owner = owner[last]
    ends = batch.previous_max_end(owner, c_end, c_end)  # max of earlier ends
    latest = np.maximum(ends, c_end)[last]
    seg_start[last_owner] = latest
    seg_pos[last_owner] = np.maximum(prev_pos, pos_ce)[last]
    left[last_owner] = target[last_owner] - counted[last]
    paused_open = np.zeros(n, dtype=np.bool_)
    paused_open[last_owner] = latest == beyond
    # a hit: the segment before pause k
    k_owner = owner[hits]
    prev_end = np.where(first, s[owner], ends)
    seg_start[k_owner] = prev_end[hits]
    seg_pos[k_owner] = seg_pos_k[hits]
    left[k_owner] = target[k_owner] - before[hits]
    return seg_start, seg_pos, left, lost, paused_open
