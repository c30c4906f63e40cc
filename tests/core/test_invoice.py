"""The lines of an invoice from what is billed (docs/billing.md section 9), with
no database: ACME's office calendar (09:00-12:30, 13:30-17:30 in Berlin)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from slakeeper.core import (
    BillableWork,
    LinePlan,
    RateTable,
    Rounding,
    RowPlan,
    credit_line,
    fixed_line,
    invoice_hours,
    money,
    percent_of,
    time_lines,
)
from slakeeper.core.billing import BillingError
from slakeeper.core.states import LineKind, RateSource
from tests.core.cast import BERLIN, berlin, office

D = Decimal
RATES = RateTable(
    default=D("100"),
    per_role={"developer": D("120")},
    per_priority={"critical": D("150")},
    out_of_hours=D("200"),
)
OFFICE = office()
UPDATED = berlin(2027, 2, 1, 9)
MINUTE = 60


def work(
    entry_id: int,
    start: datetime,
    minutes: float,
    *,
    timed: bool = True,
    rates: RateTable = RATES,
    **kw: str,
) -> BillableWork:
    """An entry from `start` lasting `minutes` (with its start and end when
    `timed`, else as a duration)."""
    seconds = int(minutes * MINUTE)
    return BillableWork(
        entry_id=entry_id,
        worked_at=start,
        started_at=start if timed else None,
        ended_at=start + timedelta(seconds=seconds) if timed else None,
        seconds=seconds,
        updated_at=UPDATED,
        rates=rates,
        office=OFFICE,
        **kw,
    )


def summary(lines: list[LinePlan]) -> list[tuple[str, Decimal, Decimal, int, int]]:
    return [
        (x.description, x.quantity, x.amount, x.raw_seconds, x.rounded_seconds)
        for x in lines
    ]


def test_a_critical_fix_from_20_00_to_22_30_bills_2_5_hours_out_of_hours():
    fix = work(1, berlin(2027, 1, 4, 20), 150, priority="critical", ticket="ACME-1")
    (line,) = time_lines([fix], None, BERLIN, "EUR")
    assert line == LinePlan(
        kind=LineKind.TIME,
        description="Work outside office hours",
        quantity=D("2.50"),
        unit="HUR",
        unit_price=D("200"),
        amount=D("500.00"),
        raw_seconds=9000,
        rounded_seconds=9000,
        rate_source=RateSource.OUT_OF_HOURS,
        rows=(
            RowPlan(
                1, UPDATED, 9000, 9000, D("200"), D("500.00"), RateSource.OUT_OF_HOURS
            ),
        ),
    )


def test_an_entry_across_the_opening_is_split_and_each_part_gets_its_rate():
    # 08:00-10:00 Monday: an hour before the office opens, an hour inside
    early = work(7, berlin(2027, 1, 4, 8), 120, role="developer")
    assert summary(time_lines([early], None, BERLIN, "EUR")) == [
        ("Work as developer", D("1.00"), D("120.00"), 3600, 3600),
        ("Work outside office hours", D("1.00"), D("200.00"), 3600, 3600),
    ]
    # 17:00-17:50 ends outside the office: the inside part comes first, and
    # rounding the entry (50 min up to 60) gives the 10 minutes to the last
    late = work(8, berlin(2027, 1, 4, 17), 50, role="developer")
    rounding = Rounding(timedelta(minutes=15), "up", "entry")
    assert summary(time_lines([late], rounding, BERLIN, "EUR")) == [
        ("Work as developer", D("0.50"), D("60.00"), 1800, 1800),
        ("Work outside office hours", D("0.50"), D("100.00"), 1200, 1800),
    ]


def test_entries_wholly_outside_or_without_time_are_one_part():
    saturday = work(1, berlin(2027, 1, 9, 10), 60)
    as_duration = work(2, berlin(2027, 1, 9, 12), 30, timed=False)
    empty = work(3, berlin(2027, 1, 9, 14), 0)
    no_night_rate = RateTable(default=D("100"))
    night = work(4, berlin(2027, 1, 9, 20), 60, rates=no_night_rate)
    lines = time_lines([saturday, as_duration, empty, night], None, BERLIN, "EUR")
    assert summary(lines) == [
        ("Work", D("1.50"), D("150.00"), 5400, 5400),
        ("Work outside office hours", D("1.00"), D("200.00"), 3600, 3600),
    ]
    assert [r.entry_id for r in lines[0].rows] == [2, 3, 4]


@pytest.mark.parametrize(
    ("per", "rounded"),
    [
        ("entry", [900, 900, 900]),  # each 15 min
        ("day", [600, 1200, 900]),  # Monday 20 min -> 30, Tuesday 5 -> 15
        ("invoice", [600, 600, 600]),  # 25 min -> 30, the rest to the last
        (None, [600, 600, 300]),  # no rule: as tracked
    ],
)
def test_rounding_per_entry_day_or_invoice_gives_the_difference_to_the_last(
    per, rounded
):
    entries = [
        work(1, berlin(2027, 1, 4, 10), 10, timed=False),
        work(2, berlin(2027, 1, 4, 11), 10, timed=False),
        work(3, berlin(2027, 1, 5, 10), 5, timed=False),
    ]
    rule = None if per is None else Rounding(timedelta(minutes=15), "up", per)
    (line,) = time_lines(list(reversed(entries)), rule, BERLIN, "EUR")
    assert [r.entry_id for r in line.rows] == [1, 2, 3]  # in the order worked
    assert [r.rounded_seconds for r in line.rows] == rounded
    assert line.rounded_seconds == sum(rounded)
    assert line.amount == (D(sum(rounded)) / 36).quantize(D("0.01"))
    assert [r.amount for r in line.rows] == [
        (D(s) / 36).quantize(D("0.01")) for s in rounded
    ]


def test_lines_follow_the_rate_rules_and_group_by_ticket_on_request():
    entries = [
        work(1, berlin(2027, 1, 4, 10), 60, timed=False, ticket="ACME-2"),
        work(2, berlin(2027, 1, 4, 11), 60, timed=False, priority="critical"),
        work(3, berlin(2027, 1, 4, 14), 60, timed=False, role="developer"),
        work(4, berlin(2027, 1, 4, 15), 30, timed=False, ticket="ACME-1"),
    ]
    by_rate = time_lines(entries, None, BERLIN, "EUR")
    assert [x.description for x in by_rate] == [
        "Work",
        "Work as developer",
        "Critical priority work",
    ]
    assert [x.rate_source for x in by_rate] == ["default", "role", "priority"]
    by_ticket = time_lines(entries, None, BERLIN, "EUR", group_by="ticket")
    assert [(x.description, x.quantity) for x in by_ticket] == [
        ("ACME-1: Work", D("0.50")),
        ("ACME-2: Work", D("1.00")),
        ("Without a ticket: Work as developer", D("1.00")),
        ("Without a ticket: Critical priority work", D("1.00")),
    ]
    with pytest.raises(BillingError, match="group_by 'client'"):
        time_lines(entries, None, BERLIN, "EUR", group_by="client")
    assert time_lines([], None, BERLIN, "EUR") == []


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (3600, "1.00"),
        (5400, "1.50"),
        (1000, "0.2778"),  # at most four places, half up
        (18, "0.0050"),
        (1, "0.0003"),
        (0, "0.00"),
    ],
)
def test_hours_show_two_to_four_places(seconds, shown):
    assert str(invoice_hours(seconds)) == shown


def test_money_has_exactly_the_minor_unit_places():
    assert str(money(D("12.5"), "EUR")) == "12.50"
    assert str(money(D("1200.00"), "JPY")) == "1200"
    with pytest.raises(BillingError, match=r"finer than 0\.01 EUR"):
        money(D("12.345"), "EUR")


def test_a_percentage_rounds_half_away_from_zero():
    assert percent_of(D("123.45"), D("10"), "EUR") == D("12.35")
    assert percent_of(D("-123.45"), D("10"), "EUR") == D("-12.35")
    assert percent_of(D("999"), D("2.5"), "JPY") == D("25")


def test_a_fixed_fee_is_one_unit_and_a_credit_minus_one():
    assert fixed_line("Milestone: Launch", D("1500"), "EUR", 4) == LinePlan(
        kind=LineKind.FIXED,
        description="Milestone: Launch",
        quantity=D("1"),
        unit="C62",
        unit_price=D("1500.00"),
        amount=D("1500.00"),
        milestone_id=4,
    )
    with pytest.raises(BillingError):
        fixed_line("Milestone: Launch", D("0.001"), "EUR", 4)
    credit = credit_line("Service credit: January", D("42.50"), 9)
    assert (credit.quantity, credit.unit_price, credit.amount) == (
        D("-1"),
        D("42.50"),
        D("-42.50"),
    )
    assert credit.credit_id == 9
