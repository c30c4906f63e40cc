"""What a stored agreement version says, ready to compute with: its parsed
agreement and its calendars with the public holidays resolved into the version
when it was stored (its canonical bytes), not what the `holidays` package says
today. Cached by content hash: a version's content never changes."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from slakeeper.agreement import loads_document
from slakeeper.agreement.schema import Agreement
from slakeeper.core import WorkCalendar
from slakeeper.db.models import AgreementVersion

__all__ = ["VersionTerms", "version_terms"]


@dataclass(frozen=True, slots=True)
class VersionTerms:
    """A version's agreement and calendars (by name)."""

    agreement: Agreement
    calendars: dict[str, WorkCalendar]

    @property
    def default_calendar(self) -> WorkCalendar:
        """The calendar milestones, obligations and delays are measured on."""
        a = self.agreement
        return self.calendars[a.default_calendar or next(iter(a.calendars))]

    @property
    def zone(self) -> ZoneInfo:
        """The agreement's time zone (dates in it end at 24:00 there)."""
        return ZoneInfo(self.agreement.agreement.timezone)


_CACHE: dict[str, VersionTerms] = {}


def version_terms(version: AgreementVersion) -> VersionTerms:
    """The terms of a stored version."""
    cached = _CACHE.get(version.sha256)
    if cached is not None:
        return cached
    loaded = loads_document(version.source_text, version.source_name)
    resolved: dict[str, dict[str, str]] = json.loads(version.canonical_json).get(
        "resolved_holidays", {}
    )
    calendars: dict[str, WorkCalendar] = {}
    for name, cal in loaded.calendars.items():
        closed = dict(cal.rules.closed)
        closed.update(
            {
                date.fromisoformat(d): label
                for d, label in resolved.get(name, {}).items()
            }
        )
        calendars[name] = WorkCalendar(
            dataclasses.replace(
                cal.rules, country=None, subdivision=None, closed=closed
            )
        )
    terms = _CACHE[version.sha256] = VersionTerms(loaded.agreement, calendars)
    return terms
