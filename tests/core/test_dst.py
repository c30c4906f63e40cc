"""A DST corpus: hand-checked answers around real transitions, in local ISO time.

Every test runs twice: against the engine and against the oracle in
`oracle.py` (so the corpus also proves the oracle the properties lean on).

The rules under test: a local time becomes an instant as Python does with
fold=0 (a time in a spring-forward gap is read with the offset in force before
the gap; an ambiguous time is its first occurrence); a window lasts the
difference of its two instants; windows that come out empty are dropped and
windows that overlap or touch once converted are merged.

Transition instants (2025), checked against zoneinfo by
`test_it_uses_the_transition_instants_listed_here`:

Europe/Berlin (CET +01:00 / CEST +02:00)
    spring 2025-03-30T01:00:00Z  Sun 02:00+01:00 -> 03:00+02:00 (02:00-03:00 missing)
    autumn 2025-10-26T01:00:00Z  Sun 03:00+02:00 -> 02:00+01:00 (02:00-03:00 twice)
America/New_York (EST -05:00 / EDT -04:00)
    spring 2025-03-09T07:00:00Z  Sun 02:00-05:00 -> 03:00-04:00 (02:00-03:00 missing)
    autumn 2025-11-02T06:00:00Z  Sun 02:00-04:00 -> 01:00-05:00 (01:00-02:00 twice)
Australia/Sydney (AEST +10:00 / AEDT +11:00), southern hemisphere
    autumn 2025-04-05T16:00:00Z  Sun 03:00+11:00 -> 02:00+10:00 (02:00-03:00 twice)
    spring 2025-10-04T16:00:00Z  Sun 02:00+10:00 -> 03:00+11:00 (02:00-03:00 missing)
Asia/Kolkata (IST +05:30), no transitions since 1945: the control
Pacific/Chatham (+12:45 / +13:45)
    autumn 2025-04-05T14:00:00Z  Sun 03:45+13:45 -> 02:45+12:45 (02:45-03:45 twice)
    spring 2025-09-27T14:00:00Z  Sun 02:45+12:45 -> 03:45+13:45 (02:45-03:45 missing)

All transition days above are Sundays; `sun: 00:00-24:00` calendars use that.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pytest

from slakeeper.core import WorkCalendar
from tests.core.oracle import Oracle, transitions

TRANSITIONS_2025 = {
    "Europe/Berlin": ["2025-03-30T01:00:00+00:00", "2025-10-26T01:00:00+00:00"],
    "America/New_York": ["2025-03-09T07:00:00+00:00", "2025-11-02T06:00:00+00:00"],
    "Australia/Sydney": ["2025-04-05T16:00:00+00:00", "2025-10-04T16:00:00+00:00"],
    "Asia/Kolkata": [],
    "Pacific/Chatham": ["2025-04-05T14:00:00+00:00", "2025-09-27T14:00:00+00:00"],
}

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
SYDNEY = "Australia/Sydney"
KOLKATA = "Asia/Kolkata"
CHATHAM = "Pacific/Chatham"

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
US = timedelta(microseconds=1)


class Clock(Protocol):
    def between(self, a: datetime, b: datetime) -> timedelta: ...
    def add(self, a: datetime, d: timedelta) -> datetime: ...
    def subtract(self, a: datetime, d: timedelta) -> datetime: ...
    def is_open(self, a: datetime) -> bool: ...
    def next_open(self, a: datetime) -> datetime: ...
    def windows(
        self, a: datetime, b: datetime
    ) -> Iterable[tuple[datetime, datetime]]: ...


class MakeClock(Protocol):
    def __call__(self, zone: str, hours: dict[str, str], **extra: Any) -> Clock: ...


@pytest.fixture(params=["engine", "oracle"])
def clock(request: pytest.FixtureRequest) -> MakeClock:
    def make(zone: str, hours: dict[str, str], **extra: Any) -> Clock:
        spec = {"timezone": zone, "hours": hours, **extra}
        if request.param == "engine":
            return WorkCalendar.from_spec(spec)
        return Oracle(spec)

    return make


def at(text: str) -> datetime:
    """An aware instant from an ISO string with an offset."""
    t = datetime.fromisoformat(text)
    assert t.utcoffset() is not None, text
    return t


def local(t: datetime, zone: str) -> str:
    """`t` (which must be UTC, as the engine returns it) as local ISO time."""
    assert t.utcoffset() == timedelta(0), t
    return t.astimezone(ZoneInfo(zone)).isoformat()


def moved(text: str, delta: timedelta, zone: str) -> str:
    """The local ISO time `delta` after the instant `text`."""
    return (at(text) + delta).astimezone(ZoneInfo(zone)).isoformat()


def local_windows(cal: Clock, a: str, b: str, zone: str) -> list[tuple[str, str]]:
    return [(local(s, zone), local(e, zone)) for s, e in cal.windows(at(a), at(b))]


def test_it_uses_the_transition_instants_listed_here() -> None:
    for zone, listed in TRANSITIONS_2025.items():
        found = transitions(
            zone, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        )
        assert [t.isoformat() for t in found] == listed, zone
        for t in found:
            assert t.astimezone(ZoneInfo(zone)).weekday() == 6  # a Sunday


# -- whole days: 23 h and 25 h -------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "next_day", "hours"),
    [
        (BERLIN, "2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00", 23),
        (BERLIN, "2025-10-26T00:00:00+02:00", "2025-10-27T00:00:00+01:00", 25),
        (NEW_YORK, "2025-03-09T00:00:00-05:00", "2025-03-10T00:00:00-04:00", 23),
        (NEW_YORK, "2025-11-02T00:00:00-04:00", "2025-11-03T00:00:00-05:00", 25),
        (SYDNEY, "2025-10-05T00:00:00+10:00", "2025-10-06T00:00:00+11:00", 23),
        (SYDNEY, "2025-04-06T00:00:00+11:00", "2025-04-07T00:00:00+10:00", 25),
        (KOLKATA, "2025-03-30T00:00:00+05:30", "2025-03-31T00:00:00+05:30", 24),
        (KOLKATA, "2025-10-26T00:00:00+05:30", "2025-10-27T00:00:00+05:30", 24),
        (CHATHAM, "2025-09-28T00:00:00+12:45", "2025-09-29T00:00:00+13:45", 23),
        (CHATHAM, "2025-04-06T00:00:00+13:45", "2025-04-07T00:00:00+12:45", 25),
    ],
)
def test_it_makes_a_whole_transition_sunday_as_long_as_the_clocks_say(
    clock: MakeClock, zone: str, day: str, next_day: str, hours: int
) -> None:
    cal = clock(zone, {"sun": "00:00-24:00"})
    week_before, week_after = at(day) - 3 * H * 24, at(next_day) + 3 * H * 24
    assert cal.between(week_before, week_after) == hours * H
    assert local_windows(
        cal, week_before.isoformat(), week_after.isoformat(), zone
    ) == [(day, next_day)]
    assert local(cal.add(at(day), hours * H), zone) == next_day
    assert local(cal.subtract(at(next_day), hours * H), zone) == day
    assert local(cal.add(at(day), hours * H - US), zone) == moved(next_day, -US, zone)


@pytest.mark.parametrize(
    ("zone", "monday", "next_monday", "hours"),
    [
        (BERLIN, "2025-03-24T00:00:00+01:00", "2025-03-31T00:00:00+02:00", 7 * 24 - 1),
        (BERLIN, "2025-10-20T00:00:00+02:00", "2025-10-27T00:00:00+01:00", 7 * 24 + 1),
        (KOLKATA, "2025-03-24T00:00:00+05:30", "2025-03-31T00:00:00+05:30", 7 * 24),
        (CHATHAM, "2025-09-22T00:00:00+12:45", "2025-09-29T00:00:00+13:45", 7 * 24 - 1),
    ],
)
def test_it_merges_a_week_of_touching_whole_days_into_one_window(
    clock: MakeClock, zone: str, monday: str, next_monday: str, hours: int
) -> None:
    cal = clock(zone, {"mon-sun": "00:00-24:00"})
    assert local_windows(cal, monday, next_monday, zone) == [(monday, next_monday)]
    assert cal.between(at(monday), at(next_monday)) == hours * H
    assert local(cal.add(at(monday), hours * H), zone) == next_monday


# -- windows across the gap and the repeated hour ----------------------------


def test_it_shortens_berlins_01_to_04_window_across_the_spring_gap(
    clock: MakeClock,
) -> None:
    cal = clock(BERLIN, {"mon-sun": "01:00-04:00"})
    assert local_windows(
        cal, "2025-03-29T00:00:00+01:00", "2025-03-31T12:00:00+02:00", BERLIN
    ) == [
        ("2025-03-29T01:00:00+01:00", "2025-03-29T04:00:00+01:00"),
        ("2025-03-30T01:00:00+01:00", "2025-03-30T04:00:00+02:00"),
        ("2025-03-31T01:00:00+02:00", "2025-03-31T04:00:00+02:00"),
    ]
    opening = at("2025-03-30T01:00:00+01:00")
    assert cal.between(opening, at("2025-03-30T04:00:00+02:00")) == 2 * H
    assert local(cal.add(opening, H - US), BERLIN) == "2025-03-30T01:59:59.999999+01:00"
    assert local(cal.add(opening, H), BERLIN) == "2025-03-30T03:00:00+02:00"
    assert local(cal.add(opening, 2 * H), BERLIN) == "2025-03-30T04:00:00+02:00"
    assert local(cal.add(opening, 2 * H + S), BERLIN) == "2025-03-31T01:00:01+02:00"
    assert local(cal.subtract(at("2025-03-31T01:00:00+02:00"), S), BERLIN) == (
        "2025-03-30T03:59:59+02:00"
    )
    assert local(cal.subtract(at("2025-03-30T04:00:00+02:00"), 2 * H), BERLIN) == (
        "2025-03-30T01:00:00+01:00"
    )
    assert cal.is_open(at("2025-03-30T01:59:59.999999+01:00"))
    assert cal.is_open(at("2025-03-30T03:00:00+02:00"))
    assert not cal.is_open(at("2025-03-30T04:00:00+02:00"))


def test_it_lengthens_berlins_01_to_04_window_across_the_autumn_repeat(
    clock: MakeClock,
) -> None:
    cal = clock(BERLIN, {"mon-sun": "01:00-04:00"})
    assert local_windows(
        cal, "2025-10-26T00:00:00+02:00", "2025-10-27T00:00:00+01:00", BERLIN
    ) == [("2025-10-26T01:00:00+02:00", "2025-10-26T04:00:00+01:00")]
    opening = at("2025-10-26T01:00:00+02:00")
    assert cal.between(opening, at("2025-10-26T04:00:00+01:00")) == 4 * H
    assert local(cal.add(opening, 90 * M), BERLIN) == "2025-10-26T02:30:00+02:00"
    assert local(cal.add(opening, 150 * M), BERLIN) == "2025-10-26T02:30:00+01:00"
    assert local(cal.add(opening, 4 * H), BERLIN) == "2025-10-26T04:00:00+01:00"
    assert local(cal.add(opening, 4 * H + US), BERLIN) == (
        "2025-10-27T01:00:00.000001+01:00"
    )
    assert local(cal.subtract(at("2025-10-26T04:00:00+01:00"), 4 * H), BERLIN) == (
        "2025-10-26T01:00:00+02:00"
    )
    assert local(cal.subtract(at("2025-10-26T02:15:00+01:00"), 30 * M), BERLIN) == (
        "2025-10-26T02:45:00+02:00"
    )


def test_it_counts_the_repeated_hour_twice_in_new_york(clock: MakeClock) -> None:
    cal = clock(NEW_YORK, {"sun": "01:00-02:00"})
    assert local_windows(
        cal, "2025-11-01T00:00:00-04:00", "2025-11-03T00:00:00-05:00", NEW_YORK
    ) == [("2025-11-02T01:00:00-04:00", "2025-11-02T02:00:00-05:00")]
    opening = at("2025-11-02T01:00:00-04:00")
    assert local(cal.add(opening, H), NEW_YORK) == "2025-11-02T01:00:00-05:00"
    assert local(cal.add(opening, 2 * H), NEW_YORK) == "2025-11-02T02:00:00-05:00"
    # on the spring-forward Sunday 02:00 falls in the gap and is read -05:00,
    # which is the instant the clocks show as 03:00-04:00: still one hour
    assert local_windows(
        cal, "2025-03-08T00:00:00-05:00", "2025-03-10T00:00:00-04:00", NEW_YORK
    ) == [("2025-03-09T01:00:00-05:00", "2025-03-09T03:00:00-04:00")]


def test_it_reads_an_ambiguous_time_as_its_first_occurrence(clock: MakeClock) -> None:
    cal = clock(BERLIN, {"sun": "02:30-02:45"})
    assert local_windows(
        cal, "2025-10-25T00:00:00+02:00", "2025-10-27T00:00:00+01:00", BERLIN
    ) == [("2025-10-26T02:30:00+02:00", "2025-10-26T02:45:00+02:00")]
    assert cal.is_open(at("2025-10-26T02:35:00+02:00"))
    assert not cal.is_open(at("2025-10-26T02:35:00+01:00"))
    assert local(cal.next_open(at("2025-10-26T02:35:00+01:00")), BERLIN) == (
        "2025-11-02T02:30:00+01:00"
    )


def test_it_covers_both_passes_of_the_repeated_hour(clock: MakeClock) -> None:
    cal = clock(BERLIN, {"sun": "02:00-03:00"})
    assert local_windows(
        cal, "2025-10-25T00:00:00+02:00", "2025-10-27T00:00:00+01:00", BERLIN
    ) == [("2025-10-26T02:00:00+02:00", "2025-10-26T03:00:00+01:00")]
    assert cal.between(
        at("2025-10-26T00:00:00+02:00"), at("2025-10-27T00:00:00+01:00")
    ) == (2 * H)


@pytest.mark.parametrize(
    ("zone", "hours", "day_before", "day_after", "next_opening"),
    [
        # the gap exactly: 02:00 (read +01:00) and 03:00 (+02:00) are one instant
        (
            BERLIN,
            "02:00-03:00",
            "2025-03-29T00:00:00+01:00",
            "2025-03-31T00:00:00+02:00",
            "2025-04-06T02:00:00+02:00",
        ),
        # 02:30 (read +01:00, i.e. 03:30+02:00) is after 03:00+02:00: empty
        (
            BERLIN,
            "02:30-03:00",
            "2025-03-29T00:00:00+01:00",
            "2025-03-31T00:00:00+02:00",
            "2025-04-06T02:30:00+02:00",
        ),
        (
            NEW_YORK,
            "02:00-03:00",
            "2025-03-08T00:00:00-05:00",
            "2025-03-10T00:00:00-04:00",
            "2025-03-16T02:00:00-04:00",
        ),
        (
            SYDNEY,
            "02:00-03:00",
            "2025-10-04T00:00:00+10:00",
            "2025-10-06T00:00:00+11:00",
            "2025-10-12T02:00:00+11:00",
        ),
        (
            CHATHAM,
            "02:45-03:45",
            "2025-09-27T00:00:00+12:45",
            "2025-09-29T00:00:00+13:45",
            "2025-10-05T02:45:00+13:45",
        ),
    ],
)
def test_it_drops_a_window_the_spring_gap_makes_empty(
    clock: MakeClock,
    zone: str,
    hours: str,
    day_before: str,
    day_after: str,
    next_opening: str,
) -> None:
    cal = clock(zone, {"sun": hours})
    assert local_windows(cal, day_before, day_after, zone) == []
    assert cal.between(at(day_before), at(day_after)) == timedelta(0)
    assert local(cal.next_open(at(day_before)), zone) == next_opening
    assert local(cal.add(at(day_before), US), zone) == moved(next_opening, US, zone)


def test_it_reads_a_window_inside_the_gap_with_the_offset_before_it(
    clock: MakeClock,
) -> None:
    # fold=0 reads both ends with +01:00, so the window moves one hour later and
    # keeps its length; it is not empty, so it is not dropped
    cal = clock(BERLIN, {"sun": "02:15-02:45"})
    assert local_windows(
        cal, "2025-03-29T00:00:00+01:00", "2025-03-31T00:00:00+02:00", BERLIN
    ) == [("2025-03-30T03:15:00+02:00", "2025-03-30T03:45:00+02:00")]


def test_it_merges_windows_that_overlap_once_the_gap_is_applied(
    clock: MakeClock,
) -> None:
    # 02:30 is read +01:00 = 03:30+02:00, past the 03:00 opening of the next window
    cal = clock(BERLIN, {"sun": "01:00-02:30, 03:00-05:00"})
    assert local_windows(
        cal, "2025-03-29T00:00:00+01:00", "2025-03-31T00:00:00+02:00", BERLIN
    ) == [("2025-03-30T01:00:00+01:00", "2025-03-30T05:00:00+02:00")]
    assert cal.between(
        at("2025-03-29T00:00:00+01:00"), at("2025-03-31T00:00:00+02:00")
    ) == (3 * H)
    # the week before, the two windows are apart
    assert local_windows(
        cal, "2025-03-22T00:00:00+01:00", "2025-03-24T00:00:00+01:00", BERLIN
    ) == [
        ("2025-03-23T01:00:00+01:00", "2025-03-23T02:30:00+01:00"),
        ("2025-03-23T03:00:00+01:00", "2025-03-23T05:00:00+01:00"),
    ]


def test_it_merges_windows_that_touch_across_the_gap(clock: MakeClock) -> None:
    cal = clock(BERLIN, {"sun": "00:00-02:00, 03:00-05:00"})
    assert local_windows(
        cal, "2025-03-29T00:00:00+01:00", "2025-03-31T00:00:00+02:00", BERLIN
    ) == [("2025-03-30T00:00:00+01:00", "2025-03-30T05:00:00+02:00")]
    opening = at("2025-03-30T00:00:00+01:00")
    assert local(cal.add(opening, 2 * H), BERLIN) == "2025-03-30T03:00:00+02:00"
    assert local(cal.add(opening, 4 * H), BERLIN) == "2025-03-30T05:00:00+02:00"


# -- overnight windows across a transition --------------------------------------


@pytest.mark.parametrize(
    ("zone", "opening", "closing", "hours", "next_opening"),
    [
        (
            BERLIN,
            "2025-03-29T22:00:00+01:00",
            "2025-03-30T06:00:00+02:00",
            7,
            "2025-04-05T22:00:00+02:00",
        ),
        (
            BERLIN,
            "2025-10-25T22:00:00+02:00",
            "2025-10-26T06:00:00+01:00",
            9,
            "2025-11-01T22:00:00+01:00",
        ),
        (
            NEW_YORK,
            "2025-03-08T22:00:00-05:00",
            "2025-03-09T06:00:00-04:00",
            7,
            "2025-03-15T22:00:00-04:00",
        ),
        (
            NEW_YORK,
            "2025-11-01T22:00:00-04:00",
            "2025-11-02T06:00:00-05:00",
            9,
            "2025-11-08T22:00:00-05:00",
        ),
        (
            SYDNEY,
            "2025-10-04T22:00:00+10:00",
            "2025-10-05T06:00:00+11:00",
            7,
            "2025-10-11T22:00:00+11:00",
        ),
        (
            SYDNEY,
            "2025-04-05T22:00:00+11:00",
            "2025-04-06T06:00:00+10:00",
            9,
            "2025-04-12T22:00:00+10:00",
        ),
        (
            KOLKATA,
            "2025-03-29T22:00:00+05:30",
            "2025-03-30T06:00:00+05:30",
            8,
            "2025-04-05T22:00:00+05:30",
        ),
        (
            CHATHAM,
            "2025-09-27T22:00:00+12:45",
            "2025-09-28T06:00:00+13:45",
            7,
            "2025-10-04T22:00:00+13:45",
        ),
        (
            CHATHAM,
            "2025-04-05T22:00:00+13:45",
            "2025-04-06T06:00:00+12:45",
            9,
            "2025-04-12T22:00:00+12:45",
        ),
    ],
)
def test_it_runs_an_overnight_window_across_a_transition(
    clock: MakeClock,
    zone: str,
    opening: str,
    closing: str,
    hours: int,
    next_opening: str,
) -> None:
    cal = clock(zone, {"sat": "22:00-06:00"})
    before, after = at(opening) - 12 * H, at(closing) + 12 * H
    assert local_windows(cal, before.isoformat(), after.isoformat(), zone) == [
        (opening, closing)
    ]
    assert cal.between(before, after) == hours * H
    assert local(cal.add(before, hours * H), zone) == closing
    assert local(cal.add(before, hours * H + US), zone) == moved(next_opening, US, zone)
    assert local(cal.subtract(after, hours * H), zone) == opening
    assert local(cal.next_open(before), zone) == opening
    assert not cal.is_open(at(closing))
    assert cal.is_open(at(closing) - US)


def test_it_keeps_an_overnight_window_that_runs_into_a_holiday(
    clock: MakeClock,
) -> None:
    # a holiday closes the windows that start on it, not the one from the eve
    cal = clock(
        BERLIN,
        {"sat-sun": "22:00-06:00"},
        holidays={"dates": ["2025-03-30"]},
    )
    assert local_windows(
        cal, "2025-03-29T00:00:00+01:00", "2025-03-31T12:00:00+02:00", BERLIN
    ) == [("2025-03-29T22:00:00+01:00", "2025-03-30T06:00:00+02:00")]


def test_it_lets_an_opening_on_a_transition_holiday_replace_its_windows(
    clock: MakeClock,
) -> None:
    cal = clock(
        BERLIN,
        {"mon-sun": "09:00-17:00"},
        holidays={"dates": [{"from": "2025-03-29", "to": "2025-03-31"}]},
        open={"2025-03-30": "00:00-24:00"},
    )
    assert local_windows(
        cal, "2025-03-28T00:00:00+01:00", "2025-04-02T00:00:00+02:00", BERLIN
    ) == [
        ("2025-03-28T09:00:00+01:00", "2025-03-28T17:00:00+01:00"),
        ("2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00"),
        ("2025-04-01T09:00:00+02:00", "2025-04-01T17:00:00+02:00"),
    ]
    friday_16 = at("2025-03-28T16:00:00+01:00")
    assert local(cal.add(friday_16, 24 * H), BERLIN) == "2025-03-31T00:00:00+02:00"
    assert local(cal.add(friday_16, 25 * H), BERLIN) == "2025-04-01T10:00:00+02:00"


# -- add landing exactly on a closing time next to a transition -------------------


@pytest.mark.parametrize(
    ("zone", "hours", "opening", "closing", "length"),
    [
        # 02:00 is read +01:00: the window closes at the transition instant
        (
            BERLIN,
            "00:00-02:00",
            "2025-03-30T00:00:00+01:00",
            "2025-03-30T03:00:00+02:00",
            2 * H,
        ),
        # 02:00 is ambiguous: its first occurrence, an hour before the transition
        (
            BERLIN,
            "00:00-02:00",
            "2025-10-26T00:00:00+02:00",
            "2025-10-26T02:00:00+02:00",
            2 * H,
        ),
        # 03:00 exists once, after the repeated hour
        (
            BERLIN,
            "00:00-03:00",
            "2025-10-26T00:00:00+02:00",
            "2025-10-26T03:00:00+01:00",
            4 * H,
        ),
        # opens at the transition instant (03:00 is the first minute after the gap)
        (
            BERLIN,
            "03:00-05:00",
            "2025-03-30T03:00:00+02:00",
            "2025-03-30T05:00:00+02:00",
            2 * H,
        ),
        (
            NEW_YORK,
            "00:00-02:00",
            "2025-03-09T00:00:00-05:00",
            "2025-03-09T03:00:00-04:00",
            2 * H,
        ),
        (
            NEW_YORK,
            "00:00-01:30",
            "2025-11-02T00:00:00-04:00",
            "2025-11-02T01:30:00-04:00",
            90 * M,
        ),
        (
            SYDNEY,
            "00:00-02:00",
            "2025-10-05T00:00:00+10:00",
            "2025-10-05T03:00:00+11:00",
            2 * H,
        ),
        (
            SYDNEY,
            "00:00-03:00",
            "2025-04-06T00:00:00+11:00",
            "2025-04-06T03:00:00+10:00",
            4 * H,
        ),
        (
            KOLKATA,
            "00:00-02:00",
            "2025-03-30T00:00:00+05:30",
            "2025-03-30T02:00:00+05:30",
            2 * H,
        ),
        (
            CHATHAM,
            "00:00-02:45",
            "2025-09-28T00:00:00+12:45",
            "2025-09-28T03:45:00+13:45",
            165 * M,
        ),
        (
            CHATHAM,
            "00:00-03:45",
            "2025-04-06T00:00:00+13:45",
            "2025-04-06T03:45:00+12:45",
            285 * M,
        ),
        (
            CHATHAM,
            "02:00-05:00",
            "2025-09-28T02:00:00+12:45",
            "2025-09-28T05:00:00+13:45",
            2 * H,
        ),
    ],
)
def test_it_lands_add_exactly_on_a_closing_time_next_to_a_transition(
    clock: MakeClock,
    zone: str,
    hours: str,
    opening: str,
    closing: str,
    length: timedelta,
) -> None:
    cal = clock(zone, {"sun": hours})
    start = at(opening) - 5 * H
    assert local(cal.next_open(start), zone) == opening
    assert cal.between(start, at(closing) + 5 * H) == length
    assert local(cal.add(start, length), zone) == closing
    assert local(cal.add(at(opening), length), zone) == closing
    assert local(cal.add(start, length - US), zone) == moved(closing, -US, zone)
    assert local(cal.subtract(at(closing), length), zone) == opening
    assert local(cal.subtract(at(closing) + 5 * H, length), zone) == opening
    assert not cal.is_open(at(closing))
    assert cal.is_open(at(closing) - US)
    assert cal.is_open(at(opening))
    assert not cal.is_open(at(opening) - US)


# -- office hours across a DST weekend -----------------------------------------


@pytest.mark.parametrize(
    ("zone", "friday", "monday", "monday_0930"),
    [
        (
            BERLIN,
            "2025-03-28T16:00:00+01:00",
            "2025-03-31T17:00:00+02:00",
            "2025-03-31T09:30:00+02:00",
        ),
        (
            BERLIN,
            "2025-10-24T16:00:00+02:00",
            "2025-10-27T17:00:00+01:00",
            "2025-10-27T09:30:00+01:00",
        ),
        (
            NEW_YORK,
            "2025-03-07T16:00:00-05:00",
            "2025-03-10T17:00:00-04:00",
            "2025-03-10T09:30:00-04:00",
        ),
        (
            SYDNEY,
            "2025-04-04T16:00:00+11:00",
            "2025-04-07T17:00:00+10:00",
            "2025-04-07T09:30:00+10:00",
        ),
        (
            KOLKATA,
            "2025-03-28T16:00:00+05:30",
            "2025-03-31T17:00:00+05:30",
            "2025-03-31T09:30:00+05:30",
        ),
        (
            CHATHAM,
            "2025-09-26T16:00:00+12:45",
            "2025-09-29T17:00:00+13:45",
            "2025-09-29T09:30:00+13:45",
        ),
    ],
)
def test_it_keeps_office_hours_local_across_a_dst_weekend(
    clock: MakeClock, zone: str, friday: str, monday: str, monday_0930: str
) -> None:
    cal = clock(zone, {"mon-fri": "09:00-12:30, 13:30-17:30"})
    assert cal.between(at(friday), at(monday)) == 90 * M + 7 * H
    assert local(cal.add(at(friday), 2 * H), zone) == monday_0930
    assert local(cal.subtract(at(monday_0930), 2 * H), zone) == friday
    assert local(cal.next_open(at(friday) + 2 * H), zone) == moved(
        monday_0930, -30 * M, zone
    )
