"""The canonical form of an agreement: RFC 8785 JSON and its SHA-256.

What two parties approve is these bytes. They hold the validated content (key
order, comments and layout of the file do not matter) and the public holidays
resolved for the term, so an update of the `holidays` package never changes what
was agreed. Store the bytes; never recompute a stored version's hash from a
re-parsed file.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import rfc8785

from slakeeper.agreement.schema import Agreement
from slakeeper.core import WorkCalendar, add_months
from slakeeper.core.spec import WEEKDAYS, CalendarRules

__all__ = ["canonical_json", "canonical_sha256", "term_dates"]


def term_dates(agreement: Agreement) -> tuple[date, date]:
    """The first and last day of the agreement's (first) term.

    Without `months` or `until`, holidays are resolved for one year.
    """
    term = agreement.agreement.term
    first = agreement.agreement.effective
    if term.until is not None:
        return first, term.until
    return first, add_months(first, term.months or 12) - timedelta(days=1)


def canonical_json(
    agreement: Agreement, calendars: dict[str, WorkCalendar] | None = None
) -> bytes:
    """RFC 8785 bytes of the validated agreement with its resolved holidays."""
    data: dict[str, Any] = agreement.model_dump(mode="json")
    cals = calendars or {
        name: WorkCalendar.from_spec(spec) for name, spec in agreement.calendars.items()
    }
    # what the calendars mean, not how they were written
    data["calendars"] = {name: _calendar(cal.rules) for name, cal in cals.items()}
    # JSON objects have no order, but priorities are listed most urgent first
    data["priority_order"] = list(agreement.priorities)
    first, last = term_dates(agreement)
    data["resolved_holidays"] = {
        name: {
            day.isoformat(): label
            for day, label in cal.closed_dates(first, last).items()
        }
        for name, cal in cals.items()
    }
    return rfc8785.dumps(data)


def canonical_sha256(
    agreement: Agreement, calendars: dict[str, WorkCalendar] | None = None
) -> str:
    """The hex SHA-256 of `canonical_json`."""
    return hashlib.sha256(canonical_json(agreement, calendars)).hexdigest()


def _calendar(rules: CalendarRules) -> dict[str, Any]:
    """A calendar's rules in one spelling: windows per weekday, dates sorted."""
    return {
        "timezone": rules.timezone.key,
        "hours": {
            WEEKDAYS[day]: [str(w) for w in windows]
            for day, windows in enumerate(rules.weekly)
            if windows
        },
        "holidays": {
            "country": rules.country,
            "subdivision": rules.subdivision,
            "dates": {d.isoformat(): name for d, name in sorted(rules.closed.items())},
        },
        "open": {
            d.isoformat(): [str(w) for w in windows]
            for d, windows in sorted(rules.open.items())
        },
        "business_day_seconds": int(rules.business_day.total_seconds()),
    }
