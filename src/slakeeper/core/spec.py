"""Reading a calendar spec (the mapping under `calendars:` in an agreement file).

`parse_calendar_spec` checks every part and reports every problem at once, each
with the path of the field it is about; it returns plain, immutable rules that
`WorkCalendar` turns into open intervals.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from slakeeper.core.duration import format_duration, parse_duration
from slakeeper.core.errors import (
    CalendarSpecError,
    DurationError,
    PathPart,
    SpecProblem,
)

__all__ = ["CalendarRules", "Window", "parse_calendar_spec", "parse_windows"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_KEYS = ("timezone", "hours", "holidays", "open", "business_day")
_HOLIDAY_KEYS = ("country", "subdivision", "dates")
_CLOSED_WORDS = ("", "closed", "none")
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_DEFAULT_BUSINESS_DAY = timedelta(hours=8)
_MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """An opening window in local minutes from the start of the day it belongs to.

    `end` may pass 1440 (24:00): a window that crosses midnight belongs to the day
    it starts on, so `22:00-06:00` is `Window(1320, 1800)`.
    """

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end % _MINUTES_PER_DAY or self.end)}"


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """A validated calendar spec, ready to be turned into open intervals."""

    timezone: ZoneInfo
    weekly: tuple[tuple[Window, ...], ...]  # 7 entries, Monday first
    country: str | None
    subdivision: str | None
    closed: Mapping[date, str]  # explicit closed dates with their label
    open: Mapping[date, tuple[Window, ...]]  # extra openings; beat closed dates
    business_day: timedelta


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_windows(text: object) -> tuple[tuple[Window, ...], list[str]]:
    """Parse `"09:00-12:30, 13:30-17:30"` into windows, returning problems found.

    `closed`, an empty string or null mean no windows; a list of window strings
    is accepted too.
    """
    if text is None:
        return (), []
    parts: list[object]
    if isinstance(text, str):
        if text.strip().lower() in _CLOSED_WORDS:
            return (), []
        parts = list(text.split(","))
    elif isinstance(text, Sequence):
        parts = list(text)
    else:
        return (), [f"{text!r} is not a list of windows; write e.g. '09:00-17:00'"]
    windows: list[Window] = []
    problems: list[str] = []
    for part in parts:
        parsed = _parse_window(part)
        if isinstance(parsed, str):
            problems.append(parsed)
        else:
            windows.append(parsed)
    windows.sort()
    for before, after in itertools.pairwise(windows):
        if after.start < before.end:
            problems.append(f"windows {before} and {after} overlap")
    return tuple(windows), problems


def _parse_window(part: object) -> Window | str:
    """A window, or the problem with it."""
    if not isinstance(part, str):
        return f"{part!r} is not a window: write it as HH:MM-HH:MM"
    raw = part.strip()
    match = _WINDOW.match(raw)
    if match is None:
        return f"{raw!r} is not a window: write it as HH:MM-HH:MM, e.g. 09:00-17:00"
    sh, sm, eh, em = (int(g) for g in match.groups())
    start_text, end_text = raw.split("-")[0].strip(), raw.split("-")[1].strip()
    if sm > 59 or sh > 23:
        return (
            f"{raw!r} is not a window: start {start_text} is not a time of day"
            " (00:00 to 23:59)"
        )
    if em > 59 or eh > 24 or (eh == 24 and em > 0):
        reason = "is past 24:00" if eh >= 24 else "is not a time of day"
        return f"{raw!r} is not a window: end {end_text} {reason}"
    start, end = sh * 60 + sm, eh * 60 + em
    if start == end:
        return (
            f"{raw!r} is not a window: it starts and ends at the same time"
            " (write 00:00-24:00 for a whole day)"
        )
    if end < start:
        end += _MINUTES_PER_DAY  # crosses midnight: belongs to the day it starts
    return Window(start, end)


def _weekday_set(key: str) -> list[int] | None:
    days: list[int] = []
    for token in key.lower().replace(" ", "").split(","):
        if "-" in token:
            first, _, last = token.partition("-")
            a, b = _weekday(first), _weekday(last)
            if a is None or b is None:
                return None
            days.extend((a + k) % 7 for k in range((b - a) % 7 + 1))
        else:
            day = _weekday(token)
            if day is None:
                return None
            days.append(day)
    return days


def _weekday(token: str) -> int | None:
    if token in WEEKDAYS:
        return WEEKDAYS.index(token)
    return _FULL_NAMES.get(token)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None  # a date with a time of day is not a calendar date
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class _Collector:
    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []

    def add(self, path: tuple[PathPart, ...], message: str) -> None:
        self.problems.append(SpecProblem(path, message))


def parse_calendar_spec(spec: Mapping[str, Any]) -> CalendarRules:
    """Validate a calendar spec and return its rules.

    Raises:
        CalendarSpecError: listing every problem found, each with its field path.
    """
    out = _Collector()
    if not isinstance(spec, Mapping):
        out.add((), "a calendar must be a mapping with timezone and hours")
        raise CalendarSpecError(out.problems)
    for key in spec:
        if key not in _KEYS:
            out.add(
                (str(key),), f"unknown key {key!r}; expected one of {', '.join(_KEYS)}"
            )
    tz = _parse_timezone(spec.get("timezone"), out)
    weekly = _parse_hours(spec.get("hours"), out)
    country, subdivision, closed = _parse_holidays(spec.get("holidays"), out)
    extra = _parse_open(spec.get("open"), out)
    business_day = _parse_business_day(spec.get("business_day"), weekly, extra, out)
    if out.problems or tz is None:
        raise CalendarSpecError(out.problems)
    return CalendarRules(
        timezone=tz,
        weekly=weekly,
        country=country,
        subdivision=subdivision,
        closed=closed,
        open=extra,
        business_day=business_day,
    )


def _parse_timezone(value: object, out: _Collector) -> ZoneInfo | None:
    if value is None:
        out.add(("timezone",), "missing; name an IANA time zone such as Europe/Berlin")
        return None
    if not isinstance(value, str) or not value.strip():
        out.add(("timezone",), f"{value!r} is not a time zone name")
        return None
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        out.add(
            ("timezone",),
            f"{value!r} is not a known IANA time zone (e.g. Europe/Berlin, UTC)",
        )
        return None


def _parse_hours(value: object, out: _Collector) -> tuple[tuple[Window, ...], ...]:
    weekly: list[tuple[Window, ...]] = [()] * 7
    if value is None:
        return tuple(weekly)
    if not isinstance(value, Mapping):
        out.add(("hours",), "must map weekdays to windows, e.g. mon-fri: 09:00-17:00")
        return tuple(weekly)
    named: dict[int, str] = {}
    for key, text in value.items():
        days = _weekday_set(str(key))
        if days is None:
            out.add(
                ("hours", str(key)),
                f"{key!r} is not a weekday or range of weekdays (mon..sun, mon-fri)",
            )
            continue
        windows, problems = parse_windows(text)
        for problem in problems:
            out.add(("hours", str(key)), problem)
        for day in days:
            if day in named:
                out.add(
                    ("hours", str(key)),
                    f"{WEEKDAYS[day]} is named twice (in {named[day]!r} and {key!r})",
                )
                continue
            named[day] = str(key)
            weekly[day] = windows
    return tuple(weekly)


def _parse_holidays(
    value: object, out: _Collector
) -> tuple[str | None, str | None, dict[date, str]]:
    closed: dict[date, str] = {}
    if value is None:
        return None, None, closed
    if not isinstance(value, Mapping):
        out.add(("holidays",), "must be a mapping with country, subdivision, dates")
        return None, None, closed
    for key in value:
        if key not in _HOLIDAY_KEYS:
            out.add(
                ("holidays", str(key)),
                f"unknown key {key!r}; expected one of {', '.join(_HOLIDAY_KEYS)}",
            )
    country = _parse_country(value, out)
    subdivision = _parse_subdivision(value, country, out)
    dates = value.get("dates")
    if dates is None:
        return country, subdivision, closed
    if not isinstance(dates, Sequence) or isinstance(dates, str):
        out.add(("holidays", "dates"), "must be a list of dates or {from, to} ranges")
        return country, subdivision, closed
    for i, item in enumerate(dates):
        _parse_closed_item(item, ("holidays", "dates", i), closed, out)
    return country, subdivision, closed


def _parse_country(value: Mapping[str, Any], out: _Collector) -> str | None:
    country = value.get("country")
    if country is None:
        return None
    supported = holidays.list_supported_countries()
    code = str(country).strip().upper()
    if code not in supported:
        out.add(
            ("holidays", "country"),
            f"{country!r} is not a country known to the holidays package"
            " (use an ISO 3166 code such as DE, US, GB)",
        )
        return None
    return code


def _parse_subdivision(
    value: Mapping[str, Any], country: str | None, out: _Collector
) -> str | None:
    subdivision = value.get("subdivision")
    if subdivision is None:
        return None
    if country is None:
        if "country" not in value:
            out.add(("holidays", "subdivision"), "a subdivision needs a country")
        return None
    code = str(subdivision).strip().upper()
    known = holidays.list_supported_countries()[country]
    if code not in known:
        shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        out.add(
            ("holidays", "subdivision"),
            f"{subdivision!r} is not a subdivision of {country}"
            + (f"; known: {shown}" if known else "; it has none"),
        )
        return None
    return code


def _parse_closed_item(
    item: object, path: tuple[PathPart, ...], closed: dict[date, str], out: _Collector
) -> None:
    single = _as_date(item)
    if single is not None:
        closed[single] = "closed"
        return
    if isinstance(item, Mapping) and ("from" in item or "to" in item):
        first, last = _as_date(item.get("from")), _as_date(item.get("to"))
        name = str(item.get("name") or "closed")
        extra = set(item) - {"from", "to", "name"}
        if extra:
            out.add(path, f"unknown key {sorted(extra)[0]!r} in a date range")
        elif first is None or last is None:
            out.add(path, "a date range needs ISO dates in both from and to")
        elif last < first:
            out.add(path, f"the range ends ({last}) before it starts ({first})")
        else:
            day = first
            while day <= last:
                closed[day] = name
                day += timedelta(days=1)
        return
    if isinstance(item, Mapping) and "date" in item:
        named = _as_date(item.get("date"))
        if named is None:
            out.add((*path, "date"), f"{item.get('date')!r} is not an ISO date")
        else:
            closed[named] = str(item.get("name") or "closed")
        return
    if isinstance(item, datetime):
        out.add(
            path,
            f"{item.isoformat()} is a date and time; write the date alone (YYYY-MM-DD)",
        )
        return
    out.add(
        path,
        f"{item!r} is not a date: write YYYY-MM-DD or {{from: YYYY-MM-DD, to: ...}}",
    )


def _parse_open(value: object, out: _Collector) -> dict[date, tuple[Window, ...]]:
    extra: dict[date, tuple[Window, ...]] = {}
    if value is None:
        return extra
    if not isinstance(value, Mapping):
        out.add(("open",), "must map dates to windows, e.g. 2027-12-27: 10:00-14:00")
        return extra
    for key, text in value.items():
        day = _as_date(key)
        if day is None:
            out.add(("open", str(key)), f"{key!r} is not an ISO date (YYYY-MM-DD)")
            continue
        windows, problems = parse_windows(text)
        for problem in problems:
            out.add(("open", str(key)), problem)
        extra[day] = windows
    return extra


def _parse_business_day(
    value: object,
    weekly: tuple[tuple[Window, ...], ...],
    extra: Mapping[date, tuple[Window, ...]],
    out: _Collector,
) -> timedelta:
    if isinstance(value, timedelta):
        value = format_duration(value).replace(" ", "")
    if value is not None:
        try:
            parsed = parse_duration(str(value))
        except DurationError as exc:
            out.add(("business_day",), str(exc))
            return _DEFAULT_BUSINESS_DAY
        if parsed <= timedelta(0):
            out.add(("business_day",), "must be longer than zero")
            return _DEFAULT_BUSINESS_DAY
        return parsed
    lengths = [sum(w.end - w.start for w in day) for day in weekly]
    lengths = [n for n in lengths if n > 0]
    if not lengths:
        lengths = [sum(w.end - w.start for w in day) for day in extra.values()]
        lengths = [n for n in lengths if n > 0]
    if not lengths:
        return _DEFAULT_BUSINESS_DAY
    counts = Counter(lengths)
    best = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    return timedelta(minutes=best)
