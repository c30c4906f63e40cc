"""The vectorised calendar API: same answers as the scalar one, NaT, pauses, errors."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from slakeeper.core import CalendarError, DurationError, WorkCalendar
from tests.core.cast import berlin, hours, nine_to_five, office


def dt64(*values: datetime | None) -> np.ndarray:
    return np.array(
        [
            np.datetime64("NaT", "s")
            if v is None
            else np.datetime64(v.astimezone(UTC).replace(tzinfo=None), "s")
            for v in values
        ],
        dtype="datetime64[s]",
    )


def td64(*values: timedelta | None) -> np.ndarray:
    return np.array(
        [
            np.timedelta64("NaT", "s")
            if v is None
            else np.timedelta64(int(v.total_seconds()), "s")
            for v in values
        ],
        dtype="timedelta64[s]",
    )


def as_utc(value: np.datetime64) -> datetime:
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


class TestSameAnswersAsTheScalarApi:
    cal = office()
    starts = (
        berlin(2027, 1, 4, 12),
        berlin(2027, 1, 8, 16),
        berlin(2027, 1, 9, 10),
        berlin(2026, 12, 31, 16, 0, 7),
        berlin(2027, 3, 26, 11),
    )
    amounts = (hours(1), hours(2), hours(0), hours(40), timedelta(seconds=1))

    def test_add_many(self):
        got = self.cal.add_many(dt64(*self.starts), td64(*self.amounts))
        assert got.dtype == np.dtype("datetime64[s]")
        want = [
            self.cal.add(s, d) for s, d in zip(self.starts, self.amounts, strict=True)
        ]
        assert [as_utc(v) for v in got] == want

    def test_between_many(self):
        ends = [
            self.cal.add(s, d) for s, d in zip(self.starts, self.amounts, strict=True)
        ]
        got = self.cal.between_many(dt64(*self.starts), dt64(*ends))
        assert got.dtype == np.dtype("timedelta64[s]")
        assert list(got) == list(td64(*self.amounts))

    def test_between_many_is_zero_for_reversed_spans(self):
        got = self.cal.between_many(
            dt64(berlin(2027, 1, 5, 12)), dt64(berlin(2027, 1, 4, 12))
        )
        assert list(got) == [np.timedelta64(0, "s")]

    def test_other_datetime64_units_are_taken(self):
        starts = dt64(berlin(2027, 1, 4, 12)).astype("datetime64[ms]")
        got = self.cal.add_many(starts, td64(hours(1)).astype("timedelta64[m]"))
        assert as_utc(got[0]) == berlin(2027, 1, 4, 14)


class TestNotATime:
    cal = nine_to_five()

    def test_nat_in_any_input_gives_nat_in_that_item_only(self):
        got = self.cal.between_many(
            dt64(berlin(2027, 1, 4, 9), None, berlin(2027, 1, 4, 9)),
            dt64(berlin(2027, 1, 4, 11), berlin(2027, 1, 4, 11), None),
        )
        assert got[0] == np.timedelta64(7200, "s")
        assert np.isnat(got[1:]).all()
        added = self.cal.add_many(
            dt64(berlin(2027, 1, 4, 9), None, berlin(2027, 1, 4, 9)),
            td64(hours(1), hours(1), None),
        )
        assert as_utc(added[0]) == berlin(2027, 1, 4, 10)
        assert np.isnat(added[1:]).all()

    def test_all_nat_and_empty_inputs(self):
        assert np.isnat(self.cal.add_many(dt64(None), td64(hours(1)))).all()
        empty = np.array([], dtype="datetime64[s]")
        assert self.cal.add_many(empty, np.array([], "timedelta64[s]")).size == 0
        assert self.cal.between_many(empty, empty).size == 0


class TestPauses:
    cal = nine_to_five()
    start = berlin(2027, 1, 4, 9)  # Monday
    end = berlin(2027, 1, 8, 17)  # Friday: 40 working hours

    def spans(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        return dt64(*[self.start] * n), dt64(*[self.end] * n)

    def test_an_item_loses_the_open_time_of_its_pauses(self):
        starts, ends = self.spans(2)
        pauses = (
            np.array([0, 0]),
            dt64(berlin(2027, 1, 4, 16), berlin(2027, 1, 6, 9)),
            dt64(berlin(2027, 1, 5, 10), berlin(2027, 1, 6, 12)),
        )
        got = self.cal.between_many(starts, ends, pauses=pauses)
        # Mon 16:00 -> Tue 10:00 is 2 h; Wed 09:00 -> 12:00 is 3 h.
        assert list(got) == list(td64(hours(35), hours(40)))

    def test_overlapping_pauses_count_once_in_any_order(self):
        starts, ends = self.spans(1)
        pauses = (
            np.array([0, 0, 0]),
            dt64(berlin(2027, 1, 5, 11), berlin(2027, 1, 5, 9), berlin(2027, 1, 5, 10)),
            dt64(
                berlin(2027, 1, 5, 12), berlin(2027, 1, 5, 11), berlin(2027, 1, 5, 15)
            ),
        )
        got = self.cal.between_many(starts, ends, pauses=pauses)
        assert got[0] == np.timedelta64(int(hours(34).total_seconds()), "s")

    def test_pauses_outside_the_span_are_clipped(self):
        starts, ends = self.spans(1)
        pauses = (
            np.array([0, 0]),
            dt64(berlin(2027, 1, 1), berlin(2027, 1, 8, 16)),
            dt64(berlin(2027, 1, 4, 10), berlin(2027, 1, 12)),
        )
        got = self.cal.between_many(starts, ends, pauses=pauses)
        assert got[0] == np.timedelta64(int(hours(38).total_seconds()), "s")

    def test_a_pause_without_an_end_runs_to_the_end_of_the_span(self):
        starts, ends = self.spans(1)
        pauses = (np.array([0]), dt64(berlin(2027, 1, 8, 9)), dt64(None))
        got = self.cal.between_many(starts, ends, pauses=pauses)
        assert got[0] == np.timedelta64(int(hours(32).total_seconds()), "s")

    def test_no_pauses_and_empty_pauses_change_nothing(self):
        starts, ends = self.spans(2)
        none = (np.array([], dtype=np.int64), dt64(), dt64())
        assert list(self.cal.between_many(starts, ends, pauses=none)) == list(
            td64(hours(40), hours(40))
        )
        outside = (np.array([1]), dt64(berlin(2027, 2, 1)), dt64(berlin(2027, 2, 2)))
        assert list(self.cal.between_many(starts, ends, pauses=outside)) == list(
            td64(hours(40), hours(40))
        )

    def test_many_owners_are_kept_apart(self):
        n = 200
        rng = np.random.default_rng(7)
        starts, ends = self.spans(n)
        owner = np.repeat(np.arange(n), 3)
        day = int(timedelta(days=1).total_seconds())
        offsets = rng.integers(0, 5 * day, owner.size)
        p_start = starts[owner] + offsets.astype("timedelta64[s]")
        p_end = p_start + rng.integers(0, day, owner.size).astype("timedelta64[s]")
        got = self.cal.between_many(starts, ends, pauses=(owner, p_start, p_end))
        for i in range(n):
            spans = sorted(
                (as_utc(a), as_utc(b))
                for a, b in zip(p_start[owner == i], p_end[owner == i], strict=True)
            )
            paused = timedelta(0)
            reached = self.start
            for a, b in spans:
                a = max(a, reached)
                if b > a:
                    paused += self.cal.between(a, min(b, self.end))
                    reached = max(reached, b)
            assert got[i] == td64(hours(40) - paused)[0]

    @pytest.mark.parametrize(
        ("pauses", "message"),
        [
            ((np.array([0]), dt64(berlin(2027, 1, 5))), "must be a tuple"),
            (
                (np.array([0.5]), dt64(berlin(2027, 1, 5)), dt64(berlin(2027, 1, 6))),
                "pause owners must be an integer array",
            ),
            (
                (np.array([2]), dt64(berlin(2027, 1, 5)), dt64(berlin(2027, 1, 6))),
                "pause owners must be item indices from 0 to 0",
            ),
            (
                (np.array([0, 0]), dt64(berlin(2027, 1, 5)), dt64(berlin(2027, 1, 6))),
                "must have the same shape",
            ),
            (
                (np.array([0]), dt64(None), dt64(berlin(2027, 1, 6))),
                "must not hold NaT",
            ),
        ],
    )
    def test_bad_pauses_are_refused(self, pauses, message):
        starts, ends = self.spans(1)
        with pytest.raises(CalendarError, match=message):
            self.cal.between_many(starts, ends, pauses=pauses)


class TestBadInput:
    cal = nine_to_five()

    def test_arrays_of_the_wrong_kind_are_refused(self):
        with pytest.raises(CalendarError, match=r"starts must be a numpy datetime64"):
            self.cal.add_many(np.array([1, 2]), td64(hours(1), hours(1)))
        with pytest.raises(CalendarError, match=r"durations must be a numpy timedelta"):
            self.cal.add_many(dt64(berlin(2027, 1, 4)), dt64(berlin(2027, 1, 4)))

    def test_arrays_of_different_shapes_are_refused(self):
        with pytest.raises(CalendarError, match="same shape"):
            self.cal.between_many(dt64(berlin(2027, 1, 4)), dt64())

    def test_negative_durations_are_refused_naming_the_item(self):
        with pytest.raises(DurationError, match=r"durations\[1\] is negative"):
            self.cal.add_many(
                dt64(berlin(2027, 1, 4), berlin(2027, 1, 4)),
                td64(hours(1), hours(-1)),
            )

    def test_a_calendar_with_no_open_time_raises_for_arrays_too(self):
        cal = WorkCalendar.from_spec({"timezone": "UTC"})
        with pytest.raises(CalendarError, match="no open time within five years"):
            cal.add_many(dt64(berlin(2027, 1, 4)), td64(hours(1)))


def test_results_far_apart_grow_the_index():
    cal = nine_to_five()
    starts = dt64(berlin(2027, 1, 4, 9), berlin(2090, 6, 1, 9))
    amounts = td64(hours(8 * 600), hours(8 * 600))
    later = cal.add_many(starts, amounts)
    for i, start in enumerate((berlin(2027, 1, 4, 9), berlin(2090, 6, 1, 9))):
        assert as_utc(later[i]) == cal.add(start, hours(8 * 600))


def test_instants_beyond_what_datetime_can_hold_are_refused_clearly():
    far = np.array(["20000-01-01T00:00:00"], dtype="datetime64[s]")
    with pytest.raises(CalendarError, match=r"s from 1970 is outside the supported"):
        nine_to_five().between_many(far, far)
