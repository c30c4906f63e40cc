"""Billing arithmetic (docs/billing.md): rounding, rates, splits, amounts, totals."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slakeeper.core import CoreError, NaiveDatetimeError
from slakeeper.core.billing import (
    AppliedRate,
    BillingError,
    RateTable,
    Rounding,
    invoice_totals,
    line_amount,
    local_day,
    minor_unit,
    round_duration,
    round_entries,
    split_by_calendar,
)
from slakeeper.core.states import RateSource
from tests.core.cast import BERLIN, berlin, hours, nine_to_five, office

D = Decimal


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


QUARTER = minutes(15)


# -- round_duration ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "up", "down", "nearest"),
    [
        (minutes(0), minutes(0), minutes(0), minutes(0)),
        (minutes(7), minutes(15), minutes(0), minutes(0)),
        (minutes(7.5), minutes(15), minutes(0), minutes(15)),  # exact half: up
        (minutes(7.5) - timedelta(microseconds=1), minutes(15), minutes(0), minutes(0)),
        (minutes(15), minutes(15), minutes(15), minutes(15)),
        (
            minutes(15) + timedelta(microseconds=1),
            minutes(30),
            minutes(15),
            minutes(15),
        ),
        (minutes(52.5), minutes(60), minutes(45), minutes(60)),
        (hours(2.5), hours(2.5), hours(2.5), hours(2.5)),
    ],
)
def test_it_rounds_a_duration_exactly_in_each_mode(raw, up, down, nearest):
    assert round_duration(raw, QUARTER, "up") == up
    assert round_duration(raw, QUARTER, "down") == down
    assert round_duration(raw, QUARTER, "nearest") == nearest


def test_it_rounds_to_odd_steps_like_six_minutes():
    assert round_duration(minutes(13), minutes(6), "up") == minutes(18)
    assert round_duration(minutes(9), minutes(6), "nearest") == minutes(12)


@pytest.mark.parametrize("step", [timedelta(0), -QUARTER])
def test_a_step_that_is_not_positive_is_refused(step):
    with pytest.raises(BillingError, match="must be positive"):
        round_duration(minutes(7), step, "up")
    with pytest.raises(BillingError, match="must be positive"):
        Rounding(step)


def test_a_negative_duration_is_refused():
    with pytest.raises(BillingError, match="negative"):
        round_duration(-minutes(1), QUARTER, "up")


def test_an_unknown_mode_is_refused():
    bad: Any = "sideways"
    with pytest.raises(BillingError, match="up, down or nearest"):
        round_duration(minutes(7), QUARTER, bad)
    with pytest.raises(BillingError, match="up, down or nearest"):
        Rounding(QUARTER, bad)
    with pytest.raises(BillingError, match="entry, day or invoice"):
        Rounding(QUARTER, "up", bad)


def test_durations_must_be_timedeltas():
    bad: Any = 7.5
    with pytest.raises(BillingError, match="must be a timedelta"):
        round_duration(bad, QUARTER, "up")
    with pytest.raises(BillingError, match="must be a timedelta"):
        Rounding(bad)


def test_billing_errors_are_core_errors():
    assert issubclass(BillingError, CoreError)


# -- round_entries -------------------------------------------------------------


def test_per_entry_it_rounds_every_entry_on_its_own():
    raws = [minutes(7), minutes(22), minutes(30), minutes(0)]
    rule = Rounding(QUARTER, "up", "entry")
    assert round_entries(raws, rule) == (
        minutes(15),
        minutes(30),
        minutes(30),
        minutes(0),
    )
    rule = Rounding(QUARTER, "nearest", "entry")
    assert round_entries([minutes(7.5), minutes(7)], rule) == (minutes(15), minutes(0))


def test_per_day_it_rounds_each_days_sum_once_and_gives_the_rest_to_the_last_entry():
    monday, tuesday = date(2027, 1, 4), date(2027, 1, 5)
    raws = [minutes(10), minutes(5), minutes(10)]
    days = [monday, tuesday, monday]
    rounded = round_entries(raws, Rounding(QUARTER, "up", "day"), days=days)
    # Monday: 10 + 10 = 20 -> 30, the 10 extra minutes go to Monday's last entry.
    assert rounded == (minutes(10), minutes(15), minutes(20))
    rounded = round_entries(raws, Rounding(QUARTER, "nearest", "day"), days=days)
    assert rounded == (minutes(10), minutes(0), minutes(5))


def test_per_day_an_exact_half_rounds_up():
    raws = [minutes(5), minutes(2.5)]
    days = [date(2027, 1, 4)] * 2
    rule = Rounding(QUARTER, "nearest", "day")
    assert round_entries(raws, rule, days=days) == (minutes(5), minutes(10))


def test_per_invoice_it_rounds_the_sum_of_all_entries_once():
    raws = [minutes(10), minutes(10), minutes(12)]
    rounded = round_entries(raws, Rounding(QUARTER, "up", "invoice"))
    assert rounded == (minutes(10), minutes(10), minutes(25))
    assert sum(rounded, timedelta(0)) == minutes(45)


def test_a_cut_larger_than_the_last_entry_comes_from_the_entries_before_it():
    rule = Rounding(QUARTER, "down", "invoice")
    # 20 + 3 = 23 -> 15: the last entry gives its 3 minutes, the one before 5.
    assert round_entries([minutes(20), minutes(3)], rule) == (minutes(15), minutes(0))
    assert round_entries([minutes(10), minutes(3)], rule) == (minutes(0), minutes(0))


def test_rounding_an_empty_list_gives_an_empty_tuple():
    assert round_entries([], Rounding(QUARTER, "up", "invoice")) == ()


def test_per_day_needs_a_day_for_every_entry():
    rule = Rounding(QUARTER, "up", "day")
    with pytest.raises(BillingError, match="local day"):
        round_entries([minutes(5)], rule)
    with pytest.raises(BillingError, match="local day"):
        round_entries([minutes(5)], rule, days=[])


def test_round_entries_refuses_negative_durations():
    with pytest.raises(BillingError, match="negative"):
        round_entries([minutes(5), -minutes(5)], Rounding(QUARTER, "up", "invoice"))


@given(
    st.lists(st.integers(0, 10**10), max_size=12),
    st.integers(1, 10**9),
    st.sampled_from(["up", "down", "nearest"]),
    st.sampled_from(["entry", "day", "invoice"]),
)
def test_rounded_entries_add_up_to_the_rounded_groups_and_never_go_negative(
    micros, step_us, mode, per
):
    raws = [timedelta(microseconds=m) for m in micros]
    days = [date(2027, 1, 4 + m % 3) for m in micros]
    step = timedelta(microseconds=step_us)
    rounded = round_entries(raws, Rounding(step, mode, per), days=days)
    assert all(r >= timedelta(0) for r in rounded)
    groups = {"entry": range(len(raws)), "day": days, "invoice": [0] * len(raws)}[per]
    for key in set(groups):
        members = [i for i, k in enumerate(groups) if k == key]
        raw_total = sum((raws[i] for i in members), timedelta(0))
        assert sum((rounded[i] for i in members), timedelta(0)) == round_duration(
            raw_total, step, mode
        )


def test_an_entrys_day_is_its_local_date():
    late = datetime(2027, 1, 4, 23, 30, tzinfo=UTC)  # 00:30 on Tuesday in Berlin
    assert local_day(late, BERLIN) == date(2027, 1, 5)
    assert local_day(late, UTC) == date(2027, 1, 4)
    with pytest.raises(NaiveDatetimeError):
        local_day(datetime(2027, 1, 4, 23, 30), BERLIN)  # noqa: DTZ001


# -- rates ---------------------------------------------------------------------

RATES = RateTable(
    default=D("95.00"),
    per_role={"lead": D("110.00")},
    per_priority={"critical": D("120.00")},
    out_of_hours=D("140.00"),
)


def test_out_of_hours_beats_priority_beats_role_beats_default():
    assert RATES.rate_for(role="lead", priority="critical", out_of_hours=True) == (
        AppliedRate(D("140.00"), RateSource.OUT_OF_HOURS)
    )
    assert RATES.rate_for(role="lead", priority="critical") == (
        AppliedRate(D("120.00"), RateSource.PRIORITY, "critical")
    )
    assert RATES.rate_for(role="lead", priority="low") == (
        AppliedRate(D("110.00"), RateSource.ROLE, "lead")
    )
    assert RATES.rate_for(role="dev", priority="low") == AppliedRate(
        D("95.00"), RateSource.DEFAULT
    )
    assert RATES.rate_for() == AppliedRate(D("95.00"), RateSource.DEFAULT)


def test_without_an_out_of_hours_rate_the_normal_rate_applies_out_of_hours():
    table = RateTable(D("95.00"), per_priority={"critical": D("120.00")})
    assert table.rate_for(priority="critical", out_of_hours=True).per_hour == D(
        "120.00"
    )
    assert table.rate_for(out_of_hours=True) == AppliedRate(
        D("95.00"), RateSource.DEFAULT
    )


def test_a_rate_table_is_frozen_and_hashable():
    mapping = {"lead": D("110.00")}
    table = RateTable(D("95.00"), per_role=mapping)
    mapping["lead"] = D("1.00")
    assert table.per_role["lead"] == D("110.00")
    with pytest.raises(TypeError):
        table.per_role["lead"] = D("1.00")  # type: ignore[index]
    same = RateTable(D("95.00"), per_role={"lead": D("110.00")})
    assert same == table
    assert hash(same) == hash(table)
    assert len({RATES, same, table}) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"default": 95.0},
        {"default": 95},
        {"default": D("NaN")},
        {"default": D("-1")},
        {"default": D("95"), "out_of_hours": 140.0},
        {"default": D("95"), "per_role": {"lead": 110.0}},
        {"default": D("95"), "per_priority": {"critical": D("-120")}},
    ],
)
def test_rates_must_be_non_negative_decimals(kwargs):
    with pytest.raises(BillingError):
        RateTable(**kwargs)


# -- split_by_calendar ---------------------------------------------------------


def test_a_critical_fix_from_20_to_22_30_on_a_weekday_is_all_out_of_hours():
    start, end = berlin(2027, 1, 4, 20), berlin(2027, 1, 4, 22, 30)  # a Monday
    inside, outside = split_by_calendar(nine_to_five(), start, end)
    assert (inside, outside) == (timedelta(0), hours(2.5))
    rate = RATES.rate_for(priority="critical", out_of_hours=True).per_hour
    assert line_amount(outside, rate) == D("350.00")


def test_work_across_the_end_of_the_day_splits_at_closing_time():
    assert split_by_calendar(
        nine_to_five(), berlin(2027, 1, 4, 16), berlin(2027, 1, 4, 18)
    ) == (hours(1), hours(1))


def test_work_across_midnight_counts_the_next_mornings_office_hours():
    # Monday 22:00 to Tuesday 10:00: 09:00-10:00 on Tuesday is inside.
    assert split_by_calendar(
        nine_to_five(), berlin(2027, 1, 4, 22), berlin(2027, 1, 5, 10)
    ) == (hours(1), hours(11))


def test_work_over_a_weekend_is_outside_except_fridays_and_mondays_office_hours():
    # Friday 16:00 to Monday 10:00 is 66 h: Friday 16-17 and Monday 9-10 are inside.
    assert split_by_calendar(
        nine_to_five(), berlin(2027, 1, 8, 16), berlin(2027, 1, 11, 10)
    ) == (hours(2), hours(64))


def test_work_on_a_public_holiday_is_outside():
    # Good Friday, 26 March 2027, is a public holiday in Germany.
    assert split_by_calendar(
        nine_to_five(), berlin(2027, 3, 26, 10), berlin(2027, 3, 26, 12)
    ) == (timedelta(0), hours(2))


def test_a_lunch_break_is_outside_office_hours():
    assert split_by_calendar(
        office(), berlin(2027, 1, 4, 12), berlin(2027, 1, 4, 14)
    ) == (hours(1), hours(1))


def test_the_night_berlin_springs_forward_lasts_one_hour_less():
    # 28 March 2027: 02:00 CET -> 03:00 CEST. Saturday 22:00 to Sunday 06:00 on
    # the wall clock is 7 hours of real time, all of it on a weekend.
    start, end = berlin(2027, 3, 27, 22), berlin(2027, 3, 28, 6)
    assert split_by_calendar(nine_to_five(), start, end) == (timedelta(0), hours(7))


def test_the_night_berlin_falls_back_lasts_one_hour_more():
    # 31 October 2027: 03:00 CEST -> 02:00 CET; the night has 9 hours.
    start, end = berlin(2027, 10, 30, 22), berlin(2027, 10, 31, 6)
    assert split_by_calendar(nine_to_five(), start, end) == (timedelta(0), hours(9))


def test_an_entry_spanning_the_dst_night_into_monday_splits_correctly():
    # Saturday 27 March 22:00 to Monday 29 March (Easter Monday, a holiday) 10:00
    # is 35 real hours, none of it inside.
    start, end = berlin(2027, 3, 27, 22), berlin(2027, 3, 29, 10)
    assert split_by_calendar(nine_to_five(), start, end) == (timedelta(0), hours(35))


def test_an_empty_entry_splits_into_nothing():
    at = berlin(2027, 1, 4, 10)
    assert split_by_calendar(nine_to_five(), at, at) == (timedelta(0), timedelta(0))


def test_split_refuses_reversed_and_naive_entries():
    with pytest.raises(BillingError, match="before start"):
        split_by_calendar(
            nine_to_five(), berlin(2027, 1, 4, 11), berlin(2027, 1, 4, 10)
        )
    with pytest.raises(NaiveDatetimeError):
        split_by_calendar(
            nine_to_five(),
            datetime(2027, 1, 4, 10),  # noqa: DTZ001
            berlin(2027, 1, 4, 11),
        )


# -- line_amount ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "rate", "amount"),
    [
        (hours(2.5), D("140.00"), D("350.00")),
        (minutes(7), D("95.00"), D("11.08")),  # 11.0833...
        (minutes(20), D("95.00"), D("31.67")),  # 31.666...
        (minutes(1), D("0.30"), D("0.01")),  # exactly 0.005: half up
        (minutes(1), D("0.29"), D("0.00")),  # 0.00483...
        (timedelta(microseconds=1), D("3600"), D("0.00")),
        (timedelta(0), D("95.00"), D("0.00")),
        (hours(3), D("0"), D("0.00")),
        (hours(10_000), D("999.99"), D("9999900.00")),
    ],
)
def test_a_line_is_duration_times_rate_rounded_once_to_the_cent(duration, rate, amount):
    result = line_amount(duration, rate)
    assert result == amount
    assert str(result) == str(amount)


def test_a_credit_line_is_the_exact_negative_of_the_line_it_reverses():
    assert line_amount(-hours(2), D("95.00")) == D("-190.00")
    assert line_amount(-minutes(1), D("0.30")) == D("-0.01")  # half away from zero
    for duration in (minutes(7), minutes(1), minutes(20)):
        assert line_amount(-duration, D("0.30")) == -line_amount(duration, D("0.30"))


def test_line_amount_uses_the_currencys_minor_unit():
    assert str(line_amount(minutes(30), D("1001"), currency="JPY")) == "501"
    assert str(line_amount(minutes(20), D("1.000"), currency="KWD")) == "0.333"
    assert minor_unit("eur") == 2
    assert minor_unit(None) == 2


@pytest.mark.parametrize(
    ("duration", "rate"),
    [(hours(1), 95.0), (hours(1), 95), (hours(1), D("Infinity")), (1.5, D("95"))],
)
def test_line_amount_refuses_floats_and_other_non_decimals(duration, rate):
    with pytest.raises(BillingError):
        line_amount(duration, rate)


# -- invoice_totals ------------------------------------------------------------


def test_tax_is_computed_once_on_the_net_total_not_per_line():
    lines = [D("0.10"), D("0.10"), D("0.10")]
    # Per line, 15 % of 0.10 is 0.015 -> 0.02, three times 0.06; on the net it is
    # 15 % of 0.30 = 0.045 -> 0.05.
    totals = invoice_totals(lines, D("15"))
    assert (totals.net, totals.tax, totals.gross) == (D("0.30"), D("0.05"), D("0.35"))


def test_totals_of_a_typical_invoice():
    lines = [
        line_amount(hours(2.5), D("140.00")),
        line_amount(minutes(45), D("95.00")),
        D("-75.00"),  # a service credit
    ]
    totals = invoice_totals(lines, D("19"))
    assert [str(x) for x in (totals.net, totals.tax, totals.gross)] == [
        "346.25",
        "65.79",
        "412.04",
    ]


def test_an_empty_or_zero_invoice_totals_zero_cents():
    for lines in ([], [D("0")], [D("10.00"), D("-10.00")]):
        totals = invoice_totals(lines, D("19"))
        assert [str(x) for x in (totals.net, totals.tax, totals.gross)] == [
            "0.00",
            "0.00",
            "0.00",
        ]


def test_a_credit_note_mirrors_the_invoice_it_cancels():
    invoice = invoice_totals([D("0.10"), D("0.20")], D("15"))
    credit_note = invoice_totals([D("-0.10"), D("-0.20")], D("15"))
    assert credit_note.tax == -invoice.tax == D("-0.05")
    assert credit_note.gross == -invoice.gross


def test_totals_in_a_currency_without_cents():
    totals = invoice_totals([D("1001")], D("10"), currency="JPY")
    assert [str(x) for x in (totals.net, totals.tax, totals.gross)] == [
        "1001",
        "100",
        "1101",
    ]


@pytest.mark.parametrize(
    ("lines", "tax_rate", "message"),
    [
        ([10.0], D("19"), "must be a Decimal"),
        ([D("10.00")], 0.19, "must be a Decimal"),
        ([D("10.005")], D("19"), "finer than 0.01"),
        ([D("10.00")], D("-1"), "between 0 and 100"),
        ([D("10.00")], D("119"), "between 0 and 100"),
    ],
)
def test_invoice_totals_refuse_floats_and_bad_amounts(lines, tax_rate, message):
    with pytest.raises(BillingError, match=message):
        invoice_totals(lines, tax_rate)
