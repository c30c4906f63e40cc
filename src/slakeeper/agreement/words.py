"""Values of an agreement in plain English: the one place that decides how a
duration, a period, an amount or a date is written for people."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import holidays

from slakeeper.agreement.types import CalendarPeriod, EscalationAt, WorkingTime

T = TypeVar("T")

__all__ = [
    "MEASURES",
    "amount",
    "article",
    "clause",
    "date_range",
    "day_month",
    "days",
    "duration",
    "escalation_at",
    "every",
    "join",
    "language",
    "long_date",
    "measure",
    "measure_done",
    "measured",
    "month_name",
    "percent",
    "period",
    "person",
    "place",
    "plural",
    "runs",
    "snake",
    "timezone",
    "weekdays",
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
        parts.append(duration(value.fixed, working=True))
    return " and ".join(parts) if parts else "no time"


def period(value: CalendarPeriod) -> str:
    """`14 days`, `1 week`, `3 months`."""
    return plural(value.amount, value.unit)


def percent(value: Decimal) -> str:
    """`95%`, `99.5%`."""
    return f"{_number(value)}%"


def amount(value: Decimal, currency: str) -> str:
    """`EUR 1,500.00`: the code first, two decimals, thousands separated."""
    return f"{currency} {value.quantize(Decimal('0.01')):,}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(month: int) -> str:
    """`1` -> `January`, whatever the locale."""
    return _MONTHS[month - 1]


def long_date(value: date | datetime) -> str:
    """`1 April 2027` (and the time for an instant: `1 April 2027, 17:00`)."""
    text = f"{value.day} {month_name(value.month)} {value.year}"
    if isinstance(value, datetime):
        text += f", {value:%H:%M}"
    return text


def day_month(value: date) -> str:
    """`1 January`."""
    return f"{value.day} {month_name(value.month)}"


def date_range(first: date, last: date) -> str:
    """`24 December 2027`, `27-31 December 2027`, `30 December 2027 to 2 January
    2028`."""
    if first == last:
        return long_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{long_date(last)}"
    return f"{long_date(first)} to {long_date(last)}"


def duration(value: timedelta, *, working: bool = False) -> str:
    """Elapsed time: `15 minutes`, `7 hours 30 minutes`; with `working`, the
    first unit says so: `30 working minutes`, `1 working hour 30 minutes`."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out: list[str] = []
    for count, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")):
        if count:
            prefix = "working " if working and not out else ""
            out.append(plural(count, prefix + unit))
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


def runs(items: Iterable[T], adjacent: Callable[[T, T], bool]) -> list[tuple[T, T]]:
    """Consecutive items grouped: the first and last item of each run, where
    `adjacent(a, b)` says that `b` directly follows `a` in the same run."""
    out: list[tuple[T, T]] = []
    for item in items:
        if out and adjacent(out[-1][1], item):
            out[-1] = (out[-1][0], item)
        else:
            out.append((item, item))
    return out


def weekdays(indexes: Iterable[int]) -> str:
    """Weekdays (0 = Monday) in runs: `Monday to Wednesday and Friday`."""
    found = runs(sorted(indexes), lambda a, b: b == a + 1)
    return join([days(a, b) for a, b in found])


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


def place(country: str, subdivision: str | None) -> str:
    """`DE`, `BE` -> `Berlin (Germany)`; `US` -> `United States`."""
    name = country
    for entry in holidays.registry.COUNTRIES.values():
        if entry[1] == country:
            name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
            break
    if subdivision is None:
        return name
    try:
        aliases = holidays.country_holidays(country).subdivisions_aliases
    except (NotImplementedError, AttributeError):
        aliases = {}
    sub = next((k for k, v in aliases.items() if v == subdivision), subdivision)
    return f"{sub} ({name})"


