"""What a careful reviewer would flag in an agreement that is valid but unwise.

`check(loaded, today=...)` returns findings, each with a code, a severity, the
field it is about, one sentence saying what is wrong and a suggested fix.
Errors are contradictions or promises that cannot be kept or measured;
warnings are gaps a client may later dispute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from slakeeper.agreement.canonical import term_dates
from slakeeper.agreement.load import LoadedAgreement
from slakeeper.agreement.schema import Agreement, CreditTier, Measure, Obligation
from slakeeper.agreement.templates.placeholders import (
    is_placeholder_email,
    is_placeholder_id,
    is_placeholder_name,
)
from slakeeper.agreement.types import CalendarPeriod, WorkingTime
from slakeeper.agreement.words import date_range, long_date, percent, working_time
from slakeeper.agreement.words import period as words_period
from slakeeper.core import add_months
from slakeeper.yamlsource import PathPart, SourceProblem

__all__ = ["Finding", "Severity", "check"]

Path = tuple[PathPart, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    path: Path
    message: str
    fix: str
    where: SourceProblem  # file, line and column of the field

    @property
    def location(self) -> str:
        return self.where.location


@dataclass(frozen=True, slots=True)
class _Raw:
    code: str
    severity: Severity
    path: Path
    message: str
    fix: str


def check(loaded: LoadedAgreement, *, today: date) -> list[Finding]:
    """Every finding for the agreement, in file order. Of a partial agreement
    (`loaded.broken` not empty) only the rules that read none of its broken
    sections run."""
    raws = [
        raw
        for sections, rule in _RULES
        if loaded.broken.isdisjoint(sections)
        for raw in rule(loaded, today)
    ]
    findings = [
        Finding(
            r.code,
            r.severity,
            r.path,
            r.message,
            r.fix,
            loaded.document.problem(r.path, r.message),
        )
        for r in raws
    ]
    return sorted(
        findings, key=lambda f: (f.where.line or 0, f.where.column or 0, f.code)
    )


def _calendar_of(loaded: LoadedAgreement, name: str | None) -> str:
    a = loaded.agreement
    return name or a.default_calendar or next(iter(a.calendars))


def _priorities(loaded: LoadedAgreement) -> Iterator[_Raw]:
    a = loaded.agreement
    for level, p in a.priorities.items():
        path: Path = ("priorities", level)
        day = loaded.calendars[_calendar_of(loaded, p.calendar)].business_day
        for field in ("response", "update_every", "resolution"):
            target = getattr(p, field)
            if target is not None and target.resolve(day) <= timedelta(0):
                yield _Raw(
                    "SLA018",
                    Severity.ERROR,
                    (*path, field),
                    f"The {level} {field.replace('_', ' ')} target is zero, so every"
                    " request would be late.",
                    "Give a time, e.g. 1h, or remove the target.",
                )
        if not p.means.strip():
            yield _Raw(
                "SLA003",
                Severity.WARNING,
                path,
                f"The {level} priority does not say in plain words when it applies.",
                f"Add `means:` to priorities.{level}, e.g. 'The live site is down.'",
            )
        if p.response and p.resolution and _longer(p.response, p.resolution, day):
            yield _Raw(
                "SLA001",
                Severity.ERROR,
                (*path, "response"),
                f"The {level} response target ({working_time(p.response)}) is longer"
                f" than its resolution target ({working_time(p.resolution)}).",
                "Make the response target shorter than the resolution target.",
            )
        if (
            p.update_every
            and p.resolution
            and _longer(p.update_every, p.resolution, day)
        ):
            yield _Raw(
                "SLA002",
                Severity.WARNING,
                (*path, "update_every"),
                f"Updates on {level} requests are due every"
                f" {working_time(p.update_every)}, longer than the resolution target"
                f" ({working_time(p.resolution)}), so no update is ever owed.",
                "Shorten update_every or remove it.",
            )


def _longer(a: WorkingTime, b: WorkingTime, day: timedelta) -> bool:
    return a.resolve(day) > b.resolve(day)


_FIELD_OF: dict[str, str] = {
    "response_on_time": "response",
    "resolution_on_time": "resolution",
    "update_on_time": "update_every",
}


def _can_measure(a: Agreement, measure: Measure, levels: list[str] | None) -> bool:
    if measure == "milestones_on_time":
        return bool(a.milestones)
    field = _FIELD_OF[measure]
    chosen = levels if levels is not None else list(a.priorities)
    return any(
        getattr(a.priorities[level], field) is not None
        for level in chosen
        if level in a.priorities
    )


def _measurable(a: Agreement) -> Iterator[_Raw]:
    for i, target in enumerate(a.targets):
        if not _can_measure(a, target.measure, target.priorities):
            yield _Raw(
                "SLA004",
                Severity.ERROR,
                ("targets", i, "measure"),
                f"No data could ever measure {target.measure}: nothing in the file"
                " sets the time it is measured against.",
                _measure_fix(target.measure),
            )
    credits = a.accountability.service_credits
    for i, tier in enumerate(credits.tiers if credits else ()):
        if not _can_measure(a, tier.measure, tier.priorities):
            yield _Raw(
                "SLA004",
                Severity.ERROR,
                ("accountability", "service_credits", "tiers", i, "measure"),
                "This credit tier can never apply: no data could measure"
                f" {tier.measure}.",
                _measure_fix(tier.measure),
            )


def _measure_fix(measure: str) -> str:
    if measure == "milestones_on_time":
        return "Add milestones, or remove the target."
    return f"Give the priorities a `{_FIELD_OF[measure]}` target, or remove this."


def _credit_tiers(a: Agreement) -> Iterator[_Raw]:
    credits = a.accountability.service_credits
    if credits is None:
        return
    base: Path = ("accountability", "service_credits")
    last: dict[tuple[str, tuple[str, ...]], tuple[int, CreditTier]] = {}
    for i, tier in enumerate(credits.tiers):
        path: Path = (*base, "tiers", i)
        key = (tier.measure, tuple(tier.priorities or ()))
        before = last.get(key)
        if before is not None:
            j, prev = before
            if tier.below == prev.below:
                yield _Raw(
                    "SLA005",
                    Severity.ERROR,
                    (*path, "below"),
                    f"This tier overlaps tiers[{j}]: both apply below"
                    f" {percent(tier.below)} of {tier.measure}.",
                    "Merge the two tiers, or give them different thresholds.",
                )
            elif tier.below > prev.below or tier.credit <= prev.credit:
                yield _Raw(
                    "SLA005",
                    Severity.ERROR,
                    path,
                    f"Tiers of {tier.measure} are out of order: each lower threshold"
                    " must come after the higher one and carry a larger credit.",
                    "List tiers from the highest threshold down, with rising credits.",
                )
        last[key] = (i, tier)
        if tier.credit > credits.cap:
            yield _Raw(
                "SLA006",
                Severity.ERROR,
                (*path, "credit"),
                f"The tier's credit ({percent(tier.credit)}) is above the cap"
                f" ({percent(credits.cap)}), so it can never be paid in full.",
                "Raise the cap or lower the credit.",
            )


def _due_date(due: date | datetime) -> date:
    return due.date() if isinstance(due, datetime) else due


def _milestones(a: Agreement) -> Iterator[_Raw]:
    by_id = {m.id: m for m in a.milestones}
    for i, m in enumerate(a.milestones):
        due = _due_date(m.due)
        for j, need in enumerate(m.needs_from_client):
            if need.by > due:
                yield _Raw(
                    "SLA007",
                    Severity.ERROR,
                    ("milestones", i, "needs_from_client", j, "by"),
                    f"{m.title} is due on {long_date(due)}, before the client's input"
                    f" '{need.what}' is needed ({long_date(need.by)}).",
                    "Move the input date earlier or the milestone later.",
                )
        first = by_id.get(m.after) if m.after else None
        if first is not None and _due_date(first.due) > due:
            yield _Raw(
                "SLA008",
                Severity.ERROR,
                ("milestones", i, "due"),
                f"{m.title} comes after {first.title} but is due earlier"
                f" ({long_date(due)} before {long_date(_due_date(first.due))}).",
                "Fix the due dates or the `after` order.",
            )


def _obligations(a: Agreement) -> Iterator[_Raw]:
    for i, item in enumerate(a.responsibilities.client):
        if not isinstance(item, Obligation):
            yield _Raw(
                "SLA009",
                Severity.WARNING,
                ("responsibilities", "client", i),
                f"The client's obligation '{item}' has no time limit, so lateness"
                " cannot be measured or turned into a delay.",
                "Write it as {obligation: ..., within: 3bd}.",
            )


def _calendars(loaded: LoadedAgreement) -> Iterator[_Raw]:
    for name, cal in loaded.calendars.items():
        if not any(cal.rules.weekly) and not cal.rules.open:
            yield _Raw(
                "SLA010",
                Severity.ERROR,
                ("calendars", name),
                f"The calendar {name} has no opening hours, so no target on it can"
                " ever fall due.",
                "Add hours, e.g. mon-fri: 09:00-17:00.",
            )


def _dates(a: Agreement, today: date) -> Iterator[_Raw]:
    effective = a.agreement.effective
    if a.milestones:
        earliest = min(a.milestones, key=lambda m: _due_date(m.due))
        if effective > _due_date(earliest.due):
            yield _Raw(
                "SLA012",
                Severity.ERROR,
                ("agreement", "effective"),
                f"The agreement starts on {long_date(effective)}, after its first"
                f" milestone ({earliest.title},"
                f" {long_date(_due_date(earliest.due))}).",
                "Move the effective date earlier or the milestone later.",
            )
    term = a.agreement.term
    first, last = term_dates(a)
    if last < first:
        yield _Raw(
            "SLA015",
            Severity.ERROR,
            ("agreement", "term", "until"),
            f"The term ends ({long_date(last)}) before the agreement starts"
            f" ({long_date(first)}).",
            "Fix the effective date or the end of the term.",
        )
    elif term.renewal == "none":
        for i, m in enumerate(a.milestones):
            if _due_date(m.due) > last:
                yield _Raw(
                    "SLA016",
                    Severity.WARNING,
                    ("milestones", i, "due"),
                    f"{m.title} is due on {long_date(_due_date(m.due))}, after the"
                    f" term ends ({long_date(last)}).",
                    "Extend the term or bring the milestone forward.",
                )
    if (
        a.reviews is not None
        and a.reviews.first is not None
        and a.reviews.first < first
    ):
        yield _Raw(
            "SLA017",
            Severity.WARNING,
            ("reviews", "first"),
            f"The first review ({long_date(a.reviews.first)}) comes before the"
            f" agreement starts ({long_date(first)}).",
            "Set the first review after the effective date.",
        )
    if term.renewal != "automatic" and (term.months or term.until) and last < today:
        yield _Raw(
            "SLA013",
            Severity.WARNING,
            ("agreement", "term"),
            f"The term ended on {long_date(last)} (checked as of {long_date(today)}).",
            "Extend the term, or make this agreement an amendment of a new one.",
        )


def _money(a: Agreement) -> Iterator[_Raw]:
    credits = a.accountability.service_credits
    if credits and a.billing and credits.monthly_fee.currency != a.billing.currency:
        yield _Raw(
            "SLA014",
            Severity.WARNING,
            ("accountability", "service_credits", "monthly_fee", "currency"),
            f"Credits are computed in {credits.monthly_fee.currency} but invoices are"
            f" in {a.billing.currency}.",
            "Use one currency, so credits can go on the invoice as they are.",
        )


# -- placeholders --------------------------------------------------------------------


def _placeholders(loaded: LoadedAgreement, today: date) -> Iterator[_Raw]:
    """The sample values of the templates (templates/placeholders.py)."""
    a = loaded.agreement
    for side in ("provider", "client"):
        party = getattr(a.agreement, side)
        if is_placeholder_name(party.name):
            yield _placeholder(
                ("agreement", side, "name"),
                f"The {side}'s name {party.name!r} is a placeholder of the templates.",
                f"Write the {side}'s legal or trading name.",
            )
        for i, contact in enumerate(party.contacts):
            path: Path = ("agreement", side, "contacts", i)
            if is_placeholder_name(contact.name):
                yield _placeholder(
                    (*path, "name"),
                    f"{contact.name!r} is a placeholder name of the templates.",
                    "Write the name of the person who holds this role.",
                )
            if is_placeholder_email(contact.email):
                yield _placeholder(
                    (*path, "email"),
                    f"{contact.email} is at a domain reserved for examples: mail to"
                    " it never arrives, so this contact gets no notice and cannot"
                    " approve.",
                    "Write the contact's real e-mail address.",
                )
    billing = a.billing
    if billing and billing.tax and billing.tax.id and is_placeholder_id(billing.tax.id):
        yield _placeholder(
            ("billing", "tax", "id"),
            f"The tax id {billing.tax.id} is a sample number, not yours.",
            "Write your VAT or tax number, or remove the id.",
        )
    if billing and billing.upwork and is_placeholder_id(billing.upwork.contract):
        yield _placeholder(
            ("billing", "upwork", "contract"),
            f"The Upwork contract {billing.upwork.contract} is the template's sample"
            " number.",
            "Write the contract id Upwork shows for this contract.",
        )


def _placeholder(path: Path, message: str, fix: str) -> _Raw:
    return _Raw("SLA019", Severity.WARNING, path, message, fix)


# -- targets no agreement could run into ---------------------------------------------


_FOREVER = 1  # years: the horizon of a term that renews or has no end


def _horizon(a: Agreement) -> tuple[date, date, str]:
    """The first and last day a target must fit in, and those days in words."""
    term = a.agreement.term
    first, last = term_dates(a)
    ends = term.renewal != "automatic" and (term.months or term.until)
    if ends:
        return first, last, f"the agreement's term ({date_range(first, last)})"
    year = add_months(first, 12 * _FOREVER) - timedelta(days=1)
    if year >= last:
        return first, year, "a year"
    return first, last, f"the agreement's term ({date_range(first, last)})"


def _working_targets(
    a: Agreement, broken: frozenset[str]
) -> Iterator[tuple[Path, str, str | None, WorkingTime | CalendarPeriod]]:
    """Every time limit of the file: (path, what it is, the calendar it runs on
    or None for the default, the limit)."""
    if "priorities" not in broken:
        for level, p in a.priorities.items():
            for field in ("response", "update_every", "resolution"):
                target = getattr(p, field)
                if target is not None:
                    what = f"The {level} {field.replace('_', ' ')} target"
                    yield ("priorities", level, field), what, p.calendar, target
    if "milestones" not in broken:
        for i, m in enumerate(a.milestones):
            if m.acceptance is not None:
                yield (
                    ("milestones", i, "acceptance", "review_within"),
                    f"The review window of {m.title}",
                    None,
                    m.acceptance.review_within,
                )
    if "responsibilities" not in broken:
        for i, item in enumerate(a.responsibilities.client):
            if isinstance(item, Obligation):
                yield (
                    ("responsibilities", "client", i, "within"),
                    f"The time allowed for '{item.obligation}'",
                    None,
                    item.within,
                )
    if a.change_requests is not None and "change_requests" not in broken:
        cr = a.change_requests
        for field, what in (
            ("estimate_within", "The time to estimate a change"),
            ("decide_within", "The time to decide on a change"),
        ):
            limit = getattr(cr, field)
            if limit is not None:
                yield ("change_requests", field), what, None, limit
    waiting = a.escalation.decisions_waiting_on_client
    if waiting is not None and "escalation" not in broken:
        for field in ("remind_after", "escalate_after"):
            path: Path = ("escalation", "decisions_waiting_on_client", field)
            what = f"The {field.replace('_', ' ')} time of pending decisions"
            yield path, what, None, getattr(waiting, field)


def _targets_within_term(loaded: LoadedAgreement, today: date) -> Iterator[_Raw]:
    a = loaded.agreement
    first, last = term_dates(a)
    if last < first:
        return  # SLA015 says so
    first, last, span = _horizon(a)
    available: dict[str, timedelta] = {}
    for path, what, name, limit in _working_targets(a, loaded.broken):
        calendar_name = _calendar_of(loaded, name)
        if isinstance(limit, CalendarPeriod):
            days = (_after(first, limit) - first).days
            if days <= (last - first).days + 1:
                continue
            length = words_period(limit)
        else:
            calendar = loaded.calendars[calendar_name]
            if calendar_name not in available:
                zone = calendar.timezone
                available[calendar_name] = calendar.between(
                    datetime.combine(first, time(), zone),
                    datetime.combine(last + timedelta(days=1), time(), zone),
                )
            if limit.resolve(calendar.business_day) <= available[calendar_name]:
                continue
            length = working_time(limit)
        yield _Raw(
            "SLA020",
            Severity.ERROR,
            path,
            f"{what} ({length}) is longer than {span}: it could never run out,"
            " so it promises nothing.",
            "Shorten it to a time that can pass within the term, e.g. 1bd or 14 days.",
        )


def _after(day: date, period: CalendarPeriod) -> date:
    """The day `period` after `day` (at most a thousand years on)."""
    if period.unit in ("day", "week"):
        days = period.amount * (7 if period.unit == "week" else 1)
        return day + timedelta(days=min(days, 366_000))
    months = period.amount * (12 if period.unit == "year" else 1)
    return add_months(day, min(months, 12_000))


_Rule = Callable[[LoadedAgreement, date], Iterable[_Raw]]

# Each rule with the top-level sections it reads: a rule runs only when none of
# them had a problem, so that a partial agreement yields no false finding.
_RULES: tuple[tuple[frozenset[str], _Rule], ...] = tuple(
    (frozenset(sections.split()), rule)
    for sections, rule in (
        ("priorities calendars default_calendar", lambda doc, _: _priorities(doc)),
        (
            "targets accountability priorities milestones",
            lambda doc, _: _measurable(doc.agreement),
        ),
        ("accountability", lambda doc, _: _credit_tiers(doc.agreement)),
        ("milestones", lambda doc, _: _milestones(doc.agreement)),
        ("responsibilities", lambda doc, _: _obligations(doc.agreement)),
        ("calendars", lambda doc, _: _calendars(doc)),
        (
            "agreement milestones reviews",
            lambda doc, today: _dates(doc.agreement, today),
        ),
        ("accountability billing", lambda doc, _: _money(doc.agreement)),
        ("agreement billing", _placeholders),
        ("agreement calendars default_calendar", _targets_within_term),
    )
)
