"""slakeeper's pure engine: business calendars and business-time arithmetic.

Imports only the standard library, zoneinfo, numpy and holidays; never reads
the clock, a file or a database. The rules are stated in docs/sla-clock.md.
"""

from slakeeper.core.calendar import WorkCalendar
from slakeeper.core.duration import (
    format_duration,
    parse_duration,
    parse_duration_parts,
)
from slakeeper.core.errors import (
    CalendarError,
    CalendarSpecError,
    CoreError,
    DurationError,
    NaiveDatetimeError,
    SpecProblem,
)

__all__ = [
    "CalendarError",
    "CalendarSpecError",
    "CoreError",
    "DurationError",
    "NaiveDatetimeError",
    "SpecProblem",
    "WorkCalendar",
    "format_duration",
    "parse_duration",
    "parse_duration_parts",
]
