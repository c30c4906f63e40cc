"""Service credits (SLA-CLOCK section 7, docs/billing.md)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slakeeper.core.billing import BillingError
from slakeeper.core.credits import (
    CreditResult,
    CreditTier,
    compliance,
    credit_owed,
)

D = Decimal
URGENT = ("critical", "high")
RESPONSE = ("response_on_time", URGENT)
RESOLUTION = ("resolution_on_time", ())
# The example agreement: below 95 % 5 %, below 90 % 10 %, capped at 20 %.
TIERS = (
    CreditTier("response_on_time", URGENT, below=D("95"), credit=D("5")),
    CreditTier("response_on_time", URGENT, below=D("90"), credit=D("10")),
)
FEE = D("1500.00")
CAP = D("20")


def owed(
    value: Decimal | None,
    tiers: Sequence[CreditTier] = TIERS,
    cap: Decimal = CAP,
    fee: Decimal = FEE,
) -> CreditResult:
    return credit_owed({RESPONSE: value}, tiers, cap, fee)


# -- compliance ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("met", "breached", "percent"),
    [(19, 1, D("95")), (0, 5, D("0")), (5, 0, D("100")), (9, 1, D("90"))],
)
def test_compliance_is_the_share_met_as_a_percentage(met, breached, percent):
    assert compliance(met, breached) == percent


def test_nothing_to_measure_is_not_measured_rather_than_zero_or_full():
    assert compliance(0, 0) is None


def test_a_repeating_quotient_is_cut_never_rounded_up():
    two_thirds = compliance(2, 1)
    assert two_thirds is not None
    assert str(two_thirds) == "66." + "6" * 26


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 100))
def test_compliance_is_below_a_threshold_exactly_when_the_ratio_is(met, breached, t):
    value = compliance(met, breached)
    if met + breached == 0:
        assert value is None
    else:
        assert value is not None
        assert (value < t) == (met * 100 < t * (met + breached))


@pytest.mark.parametrize(("met", "breached"), [(-1, 3), (3, -1), (True, 1), (1.0, 1)])
def test_compliance_counts_are_whole_numbers_zero_or_more(met, breached):
    with pytest.raises(BillingError, match="whole number"):
        compliance(met, breached)


# -- credit_owed ---------------------------------------------------------------------


def test_no_credit_when_no_tier_applies():
    result = owed(D("96"))
    assert result == CreditResult(D("0"), D("0.00"), None, False, "no tier applies")
    assert str(result.amount) == "0.00"


def test_a_measure_exactly_at_the_threshold_is_not_below_it():
    assert owed(D("95")).tier_index is None
    assert owed(compliance(19, 1)).tier_index is None


def test_one_tier_applies():
    result = owed(D("93"))
    assert (result.percent, result.amount, result.tier_index, result.capped) == (
        D("5"),
        D("75.00"),
        0,
        False,
    )
    assert result.reason == (
        "response_on_time (critical, high) 93 % is below 95 %: 5 % of the fee"
    )


def test_when_two_tiers_apply_the_highest_is_owed_not_the_sum():
    result = owed(compliance(22, 3))  # 88 %
    assert (result.percent, result.amount, result.tier_index) == (
        D("10"),
        D("150.00"),
        1,
    )


def test_tier_order_in_the_agreement_does_not_matter():
    result = owed(D("88"), tiers=TIERS[::-1])
    assert (result.percent, result.tier_index) == (D("10"), 0)


def test_the_credit_is_capped():
    tiers = (*TIERS, CreditTier("response_on_time", URGENT, D("80"), D("30")))
    result = owed(D("70"), tiers=tiers)
    assert (result.percent, result.amount, result.tier_index, result.capped) == (
        D("20"),
        D("300.00"),
        2,
        True,
    )
    assert result.reason.endswith("30 % of the fee, capped at 20 %")
    assert owed(D("70"), tiers=tiers, cap=D("30")).capped is False


def test_a_measure_with_nothing_to_measure_earns_no_credit_and_is_reported():
    result = owed(compliance(0, 0))
    assert (result.percent, result.amount, result.tier_index) == (
        D("0"),
        D("0.00"),
        None,
    )
    assert result.not_measured == (RESPONSE,)
    assert (
        result.reason
        == "no tier applies; response_on_time (critical, high) not measured"
    )


def test_across_measures_the_largest_credit_wins_and_unmeasured_ones_are_listed():
    tiers = (
        *TIERS,
        CreditTier("resolution_on_time", (), D("90"), D("8")),
        CreditTier("update_on_time", (), D("90"), D("15")),
    )
    result = credit_owed(
        {
            RESPONSE: D("93"),
            RESOLUTION: compliance(2, 1),
            ("update_on_time", ()): None,
        },
        tiers,
        CAP,
        FEE,
    )
    assert (result.percent, result.amount, result.tier_index) == (
        D("8"),
        D("120.00"),
        2,
    )
    assert result.reason == (
        "resolution_on_time 66.66 % is below 90 %: 8 % of the fee;"
        " update_on_time not measured"
    )
    assert result.not_measured == (("update_on_time", ()),)


def test_equal_credits_go_to_the_first_tier_in_agreement_order():
    tiers = (
        CreditTier("response_on_time", URGENT, D("95"), D("5")),
        CreditTier("resolution_on_time", (), D("95"), D("5")),
    )
    result = credit_owed({RESPONSE: D("50"), RESOLUTION: D("50")}, tiers, CAP, FEE)
    assert result.tier_index == 0


def test_priorities_match_in_any_order():
    tier = CreditTier("response_on_time", ["high", "critical", "high"], D("95"), D("5"))  # type: ignore[arg-type]
    assert tier.priorities == ("critical", "high")
    result = credit_owed(
        {("response_on_time", ("high", "critical")): D("90")}, [tier], CAP, FEE
    )
    assert result.tier_index == 0


def test_the_amount_is_rounded_to_the_cent_half_up():
    assert owed(D("93"), fee=D("99.99")).amount == D("5.00")  # 4.9995
    assert owed(D("93"), fee=D("99.89")).amount == D("4.99")  # 4.9945
    result = credit_owed({RESPONSE: D("93")}, TIERS, CAP, D("1001"), currency="JPY")
    assert str(result.amount) == "50"


def test_a_tier_without_a_compliance_figure_is_a_caller_error():
    with pytest.raises(BillingError, match="no compliance given for response_on_time"):
        credit_owed({RESOLUTION: D("50")}, TIERS, CAP, FEE)


@pytest.mark.parametrize(
    ("value", "cap", "fee", "message"),
    [
        (D("93"), CAP, 1500.0, "must be a Decimal"),
        (D("93"), CAP, D("-1"), "fee -1 is negative"),
        (D("93"), D("120"), FEE, "between 0 and 100"),
        (D("93"), 20.0, FEE, "must be a Decimal"),
        (D("101"), CAP, FEE, "between 0 and 100"),
        (0.93, CAP, FEE, "must be a Decimal"),
    ],
)
def test_credit_owed_refuses_floats_and_out_of_range_figures(value, cap, fee, message):
    with pytest.raises(BillingError, match=message):
        owed(value, cap=cap, fee=fee)


def test_tiers_refuse_bad_figures_and_a_bare_string_of_priorities():
    bad: Any = "critical"
    with pytest.raises(BillingError, match="tuple of names"):
        CreditTier("response_on_time", bad, D("95"), D("5"))
    with pytest.raises(BillingError, match="must be a Decimal"):
        CreditTier("response_on_time", (), 0.95, D("5"))  # type: ignore[arg-type]
    with pytest.raises(BillingError, match="between 0 and 100"):
        CreditTier("response_on_time", (), D("95"), D("105"))
