"""The agreement file format: one pydantic model per section.

Field descriptions are the reference documentation: docs/agreement-format.md is
generated from them (`scripts/gen_agreement_docs.py`) and a test keeps it current.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from slakeeper.agreement.types import (
    EscalationAtText,
    LanguageText,
    Money,
    Percent,
    PeriodText,
    RoleRef,
    WorkingTimeText,
)

__all__ = ["CALENDAR_JSON_SCHEMA", "Agreement", "Measure"]

_DATE = {"type": "string", "format": "date"}
_WINDOWS = {
    "anyOf": [
        {"type": "string", "examples": ["09:00-12:30, 13:30-17:30", "closed"]},
        {"type": "array", "items": {"type": "string"}},
        {"type": "null"},
    ]
}
CALENDAR_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["timezone"],
    "additionalProperties": False,
    "properties": {
        "timezone": {"type": "string", "description": "An IANA time zone name."},
        "hours": {
            "type": "object",
            "description": "Weekly windows: mon-fri: 09:00-17:00.",
            "additionalProperties": _WINDOWS,
        },
        "holidays": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "country": {"type": "string", "examples": ["DE", "US", "GB"]},
                "subdivision": {"type": "string", "examples": ["BE", "CA"]},
                "dates": {
                    "type": "array",
                    "items": {
                        "anyOf": [
                            _DATE,
                            {
                                "type": "object",
                                "required": ["from", "to"],
                                "additionalProperties": False,
                                "properties": {
                                    "from": _DATE,
                                    "to": _DATE,
                                    "name": {"type": "string"},
                                },
                            },
                            {
                                "type": "object",
                                "required": ["date"],
                                "additionalProperties": False,
                                "properties": {
                                    "date": _DATE,
                                    "name": {"type": "string"},
                                },
                            },
                        ]
                    },
                },
            },
        },
        "open": {
            "type": "object",
            "description": "Extra openings: 2027-12-27: 10:00-14:00.",
            "additionalProperties": _WINDOWS,
        },
        "business_day": {"type": "string", "examples": ["8h", "7h30m"]},
    },
}

Measure = Literal[
    "response_on_time", "resolution_on_time", "update_on_time", "milestones_on_time"
]
Weekday = Literal[
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Section):
    name: str = Field(description="The person's full name.")
    email: str = Field(description="Where notifications and approvals reach them.")
    role: str = Field(
        description="Their role in this agreement (lead, approver, requester, ...); "
        "other sections name it as `provider.ROLE` or `client.ROLE`."
    )


class Party(Section):
    name: str = Field(description="The legal or trading name.")
    contacts: list[Contact] = Field(
        min_length=1, description="The people who act for this party."
    )


class Term(Section):
    months: int | None = Field(
        default=None, gt=0, le=1200, description="Length of the term in months."
    )
    until: dt.date | None = Field(default=None, description="Last day of the term.")
    renewal: Literal["automatic", "manual", "none"] = Field(
        default="none", description="What happens at the end of the term."
    )
    notice: PeriodText | None = Field(
        default=None, description="Notice needed to end or not renew the agreement."
    )


class About(Section):
    title: str = Field(description="The agreement's title.")
    provider: Party = Field(description="Who provides the services.")
    client: Party = Field(description="Who receives them.")
    effective: dt.date = Field(description="The first day the agreement applies.")
    term: Term = Field(default_factory=Term, description="How long it runs.")
    timezone: str = Field(description="The IANA time zone the agreement is read in.")
    language: LanguageText = Field(
        default="en",
        description="Language of the contract text; `check` refuses a language"
        " the contract cannot be written in.",
    )


class Priority(Section):
    means: str = Field(
        default="", description="What makes a request this urgent, in plain words."
    )
    response: WorkingTimeText | None = Field(
        default=None, description="Time to the provider's first reply."
    )
    update_every: WorkingTimeText | None = Field(
        default=None, description="Longest silence allowed while the request is open."
    )
    resolution: WorkingTimeText | None = Field(
        default=None, description="Time to resolve the request."
    )
    calendar: str | None = Field(
        default=None, description="The calendar its clocks run on (else the default)."
    )


class ClientInput(Section):
    what: str = Field(description="What the client provides (content, access, ...).")
    by: dt.date = Field(description="The date it is needed by.")


class Acceptance(Section):
    review_within: WorkingTimeText = Field(
        description="How long the client has to review a delivery."
    )
    if_silent: Literal["deemed_accepted", "shift_schedule"] = Field(
        default="deemed_accepted",
        description="What silence past the review window means.",
    )


class Milestone(Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="A short unique id.")
    title: str = Field(description="What is delivered.")
    due: dt.date | dt.datetime = Field(
        description="Due date (the end of that day in the agreement's time zone) or "
        "an exact instant."
    )
    deliverables: list[str] = Field(
        default_factory=list, description="What is handed over."
    )
    needs_from_client: list[ClientInput] = Field(
        default_factory=list, description="Inputs the client provides, with dates."
    )
    acceptance: Acceptance | None = Field(
        default=None, description="How the delivery is reviewed and accepted."
    )
    after: str | None = Field(
        default=None, description="The id of a milestone that must come first."
    )
    fee: Money | None = Field(
        default=None, description="Fixed price of this milestone, if billed so."
    )


class Commitment(Section):
    commitment: str = Field(description="What the provider does regularly.")
    every: PeriodText = Field(description="How often.")
    on: Weekday | None = Field(default=None, description="On which weekday.")


class Obligation(Section):
    obligation: str = Field(description="What the client does.")
    within: WorkingTimeText | PeriodText = Field(
        description="The time allowed: working time (3bd) or calendar days (14 days)."
    )


class Responsibilities(Section):
    provider: list[str | Commitment] = Field(
        default_factory=list, description="The provider's commitments."
    )
    client: list[str | Obligation] = Field(
        default_factory=list, description="The client's obligations."
    )


class Role(Section):
    activity: str = Field(description="The activity.")
    responsible: RoleRef | list[RoleRef] = Field(description="Who does the work.")
    accountable: RoleRef | None = Field(default=None, description="Who answers for it.")
    consulted: RoleRef | list[RoleRef] | None = Field(
        default=None, description="Whose input is asked."
    )
    informed: RoleRef | list[RoleRef] | None = Field(
        default=None, description="Who is kept informed."
    )


class Target(Section):
    measure: Measure = Field(description="What is measured.")
    priorities: list[str] | None = Field(
        default=None, description="The priorities counted (default: all)."
    )
    at_least: Percent = Field(description="The share that must be on time.")
    per: Literal["month", "quarter", "year"] = Field(
        default="month", description="The reporting period."
    )


class Amount(Section):
    amount: Money = Field(description='The amount, quoted: "1500.00".')
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")


class CreditTier(Section):
    measure: Measure = Field(description="The measure the tier looks at.")
    priorities: list[str] | None = Field(
        default=None,
        description="The priorities the measure counts (default: all); use the same"
        " list as the matching target.",
    )
    below: Percent = Field(description="The tier applies when the measure falls below.")
    credit: Percent = Field(description="The credit, as a share of the period's fee.")


class ServiceCredits(Section):
    basis: Literal["monthly_fee"] = Field(
        default="monthly_fee", description="What credits are a share of."
    )
    monthly_fee: Amount = Field(description="The fee credits are computed from.")
    tiers: list[CreditTier] = Field(
        min_length=1,
        description="Credit tiers; the highest tier that applies is owed, not the sum.",
    )
    cap: Percent = Field(description="The most credit owed in one period.")


class Termination(Section):
    when: str = Field(description="When the client may end the agreement early.")


class Accountability(Section):
    service_credits: ServiceCredits | None = Field(
        default=None, description="Credits owed when targets are missed."
    )
    termination: Termination | None = Field(
        default=None, description="The client's right to terminate."
    )


class EscalationStep(Section):
    at: EscalationAtText = Field(
        description="When: `75% of target`, `breach`, or `breach + 4h`.",
    )
    notify: list[RoleRef] = Field(min_length=1, description="Who is told.")
    say: str | None = Field(default=None, description="What happens then, in words.")


class PendingDecisions(Section):
    remind_after: WorkingTimeText = Field(description="When the client is reminded.")
    escalate_after: WorkingTimeText = Field(description="When it is escalated.")


class Escalation(Section):
    steps: list[EscalationStep] = Field(
        default_factory=list, description="Escalation steps, in order."
    )
    decisions_waiting_on_client: PendingDecisions | None = Field(
        default=None, description="Reminders for decisions the client owes."
    )


class ClientCausedDelay(Section):
    shift_milestones: Literal["working_time", "calendar_days"] = Field(
        default="working_time", description="How a client's lateness moves milestones."
    )
    adjustments: Literal["need_acceptance", "automatic"] = Field(
        default="need_acceptance",
        description="Whether both parties must accept the adjustment.",
    )


class PaymentOverdue(Section):
    after: PeriodText = Field(description="How late a payment must be.")
    suspend: list[Literal["response", "resolution", "update_every"]] = Field(
        default_factory=list, description="The clocks paused while it is overdue."
    )


class Delays(Section):
    client_caused: ClientCausedDelay = Field(
        default_factory=ClientCausedDelay, description="Delays the client causes."
    )
    payment_overdue: PaymentOverdue | None = Field(
        default=None, description="What late payment suspends."
    )


class ChangeRequests(Section):
    estimate_within: WorkingTimeText = Field(
        description="Time the provider has to estimate a change."
    )
    decide_within: WorkingTimeText | None = Field(
        default=None, description="Time the client has to decide."
    )
    requires_approval_by: RoleRef = Field(description="Who approves changes.")


class Reviews(Section):
    every: PeriodText = Field(description="How often the agreement is reviewed.")
    first: dt.date | None = Field(default=None, description="The first review date.")


class Rates(Section):
    default: Money = Field(description="The hourly rate.")
    per_role: dict[str, Money] = Field(
        default_factory=dict, description="Rates by the person's role."
    )
    per_priority: dict[str, Money] = Field(
        default_factory=dict, description="Rates by ticket priority."
    )
    out_of_hours: Money | None = Field(
        default=None, description="Rate for work outside the office calendar."
    )


class Rounding(Section):
    to: WorkingTimeText = Field(description="The rounding step, e.g. 15m.")
    mode: Literal["up", "down", "nearest"] = Field(
        default="up", description="Direction."
    )
    per: Literal["entry", "day", "invoice"] = Field(
        default="entry", description="What is rounded."
    )


class Tax(Section):
    rate: Percent = Field(description="The tax rate.")
    id: str | None = Field(default=None, description="The provider's tax id.")


class Timesheets(Section):
    approved_by: RoleRef = Field(description="Who approves time entries.")


class InvoiceTerms(Section):
    every: PeriodText = Field(description="How often invoices are issued.")
    due: PeriodText = Field(description="Payment terms.")
    detailed_time_report: bool = Field(
        default=True, description="Whether a time report comes with each invoice."
    )


class Upwork(Section):
    contract: str = Field(pattern=r"^\d+$", description="The Upwork contract id.")


class Billing(Section):
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    model: Literal["hourly", "fixed_price", "retainer"] = Field(
        description="How the work is paid."
    )
    rates: Rates | None = Field(default=None, description="Hourly rates.")
    rounding: Rounding | None = Field(default=None, description="Time rounding.")
    tax: Tax | None = Field(default=None, description="Tax on invoices.")
    timesheets: Timesheets | None = Field(default=None, description="Approval.")
    invoice: InvoiceTerms = Field(description="Invoice cadence and payment terms.")
    upwork: Upwork | None = Field(default=None, description="Work through Upwork.")


class Agreement(Section):
    """A service-level agreement file."""

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of the canonical bytes (see `agreement.canonical`).

        Stored versions keep the bytes and their hash; this is for files.
        """
        from slakeeper.agreement.canonical import canonical_sha256

        return canonical_sha256(self)

    agreement: About = Field(description="Parties, dates and term.")
    calendars: dict[str, dict[str, Any]] = Field(
        min_length=1,
        description="Named support calendars (time zone, hours, holidays); "
        "see docs/sla-clock.md.",
        # validated by slakeeper.core (with field-level messages); this schema is
        # for editors
        json_schema_extra={"additionalProperties": CALENDAR_JSON_SCHEMA},
    )
    priorities: dict[str, Priority] = Field(
        default_factory=dict, description="Request priorities, most urgent first."
    )
    default_priority: str | None = Field(default=None, description="For new requests.")
    default_calendar: str | None = Field(
        default=None, description="The calendar used when none is named."
    )
    pause_on: list[str] = Field(
        default_factory=lambda: ["waiting_on_client"],
        description="Ticket statuses that pause the resolution clock.",
    )
    milestones: list[Milestone] = Field(default_factory=list, description="Milestones.")
    responsibilities: Responsibilities = Field(
        default_factory=Responsibilities, description="Who does what."
    )
    roles: list[Role] = Field(default_factory=list, description="A RACI table.")
    targets: list[Target] = Field(default_factory=list, description="Performance.")
    accountability: Accountability = Field(
        default_factory=Accountability, description="Credits and termination."
    )
    escalation: Escalation = Field(
        default_factory=Escalation, description="Escalation."
    )
    delays: Delays = Field(default_factory=Delays, description="Delay rules.")
    change_requests: ChangeRequests | None = Field(
        default=None, description="How changes are asked for and decided."
    )
    reviews: Reviews | None = Field(default=None, description="Review cadence.")
    billing: Billing | None = Field(default=None, description="Billing terms.")
