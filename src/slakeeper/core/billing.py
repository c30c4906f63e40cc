"""Billing arithmetic: rounding of tracked time, hourly rates, line amounts, totals.

`Decimal` only, never floats; durations are exact `timedelta`s. The rules and
worked examples are in docs/billing.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, get_args

from slakeeper.core.calendar import WorkCalendar, to_us
from slakeeper.core.errors import CoreError
from slakeeper.core.states import RateSource

__all__ = [
    "AppliedRate",
    "BillingError",
    "RateTable",
    "Rounding",
    "RoundingMode",
    "RoundingScope",
    "Totals",
    "invoice_totals",
    "line_amount",
    "local_day",
    "minor_unit",
    "round_duration",
    "round_entries",
    "split_by_calendar",
]

RoundingMode = Literal["up", "down", "nearest"]
RoundingScope = Literal["entry", "day", "invoice"]

_US_PER_HOUR = 3_600_000_000
_ONE_US = timedelta(microseconds=1)
# ISO 4217 currencies whose minor unit is not the cent; every other code has 2.
_MINOR_UNITS = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3,
    "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0,
    "TND": 3, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip


class BillingError(CoreError):
    """Billing arithmetic was given something it refuses: a float, a negative
    duration, a zero rounding step, amounts finer than the currency's minor unit."""


def decimal_arg(value: object, name: str) -> Decimal:
    """`value` itself when it is a finite Decimal; anything else (a float above
    all) raises BillingError."""
    if not isinstance(value, Decimal):
        raise BillingError(
            f"{name} {value!r} must be a Decimal (quote amounts: Decimal('95.00'));"
            " floats lose cents and are never accepted"
        )
    if not value.is_finite():
        raise BillingError(f"{name} {value} must be a finite number")
    return value


def _micros(value: object, name: str) -> int:
    if not isinstance(value, timedelta):
        raise BillingError(f"{name} {value!r} must be a timedelta")
    return value // _ONE_US


def minor_unit(currency: str | None) -> int:
    """Decimal places of a currency's minor unit (ISO 4217): 2 unless listed
    otherwise (`JPY` 0, `KWD` 3); `None` means 2."""
    return 2 if currency is None else _MINOR_UNITS.get(currency.upper(), 2)


def quantize_half_up(value: Fraction, places: int) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (ROUND_HALF_UP),
    so that a negative amount is exactly the mirror of the positive one."""
    scaled = abs(value) * 10**places
    units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(units if value >= 0 else -units).scaleb(-places)


# -- rounding ------------------------------------------------------------------


def round_duration(raw: timedelta, step: timedelta, mode: RoundingMode) -> timedelta:
    """`raw` rounded to a whole number of `step`s, exactly (to the microsecond).

    `up` and `down` round towards and away from zero; `nearest` rounds a half step
    up. A negative `raw` or a step that is not positive raises BillingError.
    """
    raw_us, step_us = _micros(raw, "duration"), _micros(step, "rounding step")
    if step_us <= 0:
        raise BillingError(f"rounding step {step} must be positive")
    if raw_us < 0:
        raise BillingError(f"duration {raw} is negative; tracked time is zero or more")
    steps, rest = divmod(raw_us, step_us)
    if mode == "up":
        steps += rest > 0
    elif mode == "nearest":
        steps += 2 * rest >= step_us
    elif mode != "down":
        raise BillingError(f"rounding mode {mode!r} must be up, down or nearest")
    return steps * step


@dataclass(frozen=True, slots=True)
class Rounding:
    """The agreement's rounding rule: `to: 15m, mode: up, per: entry`."""

    step: timedelta
    mode: RoundingMode = "up"
    per: RoundingScope = "entry"

    def __post_init__(self) -> None:
        if _micros(self.step, "rounding step") <= 0:
            raise BillingError(f"rounding step {self.step} must be positive")
        if self.mode not in get_args(RoundingMode):
            raise BillingError(
                f"rounding mode {self.mode!r} must be up, down or nearest"
            )
        if self.per not in get_args(RoundingScope):
            raise BillingError(
                f"rounding per {self.per!r} must be entry, day or invoice"
            )


def local_day(at: datetime, tz: tzinfo) -> date:
    """The local date of an instant in `tz`: the day an entry counts for when
    rounding is per day. A naive datetime raises NaiveDatetimeError."""
    to_us(at, "start")
    return at.astimezone(tz).date()


