"""What every section of the contract needs: the agreement, its calendars and
term, and the phrases the sections share (people, money, hours)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from slakeeper.agreement import words
from slakeeper.agreement.canonical import term_dates
from slakeeper.agreement.load import LoadedAgreement
from slakeeper.agreement.schema import Agreement, Priority
from slakeeper.agreement.types import WorkingTime
from slakeeper.core import WorkCalendar

__all__ = ["NONE", "Context", "clause_text", "sentence", "wt"]

NONE = "—"


class Context:
    """One agreement being rendered."""

    def __init__(self, loaded: LoadedAgreement) -> None:
        self.a: Agreement = loaded.agreement
        self.calendars: dict[str, WorkCalendar] = loaded.calendars
        # the days holidays are listed for: the term, or its first year
        self.first, self.last = term_dates(self.a)
        term = self.a.agreement.term
        self.has_end = term.months is not None or term.until is not None
        self.default_calendar = self.a.default_calendar or next(iter(self.a.calendars))
        credits = self.a.accountability.service_credits
        self.currency = (
            self.a.billing.currency
            if self.a.billing is not None
            else credits.monthly_fee.currency
            if credits is not None
            else ""
        )
        self.titles = {m.id: m.title for m in self.a.milestones}
        about = self.a.agreement
        self.contacts = [
            (side, c.name, c.role)
            for side, party in (("provider", about.provider), ("client", about.client))
            for c in party.contacts
        ]

    def who(self, ref: str) -> str:
        """`provider.lead` -> `Jane Doe (our lead)`."""
        return words.person(ref, self.contacts)

    def whos(self, refs: str | Sequence[str] | None) -> str:
        if refs is None:
            return NONE
        if isinstance(refs, str):
            refs = [refs]
        return words.join([self.who(r) for r in refs])

    def money(self, value: Decimal, currency: str | None = None) -> str:
        code = currency or self.currency
        if not code:
            return f"{value.quantize(Decimal('0.01')):,}"
        return words.amount(value, code)

    def label(self, calendar: str) -> str:
        """`on_call` -> `on call hours`."""
        return f"{words.snake(calendar)} hours"

    def hours_lines(self, cal: WorkCalendar) -> list[str]:
        """`Monday to Friday 09:00-12:30 and 13:30-17:30`, one per run of days."""
        weekly = cal.rules.weekly
        found = words.runs(range(7), lambda a, b: b == a + 1 and weekly[a] == weekly[b])
        return [
            f"{words.days(a, b)} {words.join([str(w) for w in weekly[a]])}"
            for a, b in found
            if weekly[a]
        ]

    def hours_phrase(self, name: str) -> str:
        cal = self.calendars[name]
        lines = self.hours_lines(cal)
        text = "; ".join(lines) if lines else "never (no opening hours)"
        return f"{text} {words.timezone(cal.timezone.key)}"

    def calendar_of(self, priority: Priority) -> str:
        return priority.calendar or self.default_calendar

    def served_by(self, calendar: str) -> list[str]:
        """The priorities whose clocks run on a calendar, most urgent first."""
        return [
            n for n, p in self.a.priorities.items() if self.calendar_of(p) == calendar
        ]

    def business_day(self, name: str) -> str:
        return words.duration(self.calendars[name].business_day)


def wt(value: WorkingTime | None) -> str:
    return words.working_time(value) if value is not None else NONE


def sentence(text: str) -> str:
    """A capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def clause_text(text: str) -> str:
    """Text that continues a sentence: no full stop at the end."""
    return text.strip().rstrip(".")
