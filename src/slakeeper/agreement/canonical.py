"""The canonical form of an agreement: RFC 8785 JSON and its SHA-256.

What two parties approve is these bytes. They hold the validated content (key
order, comments and layout of the file do not matter) and the public holidays
resolved for the term, so an update of the `holidays` package never changes what
was agreed. Store the bytes; never recompute a stored version's hash from a
re-parsed file.
"""

from __future__ import annotations

import calendar as months
import hashlib
from datetime import date, timedelta
from typing import Any

import rfc8785

from slakeeper.agreement.schema import Agreement
from slakeeper.core import WorkCalendar

__all__ = ["canonical_json", "canonical_sha256", "term_dates"]


def term_dates(agreement: Agreement) -> tuple[date, date]:
    """The first and last day of the agreement's (first) term.

    Without `months` or `until`, holidays are resolved for one year.
    """
    term = agreement.agreement.term
    first = agreement.agreement.effective
    if term.until is not None:
        return first, term.until
    count = term.months or 12
    year, month = divmod(first.month - 1 + count, 12)
    year += first.year
    day = min(first.day, months.monthrange(year, month + 1)[1])
    return first, date(year, month + 1, day) - timedelta(days=1)


def canonical_json(
    agreement: Agreement, calendars: dict[str, WorkCalendar] | None = None
) -> bytes:
    """RFC 8785 bytes of the validated agreement with its resolved holidays."""
    data: dict[str, Any] = agreement.model_dump(mode="json")
    cals = calendars or {
        name: WorkCalendar.from_spec(spec) for name, spec in agreement.calendars.items()
    }
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