def round_entries(
    durations: Sequence[timedelta],
    rounding: Rounding,
    *,
    days: Sequence[date] | None = None,
) -> tuple[timedelta, ...]:
    """The rounded duration of each entry, in the order given.

    1. `per: entry` rounds each entry on its own.
    2. `per: day` sums the raw time of each day (`days[i]` is entry i's local
       day, see `local_day`) and rounds each day's sum once; `per: invoice` rounds
       the sum of all entries once.
    3. Within a group, every entry keeps its raw time and the group's rounding
       difference goes to its last entry (in the order given). A negative
       difference larger than that entry takes the rest from the entries before
       it, latest first, so no entry goes below zero. The rounded durations
       always add up to the group's rounded total.
    """
    raws = tuple(durations)
    for raw in raws:
        round_duration(raw, rounding.step, "down")  # type and sign checks
    if rounding.per == "entry":
        return tuple(round_duration(r, rounding.step, rounding.mode) for r in raws)
    if rounding.per == "invoice":
        keys: tuple[object, ...] = (None,) * len(raws)
    else:
        if days is None or len(days) != len(raws):
            raise BillingError("rounding per day needs the local day of every entry")
        keys = tuple(days)
    groups: dict[object, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    out = list(raws)
    for members in groups.values():
        total = sum((raws[i] for i in members), timedelta(0))
        difference = round_duration(total, rounding.step, rounding.mode) - total
        for i in reversed(members):
            share = max(difference, -out[i])
            out[i] += share
            difference -= share
    return tuple(out)


# -- rates ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppliedRate:
    """The hourly rate chosen for a piece of work and the rule that chose it
    (`source`; `key` is the priority or role that matched)."""

    per_hour: Decimal
    source: RateSource
    key: str | None = None


@dataclass(frozen=True, slots=True)
class RateTable:
    """The agreement's hourly rates.

    Precedence, first match wins: `out_of_hours` (work outside the office
    calendar), then `per_priority` (the ticket's priority), then `per_role` (the
    person's role), then `default`.
    """

    default: Decimal
    per_role: Mapping[str, Decimal] = field(default_factory=dict)
    per_priority: Mapping[str, Decimal] = field(default_factory=dict)
    out_of_hours: Decimal | None = None

    def __post_init__(self) -> None:
        _rate(self.default, "default rate")
        if self.out_of_hours is not None:
            _rate(self.out_of_hours, "out-of-hours rate")
        for name in ("per_role", "per_priority"):
            table = dict(getattr(self, name))
            for key, value in table.items():
                _rate(value, f"{name} rate {key!r}")
            object.__setattr__(self, name, MappingProxyType(table))

    def __hash__(self) -> int:
        return hash(
            (
                self.default,
                frozenset(self.per_role.items()),
                frozenset(self.per_priority.items()),
                self.out_of_hours,
            )
        )

    def rate_for(
        self,
        *,
        role: str | None = None,
        priority: str | None = None,
        out_of_hours: bool = False,
    ) -> AppliedRate:
        """The rate for work by `role` on a ticket of `priority`; `out_of_hours`
        is for the part of the work outside the office calendar."""
        if out_of_hours and self.out_of_hours is not None:
            return AppliedRate(self.out_of_hours, RateSource.OUT_OF_HOURS)
        if priority is not None and priority in self.per_priority:
            return AppliedRate(
                self.per_priority[priority], RateSource.PRIORITY, priority
            )
        if role is not None and role in self.per_role:
            return AppliedRate(self.per_role[role], RateSource.ROLE, role)
        return AppliedRate(self.default, RateSource.DEFAULT)


def _rate(value: object, name: str) -> None:
    if decimal_arg(value, name) < 0:
        raise BillingError(f"{name} {value} is negative")


def split_by_calendar(
    calendar: WorkCalendar, start: datetime, end: datetime
) -> tuple[timedelta, timedelta]:
    """(inside office hours, outside) of the work done in [start, end).

    Elapsed time is measured between the two instants (in UTC), so an hour
    repeated or skipped by a DST change counts as it really passed.
    """
    start_us, end_us = to_us(start, "start"), to_us(end, "end")
    if end_us < start_us:
        raise BillingError(f"end {end.isoformat()} is before start {start.isoformat()}")
    inside = calendar.between(start, end)
    return inside, timedelta(microseconds=end_us - start_us) - inside


# -- amounts -------------------------------------------------------------------


def line_amount(
    duration: timedelta, rate_per_hour: Decimal, *, currency: str | None = None
) -> Decimal:
    """`duration` times `rate_per_hour`, rounded once to the currency's minor unit
    (2 places unless `currency` says otherwise), halves away from zero.

    A negative duration (a credit note reversing work) gives the exact negative
    of the positive line.
    """
    micros = _micros(duration, "duration")
    rate = decimal_arg(rate_per_hour, "rate")
    return quantize_half_up(
        Fraction(micros) * Fraction(rate) / _US_PER_HOUR, minor_unit(currency)
    )


@dataclass(frozen=True, slots=True)
class Totals:
    """An invoice's net total, the tax on it and the gross total."""

    net: Decimal
    tax: Decimal
    gross: Decimal


def invoice_totals(
    lines: Iterable[Decimal], tax_rate: Decimal, *, currency: str | None = None
) -> Totals:
    """Sum the line amounts and compute tax once, on the net total.

    `tax_rate` is a percentage as agreements write it: `Decimal("19")` for 19 %.
    Lines must already be whole minor units (as `line_amount` returns them); a
    finer amount raises BillingError rather than being rounded silently.
    """
    places = minor_unit(currency)
    unit = Decimal(1).scaleb(-places)
    rate = decimal_arg(tax_rate, "tax rate")
    if not 0 <= rate <= 100:
        raise BillingError(f"tax rate {rate} must be between 0 and 100 (percent)")
    net = Decimal(0).scaleb(-places)
    for i, line in enumerate(lines):
        amount = decimal_arg(line, f"line {i}")
        if amount != amount.quantize(unit):
            raise BillingError(f"line {i} {amount} is finer than {unit}")
        net += amount
    tax = quantize_half_up(Fraction(net) * Fraction(rate) / 100, places)
    return Totals(net=net.quantize(unit), tax=tax, gross=(net + tax).quantize(unit))
