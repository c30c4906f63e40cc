"""The lines of an invoice, computed from what is billed: time entries (split by
the office calendar, rated and rounded), fixed fees of milestones and credits.
Pure: `services/invoicing/sources.py` loads what is billed and
`services/invoicing/invoices.py` stores the lines. The arithmetic is `core/billing.py`'s
(docs/billing.md sections 1-6); the rules for putting it on lines are in
docs/billing.md section 9.

Time lines, step by step:

1. Each entry with a start and an end is split into the part inside the
   office calendar (the agreement's default calendar) and the part outside it
   (`split_by_calendar`), when the agreement has an `out_of_hours` rate; an
   entry given only as a duration is billed as office-hours work. The part the
   entry ends in comes last.
2. Each part gets its rate: out of hours, else by the ticket's priority, else
   by the person's role in the agreement, else the default
   (`RateTable.rate_for`).
3. Rounding (the agreement's `rounding`, applied here and nowhere else): the
   parts are taken in the order the work was done and grouped per entry, per
   local day of the entry's start, or all together (`per: entry|day|invoice`);
   each group's raw total is rounded once and the difference goes to the
   group's last part (`round_entries`), so an entry split in two is rounded as
   one entry.
4. Parts with the same rate and rule make one line (`group_by: rate`; with
   `ticket`, one line per ticket and rate). A line's amount is its rounded
   time times its rate, rounded once to the currency's minor unit
   (`line_amount`); each entry's share is shown beside it with its own amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from slakeeper.core.billing import (
    AppliedRate,
    BillingError,
    RateTable,
    Rounding,
    line_amount,
    local_day,
    minor_unit,
    quantize_half_up,
    round_entries,
    split_by_calendar,
)
from slakeeper.core.calendar import WorkCalendar
from slakeeper.core.states import InvoiceGrouping, LineKind, RateSource

__all__ = [
    "BillableWork",
    "LinePlan",
    "RowPlan",
    "credit_line",
    "fixed_line",
    "invoice_hours",
    "money",
    "percent_of",
    "time_lines",
]

_SOURCE_ORDER = {
    RateSource.DEFAULT: 0,
    RateSource.ROLE: 1,
    RateSource.PRIORITY: 2,
    RateSource.OUT_OF_HOURS: 3,
}
_SECOND = timedelta(seconds=1)
_US = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class BillableWork:
    """One time entry to bill, with everything its rate depends on."""

    entry_id: int
    worked_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    seconds: int
    updated_at: datetime
    rates: RateTable
    office: WorkCalendar
    role: str | None = None
    priority: str | None = None
    ticket: str | None = None  # its key


@dataclass(frozen=True, slots=True)
class RowPlan:
    """An entry's share of a line."""

    entry_id: int
    updated_at: datetime
    raw_seconds: int
    rounded_seconds: int
    rate: Decimal
    amount: Decimal
    rate_source: RateSource


@dataclass(frozen=True, slots=True)
class LinePlan:
    """A line as it will be stored."""

    kind: LineKind
    description: str
    quantity: Decimal
    unit: str  # HUR, C62
    unit_price: Decimal
    amount: Decimal
    raw_seconds: int = 0
    rounded_seconds: int = 0
    rate_source: RateSource | None = None
    rows: tuple[RowPlan, ...] = ()
    milestone_id: int | None = None
    credit_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Part:
    work: BillableWork
    order: int  # 0, or 1 for the second part of a split entry
    raw: timedelta
    rate: AppliedRate


def money(value: Decimal, currency: str) -> Decimal:
    """`value` with exactly the currency's minor-unit places (it must already be
    a whole number of minor units: stored amounts come back with the column's
    scale)."""
    unit = Decimal(1).scaleb(-minor_unit(currency))
    out = value.quantize(unit)
    if out != value:
        raise BillingError(f"{value} is finer than {unit} {currency}")
    return out


