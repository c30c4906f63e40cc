"""The templates of `slakeeper agreement new`: each loads, keeps the promises the
issue lists, and round-trips through ruamel.yaml unchanged."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from importlib.resources import files

import pytest
from ruamel.yaml import YAML

from slakeeper.agreement import loads, loads_document
from slakeeper.agreement.lint import check as lint_check
from slakeeper.agreement.schema import Agreement, Obligation
from slakeeper.agreement.templates import (
    TEMPLATES,
    UnknownTemplateError,
    current_text,
    list_templates,
    template_text,
)
from slakeeper.core import WorkCalendar

NAMES = ["retainer-support", "fixed-scope-project", "hourly-upwork"]


def _load(name: str) -> Agreement:
    return loads(template_text(name), source=f"{name}.yaml")


def _due(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def test_the_three_templates_are_listed_in_order() -> None:
    assert list_templates() == NAMES
    assert list(TEMPLATES) == NAMES
    for name, template in TEMPLATES.items():
        assert template.name == name
        assert template.file == f"{name}.yaml"
        assert template.summary


def test_an_unknown_name_lists_the_templates() -> None:
    with pytest.raises(UnknownTemplateError) as caught:
        template_text("retainer")
    message = str(caught.value)
    assert "'retainer'" in message
    for name in NAMES:
        assert name in message
    assert isinstance(caught.value, LookupError)


def test_every_yaml_file_in_the_package_is_registered() -> None:
    shipped = {
        entry.name
        for entry in files("slakeeper.agreement.templates").iterdir()
        if entry.name.endswith(".yaml")
    }
    assert shipped == {t.file for t in TEMPLATES.values()}


@pytest.mark.parametrize("name", NAMES)
def test_each_template_loads(name: str) -> None:
    agreement = _load(name)
    assert agreement.agreement.provider.name == "Your Company"
    assert agreement.agreement.client.name == "Client Ltd"
    for party in (agreement.agreement.provider, agreement.agreement.client):
        for contact in party.contacts:
            assert contact.email.endswith("example.com")


@pytest.mark.parametrize("name", NAMES)
def test_each_template_is_commented_and_tells_what_to_change(name: str) -> None:
    text = template_text(name)
    assert text.startswith(f"# Template: {name}.")
    assert "Replace every placeholder" in text
    assert "slakeeper agreement check" in text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 15


@pytest.mark.parametrize("name", NAMES)
def test_each_template_round_trips_unchanged(name: str) -> None:
    # `agreement new --interactive` edits with these settings; an unchanged
    # document must come back byte for byte, comments included.
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = template_text(name)
    out = io.StringIO()
    yaml.dump(yaml.load(text), out)
    assert out.getvalue() == text


@pytest.mark.parametrize("name", NAMES)
def test_dates_are_in_2027_and_the_term_has_not_ended(name: str) -> None:
    about = _load(name).agreement
    assert about.effective.year == 2027
    if about.term.until is not None:
        assert about.term.until >= date(2027, 1, 1)
    else:
        assert about.term.months is not None
        assert about.term.renewal == "automatic"


@pytest.mark.parametrize("name", NAMES)
def test_priorities_say_what_they_mean_and_respond_before_resolving(
    name: str,
) -> None:
    loaded = loads_document(template_text(name), f"{name}.yaml")
    a = loaded.agreement
    assert a.priorities
    for level, p in a.priorities.items():
        assert p.means.strip(), level
        assert p.response is not None
        assert p.resolution is not None
        calendar = p.calendar or a.default_calendar or next(iter(a.calendars))
        day = loaded.calendars[calendar].business_day
        assert p.response.resolve(day) < p.resolution.resolve(day), level
        if p.update_every is not None:
            assert p.update_every.resolve(day) <= p.resolution.resolve(day), level


@pytest.mark.parametrize("name", NAMES)
def test_every_client_obligation_has_a_time_limit(name: str) -> None:
    client = _load(name).responsibilities.client
    assert client
    assert all(isinstance(item, Obligation) for item in client)


@pytest.mark.parametrize("name", NAMES)
def test_every_calendar_is_open_and_has_holidays_or_is_on_call(name: str) -> None:
    a = _load(name)
    for calendar_name, spec in a.calendars.items():
        calendar = WorkCalendar.from_spec(spec)
        assert any(calendar.rules.weekly), calendar_name
    assert "office" in a.calendars
    assert a.calendars["office"]["holidays"]["country"]


def test_retainer_has_ordered_credit_tiers_under_the_cap() -> None:
    a = _load("retainer-support")
    assert list(a.priorities) == ["critical", "high", "normal", "low"]
    assert set(a.calendars) == {"office", "on_call"}
    assert a.targets
    credits = a.accountability.service_credits
    assert credits is not None
    by_measure: dict[str, list[tuple[Decimal, Decimal]]] = {}
    for tier in credits.tiers:
        by_measure.setdefault(tier.measure, []).append((tier.below, tier.credit))
        assert tier.credit < credits.cap
    for tiers in by_measure.values():
        belows = [b for b, _ in tiers]
        assert belows == sorted(belows, reverse=True)
        assert len(set(belows)) == len(belows)
        rising = [c for _, c in tiers]
        assert rising == sorted(rising)
    assert a.escalation.steps
    assert a.delays.payment_overdue is not None
    assert a.delays.payment_overdue.suspend
    assert a.reviews is not None
    assert a.billing is not None
    assert a.billing.model == "retainer"
    assert str(a.billing.invoice.every) == "1 month"


def test_fixed_scope_milestones_follow_their_inputs_and_each_other() -> None:
    a = _load("fixed-scope-project")
    assert len(a.milestones) >= 3
    by_id = {m.id: m for m in a.milestones}
    first_due = min(_due(m.due) for m in a.milestones)
    assert a.agreement.effective < first_due
    silences = set()
    for m in a.milestones:
        assert m.deliverables
        assert m.needs_from_client
        assert m.acceptance is not None
        assert m.fee is not None
        silences.add(m.acceptance.if_silent)
        for need in m.needs_from_client:
            assert a.agreement.effective <= need.by < _due(m.due)
        if m.after is not None:
            assert _due(by_id[m.after].due) < _due(m.due)
    assert silences == {"deemed_accepted", "shift_schedule"}
    assert any(m.after for m in a.milestones)
    assert a.change_requests is not None
    assert a.delays.client_caused.shift_milestones == "working_time"
    assert a.billing is not None
    assert a.billing.model == "fixed_price"
    until = a.agreement.term.until
    assert until is not None
    assert max(_due(m.due) for m in a.milestones) <= until


def test_hourly_upwork_bills_weekly_with_approved_timesheets() -> None:
    a = _load("hourly-upwork")
    billing = a.billing
    assert billing is not None
    assert billing.model == "hourly"
    assert billing.upwork is not None
    assert billing.upwork.contract.isdigit()
    assert str(billing.invoice.every) == "1 week"
    assert billing.invoice.detailed_time_report
    assert billing.rounding is not None
    assert billing.rates is not None
    assert billing.timesheets is not None
    assert billing.timesheets.approved_by == "client.approver"
    commitments = [c for c in a.responsibilities.provider if not isinstance(c, str)]
    assert any("time report" in c.commitment for c in commitments)


def _placeholder_paths(a: Agreement) -> set[str]:
    """Where each template keeps a sample value a real agreement must replace."""
    paths = set()
    for side in ("provider", "client"):
        paths.add(f"agreement.{side}.name")
        for i, _ in enumerate(getattr(a.agreement, side).contacts):
            paths |= {
                f"agreement.{side}.contacts[{i}].name",
                f"agreement.{side}.contacts[{i}].email",
            }
    assert a.billing is not None
    if a.billing.tax is not None and a.billing.tax.id is not None:
        paths.add("billing.tax.id")
    if a.billing.upwork is not None:
        paths.add("billing.upwork.contract")
    return paths


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 6, 30)])
def test_each_template_lints_clean_but_for_its_placeholders(
    name: str, today: date
) -> None:
    loaded = loads_document(template_text(name), f"{name}.yaml")
    findings = lint_check(loaded, today=today)
    assert {f.code for f in findings} == {"SLA019"}
    # every sample value the template ships is flagged (templates/placeholders.py)
    flagged = {f.where.dotted_path for f in findings}
    assert flagged == _placeholder_paths(loaded.agreement)


@pytest.mark.parametrize("name", NAMES)
def test_templates_moved_to_a_later_year_still_check_clean(name: str) -> None:
    later = date(2031, 3, 1)
    text = current_text(name, later)
    assert text != template_text(name)
    findings = lint_check(loads_document(text, f"{name}.yaml"), today=later)
    assert [f"{f.code} {f.message}" for f in findings if f.code != "SLA019"] == []
    assert current_text(name, date(2026, 11, 29)) == template_text(name)
