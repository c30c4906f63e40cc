"""slakeeper's pure engine: business calendars, business-time arithmetic and
SLA clocks.

Imports only the standard library, zoneinfo, numpy and holidays; never reads
the clock, a file or a database. The rules are stated in docs/sla-clock.md.
"""

from slakeeper.core.calendar import WorkCalendar
from slakeeper.core.clock import (
    ClockEvent,
    ClockSpan,
    ClockState,
    ClockStatus,
    PauseSpan,
    evaluate_clock,
    fold_events,
)
from slakeeper.core.clock_batch import ClockArrays, evaluate_clocks
from slakeeper.core.duration import (
    format_duration,
    parse_duration,
    parse_duration_parts,
)
from slakeeper.core.errors import (
    CalendarError,
    CalendarSpecError,
    ClockError,
    CoreError,
    DurationError,
    NaiveDatetimeError,
    SpecProblem,
)

__all__ = [
    "CalendarError",
    "CalendarSpecError",
    "ClockArrays",
    "ClockError",
    "ClockEvent",
    "ClockSpan",
    "ClockState",
    "ClockStatus",
    "CoreError",
    "DurationError",
    "NaiveDatetimeError",
    "PauseSpan",
    "SpecProblem",
    "WorkCalendar",
    "evaluate_clock",
    "evaluate_clocks",
    "fold_events",
    "format_duration",
    "parse_duration",
    "parse_duration_parts",
]
