"""Array helpers for the vectorised calendar API: input checks, NaT handling,
and the open time inside the union of each item's pauses."""

from __future__ import annotations

from typing import Any

import numpy as np

from slakeeper.core.errors import CalendarError
from slakeeper.core.index import Int64Array, IntervalIndex

__all__ = [
    "fill_nat",
    "paused_open_time",
    "previous_max_end",
    "restore_nat",
    "same_shape",
    "seconds",
    "sort_by_owner",
]

NAT = np.iinfo(np.int64).min
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def seconds(values: Any, name: str, *, kind: str = "M", unit: str = "s") -> Int64Array:
    """A `datetime64` (kind M) or `timedelta64` (kind m) array as int64 counts of
    `unit`: seconds, or microseconds with `unit="us"`."""
    arr = np.asarray(values)
    wanted = f"{'datetime64' if kind == 'M' else 'timedelta64'}[{unit}]"
    if arr.dtype.kind != kind:
        raise CalendarError(f"{name} must be a numpy {wanted} array, not {arr.dtype}")
    if arr.dtype != np.dtype(wanted):
        arr = arr.astype(wanted)
    return arr.view(np.int64)


def same_shape(a: Int64Array, b: Int64Array, a_name: str, b_name: str) -> None:
    if a.shape != b.shape:
        raise CalendarError(
            f"{a_name} and {b_name} must have the same shape: {a.shape} != {b.shape}"
        )


def fill_nat(
    first: Int64Array, second: Int64Array, *, fill_second: int | None = None
) -> tuple[Int64Array, Int64Array, BoolArray | None]:
    """Replace NaT items by harmless values; return the mask to restore them.

    A NaT in either array marks the item; the first array's NaT takes the other
    array's value (or the first valid one), the second's takes `fill_second` (or
    the first array's value).
    """
    if first.size == 0 or (first.min() != NAT and second.min() != NAT):
        return first, second, None
    nat = (first == NAT) | (second == NAT)
    if nat.all():
        return np.zeros_like(first), np.zeros_like(second), nat
    anchor = first[~nat][0]
    first = np.where(nat, anchor, first)
    second = np.where(nat, anchor if fill_second is None else fill_second, second)
    return first, second, nat


def restore_nat(out: Int64Array, nat: BoolArray | None) -> Int64Array:
    if nat is not None:
        out[nat] = NAT
    return out


def paused_open_time(
    idx: IntervalIndex,
    starts: Int64Array,
    ends: Int64Array,
    pauses: tuple[Any, Any, Any],
) -> Int64Array:
    """Open seconds inside the union of each item's pauses, clipped to its span.

    Steps:
    1. Clip each pause to its owner's [start, end) and drop empty ones.
    2. Sort by (owner, pause start) unless already sorted.
    3. A pause counts only from where the pauses before it (same owner) ended:
       effective start = max(start, running maximum of earlier ends), so every
       instant of the union is counted once.
    4. Sum the open time of the effective spans per owner.
    """
    if len(pauses) != 3:
        raise CalendarError("pauses must be a tuple (owner, pause_starts, pause_ends)")
    owner = np.asarray(pauses[0])
    if owner.dtype.kind not in "iu":
        raise CalendarError(f"pause owners must be an integer array, not {owner.dtype}")
    owner = owner.astype(np.int64, copy=False)
    p_start = seconds(pauses[1], "pause_starts")
    p_end = seconds(pauses[2], "pause_ends")
    same_shape(owner, p_start, "pause owners", "pause_starts")
    same_shape(owner, p_end, "pause owners", "pause_ends")
    n = starts.size
    total = np.zeros(n, dtype=np.int64)
    if owner.size == 0:
        return total
    if owner.min() < 0 or owner.max() >= n:
        raise CalendarError(f"pause owners must be item indices from 0 to {n - 1}")
    if p_start.min() == NAT:
        raise CalendarError("pause_starts must not hold NaT")
    p_end = np.where(p_end == NAT, np.iinfo(np.int64).max, p_end)
    # 1. clip
    c_start = np.maximum(p_start, starts[owner])
    c_end = np.minimum(p_end, ends[owner])
    keep = c_end > c_start
    if not keep.all():
        owner, c_start, c_end = owner[keep], c_start[keep], c_end[keep]
        if owner.size == 0:
            return total
    # 2. sort by (owner, start)
    owner, c_start, c_end = sort_by_owner(owner, c_start, c_end)
    # 3. running maximum of ends within each owner
    prev_end = previous_max_end(owner, c_start, c_end)
    eff_start = np.maximum(c_start, prev_end)
    eff_start = np.minimum(eff_start, c_end)
    spent = idx.position(c_end) - idx.position(eff_start)
    # 4. per-owner sums (float64 sums of whole seconds are exact below 2**53)
    return np.bincount(owner, weights=spent, minlength=n).astype(np.int64)


def sort_by_owner(
    owner: Int64Array, start: Int64Array, end: Int64Array
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Spans ordered by (owner, start); already ordered input is not re-sorted."""
    if owner.size > 1:
        d_owner = np.diff(owner)
        ordered = (d_owner > 0) | ((d_owner == 0) & (np.diff(start) >= 0))
        if not ordered.all():
            order = np.lexsort((start, owner))
            return owner[order], start[order], end[order]
    return owner, start, end


def previous_max_end(
    owner: Int64Array, c_start: Int64Array, c_end: Int64Array
) -> Int64Array:
    """For each pause, the latest end among the earlier pauses of its owner
    (or its own start when it is the owner's first)."""
    base = int(c_start.min())
    span = int(c_end.max()) - base + 1
    first_of_owner = np.ones(owner.size, dtype=bool)
    first_of_owner[1:] = owner[1:] != owner[:-1]
    if int(owner.max()) < (2**62) // span:
        # one pass: offset each owner's ends so a global running max never
        # crosses from one owner into the next
        key = owner * span + (c_end - base)
        running = np.maximum.accumulate(key)
        prev = np.empty_like(running)
        prev[0] = 0
        prev[1:] = running[:-1]
        prev_end = prev - owner * span + base
    else:  # pragma: no cover - needs owner counts x spans beyond 2**62
        prev_end = np.empty_like(c_end)
        current = 0
        for k in range(owner.size):
            if first_of_owner[k]:
                current = int(c_start[k])
            prev_end[k] = current
            current = max(current, int(c_end[k]))
    return np.where(first_of_owner, c_start, prev_end)
