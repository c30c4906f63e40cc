"""Service credits: compliance per measure and the credit a period earns
(SLA-CLOCK section 7). Rules and worked examples: docs/billing.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction

from slakeeper.core.billing import (
    BillingError,
    decimal_arg,
    minor_unit,
    quantize_half_up,
)

__all__ = ["CreditResult", "CreditTier", "MeasureKey", "compliance", "credit_owed"]

MeasureKey = tuple[str, tuple[str, ...]]
"""(measure, priorities): `("response_on_time", ("critical", "high"))`; an empty
tuple of priorities means all priorities."""

_HUNDRED = Decimal(100)


def compliance(met: int, breached: int) -> Decimal | None:
    """met / (met + breached) as a percentage (`Decimal("95")` for 95 %).

    `None` when nothing was measured (0 of 0). The quotient is rounded down at
    28 significant digits, so it is below a tier's threshold exactly when the
    true ratio is.
    """
    for name, count in (("met", met), ("breached", breached)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BillingError(f"{name} {count!r} must be a whole number, 0 or more")
    if met + breached == 0:
        return None
    with localcontext() as ctx:
        ctx.rounding = ROUND_FLOOR
        return Decimal(met * 100) / Decimal(met + breached)


@dataclass(frozen=True, slots=True)
class CreditTier:
    """One row of the agreement's credit table: when `measure` (over
    `priorities`; empty means all) falls below `below` %, `credit` % of the fee is
    owed."""

    measure: str
    priorities: tuple[str, ...]
    below: Decimal
    credit: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "priorities", _normal(self.priorities))
        _percent(self.below, "tier threshold")
        _percent(self.credit, "tier credit")

    @property
    def key(self) -> MeasureKey:
        return (self.measure, self.priorities)


@dataclass(frozen=True, slots=True)
class CreditResult:
    """The credit a period earns.

    `percent` is the share of the fee owed (after the cap), `amount` that share
    of the fee (positive; the invoice shows it as a negative line), `tier_index`
    the position of the tier that applied (`None` if none did), `capped` whether
    the cap cut it, `reason` a sentence for the report, `not_measured` the
    measures with nothing to measure (0 of 0).
    """

    percent: Decimal
    amount: Decimal
    tier_index: int | None
    capped: bool
    reason: str
    not_measured: tuple[MeasureKey, ...] = ()


def credit_owed(
    compliance_by_measure: Mapping[MeasureKey, Decimal | None],
    tiers: Sequence[CreditTier],
    cap: Decimal,
    fee: Decimal,
    *,
    currency: str | None = None,
) -> CreditResult:
    """The credit owed for one period.

    1. Each tier looks up its measure's compliance (keys compare with the
       priorities sorted; a tier whose measure is missing raises BillingError).
    2. A tier applies when its measure was measured and is below the threshold;
       a measure with nothing to measure (`None`) earns no credit.
    3. Of the tiers that apply, the one with the largest credit is owed, not the
       sum (ties: the first in agreement order).
    4. The credit is capped at `cap` % and owed as that share of `fee`, rounded
       to the currency's minor unit, halves up.
    """
    cap = _percent(cap, "cap")
    if decimal_arg(fee, "fee") < 0:
        raise BillingError(f"fee {fee} is negative")
    measured: dict[MeasureKey, Decimal | None] = {}
    for (measure, priorities), value in compliance_by_measure.items():
        if value is not None:
            _percent(value, f"compliance of {measure}")
        measured[(measure, _normal(priorities))] = value
    chosen: int | None = None
    missing: list[MeasureKey] = []
    for i, tier in enumerate(tiers):
        if tier.key not in measured:
            raise BillingError(f"no compliance given for {_label(tier.key)}")
        value = measured[tier.key]
        if value is None:
            if tier.key not in missing:
                missing.append(tier.key)
        elif value < tier.below and (
            chosen is None or tier.credit > tiers[chosen].credit
        ):
            chosen = i
    not_measured = tuple(missing)
    skipped = "".join(f"; {_label(k)} not measured" for k in not_measured)
    if chosen is None:
        zero = quantize_half_up(Fraction(0), minor_unit(currency))
        return CreditResult(
            Decimal(0), zero, None, False, "no tier applies" + skipped, not_measured
        )
    tier = tiers[chosen]
    percent = min(tier.credit, cap)
    amount = quantize_half_up(
        Fraction(fee) * Fraction(percent) / 100, minor_unit(currency)
    )
    reason = (
        f"{_label(tier.key)} {_text(measured[tier.key])} % is below"
        f" {_text(tier.below)} %: {_text(tier.credit)} % of the fee"
    )
    if tier.credit > cap:
        reason += f", capped at {_text(cap)} %"
    return CreditResult(
        percent, amount, chosen, tier.credit > cap, reason + skipped, not_measured
    )


def _normal(priorities: Sequence[str]) -> tuple[str, ...]:
    if isinstance(priorities, str):
        raise BillingError(f"priorities {priorities!r} must be a tuple of names")
    return tuple(sorted(set(priorities)))


def _percent(value: object, name: str) -> Decimal:
    number = decimal_arg(value, name)
    if not 0 <= number <= _HUNDRED:
        raise BillingError(f"{name} {number} must be between 0 and 100 (percent)")
    return number


def _label(key: MeasureKey) -> str:
    measure, priorities = key
    return f"{measure} ({', '.join(priorities)})" if priorities else measure


def _text(value: Decimal | None) -> str:
    """A percentage for people: at most two decimals, cut (not rounded) so that
    94.999 % never reads as 95 %."""
    assert value is not None
    cut = value.quantize(Decimal("0.01"), rounding=ROUND_FLOOR).normalize()
    return f"{cut:f}"
