"""The plain-English contract: every value of the file reaches the text, in the
words this module expects for its kind; sections come in the promised order;
Markdown and HTML writers escape everything that comes from the file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from slakeeper.agreement import load_document, loads_document
from slakeeper.agreement import words as w
from slakeeper.agreement.document import (
    BulletList,
    ContractDocument,
    Paragraph,
    Section,
    Table,
)
from slakeeper.agreement.load import LoadedAgreement
from slakeeper.agreement.render import build_contract, to_html, to_markdown
from slakeeper.agreement.templates import list_templates, template_text
from slakeeper.agreement.types import (
    CalendarPeriod,
    Money,
    Percent,
    PeriodText,
    WorkingTime,
    WorkingTimeText,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"

# A second agreement that uses what the example does not: a term with an end
# date, manual renewal, other hours, named and ranged closures, extra openings,
# a set business day, an instant as due date, fixed prices, tax, timesheets...
OTHER = """\
agreement:
  title: Support for Northwind LLC
  provider:
    name: Blue Fox Studio
    contacts:
      - {name: Ann Lee, email: ann@bluefox.example, role: lead}
      - {name: Bo Chan, email: bo@bluefox.example, role: engineer}
  client:
    name: Northwind LLC
    contacts:
      - {name: Cy Park, email: cy@northwind.example, role: owner}
  effective: 2027-03-15
  term: {until: 2028-03-14, renewal: manual, notice: 1 month}
  timezone: America/New_York
  language: en
calendars:
  desk:
    timezone: America/New_York
    hours: {mon-thu: "08:00-16:00", fri: "08:00-12:00", sat: "10:00-14:00"}
    holidays:
      country: US
      subdivision: NY
      dates:
        - {from: 2027-12-27, to: 2027-12-31, name: Winter break}
        - {date: 2027-07-05, name: Team day}
        - 2028-01-03
    open: {2027-12-29: "10:00-12:00"}
    business_day: 7h30m
priorities:
  urgent:
    means: Orders cannot be placed.
    response: 30m
    update_every: 1h30m
    resolution: 1bd
  routine:
    means: Everything else.
    response: 3bd
    resolution: 10bd
    calendar: desk
default_priority: routine
default_calendar: desk
pause_on: [on_hold, waiting_on_client]
milestones:
  - id: audit
    title: Security audit
    due: 2027-05-03T12:00:00
    deliverables: [Audit report]
    needs_from_client:
      - {what: Server access, by: 2027-04-01}
      - {what: A list of admins, by: 2027-04-05}
    acceptance: {review_within: 2bd, if_silent: shift_schedule}
    fee: "4800.00"
  - id: fixes
    title: Fixes deployed
    due: 2027-06-30
    after: audit
    fee: "2400.00"
responsibilities:
  provider:
    - {commitment: A written status report, every: 2 weeks}
    - {commitment: A call about the roadmap, every: 3 months, on: tuesday}
  client:
    - Keep the staging server running.
    - {obligation: Test each release, within: 4h}
roles:
  - activity: Deployments
    responsible: [provider.lead, provider.engineer]
    accountable: client.owner
    consulted: [client.owner]
    informed: [provider.engineer]
targets:
  - {measure: update_on_time, at_least: 80%, per: quarter}
  - {measure: resolution_on_time, priorities: [urgent], at_least: 99.5%, per: year}
accountability:
  service_credits:
    monthly_fee: {amount: "2000.00", currency: USD}
    tiers:
      - {measure: resolution_on_time, below: 99.5%, credit: 2.5%}
    cap: 10%
escalation:
  steps:
    - {at: 50% of target, notify: [provider.engineer]}
    - {at: breach + 1bd, notify: [client.owner], say: The owner decides on next steps.}
  decisions_waiting_on_client: {remind_after: 4h, escalate_after: 3bd}
delays:
  client_caused: {shift_milestones: calendar_days, adjustments: automatic}
  payment_overdue: {after: 30 days, suspend: [update_every]}
change_requests:
  estimate_within: 1bd
  decide_within: 5bd
  requires_approval_by: client.owner
