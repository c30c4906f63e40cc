"""What a careful reviewer would flag in an agreement that is valid but unwise.

`check(loaded, today=...)` returns findings, each with a code, a severity, the
field it is about, one sentence saying what is wrong and a suggested fix.
Errors are contradictions or promises that cannot be kept or measured;
warnings are gaps a client may later dispute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from slakeeper.agreement.canonical import term_dates
from slakeeper.agreement.load import LoadedAgreement
from slakeeper.agreement.schema import Agreement, CreditTier, Measure, Obligation
from slakeeper.agreement.types import WorkingTime
from slakeeper.agreement.words import long_date, percent, working_time
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
    """Every finding for the agreement, in file order."""
    a = loaded.agreement
    raws = [
        *_priorities(loaded),
        *_measurable(a),
        *_credit_tiers(a),
        *_milestones(a),
        *_obligations(a),
        *_calendars(loaded),
        *_dates(a, today),
        *_money(a),
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
