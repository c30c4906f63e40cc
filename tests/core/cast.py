"""The shared cast of the engine tests: ACME's support calendars in Berlin.

2027 facts used throughout: 1 January is a Friday, 4 January a Monday; Good
Friday is 26 March, Easter Monday 29 March; Berlin springs forward on 28 March
(02:00 -> 03:00) and falls back on 31 October (03:00 -> 02:00).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slakeeper.core import WorkCalendar

BERLIN = ZoneInfo("Europe/Berlin")

OFFICE_SPEC = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": "09:00-12:30, 13:30-17:30"},
    "holidays": {"country": "DE", "subdivision": "BE", "dates": ["2027-12-24"]},
}
NINE_TO_FIVE_SPEC = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": "09:00-17:00"},
    "holidays": {"country": "DE"},
}


def office() -> WorkCalendar:
    return WorkCalendar.from_spec(OFFICE_SPEC)


def nine_to_five() -> WorkCalendar:
    return WorkCalendar.from_spec(NINE_TO_FIVE_SPEC)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *rest: int
) -> datetime:
    """A Berlin wall-clock instant: berlin(2027, 1, 4, 9) is Monday 09:00."""
    second, micro = (*rest, 0, 0)[:2]
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=BERLIN)


def local(value: datetime, tz: ZoneInfo = BERLIN) -> str:
    """ISO string of an engine result in a zone, with its offset."""
    assert value.tzinfo is UTC
    return value.astimezone(tz).isoformat()


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