reviews: {every: 6 months}
billing:
  currency: USD
  model: fixed_price
  rates:
    default: "150"
    per_role: {engineer: "110.00"}
    per_priority: {urgent: "180.00"}
  rounding: {to: 6m, mode: nearest, per: day}
  tax: {rate: 8.875%, id: US-12-3456789}
  timesheets: {approved_by: client.owner}
  invoice: {every: 2 weeks, due: 30 days, detailed_time_report: false}
"""

# -- how each kind of value must read -------------------------------------------------

_WT: TypeAdapter[WorkingTime] = TypeAdapter(WorkingTimeText)
_PERIOD: TypeAdapter[CalendarPeriod] = TypeAdapter(PeriodText)
_PERCENT: TypeAdapter[Decimal] = TypeAdapter(Percent)
_MONEY: TypeAdapter[Decimal] = TypeAdapter(Money)

WORKING = re.compile(r"^\s*(\d+(\.\d+)?\s*(bd|h|m|s)\s*)+$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COUNTRIES = {"DE": "Germany", "US": "United States", "GB": "United Kingdom"}
SUBDIVISIONS = {
    ("DE", "BE"): "Berlin",
    ("US", "NY"): "New York",
    ("GB", "ENG"): "England",
}


def wt(text: str) -> str:
    return w.working_time(_WT.validate_python(text))


def period(text: str) -> str:
    return w.period(_PERIOD.validate_python(text))


def every(text: str) -> str:
    return w.every(_PERIOD.validate_python(text))


def pct(text: str) -> str:
    return w.percent(_PERCENT.validate_python(text))


def money(value: str, currency: str) -> str:
    return w.amount(_MONEY.validate_python(value), currency)


def day_words(key: str) -> str:
    first, _, last = key.partition("-")
    a = DAYS.index(first)
    return w.days(a, DAYS.index(last) if last else a)


def windows(text: str) -> str:
    return w.join([part.strip() for part in text.split(",")])


def who(data: dict[str, Any], ref: str) -> str:
    side, _, role = ref.partition(".")
    names = [
        c["name"] for c in data["agreement"][side]["contacts"] if c["role"] == role
    ]
    owner = "our" if side == "provider" else "your"
    return f"{w.join(names)} ({owner} {w.snake(role)})"


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def leaves(
    node: Any, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every leaf of the file, and every mapping key that names something."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, "<key>", key), key
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, (*path, i))
    else:
        yield path, node


def shape(path: tuple[Any, ...]) -> str:
    """A path with names and indexes replaced: `calendars.*.hours.*`."""
    parts = ["[]" if isinstance(p, int) else str(p) for p in path]
    head = parts[0] if parts else ""
    named = {1} if head in ("calendars", "priorities") else set()
    if head == "calendars" and len(parts) > 2 and parts[2] in ("hours", "open"):
        named.add(3)
    if parts[:2] == ["billing", "rates"] and len(parts) > 2:
        named.add(3)
    return ".".join("*" if i in named else part for i, part in enumerate(parts))


RENEWAL = {
    "automatic": "renews automatically",
    "manual": "renews only if we both agree",
    "none": "does not renew",
}
SILENCE = {
    "deemed_accepted": "we treat the delivery as accepted",
    "shift_schedule": "the schedule moves",
}
MEASURE = {
    "response_on_time": "first replies sent on time",
    "resolution_on_time": "requests resolved on time",
    "update_on_time": "updates sent on time",
    "milestones_on_time": "milestones delivered on time",
}
# what a measure counts for some priorities ({} = the priorities), and its verb
SCOPED = {
    "response_on_time": ("first replies to {} requests", "sent"),
    "resolution_on_time": ("{} requests", "resolved"),
    "update_on_time": ("updates on {} requests", "sent"),
}


def scoped(measure: str, priorities: list[str] | None) -> str:
    """`first replies to critical and high requests sent on time`."""
    if not priorities:
        return MEASURE[measure]
    subject, verb = SCOPED[measure]
    return f"{subject.format(w.join(priorities))} {verb} on time"


SHIFT = {
    "working_time": "by the working time you were late",
    "calendar_days": "by the calendar days you were late",
}
ADJUST = {
    "need_acceptance": "both of us must accept the new dates",
    "automatic": "the new dates apply automatically",
}
CLOCKS = {
    "response": "reply times",
    "resolution": "resolution times",
    "update_every": "update times",
}
MODEL = {
    "hourly": "we bill by the hour",
    "fixed_price": "we bill a fixed price per milestone",
    "retainer": "we bill a monthly retainer",
}
ROUND_MODE = {
    "up": "up to the next",
    "down": "down to the last",
    "nearest": "to the nearest",
}
ROUND_PER = {
    "entry": "each time entry",
    "day": "each day's total",
    "invoice": "each invoice's total",
}


def expected(path: tuple[Any, ...], value: Any, data: dict[str, Any]) -> list[str]:
    """The texts that must appear for one leaf (lower case, single spaces)."""
    s = shape(path)
    last = path[-1]
    cur = (data.get("billing") or {}).get("currency", "")
    if "<key>" in path:
        return expected_key(path, value, data)
    if isinstance(last, int):
        s = s.removesuffix(".[]")
        last = path[-2]
    data["agreement"]
    simple: dict[str, Any] = {
        "agreement.title": value,
        "agreement.provider.name": value,
        "agreement.client.name": value,
        "agreement.provider.contacts.[].name": value,
        "agreement.client.contacts.[].name": value,
        "agreement.provider.contacts.[].email": value,
        "agreement.client.contacts.[].email": value,
        "agreement.provider.contacts.[].role": f"(our {w.snake(str(value))})",
        "agreement.client.contacts.[].role": f"(your {w.snake(str(value))})",
        "agreement.language": f"written in {w.language(str(value))}",
        "priorities.*.means": value,
        "milestones.[].title": value,
        "milestones.[].deliverables": value,
        "responsibilities.provider": value,
        "responsibilities.provider.[].commitment": value,
        "responsibilities.client": value,
        "responsibilities.client.[].obligation": value,
        "roles.[].activity": value,
        "accountability.termination.when": str(value).rstrip("."),
        "escalation.steps.[].say": value,
        "billing.tax.id": f"our tax number is {value}",
    }
    if s in simple:
        return [str(simple[s])]
    if s in ("agreement.effective", "agreement.term.until"):
        return [w.long_date(as_date(value))]
    if s == "agreement.term.months":
        return [f"runs for {w.plural(int(value), 'month')}"]
    if s == "agreement.term.renewal":
        return [RENEWAL[value]]
    if s == "agreement.term.notice":
        words = period(value)
        return [f"{words}{chr(39) if words.endswith('s') else ''} notice"]
    if s == "agreement.timezone":
        return [f"{w.timezone(value)} ({value})"]
    if s == "calendars.*.timezone":
        return [w.timezone(value)]
    if s == "calendars.*.hours.*":
        return [f"{day_words(str(path[-1]))} {windows(value)}"]
    if s == "calendars.*.holidays.country":
        return [COUNTRIES[value]]
    if s == "calendars.*.holidays.subdivision":
        country = path_get(data, path[:-1])["country"]
        return [
            f"public holidays in {SUBDIVISIONS[country, value]} ({COUNTRIES[country]})"
        ]
    if s.startswith("calendars.*.holidays.dates"):
        return expected_closure(path, value, data)
    if s == "calendars.*.open.*":
        return [f"open on {w.long_date(as_date(path[-1]))}: {windows(value)}"]
    if s == "calendars.*.business_day":
        return [
            "a working day on these hours is"
            f" {w.duration(_WT.validate_python(value).fixed)} long"
        ]
    prio = str(path[1]) if path[0] == "priorities" else ""
    if s == "priorities.*.response":
        return [f"we reply to {prio} requests within {wt(value)}, "]
    if s == "priorities.*.update_every":
        return [
            f"while {w.article(prio)} request is open,"
            f" we send you an update at least every {wt(value)}"
        ]
    if s == "priorities.*.resolution":
        return [f"we resolve {prio} requests within {wt(value)}"]
    if s == "priorities.*.calendar":
        return [f"| {w.snake(value)} hours |"]
    if s == "default_priority":
        return [f"a request with no priority counts as {value}"]
    if s == "default_calendar":
        return [f"clocks run on the {w.snake(value)} hours"]
    if s == "pause_on":
        return [w.snake(value)]
    if s == "milestones.[].id":
        return [f"| {value} |"]
    if s == "milestones.[].due":
        return [f"is due on {w.long_date(value)}"]
    if s in (
        "milestones.[].needs_from_client.[].what",
        "milestones.[].needs_from_client.[].by",
    ):
        need = path_get(data, path[:-1])
        return [
            f"we need {need['what']} from you by {w.long_date(as_date(need['by']))}"
        ]
    if s == "milestones.[].acceptance.review_within":
        return [f"you have {wt(value)} to review it"]
    if s == "milestones.[].acceptance.if_silent":
        return [SILENCE[value]]
    if s == "milestones.[].after":
        title = next(m["title"] for m in data["milestones"] if m["id"] == value)
        return [f"it starts after {title} is done"]
    if s == "milestones.[].fee":
        return [f"{path_get(data, path[:-1])['title']} costs {money(value, cur)}"]
    if s == "responsibilities.provider.[].every":
        text = str(path_get(data, path[:-1])["commitment"]).rstrip(".")
        # "we send a progress update ... every week"; else "A report: every week"
        return [f"{text}{' ' if w.clause(text) else ': '}{every(value)}"]
    if s == "responsibilities.provider.[].on":
        return [f"{every(path_get(data, path[:-1])['every'])}, on {value.capitalize()}"]
    if s == "responsibilities.client.[].within":
        text = wt(value) if WORKING.match(value) else period(value)
        duty = str(path_get(data, path[:-1])["obligation"]).rstrip(".")
        # "you pay invoices within 14 days"; else "Release testing: within 4h"
        return [f"{duty}{' ' if w.clause(duty) else ': '}within {text}."]
    if s in (
        "roles.[].responsible",
        "roles.[].accountable",
        "roles.[].consulted",
        "roles.[].informed",
    ):
        role = path_get(data, path[:2])
        return [who(data, value), role["activity"]]
    if s == "targets.[].measure":
        return [MEASURE[value]]
    if s == "targets.[].priorities":
        target = path_get(data, path[:-2])
        subject, verb = SCOPED[target["measure"]]
        text = subject.format(w.join(target["priorities"]))
        return [f"at least {pct(target['at_least'])} of {text} are {verb} on time"]
    if s == "targets.[].at_least":
        return [f"at least {pct(value)}"]
    if s == "targets.[].per":
        return [f"each {value}"]
    credits = "accountability.service_credits"
    fee = (
        path_get(data, ("accountability", "service_credits", "monthly_fee"))
        if s.startswith(credits)
        else {}
    )
    if s == f"{credits}.basis":
        return ["a share of the monthly fee"]
    if s in (f"{credits}.monthly_fee.amount", f"{credits}.monthly_fee.currency"):
        return [f"the monthly fee, which is {money(fee['amount'], fee['currency'])}"]
    if s in (f"{credits}.tiers.[].measure", f"{credits}.tiers.[].priorities"):
        tier = path_get(data, path[:4])
        return [f"| {scoped(tier['measure'], tier.get('priorities'))} | below"]
    if s == f"{credits}.tiers.[].below":
        return [f"below {pct(value)}"]
    if s == f"{credits}.tiers.[].credit":
        amount = (
            _MONEY.validate_python(fee["amount"])
            * _PERCENT.validate_python(value)
            / 100
        )
        return [f"{pct(value)} of the fee | {w.amount(amount, fee['currency'])}"]
    if s == f"{credits}.cap":
        return [f"never exceed {pct(value)} of the fee"]
    if s == "escalation.steps.[].at":
        return [escalation_at(value)]
    if s == "escalation.steps.[].notify":
        # the first person follows "we tell"; the others are joined to it
        return [f"we tell {who(data, value)}" if path[-1] == 0 else who(data, value)]
    if s == "escalation.decisions_waiting_on_client.remind_after":
        return [f"we remind you after {wt(value)}"]
    if s == "escalation.decisions_waiting_on_client.escalate_after":
        return [f"we escalate it after {wt(value)}"]
    if s == "delays.client_caused.shift_milestones":
        return [SHIFT[value]]
    if s == "delays.client_caused.adjustments":
        return [ADJUST[value]]
    if s == "delays.payment_overdue.after":
        return [f"if a payment is more than {period(value)} late"]
    if s == "delays.payment_overdue.suspend":
        return [CLOCKS[value]]
    if s == "change_requests.estimate_within":
        return [f"we estimate each change within {wt(value)}"]
    if s == "change_requests.decide_within":
        return [f"you decide within {wt(value)}"]
    if s == "change_requests.requires_approval_by":
        return [f"{who(data, value)} must approve a change"]
    if s == "reviews.every":
        return [f"we review this agreement with you {every(value)}"]
    if s == "reviews.first":
        return [f"the first review is on {w.long_date(as_date(value))}"]
    if s == "billing.currency":
        return [f"all amounts are in {value}"]
    if s == "billing.model":
        return [MODEL[value]]
    if s == "billing.rates.default":
        return [f"our rate is {money(value, cur)} per hour"]
    if s == "billing.rates.per_role.*":
        return [
            f"work by our {w.snake(str(path[-1]))} costs {money(value, cur)} per hour"
        ]
    if s == "billing.rates.per_priority.*":
        return [f"work on {path[-1]} requests costs {money(value, cur)} per hour"]
    if s == "billing.rates.out_of_hours":
        return [f"costs {money(value, cur)} per hour"]
    if s == "billing.rounding.to":
        return [w.duration(_WT.validate_python(value).fixed) + "."]
    if s == "billing.rounding.mode":
        return [f" {ROUND_MODE[value]} "]
    if s == "billing.rounding.per":
        return [f"we round {ROUND_PER[value]}"]
    if s == "billing.tax.rate":
        return [f"we add tax at {pct(value)}"]
    if s == "billing.timesheets.approved_by":
        return [f"{who(data, value)} approves our time entries"]
    if s == "billing.invoice.every":
        return [f"we send you an invoice {every(value)}"]
    if s == "billing.invoice.due":
        return [f"please pay it within {period(value)}"]
    if s == "billing.invoice.detailed_time_report":
        if value:
            return ["each invoice comes with a detailed time report"]
        return ["invoices come without a detailed time report"]
    if s == "billing.upwork.contract":
        return [f"upwork, contract {value}"]
    raise AssertionError(f"no expected rendering for {s} ({value!r}): add one")


def expected_key(path: tuple[Any, ...], key: Any, data: dict[str, Any]) -> list[str]:
    """Keys that name something: calendars, priorities, weekdays, dates, roles."""
    where = [str(p) for p in path[:-2]]
    if where == ["calendars"]:
        return [f"{w.snake(str(key))} hours"]
    if where == ["priorities"]:
        return [
            f"we reply to {key} requests"
            if data["priorities"][key].get("response")
            else f"{str(key).capitalize()} requests have no reply target"
        ]
    if where in (
        ["billing", "rates", "per_priority"],
        ["billing", "rates", "per_role"],
    ):
        return [w.snake(str(key))]
    if len(where) == 3 and where[0] == "calendars" and where[2] == "open":
        return [f"open on {w.long_date(as_date(key))}"]
    if len(where) == 3 and where[0] == "calendars" and where[2] == "hours":
        return [day_words(str(key))]
    return []  # a field name: the schema's, not the author's


def expected_closure(
    path: tuple[Any, ...], value: Any, data: dict[str, Any]
) -> list[str]:
    item = path_get(data, path[:5])
    if isinstance(item, dict) and "from" in item:
        first, last = as_date(item["from"]), as_date(item["to"])
        if (first.year, first.month) == (last.year, last.month):
            text = f"{first.day}-{w.long_date(last)}"
        else:
            text = f"{w.long_date(first)} to {w.long_date(last)}"
        return [f"{text} ({item['name']})" if item.get("name") else text]
    if isinstance(item, dict):
        text = w.long_date(as_date(item["date"]))
        return [f"{text} ({item['name']})" if item.get("name") else text]
    return [w.long_date(as_date(item))]


def escalation_at(value: str) -> str:
    level = re.match(r"^\s*(\d+(?:\.\d+)?)%\s+of\s+target\s*$", value)
    if level:
        return f"when {level.group(1)}% of the target time has passed"
    after = re.match(r"^\s*breach\s*\+\s*(\S+)\s*$", value)
    if after:
        return f"{wt(after.group(1))} after a target is missed"
    return "when a target is missed"


def path_get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def normalise(markdown: str) -> str:
    text = re.sub(r"\\(.)", r"\1", markdown)
    return " ".join(text.split()).lower()


def plain_data(loaded: LoadedAgreement) -> dict[str, Any]:
    data = loaded.document.plain()
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module", params=["example", "other", *list_templates()])
def case(request: pytest.FixtureRequest) -> tuple[LoadedAgreement, str]:
    if request.param == "example":
        loaded = load_document(EXAMPLE)
    elif request.param == "other":
        loaded = loads_document(OTHER, "other.yaml")
    else:
        loaded = loads_document(template_text(request.param), request.param)
    return loaded, to_markdown(build_contract(loaded))


def test_every_value_of_the_file_is_in_the_text(
    case: tuple[LoadedAgreement, str],
) -> None:
    loaded, markdown = case
    data = plain_data(loaded)
    text = normalise(markdown)
    missing = []
    checked = 0
    for path, value in leaves(data):
        for piece in expected(path, value, data):
            checked += 1
            want = " ".join(str(piece).split()).lower() if piece.strip() else piece
            if want not in text:
                missing.append(f"{'.'.join(map(str, path))} = {value!r}: {want!r}")
    assert not missing, "\n".join(missing)
    assert checked > 50  # the smallest file, hourly-upwork, has 76 leaves


def test_the_walk_covers_every_kind_of_value() -> None:
    """The second agreement exists to reach what the example does not."""
    seen = set()
    for text in (EXAMPLE.read_text(encoding="utf-8"), OTHER):
        data = plain_data(loads_document(text))
        seen |= {shape(p) for p, _ in leaves(data) if "<key>" not in p}
    for needed in (
        "agreement.term.until",
        "calendars.*.holidays.dates.[].from",
        "calendars.*.holidays.dates.[].name",
        "calendars.*.open.*",
        "calendars.*.business_day",
        "milestones.[].fee",
        "billing.tax.rate",
        "billing.rates.per_role.*",
        "change_requests.decide_within",
        "roles.[].accountable",
        "billing.upwork.contract",
    ):
        assert needed in seen, needed


def test_sections_come_in_the_promised_order() -> None:
    doc = build_contract(load_document(EXAMPLE))
    assert [s.anchor for s in doc.sections] == [
        "summary",
        "response-times",
        "support-availability",
        "milestones",
        "responsibilities",
        "performance",
        "accountability",
        "escalation",
        "delays",
        "reviews",
        "billing",
        "definitions",
    ]
    summary = doc.sections[0]
    table = next(b for b in summary.blocks if isinstance(b, Table))
    labels = [row[0] for row in table.rows]
    for label in (
        "We (the provider)",
        "You (the client)",
        "Starts",
        "Ends",
        "Term",
        "Support hours",
        "First reply",
        "Fee",
    ):
        assert label in labels


def test_the_example_reads_as_the_issue_promises() -> None:
    loaded = load_document(EXAMPLE)
    doc = build_contract(loaded)
    text = normalise(to_markdown(doc))
    for phrase in (
        "we reply to critical requests within 1 working hour, any day 07:00-22:00"
        " berlin time.",
        "closed on public holidays in berlin (germany) in 2027: 1 january"
        " (new year's day),",
        "26 march (good friday)",
        "if 94% of first replies to critical and high requests were sent on time"
        " in march, you receive a credit of 5% of eur 1,500.00 = eur 75.00.",
        "the tiers of 5% and 10% apply, and the highest counts. you receive a credit"
        " of 10% of eur 1,500.00 = eur 150.00.",
        "credits in one month never exceed 20% of the fee (eur 300.00).",
        "working day on the office hours: 7 hours 30 minutes of working time.",
        "| support hours | office: monday to friday 09:00-12:30 and 13:30-17:30"
        " berlin time (high, normal, low); on call: any day 07:00-22:00 berlin time"
        " (critical) |",
        "we deliver these: figma file with all page templates; style guide.",
        "you give feedback on delivered work within 3 working days.",
        "you make decisions on change requests within 2 working days.",
        "we send a progress update by e-mail every week, on friday.",
        "working time: time when the support hours of a request are open.",
    ):
        assert phrase in text, phrase
    assert doc.sha256 in to_markdown(doc)
    assert doc.signatories == (
        ("Jane Doe Web Consulting", "Jane Doe", "lead"),
        ("Acme GmbH", "Max Mustermann", "approver"),
    )


def test_the_credit_cap_limits_the_worked_example() -> None:
    text = OTHER.replace("cap: 10%", "cap: 2%")
    md = normalise(to_markdown(build_contract(loads_document(text))))
    assert "you receive a credit of 2% of usd 2,000.00 = usd 40.00." in md


def test_the_sha256_is_the_canonical_hash() -> None:
    from slakeeper.agreement import canonical_sha256

    loaded = load_document(EXAMPLE)
    doc = build_contract(loaded, version="3")
    assert doc.sha256 == canonical_sha256(loaded.agreement, loaded.calendars)
    assert doc.version == "3"
    assert "Version 3 · SHA-256" in to_markdown(doc)


# -- writers ---------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> *bold* _it_ [link](x) | pipe `code` &amp; # head"


def hostile_doc() -> ContractDocument:
    return ContractDocument(
        title=HOSTILE,
        parties=(HOSTILE, "Client <b>"),
        effective="1 April 2027",
        sha256="ab" * 32,
        sections=(
            Section(
                HOSTILE,
                (
                    Paragraph(HOSTILE),
                    Paragraph("- not a list\n# not a heading"),
                    BulletList((HOSTILE, "1. not numbered")),
                    Table(("a|b", "c"), ((HOSTILE, "x\ny"),)),
                ),
                'x" onclick="y',
            ),
        ),
        signatories=((HOSTILE, "<i>Jane</i>", "lead"),),
    )


def test_html_escapes_every_text() -> None:
    html = to_html(hostile_doc())
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'onclick="y' not in html
    assert "&amp;amp;" in html
    assert html.startswith("<!DOCTYPE html>")
    assert "@page" in html
    assert "ab" * 32 in html
    assert "<link" not in html
    assert "src=" not in html


def test_markdown_escapes_what_would_change_meaning() -> None:
    md = to_markdown(hostile_doc())
    assert "<script>" not in md
    assert r"\<script\>" in md
    assert r"\*bold\*" in md
    assert r"\_it\_" in md
    assert r"\[link\](x)" in md
    assert r"\`code\`" in md
    assert r"\&amp;" in md
    assert r"\- not a list # not a heading" in md  # one line: no heading
    assert "- 1\\. not numbered" in md
    table = [ln for ln in md.splitlines() if ln.startswith("| ") and "---" not in ln]
    assert table[0] == r"| a\|b | c |"
    # one row, three pipes unescaped: the cell's pipe is escaped, the newline gone
    assert len(re.findall(r"(?<!\\)\|", table[1])) == 3
    assert "x y" in table[1]


def test_html_of_the_example_has_tables_and_signatures() -> None:
    doc = build_contract(load_document(EXAMPLE))
    html = to_html(doc)
    assert html.count("<table>") == sum(
        isinstance(b, Table) for s in doc.sections for b in s.blocks
    )
    assert 'id="summary"' in html
    assert "Signatures" in html
    assert "Max Mustermann" in html
    assert doc.sha256 in html


def test_words_helpers() -> None:
    assert w.every(CalendarPeriod(1, "week")) == "every week"
    assert w.every(CalendarPeriod(3, "month")) == "every 3 months"
    assert w.join(["a", "b", "c"]) == "a, b and c"
    assert w.days(0, 6) == "any day"
    assert w.days(5, 6) == "Saturday and Sunday"
    assert w.days(0, 4) == "Monday to Friday"
    assert w.timezone("America/New_York") == "New York time"
    assert w.timezone("UTC") == "UTC"
    assert w.language("en") == "English"
    assert w.long_date(datetime(2027, 5, 3, 12, 0)) == "3 May 2027, 12:00"  # noqa: DTZ001


# -- the contract says only what the file says ---------------------------------------

MINIMAL = """\
agreement:
  title: Minimal support
  provider:
    name: Blue Fox Studio
    contacts: [{name: Ann Lee, email: ann@bluefox.example, role: lead}]
  client:
    name: Northwind LLC
    contacts: [{name: Cy Park, email: cy@northwind.example, role: owner}]
  effective: 2027-03-15
  timezone: Europe/Berlin
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-17:00"}
priorities:
  normal: {means: Anything., response: 1bd}
