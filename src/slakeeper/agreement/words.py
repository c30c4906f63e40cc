"""Values of an agreement in plain English: the one place that decides how a
duration, a period, an amount or a date is written for people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from slakeeper.agreement.types import CalendarPeriod, WorkingTime

__all__ = [
    "amount",
    "article",
    "day_month",
    "days",
    "duration",
    "every",
    "join",
    "language",
    "long_date",
    "percent",
    "period",
    "plural",
    "snake",
    "timezone",
    "working_time",
]


def plural(count: Decimal | int, noun: str) -> str:
    """`1 working hour`, `2 working hours`, `1.5 working days`."""
    return f"{_number(count)} {noun}{'' if count == 1 else 's'}"


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        text = format(value, "f")
        return text
    return str(value)


def working_time(value: WorkingTime) -> str:
    """`4h` -> `4 working hours`; `90m` -> `1 working hour 30 minutes`;
    `2bd` -> `2 working days`; `1bd 4h` -> `1 working day and 4 working hours`."""
    parts: list[str] = []
    if value.business_days:
        parts.append(plural(value.business_days, "working day"))
    if value.fixed:
        parts.append(_fixed(value.fixed))
    return " and ".join(parts) if parts else "no time"


def _fixed(d: timedelta) -> str:
    seconds = int(d.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = []
    if hours:
        out.append(plural(hours, "working hour"))
    if minutes:
        out.append(plural(minutes, "minute" if hours else "working minute"))
    if secs:
        out.append(plural(secs, "second"))
    return " ".join(out)


def period(value: CalendarPeriod) -> str:
    """`14 days`, `1 week`, `3 months`."""
    return plural(value.amount, value.unit)


def percent(value: Decimal) -> str:
    """`95%`, `99.5%`."""
    return f"{_number(value)}%"


def amount(value: Decimal, currency: str) -> str:
    """`EUR 1,500.00`: the code first, two decimals, thousands separated."""
    return f"{currency} {value.quantize(Decimal('0.01')):,}"


def long_date(value: date | datetime) -> str:
    """`1 April 2027` (and the time for an instant: `1 April 2027, 17:00`)."""
    text = f"{value.day} {value:%B %Y}"
    if isinstance(value, datetime):
        text += f", {value:%H:%M}"
    return text


def day_month(value: date) -> str:
    """`1 January`."""
    return f"{value.day} {value:%B}"


def duration(value: timedelta) -> str:
    """Elapsed time without "working": `15 minutes`, `7 hours 30 minutes`."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = []
    if hours:
        out.append(plural(hours, "hour"))
    if minutes:
        out.append(plural(minutes, "minute"))
    if secs:
        out.append(plural(secs, "second"))
    return " ".join(out) if out else "no time"


def every(value: CalendarPeriod) -> str:
    """`every week`, `every 3 months`."""
    if value.amount == 1:
        return f"every {value.unit}"
    return f"every {period(value)}"


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def snake(value: str) -> str:
    """An identifier in words: `waiting_on_client` -> `waiting on client`."""
    return value.replace("_", " ").replace("-", " ").strip()


_WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def days(first: int, last: int) -> str:
    """A run of weekdays (0 = Monday): `Monday`, `Saturday and Sunday`,
    `Monday to Friday`, and `any day` for the whole week."""
    if last - first == 6:
        return "any day"
    if first == last:
        return _WEEKDAYS[first]
    joiner = " and " if last - first == 1 else " to "
    return f"{_WEEKDAYS[first]}{joiner}{_WEEKDAYS[last]}"


def timezone(key: str) -> str:
    """An IANA zone as people say it: `Europe/Berlin` -> `Berlin time`."""
    if "/" not in key:
        return key
    return f"{key.rsplit('/', 1)[-1].replace('_', ' ')} time"


_LANGUAGES = {
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
}


def language(code: str) -> str:
    """`en` -> `English` (the code itself when unknown)."""
    return _LANGUAGES.get(code.split("-")[0].lower(), code)


def article(word: str) -> str:
    """`a critical`, `an urgent`: the indefinite article by the first letter."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
