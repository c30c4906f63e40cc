"""slakeeper's pure engine: business calendars, business-time arithmetic, SLA
clocks, the clocks of tickets and the state of milestones, delivery dates, and
billing, invoice-line and service-credit arithmetic (Decimal only).

Imports only the standard library, zoneinfo, numpy and holidays; never reads
the clock, a file or a database. The rules are stated in docs/sla-clock.md.
"""

from slakeeper.core.billing import (
    AppliedRate,
    BillingError,
    RateTable,
    Rounding,
    RoundingMode,
    RoundingScope,
    Totals,
    invoice_totals,
    line_amount,
    local_day,
    minor_unit,
    round_duration,
    round_entries,
    split_by_calendar,
)
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
from slakeeper.core.credits import (
    CreditResult,
    CreditTier,
    MeasureKey,
    compliance,
    credit_owed,
)
from slakeeper.core.delivery import (
    PeriodUnit,
    add_months,
    add_period,
    period_after,
)
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
from slakeeper.core.invoice import (
    BillableWork,
    LinePlan,
    RowPlan,
    credit_line,
    fixed_line,
    invoice_hours,
    money,
    percent_of,
    time_lines,
)
from slakeeper.core.milestones import (
    MilestoneKind,
    MilestoneShift,
    MilestoneState,
    derive_milestone,
    is_milestone_late,
)
from slakeeper.core.ticket_clocks import (
    ClockReading,
    TicketState,
    derive_ticket,
    read_ticket_clocks,
    ticket_columns,
)
from slakeeper.core.tickets import (
    EventFact,
    PriorityTerms,
    TicketHistory,
    TicketTerms,
    replay_ticket,
)

__all__ = [
    "AppliedRate",
    "BillableWork",
    "BillingError",
    "CalendarError",
    "CalendarSpecError",
    "ClockArrays",
    "ClockError",
    "ClockEvent",
    "ClockReading",
    "ClockSpan",
    "ClockState",
    "ClockStatus",
    "CoreError",
    "CreditResult",
    "CreditTier",
    "DurationError",
    "EventFact",
    "LinePlan",
    "MeasureKey",
    "MilestoneKind",
    "MilestoneShift",
    "MilestoneState",
    "NaiveDatetimeError",
    "PauseSpan",
    "PeriodUnit",
    "PriorityTerms",
    "RateTable",
    "Rounding",
    "RoundingMode",
    "RoundingScope",
    "RowPlan",
    "SpecProblem",
    "TicketHistory",
    "TicketState",
    "TicketTerms",
    "Totals",
    "WorkCalendar",
    "add_months",
    "add_period",
    "compliance",
    "credit_line",
    "credit_owed",
    "derive_milestone",
    "derive_ticket",
    "evaluate_clock",
    "evaluate_clocks",
    "fixed_line",
    "fold_events",
    "format_duration",
    "invoice_hours",
    "invoice_totals",
    "is_milestone_late",
    "line_amount",
    "local_day",
    "minor_unit",
    "money",
    "parse_duration",
    "parse_duration_parts",
    "percent_of",
    "period_after",
    "read_ticket_clocks",
    "replay_ticket",
    "round_duration",
    "round_entries",
    "split_by_calendar",
    "ticket_columns",
    "time_lines",
]
