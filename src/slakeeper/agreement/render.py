"""The plain-English contract: one `ContractDocument` built from an agreement (the
Markdown and HTML writers live in `agreement.writers`, the PDF one in `agreement.pdf`).

Every value of the file reaches the text, in words or figures, through
`agreement.words`. Sentences are short, in the active voice, and say "we" for
the provider and "you" for the client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import holidays

from slakeeper.agreement import words
from slakeeper.agreement.canonical import canonical_sha256, term_dates
from slakeeper.agreement.document import (
    Block,
    BulletList,
    ContractDocument,
    Paragraph,
    Section,
    Table,
)
from slakeeper.agreement.load import LoadedAgreement
from slakeeper.agreement.schema import (
    Agreement,
    Commitment,
    CreditTier,
    Milestone,
    Obligation,
    Priority,
)
from slakeeper.agreement.types import EscalationAt, WorkingTime
from slakeeper.agreement.writers import to_html, to_markdown  # re-exported
from slakeeper.core import WorkCalendar

__all__ = ["build_contract", "to_html", "to_markdown"]

_NONE = "—"

MEASURES = {
    "response_on_time": "first replies sent on time",
    "resolution_on_time": "requests resolved on time",
    "update_on_time": "updates sent on time",
    "milestones_on_time": "milestones delivered on time",
}
_MEASURE_SHORT = {
    "response_on_time": "first replies",
    "resolution_on_time": "resolved requests",
    "update_on_time": "updates",
    "milestones_on_time": "milestones",
}
_PER = {"month": "each month", "quarter": "each quarter", "year": "each year"}
_RENEWAL = {
    "automatic": "It then renews automatically for the same length.",
    "manual": "It renews only if we both agree in writing.",
    "none": "It then ends, and does not renew.",
}
_SILENCE = {
    "deemed_accepted": "If we hear nothing by then, we treat the delivery as accepted.",
    "shift_schedule": "If we hear nothing by then, the schedule moves by the days "
    "you are late.",
}
_SHIFT = {
    "working_time": "we move the affected milestones by the working time you were late",
    "calendar_days": "we move the affected milestones by the calendar days you were "
    "late",
}
_ADJUST = {
    "need_acceptance": "Both of us must accept the new dates.",
    "automatic": "The new dates apply automatically.",
}
_CLOCKS = {
    "response": "reply times",
    "resolution": "resolution times",
    "update_every": "update times",
}
_MODEL = {
    "hourly": "We bill by the hour.",
    "fixed_price": "We bill a fixed price per milestone.",
    "retainer": "We bill a monthly retainer.",
}
_ROUND_MODE = {
    "up": "up to the next",
    "down": "down to the last",
    "nearest": "to the nearest",
}
_ROUND_PER = {
    "entry": "each time entry",
    "day": "each day's total",
    "invoice": "each invoice's total",
}
_BASIS = {"monthly_fee": "the monthly fee"}


def build_contract(loaded: LoadedAgreement, version: str = "draft") -> ContractDocument:
    """The contract both parties read and sign, in reading order."""
    return _Builder(loaded).build(version)


class _Builder:
    def __init__(self, loaded: LoadedAgreement) -> None:
        self.a: Agreement = loaded.agreement
        self.calendars: dict[str, WorkCalendar] = loaded.calendars
        self.first, self.last = term_dates(self.a)
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

    # -- shared phrases ---------------------------------------------------------

    def who(self, ref: str) -> str:
        """`provider.lead` -> `Jane Doe (our lead)`."""
        side, _, role = ref.partition(".")
        party = (
            self.a.agreement.provider if side == "provider" else self.a.agreement.client
        )
        names = [c.name for c in party.contacts if c.role == role]
        owner = "our" if side == "provider" else "your"
        if not names:
            return f"{owner} {words.snake(role)}"
        return f"{words.join(names)} ({owner} {words.snake(role)})"

    def whos(self, refs: str | Sequence[str] | None) -> str:
        if refs is None:
            return _NONE
        if isinstance(refs, str):
            refs = [refs]
        return words.join([self.who(r) for r in refs])

    def money(self, value: Decimal, currency: str | None = None) -> str:
        code = currency or self.currency
        if not code:
            return f"{value.quantize(Decimal('0.01')):,}"
        return words.amount(value, code)

    def label(self, calendar: str) -> str:
        return f"{words.snake(calendar)} hours"

    def tz(self) -> str:
        return words.timezone(self.a.agreement.timezone)

    def hours_lines(self, cal: WorkCalendar) -> list[str]:
        """`Monday to Friday 09:00-12:30 and 13:30-17:30`, one per run of days."""
        weekly = cal.rules.weekly
        out: list[str] = []
        day = 0
        while day < 7:
            end = day
            while end + 1 < 7 and weekly[end + 1] == weekly[day]:
                end += 1
            if weekly[day]:
                spans = words.join([str(w) for w in weekly[day]])
                out.append(f"{words.days(day, end)} {spans}")
            day = end + 1
        return out

    def hours_phrase(self, name: str) -> str:
        cal = self.calendars[name]
        lines = self.hours_lines(cal)
        text = "; ".join(lines) if lines else "never (no opening hours)"
        return f"{text} {words.timezone(cal.timezone.key)}"

    def calendar_of(self, priority: Priority) -> str:
        return priority.calendar or self.default_calendar

    def business_day(self, name: str) -> str:
        return words.duration(self.calendars[name].business_day)

    # -- the document -------------------------------------------------------------

    def build(self, version: str) -> ContractDocument:
        about = self.a.agreement
        sections = [
            self.summary(),
            self.response_times(),
            self.availability(),
            self.milestones(),
            self.responsibilities(),
            self.performance(),
            self.accountability(),
            self.escalation(),
            self.delays(),
            self.reviews(),
            self.billing(),
            self.definitions(),
        ]
        return ContractDocument(
            title=about.title,
            parties=(about.provider.name, about.client.name),
            effective=words.long_date(about.effective),
            sha256=canonical_sha256(self.a, self.calendars),
            sections=tuple(s for s in sections if s.blocks),
            signatories=(
                self.signatory("provider", about.provider.name, ("lead",)),
                self.signatory("client", about.client.name, ("approver", "owner")),
            ),
            version=version,
        )

    def signatory(
        self, side: str, party: str, preferred: tuple[str, ...]
    ) -> tuple[str, str, str]:
        about = self.a.agreement
        contacts = (about.provider if side == "provider" else about.client).contacts
        chosen = next((c for c in contacts if c.role in preferred), contacts[0])
        return (party, chosen.name, chosen.role)

    def term_text(self) -> str:
        about = self.a.agreement
        term = about.term
        if term.months is not None and term.until is None:
            length = f"runs for {words.plural(term.months, 'month')}, until "
        else:
            length = "runs until "
        text = (
            f"This agreement starts on {words.long_date(about.effective)}"
            f" and {length}{words.long_date(self.last)}. {_RENEWAL[term.renewal]}"
        )
        if term.notice is not None:
            text += (
                f" To end it, either of us gives {_notice(words.period(term.notice))}"
                " notice in writing."
            )
        return text

    def summary(self) -> Section:
        about = self.a.agreement
        rows: list[tuple[str, str]] = [
            ("We (the provider)", about.provider.name),
            ("You (the client)", about.client.name),
            ("Starts", words.long_date(about.effective)),
            ("Ends", words.long_date(self.last)),
            ("Term", self.term_summary()),
        ]
        hours = [
            f"{words.snake(n).capitalize()}: {self.hours_phrase(n)}"
            for n in self.a.calendars
        ]
        rows.append(("Support hours", "; ".join(hours)))
        targets = []
        for name, p in self.a.priorities.items():
            if p.response is not None:
                targets.append(f"{name}: {words.working_time(p.response)}")
        if targets:
            rows.append(("First reply", "; ".join(targets)))
        fee = self.fee_summary()
        if fee:
            rows.append(("Fee", fee))
        credits = self.a.accountability.service_credits
        if credits is not None:
            rows.append(
                (
                    "Monthly fee for credits",
                    self.money(
                        credits.monthly_fee.amount, credits.monthly_fee.currency
                    ),
                )
            )
        intro = Paragraph(
            f"In this agreement, “we” means {about.provider.name}"
            f" and “you” means {about.client.name}."
            f" Times are {self.tz()} ({about.timezone}) unless we say otherwise."
            f" This agreement is written in {words.language(about.language)}."
        )
        return Section(
            "Summary",
            (
                intro,
                Table(("Item", "Details"), tuple(rows)),
                Paragraph(self.term_text()),
            ),
            "summary",
        )

    def term_summary(self) -> str:
        term = self.a.agreement.term
        parts = []
        if term.months is not None:
            parts.append(words.plural(term.months, "month"))
        parts.append(
            {
                "automatic": "renews automatically",
                "manual": "renews only if we both agree",
                "none": "does not renew",
            }[term.renewal]
        )
        if term.notice is not None:
            parts.append(f"{_notice(words.period(term.notice))} notice")
        return ", ".join(parts)

    def fee_summary(self) -> str:
        billing = self.a.billing
        if billing is None:
            return ""
        fees = [m.fee for m in self.a.milestones if m.fee is not None]
        if fees and (billing.model == "fixed_price" or billing.rates is None):
            return f"{self.money(sum(fees, Decimal(0)))} in total for the milestones"
        if billing.rates is not None:
            return f"{self.money(billing.rates.default)} per hour"
        return _MODEL[billing.model].removeprefix("We bill ").rstrip(".")

    # -- response times -------------------------------------------------------------

    def response_times(self) -> Section:
        if not self.a.priorities:
            return Section("Response times", (), "response-times")
        rows = []
        sentences = []
        for name, p in self.a.priorities.items():
            cal = self.calendar_of(p)
            rows.append(
                (
                    name,
                    p.means or _NONE,
                    _wt(p.response),
                    _wt(p.update_every),
                    _wt(p.resolution),
                    self.label(cal).capitalize(),
                )
            )
            hours = self.hours_phrase(cal)
            if p.response is not None:
                sentences.append(
                    f"We reply to {name} requests within"
                    f" {words.working_time(p.response)}, {hours}."
                )
            else:
                sentences.append(f"{name.capitalize()} requests have no reply target.")
            if p.update_every is not None:
                sentences.append(
                    f"While {words.article(name)} request is open,"
                    " we send you an update at least"
                    f" every {words.working_time(p.update_every)}."
                )
            if p.resolution is not None:
                sentences.append(
                    f"We resolve {name} requests within"
                    f" {words.working_time(p.resolution)}."
                )
            else:
                sentences.append(
                    f"{name.capitalize()} requests have no resolution target."
                )
        blocks: list[Block] = [
            Table(
                (
                    "Priority",
                    "What it means",
                    "First reply",
                    "Updates",
                    "Resolved",
                    "Hours",
                ),
                tuple(rows),
            ),
            BulletList(tuple(sentences)),
        ]
        extra = []
        if self.a.default_priority is not None:
            extra.append(
                f"A request with no priority counts as {self.a.default_priority}."
            )
        if self.a.default_calendar is not None:
            extra.append(
                f"Clocks run on the {self.label(self.a.default_calendar)}"
                " unless a priority names other hours."
            )
        if self.a.pause_on:
            states = words.join([words.snake(s) for s in self.a.pause_on], "or")
            extra.append(
                f"The resolution clock stops while a request has the status {states}."
            )
        if extra:
            blocks.append(Paragraph(" ".join(extra)))
        return Section("Response times", tuple(blocks), "response-times")

    # -- availability -----------------------------------------------------------------

    def availability(self) -> Section:
        blocks: list[Block] = [
            Paragraph(
                f"These are the hours when we work on your requests."
                f" The term runs from {words.long_date(self.first)}"
                f" to {words.long_date(self.last)}."
            )
        ]
        for name, cal in self.calendars.items():
            blocks.append(Paragraph(f"{self.label(name).capitalize()}:"))
            items = [
                _sentence(f"{line} {words.timezone(cal.timezone.key)}")
                for line in self.hours_lines(cal)
            ]
            if not items:
                items.append("No regular opening hours.")
            closed_days = [i for i in range(7) if not cal.rules.weekly[i]]
            if closed_days and len(closed_days) < 7:
                runs = [words.days(a, b) for a, b in _runs(closed_days)]
                items.append(f"Closed on {words.join(runs)}.")
            items.extend(self.holiday_items(cal))
            for day, windows in sorted(cal.rules.open.items()):
                spans = words.join([str(w) for w in windows]) or "closed"
                items.append(f"Open on {words.long_date(day)}: {spans}.")
            spec = self.a.calendars[name]
            if spec.get("business_day") is not None:
                items.append(
                    f"A working day on these hours is {self.business_day(name)} long."
                )
            blocks.append(BulletList(tuple(items)))
        return Section("Support availability", tuple(blocks), "support-availability")

    def holiday_items(self, cal: WorkCalendar) -> list[str]:
        rules = cal.rules
        items: list[str] = []
        closed = cal.closed_dates(self.first, self.last)
        explicit = {d: rules.closed[d] for d in closed if d in rules.closed}
        public = {d: n for d, n in closed.items() if d not in explicit}
        if rules.country is not None:
            place = _place(rules.country, rules.subdivision)
            by_year: dict[int, list[str]] = {}
            for day, name in sorted(public.items()):
                by_year.setdefault(day.year, []).append(
                    f"{words.day_month(day)} ({name})"
                )
            if not by_year:
                items.append(f"Closed on public holidays in {place}.")
            for year, days in by_year.items():
                items.append(
                    f"Closed on public holidays in {place} in {year}: "
                    f"{words.join(days)}."
                )
        if rules.closed:
            ranges = []
            for a, b, label in _date_runs(sorted(rules.closed.items())):
                text = (
                    words.long_date(a)
                    if a == b
                    else f"{words.long_date(a)} to {words.long_date(b)}"
                )
                if label != "closed":
                    text += f" ({label})"
                ranges.append(text)
            items.append(f"Also closed on {words.join(ranges)}.")
        return items

    # -- milestones -------------------------------------------------------------------

    def milestones(self) -> Section:
        ms = self.a.milestones
        if not ms:
            return Section("Milestones", (), "milestones")
        rows = tuple(
            (
                m.title,
                words.long_date(m.due),
                "; ".join(m.deliverables) or _NONE,
                "; ".join(
                    f"{n.what} by {words.long_date(n.by)}" for n in m.needs_from_client
                )
                or _NONE,
                m.id,
            )
            for m in ms
        )
        blocks: list[Block] = [
            Table(("Milestone", "Due", "We deliver", "We need from you", "Ref."), rows)
        ]
        blocks.append(BulletList(tuple(self.milestone_text(m) for m in ms)))
        return Section("Milestones", tuple(blocks), "milestones")

    def milestone_text(self, m: Milestone) -> str:
        out = [f"{m.title} is due on {words.long_date(m.due)}."]
        if m.after is not None:
            out.append(f"It starts after {self.titles.get(m.after, m.after)} is done.")
        if m.deliverables:
            out.append(f"We deliver {words.join(m.deliverables)}.")
        for need in m.needs_from_client:
            out.append(f"We need {need.what} from you by {words.long_date(need.by)}.")
        if m.acceptance is not None:
            out.append(
                f"You have {words.working_time(m.acceptance.review_within)}"
                " to review it."
            )
            out.append(_SILENCE[m.acceptance.if_silent])
        if m.fee is not None:
            out.append(f"The price is {self.money(m.fee)}.")
        return " ".join(out)

    # -- roles and responsibilities ---------------------------------------------------

    def responsibilities(self) -> Section:
        about = self.a.agreement
        blocks: list[Block] = []
        people = [
            f"{c.name} ({owner} {words.snake(c.role)}), {c.email}"
            for party, owner in ((about.provider, "our"), (about.client, "your"))
            for c in party.contacts
        ]
        blocks.append(Paragraph("These people act for each side:"))
        blocks.append(BulletList(tuple(people)))
        ours = [self.commitment(x) for x in self.a.responsibilities.provider]
        yours = [self.obligation(x) for x in self.a.responsibilities.client]
        if ours:
            blocks.append(Paragraph("What we do:"))
            blocks.append(BulletList(tuple(ours)))
        if yours:
            blocks.append(Paragraph("What you do:"))
            blocks.append(BulletList(tuple(yours)))
        if self.a.roles:
            blocks.append(
                Paragraph(
                    "Who does what: R does the work, A answers for it,"
                    " C gives input and I is kept informed."
                )
            )
            rows = tuple(
                (
                    r.activity,
                    self.whos(r.responsible),
                    self.whos(r.accountable),
                    self.whos(r.consulted),
                    self.whos(r.informed),
                )
                for r in self.a.roles
            )
            blocks.append(Table(("Activity", "R", "A", "C", "I"), rows))
        return Section("Roles and responsibilities", tuple(blocks), "responsibilities")

    def commitment(self, item: str | Commitment) -> str:
        if isinstance(item, str):
            return item
        text = f"{_sentence(item.commitment)} We do this {words.every(item.every)}"
        if item.on is not None:
            text += f", on {item.on.capitalize()}"
        return text + "."

    def obligation(self, item: str | Obligation) -> str:
        if isinstance(item, str):
            return item
        within = (
            words.working_time(item.within)
            if isinstance(item.within, WorkingTime)
            else words.period(item.within)
        )
        return f"{_sentence(item.obligation)} You do this within {within}."

    # -- performance ------------------------------------------------------------------

    def performance(self) -> Section:
        if not self.a.targets:
            return Section("How we measure performance", (), "performance")
        items = []
        rows = []
        for t in self.a.targets:
            scope = ""
            if t.priorities:
                scope = f" for {words.join(t.priorities)} requests"
            items.append(
                f"At least {words.percent(t.at_least)} of {MEASURES[t.measure]}"
                f"{scope}, {_PER[t.per]}."
            )
            rows.append(
                (
                    MEASURES[t.measure].capitalize(),
                    words.join(t.priorities) if t.priorities else "all",
                    f"at least {words.percent(t.at_least)}",
                    _PER[t.per],
                )
            )
        blocks: list[Block] = [
            Paragraph("We promise these results:"),
            Table(("What we measure", "Priorities", "Target", "Period"), tuple(rows)),
            BulletList(tuple(items)),
            Paragraph(
                "We measure each target from the times recorded on each request."
                " A clock counts only working time, and it stops while it is paused."
                " After each period, we send you a report with the results."
            ),
        ]
        return Section("How we measure performance", tuple(blocks), "performance")

    # -- accountability ---------------------------------------------------------------

    def accountability(self) -> Section:
        acc = self.a.accountability
        blocks: list[Block] = []
        credits = acc.service_credits
        if credits is not None:
            fee = credits.monthly_fee
            blocks.append(
                Paragraph(
                    f"If we miss a target, you receive a service credit. A credit is"
                    f" a share of {_BASIS[credits.basis]},"
                    f" which is {self.money(fee.amount, fee.currency)}."
                )
            )
            rows = tuple(
                (
                    MEASURES[t.measure].capitalize(),
                    f"below {words.percent(t.below)}",
                    f"{words.percent(t.credit)} of the fee",
                    self.money(fee.amount * t.credit / 100, fee.currency),
                )
                for t in credits.tiers
            )
            blocks.append(Table(("Measure", "When", "Credit", "Amount"), rows))
            cap_amount = self.money(fee.amount * credits.cap / 100, fee.currency)
            blocks.append(
                Paragraph(
                    "When more than one tier applies, you receive the highest one,"
                    " not the sum. Credits in one month never exceed"
                    f" {words.percent(credits.cap)} of the fee ({cap_amount})."
                )
            )
            blocks.append(
                BulletList(
                    tuple(
                        self.examples(
                            credits.tiers, credits.cap, fee.amount, fee.currency
                        )
                    )
                )
            )
        if acc.termination is not None:
            blocks.append(
                Paragraph(
                    "You may end this agreement early if"
                    f" {_clause(acc.termination.when)}."
                )
            )
        return Section("Service credits", tuple(blocks), "accountability")

    def examples(
        self, tiers: Sequence[CreditTier], cap: Decimal, fee: Decimal, currency: str
    ) -> list[str]:
        """Worked examples: one tier, then several tiers at once."""
        measure = tiers[0].measure
        same = sorted(
            (t for t in tiers if t.measure == measure), key=lambda t: -t.below
        )
        month = _month_name(self.first, 2)
        top = same[0]
        lower = same[1].below if len(same) > 1 else Decimal(0)
        share = top.below - 1 if top.below - 1 >= lower else (top.below + lower) / 2
        share = max(share, Decimal(0))
        out = [self.example(share, same, cap, fee, currency, month, measure)]
        if len(same) > 1:
            low = max(same[-1].below - 5, Decimal(0))
            out.append(self.example(low, same, cap, fee, currency, month, measure))
        return out

    def example(
        self,
        share: Decimal,
        tiers: Sequence[CreditTier],
        cap: Decimal,
        fee: Decimal,
        currency: str,
        month: str,
        measure: str,
    ) -> str:
        applying = [t for t in tiers if share < t.below]
        credit = max((t.credit for t in applying), default=Decimal(0))
        owed = min(credit, cap)
        text = (
            f"Example: if {words.percent(share)} of {_MEASURE_SHORT[measure]}"
            f" were on time in {month}, "
        )
        if len(applying) > 1:
            listed = words.join([words.percent(t.credit) for t in applying])
            text += f"the tiers of {listed} apply, and the highest counts. "
            text += "You"
        else:
            text += "you"
        value = (fee * owed / 100).quantize(Decimal("0.01"))
        text += (
            f" receive a credit of {words.percent(owed)} of"
            f" {words.amount(fee, currency)} = {words.amount(value, currency)}."
        )
        return text

    # -- escalation -------------------------------------------------------------------

    def escalation(self) -> Section:
        esc = self.a.escalation
        items = []
        for step in esc.steps:
            when = _when(step.at)
            text = f"{when}, we tell {self.whos(step.notify)}."
            if step.say:
                text += f" {_sentence(step.say)}"
            items.append(text[0].upper() + text[1:])
        blocks: list[Block] = []
        if items:
            blocks.append(Paragraph("If a request is at risk, we escalate it:"))
            blocks.append(BulletList(tuple(items)))
        pending = esc.decisions_waiting_on_client
        if pending is not None:
            blocks.append(
                Paragraph(
                    "Sometimes we wait for a decision from you. We remind you after"
                    f" {words.working_time(pending.remind_after)}. We escalate it"
                    f" after {words.working_time(pending.escalate_after)}."
                )
            )
        return Section("Escalation", tuple(blocks), "escalation")

    # -- delays, changes, late payment ------------------------------------------------

    def delays(self) -> Section:
        d = self.a.delays
        blocks: list[Block] = [
            Paragraph(
                "If you are late with something we need, "
                f"{_SHIFT[d.client_caused.shift_milestones]}."
                f" {_ADJUST[d.client_caused.adjustments]}"
            )
        ]
        cr = self.a.change_requests
        if cr is not None:
            text = (
                "You may ask for changes at any time."
                " We estimate each change within"
                f" {words.working_time(cr.estimate_within)}."
            )
            if cr.decide_within is not None:
                text += f" You decide within {words.working_time(cr.decide_within)}."
            text += (
                f" {self.who(cr.requires_approval_by)} must approve a change"
                " before we start it."
            )
            blocks.append(Paragraph(text))
        late = d.payment_overdue
        if late is not None:
            if late.suspend:
                clocks = words.join([_CLOCKS[c] for c in late.suspend])
                what = f" our {clocks} stop until you pay."
            else:
                what = " we may stop work until you pay."
            blocks.append(
                Paragraph(
                    f"If a payment is more than {words.period(late.after)} late," + what
                )
            )
        return Section("Delays, changes and late payment", tuple(blocks), "delays")

    # -- reviews --------------------------------------------------------------------

    def reviews(self) -> Section:
        r = self.a.reviews
        blocks: list[Block] = []
        if r is not None:
            text = f"We review this agreement with you {words.every(r.every)}."
            if r.first is not None:
                text += f" The first review is on {words.long_date(r.first)}."
            blocks.append(Paragraph(text))
        blocks.append(
            Paragraph(
                "Any change to this agreement must be in writing. Both of us must"
                " accept it. Each accepted version gets a new fingerprint"
                " (SHA-256), shown at the end."
            )
        )
        return Section(
            "Reviews and changes to this agreement", tuple(blocks), "reviews"
        )

    # -- billing ----------------------------------------------------------------------

    def billing(self) -> Section:
        b = self.a.billing
        if b is None:
            return Section("Billing and time reports", (), "billing")
        out = [_MODEL[b.model]]
        if b.rates is not None:
            rates = b.rates
            out.append(f"Our rate is {self.money(rates.default)} per hour.")
            for role, value in rates.per_role.items():
                out.append(
                    f"Work by our {words.snake(role)} costs"
                    f" {self.money(value)} per hour."
                )
            for prio, value in rates.per_priority.items():
                out.append(
                    f"Work on {prio} requests costs {self.money(value)} per hour."
                )
            if rates.out_of_hours is not None:
                out.append(
                    f"Work outside the {self.label(self.default_calendar)} costs"
                    f" {self.money(rates.out_of_hours)} per hour."
                )
        fees = [(m.title, m.fee) for m in self.a.milestones if m.fee is not None]
        for title, fee in fees:
            out.append(f"{title} costs {self.money(fee)}.")
        if b.rounding is not None:
            r = b.rounding
            step = (
                words.working_time(r.to)
                if r.to.business_days
                else words.duration(r.to.fixed)
            )
            out.append(f"We round {_ROUND_PER[r.per]} {_ROUND_MODE[r.mode]} {step}.")
        inv = b.invoice
        out.append(
            f"We send you an invoice {words.every(inv.every)}."
            f" Please pay it within {words.period(inv.due)}."
        )
        out.append(
            "Each invoice comes with a detailed time report."
            if inv.detailed_time_report
            else "Invoices come without a detailed time report; ask us for one."
        )
        if b.tax is not None:
            text = f"We add tax at {words.percent(b.tax.rate)}."
            if b.tax.id:
                text += f" Our tax number is {b.tax.id}."
            out.append(text)
        if b.timesheets is not None:
            out.append(
                f"{self.who(b.timesheets.approved_by)} approves our time entries."
            )
        if b.upwork is not None:
            out.append(
                f"You pay us through Upwork, contract {b.upwork.contract}."
                " Upwork's time tracker records our hours."
            )
        out.append(f"All amounts are in {b.currency}.")
        return Section("Billing and time reports", (BulletList(tuple(out)),), "billing")

    # -- definitions ------------------------------------------------------------------

    def definitions(self) -> Section:
        items = [
            "Working hour: an hour in which the hours that apply to a request are"
            " open. Time outside those hours does not count.",
        ]
        for name in self.calendars:
            items.append(
                f"Working day on the {self.label(name)}: {self.business_day(name)}"
                " of open time."
            )
        for name, p in self.a.priorities.items():
            if p.means:
                items.append(f"{name.capitalize()} request: {_sentence(p.means)}")
        items.append(
            "On time: done before the target time ends, counted in working time."
        )
        if self.a.accountability.service_credits is not None:
            items.append(
                "Service credit: money we take off your next invoice when we miss"
                " a target."
            )
        return Section("Definitions", (BulletList(tuple(items)),), "definitions")


# -- helpers -------------------------------------------------------------------------


def _notice(text: str) -> str:
    """`30 days` -> `30 days'` (as in "30 days' notice")."""
    return text + "'" if text.endswith("s") else text


def _wt(value: WorkingTime | None) -> str:
    return words.working_time(value) if value is not None else _NONE


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _clause(text: str) -> str:
    return text.strip().rstrip(".")


def _when(at: EscalationAt) -> str:
    if at.fraction is not None:
        return f"when {words.percent(at.fraction)} of the target time has passed"
    if at.after_breach is not None:
        return f"{words.working_time(at.after_breach)} after a target is missed"
    return "when a target is missed"


def _runs(days: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _date_runs(
    items: Iterable[tuple[date, str]],
) -> list[tuple[date, date, str]]:
    runs: list[tuple[date, date, str]] = []
    for day, label in items:
        last = runs[-1] if runs else None
        if last and last[2] == label and last[1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day, label)
        else:
            runs.append((day, day, label))
    return runs


def _month_name(first: date, offset: int) -> str:
    month = (first.month - 1 + offset) % 12 + 1
    return date(2000, month, 1).strftime("%B")


def _place(country: str, subdivision: str | None) -> str:
    """`DE`, `BE` -> `Berlin (Germany)`; `US` -> `the United States`."""
    name = country
    for entry in holidays.registry.COUNTRIES.values():
        if entry[1] == country:
            name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0])
            break
    if subdivision is None:
        return name
    try:
        aliases = holidays.country_holidays(country).subdivisions_aliases
    except (NotImplementedError, AttributeError):
        aliases = {}
    sub = next((k for k, v in aliases.items() if v == subdivision), subdivision)
    return f"{sub} ({name})"