delays:
  payment_overdue: {after: 14 days}
"""


def test_a_minimal_file_states_no_terms_it_does_not_contain() -> None:
    doc = build_contract(loads_document(MINIMAL, "minimal.yaml"))
    text = normalise(to_markdown(doc))
    for absent in (
        "stop work",  # payment_overdue without `suspend` pauses nothing
        "until you pay",
        "milestones",  # default delay rules, but no milestones to move
        "both of us must accept the new dates",
        "does not renew",  # no term: no end date, no renewal
        "renews",
        "the term runs",
        "14 march 2028",  # the last day canonical.term_dates assumes for holidays
    ):
        assert absent not in text, absent
    for present in (
        "this agreement starts on 15 march 2027 and runs until either of us ends it.",
        "| ends | when either of us ends it |",
        "| term | no fixed end |",
        "if a payment is more than 14 days late, it counts as overdue.",
    ):
        assert present in text, present
    summary = doc.sections[0]
    table = next(b for b in summary.blocks if isinstance(b, Table))
    assert ("Ends", "When either of us ends it") in table.rows


def test_notice_without_a_term_says_how_to_end_it() -> None:
    text = MINIMAL.replace(
        "  timezone: Europe/Berlin\ncalendars:",
        "  term: {notice: 1 month}\n  timezone: Europe/Berlin\ncalendars:",
    )
    md = normalise(to_markdown(build_contract(loads_document(text))))
    assert (
        "runs until either of us ends it. to end it, either of us gives 1 month"
        " notice in writing." in md
    )
    assert "| term | no fixed end, 1 month notice |" in md


def test_a_single_calendar_serves_every_priority_without_saying_so() -> None:
    md = normalise(to_markdown(build_contract(loads_document(MINIMAL))))
    assert "| support hours | office: monday to friday 09:00-17:00 berlin time |" in md


def test_duties_read_as_sentences_and_unknown_ones_keep_their_text() -> None:
    assert w.clause("Pay invoices") == "pay invoices"
    assert w.clause("Feedback on delivered work") == "give feedback on delivered work"
    assert w.clause("Progress update by e-mail") == "send a progress update by e-mail"
    assert w.clause("SSL renewal") is None
    text = OTHER.replace("Test each release", "Release testing")
    md = normalise(to_markdown(build_contract(loads_document(text))))
    assert "- release testing: within 4 working hours." in md
    assert "you test each release" not in md


def test_words_are_shared_and_locale_free() -> None:
    assert w.runs([1, 2, 3, 5], lambda a, b: b == a + 1) == [(1, 3), (5, 5)]
    assert w.weekdays([0, 1, 2, 4, 5, 6]) == "Monday to Wednesday and Friday to Sunday"
    assert w.date_range(date(2027, 12, 27), date(2027, 12, 31)) == "27-31 December 2027"
    assert w.date_range(date(2027, 12, 30), date(2028, 1, 2)) == (
        "30 December 2027 to 2 January 2028"
    )
    assert [w.month_name(m) for m in (1, 5, 12)] == ["January", "May", "December"]
    assert w.place("DE", "BY") == "Bayern (Germany)"  # the holidays package's name
    assert w.place("US", None) == "United States"
    assert w.duration(_WT.validate_python("90m").fixed) == "1 hour 30 minutes"
    assert w.working_time(_WT.validate_python("90m")) == "1 working hour 30 minutes"
    assert w.working_time(_WT.validate_python("30m")) == "30 working minutes"
    assert w.measure("response_on_time", ["critical", "high"]) == (
        "first replies to critical and high requests sent on time"
    )
    assert w.measure("resolution_on_time") == "requests resolved on time"
    contacts = [("provider", "Jane Doe", "lead"), ("client", "Max", "approver")]
    assert w.person("provider.lead", contacts) == "Jane Doe (our lead)"
    assert w.person("client.owner", contacts) == "your owner"
