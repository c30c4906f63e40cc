"""Working-time durations as people write them: `4h`, `90m`, `1h30m`, `2bd`.

`bd` is a business day: a whole number (or decimal) times the calendar's
`business_day` length, so `2bd` on a 09:00-17:00 calendar is 16 working hours.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from slakeeper.core.errors import DurationError

__all__ = ["format_duration", "parse_duration", "parse_duration_parts"]

_UNITS = {"bd": "bd", "h": "h", "m": "m", "s": "s"}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*")
_MICROS = {"h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000}
_HINT = "write e.g. 4h, 90m, 1h30m or 2bd"


def parse_duration(text: str, *, business_day: timedelta | None = None) -> timedelta:
    """Parse a working-time duration.

    Units: `h`, `m`, `s` and `bd` (business days, which need `business_day`);
    parts may be combined (`1h30m`, `1bd 4h`) and numbers may have decimals
    (`7.5h`). Spelled-out units (`4 hrs`) are refused so that every file reads
    the same way. The result is exact to the microsecond.

    Raises:
        DurationError: the text is not a duration, or `bd` is used without a
            business-day length.
    """
    fixed, days = parse_duration_parts(text)
    if not days:
        return fixed
    if business_day is None:
        raise DurationError(f"{text!r} uses business days (bd), which need a calendar")
    micros = Decimal(business_day // timedelta(microseconds=1))
    return fixed + timedelta(microseconds=int((days * micros).to_integral_value()))


def parse_duration_parts(text: str) -> tuple[timedelta, Decimal]:
    """Split a working-time duration into its fixed part and its business days.

    `"1bd 4h"` gives `(4 h, 1)`; a calendar later turns the days into time.
    """
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not a duration; {_HINT}")
    raw = text.strip().lower()
    pos = 0
    fixed = 0
    days = Decimal(0)
    seen: set[str] = set()
    while pos < len(raw):
        match = _PART.match(raw, pos)
        unit = _UNITS.get(match.group(2)) if match else None
        if match is None or unit is None or unit in seen:
            raise DurationError(f"{text!r} is not a duration; {_HINT}")
        seen.add(unit)
        amount = Decimal(match.group(1))
        if unit == "bd":
            days = amount
        else:
            fixed += int((amount * _MICROS[unit]).to_integral_value())
        pos = match.end()
    if not seen:
        raise DurationError(f"{text!r} is not a duration; {_HINT}")
    try:
        return timedelta(microseconds=fixed), days
    except OverflowError:
        raise DurationError(f"{text!r} is too long to be a duration") from None


def format_duration(d: timedelta) -> str:
    """Format a duration as working time for people: `1h 30m`, `45m`, `0m`, `-2h`."""
    micros = d // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, frac = divmod(micros, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if secs or frac:
        parts.append(f"{secs}.{frac:06d}s".replace(".000000s", "s"))
    return sign + (" ".join(parts) if parts else "0m")