def person(ref: str, contacts: Iterable[tuple[str, str, str]]) -> str:
    """A role reference as people read it: `provider.lead` -> `Jane Doe (our
    lead)`, or `our lead` when nobody holds the role. `contacts` are
    (side, name, role) for every contact of both parties."""
    side, _, role = ref.partition(".")
    owner = "our" if side == "provider" else "your"
    names = [n for s, n, r in contacts if s == side and r == role]
    if not names:
        return f"{owner} {snake(role)}"
    return f"{join(names)} ({owner} {snake(role)})"


#: Each measure: what is counted (alone, and for some priorities) and what must
#: happen to it on time.
MEASURES: dict[str, tuple[str, str, str]] = {
    "response_on_time": ("first replies", "first replies to {} requests", "sent"),
    "resolution_on_time": ("requests", "{} requests", "resolved"),
    "update_on_time": ("updates", "updates on {} requests", "sent"),
    "milestones_on_time": ("milestones", "milestones", "delivered"),
}


def measured(measure: str, priorities: Sequence[str] | None = None) -> str:
    """What a measure counts: `first replies to critical and high requests`."""
    alone, scoped, _ = MEASURES[measure]
    return scoped.format(join(list(priorities))) if priorities else alone


def measure_done(measure: str) -> str:
    """What must happen on time: `sent`, `resolved`, `delivered`."""
    return MEASURES[measure][2]


def measure(measure: str, priorities: Sequence[str] | None = None) -> str:
    """A measure in words: `first replies to critical requests sent on time`."""
    return f"{measured(measure, priorities)} {measure_done(measure)} on time"


def escalation_at(at: EscalationAt) -> str:
    """When an escalation step fires: `when 75% of the target time has passed`."""
    if at.fraction is not None:
        return f"when {percent(at.fraction)} of the target time has passed"
    if at.after_breach is not None:
        return f"{working_time(at.after_breach)} after a target is missed"
    return "when a target is missed"


#: Nouns a duty may start with, and the verb that makes a clause of it
#: ("Feedback on delivered work" -> "give feedback on delivered work"); True
#: when the noun takes an article ("Progress update" -> "send a progress update").
#: Words that are verbs too (report, review, update) count as verbs.
_NOUN_VERBS: dict[str, tuple[str, bool]] = {
    "access": ("give", False),
    "answers": ("give", False),
    "approval": ("give", False),
    "content": ("send", False),
    "decision": ("make", True),
    "decisions": ("make", False),
    "feedback": ("give", False),
    "input": ("give", False),
    "payment": ("make", True),
    "progress": ("send", True),
    "reports": ("send", False),
    "sign-off": ("give", False),
    "status": ("send", True),
    "updates": ("send", False),
}
#: Verbs a duty may start with ("Pay invoices" -> "pay invoices").
_VERBS = frozenset(
    {
        "accept",
        "agree",
        "answer",
        "apply",
        "approve",
        "attend",
        "back",
        "book",
        "check",
        "confirm",
        "decide",
        "deliver",
        "fix",
        "give",
        "grant",
        "hold",
        "inform",
        "keep",
        "make",
        "meet",
        "monitor",
        "name",
        "notify",
        "pay",
        "prepare",
        "provide",
        "publish",
        "reply",
        "report",
        "respond",
        "return",
        "review",
        "run",
        "send",
        "share",
        "sign",
        "supply",
        "take",
        "tell",
        "test",
        "update",
        "upload",
    }
)


def clause(text: str) -> str | None:
    """A duty written as a verb phrase that follows "we" or "you":
    `Pay invoices` -> `pay invoices`, `Feedback on delivered work` -> `give
    feedback on delivered work`, `Progress update by e-mail` -> `send a progress
    update by e-mail`; None when the text starts with neither a known verb nor a
    known noun."""
    text = text.strip().rstrip(".")
    first = text.split(" ", 1)[0]
    if not first:
        return None
    word = first.lower()
    lowered = (
        (first[0].lower() + text[1:])
        if first[1:].islower() or len(first) == 1
        else text
    )
    if word in _VERBS:
        return lowered
    if word in _NOUN_VERBS:
        verb, counted = _NOUN_VERBS[word]
        return f"{verb} {article(lowered) if counted else lowered}"
    return None