def invoice_hours(seconds: int) -> Decimal:
    """Hours as an invoice shows them: at least two places, at most four
    (rounded half up); the amount is always computed from the seconds."""
    value = (Decimal(seconds) / 3600).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return (
        value
        if value != value.quantize(Decimal("0.01"))
        else value.quantize(Decimal("0.01"))
    )


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`percent` % of `amount`, rounded half away from zero to the minor unit."""
    return quantize_half_up(
        Fraction(amount) * Fraction(percent) / 100, minor_unit(currency)
    )


def _parts(work: BillableWork) -> list[_Part]:
    """The entry's parts in the order the work was done (step 1) with their
    rates (step 2)."""

    def rate(out_of_hours: bool) -> AppliedRate:
        return work.rates.rate_for(
            role=work.role, priority=work.priority, out_of_hours=out_of_hours
        )

    raw = timedelta(seconds=work.seconds)
    start, end = work.started_at, work.ended_at
    if work.rates.out_of_hours is None or start is None or end is None:
        return [_Part(work, 0, raw, rate(False))]
    inside, outside = split_by_calendar(work.office, start, end)
    pieces = [(False, inside), (True, outside)]
    if work.office.is_open(end - _US):  # it ends in office hours
        pieces.reverse()
    kept = [(out, d) for out, d in pieces if d > timedelta(0)] or [(False, raw)]
    return [_Part(work, i, d, rate(out)) for i, (out, d) in enumerate(kept)]


def _whole_seconds(value: timedelta) -> int:
    seconds, rest = divmod(value, _SECOND)
    assert not rest, f"{value} is not a whole number of seconds"
    return int(seconds)


def _describe(rate: AppliedRate) -> str:
    if rate.source is RateSource.OUT_OF_HOURS:
        return "Work outside office hours"
    if rate.source is RateSource.PRIORITY:
        return f"{str(rate.key).capitalize()} priority work"
    if rate.source is RateSource.ROLE:
        return f"Work as {rate.key}"
    return "Work"


def time_lines(
    work: Sequence[BillableWork],
    rounding: Rounding | None,
    zone: ZoneInfo,
    currency: str,
    group_by: str = InvoiceGrouping.RATE,
) -> list[LinePlan]:
    """The time lines for `work` (steps 1-4 of the module's docstring); `zone`
    dates entries for rounding per day. No rounding rule: rounded is raw."""
    try:
        grouping = InvoiceGrouping(group_by)
    except ValueError:
        raise BillingError(
            f"group_by {group_by!r} must be one of {', '.join(InvoiceGrouping)}"
        ) from None
    parts = sorted(
        (p for w in work for p in _parts(w)),
        key=lambda p: (p.work.worked_at, p.work.entry_id, p.order),
    )
    rounded: dict[tuple[int, int], timedelta] = {}
    groups: dict[object, list[_Part]] = {}
    for part in parts:
        if rounding is None or rounding.per == "entry":
            key: object = part.work.entry_id
        elif rounding.per == "day":
            key = local_day(part.work.worked_at, zone)
        else:
            key = None
        groups.setdefault(key, []).append(part)
    for members in groups.values():
        raws = [p.raw for p in members]
        if rounding is None:
            done: Sequence[timedelta] = raws
        else:
            done = round_entries(
                raws, Rounding(rounding.step, rounding.mode, "invoice")
            )
        for part, value in zip(members, done, strict=True):
            rounded[(part.work.entry_id, part.order)] = value

    lines: dict[tuple[str, int, str, Decimal], list[_Part]] = {}
    for part in parts:
        ticket = (part.work.ticket or "") if grouping is InvoiceGrouping.TICKET else ""
        rate = part.rate
        line_key = (ticket, _SOURCE_ORDER[rate.source], rate.key or "", rate.per_hour)
        lines.setdefault(line_key, []).append(part)
    out: list[LinePlan] = []
    for line_key in sorted(lines, key=lambda k: (k[0] == "", k)):
        members = lines[line_key]
        rate = members[0].rate
        # one row per entry: the two parts of a split entry have different
        # rates (out of hours and not), so they are never on the same line
        rows: list[RowPlan] = []
        raw_total = rounded_total = 0
        for part in members:
            raw_s = _whole_seconds(part.raw)
            rounded_s = _whole_seconds(rounded[(part.work.entry_id, part.order)])
            raw_total, rounded_total = raw_total + raw_s, rounded_total + rounded_s
            rows.append(
                RowPlan(
                    entry_id=part.work.entry_id,
                    updated_at=part.work.updated_at,
                    raw_seconds=raw_s,
                    rounded_seconds=rounded_s,
                    rate=rate.per_hour,
                    amount=line_amount(
                        timedelta(seconds=rounded_s), rate.per_hour, currency=currency
                    ),
                    rate_source=rate.source,
                )
            )
        description = _describe(rate)
        if grouping is InvoiceGrouping.TICKET:
            description = f"{line_key[0] or 'Without a ticket'}: {description}"
        out.append(
            LinePlan(
                kind=LineKind.TIME,
                description=description,
                quantity=invoice_hours(rounded_total),
                unit="HUR",
                unit_price=rate.per_hour,
                amount=line_amount(
                    timedelta(seconds=rounded_total), rate.per_hour, currency=currency
                ),
                raw_seconds=raw_total,
                rounded_seconds=rounded_total,
                rate_source=rate.source,
                rows=tuple(rows),
            )
        )
    return out


def fixed_line(
    description: str, fee: Decimal, currency: str, milestone_id: int
) -> LinePlan:
    """A milestone's fixed fee: one unit at the fee."""
    amount = money(fee, currency)
    return LinePlan(
        kind=LineKind.FIXED,
        description=description,
        quantity=Decimal("1"),
        unit="C62",
        unit_price=amount,
        amount=amount,
        milestone_id=milestone_id,
    )


def credit_line(description: str, amount: Decimal, credit_id: int) -> LinePlan:
    """A credit of `amount` (positive): minus one unit at `amount`, so the price
    is never negative (EN 16931 BR-27) and the line amount is."""
    return LinePlan(
        kind=LineKind.CREDIT,
        description=description,
        quantity=Decimal("-1"),
        unit="C62",
        unit_price=amount,
        amount=-amount,
        credit_id=credit_id,
    )
