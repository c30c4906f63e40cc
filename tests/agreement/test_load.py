"""Loading agreement files: the example loads; each malformed file gets its exact
message at its exact position; every problem is reported at once."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from slakeeper.agreement import load, load_document, loads, loads_document
from slakeeper.yamlsource import SourceError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"

BASE = """\
agreement:
  title: Care for Acme
  provider:
    name: Jane Doe Web
    contacts:
      - {name: Jane Doe, email: jane@janedoe-web.de, role: lead}
  client:
    name: Acme GmbH
    contacts:
      - {name: Max, email: max@acme-gmbh.de, role: approver}
  effective: 2027-01-01
  term: {months: 12, renewal: automatic, notice: 30 days}
  timezone: Europe/Berlin
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-17:00"}
    holidays: {country: DE}
priorities:
  critical: {means: Site down., response: 1h, resolution: 8h}
  normal: {means: Anything else., response: 1bd, resolution: 5bd}
default_priority: normal
milestones:
  - {id: mockups, title: Mock-ups, due: 2027-02-15}
  - {id: launch, title: Launch, due: 2027-04-01, after: mockups}
escalation:
  steps:
    - {at: 75% of target, notify: [provider.lead]}
billing:
  currency: EUR
  model: hourly
  rates: {default: "95.00"}
  invoice: {every: month, due: 14 days}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SourceError) as info:
        loads(text, source="acme.yaml")
    return [str(p) for p in info.value.problems]


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def test_the_example_agreement_loads():
    agreement = load(EXAMPLE)
    assert agreement.agreement.client.name == "Acme GmbH"
    critical = agreement.priorities["critical"]
    assert critical.response is not None
    assert critical.response.resolve(timedelta(hours=7.5)) == timedelta(hours=1)
    high = agreement.priorities["high"]
    assert high.resolution is not None
    assert high.resolution.resolve(timedelta(hours=7.5)) == timedelta(hours=15)
    credits = agreement.accountability.service_credits
    assert credits is not None
    assert credits.monthly_fee.amount == Decimal("1500.00")
    assert [t.below for t in credits.tiers] == [Decimal(95), Decimal(90)]


def test_the_base_file_loads_with_its_calendars():
    loaded = loads_document(BASE, "acme.yaml")
    assert list(loaded.calendars) == ["office"]
    assert loaded.calendars["office"].business_day == timedelta(hours=8)


MALFORMED = [
    # durations, periods, percentages, money
    (
        edit("response: 1h, resolution: 8h", "response: 4 hrs, resolution: 8h"),
        "acme.yaml:20:43 priorities.critical.response: '4 hrs' is not a duration;"
        " write e.g. 4h, 90m or 2bd",
    ),
    (
        edit("resolution: 8h}", "resolution: 8}"),
        "acme.yaml:20:59 priorities.critical.resolution: 8 is not a duration;"
        " write e.g. 4h, 90m or 2bd",
    ),
    (
        edit("notice: 30 days", "notice: a month"),
        "acme.yaml:12:50 agreement.term.notice: 'a month' is not a calendar period;"
        " write e.g. 14 days, 1 week or 3 months",
    ),
    (
        edit("due: 14 days", "due: fortnight"),
        "acme.yaml:33:32 billing.invoice.due: 'fortnight' is not a calendar period;"
        " write e.g. 14 days, 1 week or 3 months",
    ),
    (
        edit('rates: {default: "95.00"}', "rates: {default: 95.5}"),
        "acme.yaml:32:20 billing.rates.default: 95.5 is written as a number; quote"
        ' amounts of money, e.g. "1500.00", so that no cent is lost',
    ),
    (
        edit('rates: {default: "95.00"}', 'rates: {default: "lots"}'),
        "acme.yaml:32:20 billing.rates.default: 'lots' is not an amount of money;"
        ' write e.g. "1500.00"',
    ),
    (
        edit('rates: {default: "95.00"}', 'rates: {default: "-5"}'),
        "acme.yaml:32:20 billing.rates.default: '-5' is negative; amounts here are"
        " zero or more",
    ),
    (
        BASE + "targets:\n  - {measure: response_on_time, at_least: 95}\n",
        "acme.yaml:35:43 targets[0].at_least: 95 is not a percentage; write e.g. 95%",
    ),
    (
        BASE + "targets:\n  - {measure: response_on_time, at_least: 120%}\n",
        "acme.yaml:35:43 targets[0].at_least: '120%' is not between 0% and 100%",
    ),
    # required, unknown and enumerated fields
    (
        edit("  title: Care for Acme\n", ""),
        "acme.yaml:1:1 agreement.title: missing; this field is required",
    ),
    (
        edit("  effective: 2027-01-01\n", "  effective: 2027-01-01\n  colour: blue\n"),
        "acme.yaml:12:11 agreement.colour: unknown field 'colour'; expected one of"
        " title, provider, client, effective, term, timezone, language",
    ),
    (
        edit("effective: 2027-01-01", "effective: next year"),
        "acme.yaml:11:14 agreement.effective: 'next year' is not a date; write"
        " YYYY-MM-DD",
    ),
    (
        edit("renewal: automatic", "renewal: sometimes"),
        "acme.yaml:12:31 agreement.term.renewal: must be 'automatic', 'manual' or"
        " 'none', not 'sometimes'",
    ),
    (
        edit("model: hourly", "model: barter"),
        "acme.yaml:31:10 billing.model: must be 'hourly', 'fixed_price' or"
        " 'retainer', not 'barter'",
    ),
    (
        edit("currency: EUR", "currency: euro"),
        "acme.yaml:30:13 billing.currency: 'euro' must be a three-letter ISO 4217"
        " code such as EUR",
    ),
    (
        edit("{id: mockups,", "{id: Mock Ups,"),
        "acme.yaml:24:10 milestones[0].id: 'Mock Ups' must be lowercase letters,"
        " digits, - or _ (e.g. launch-site)",
    ),
    (
        edit("at: 75% of target", "at: soonish"),
        "acme.yaml:28:12 escalation.steps[0].at: 'soonish' must be '75% of target',"
        " 'breach' or 'breach + 4h'",
    ),
    (
        edit("notify: [provider.lead]", "notify: [jane]"),
        "acme.yaml:28:36 escalation.steps[0].notify[0]: 'jane' is not a role; write"
        " the party and the role, e.g. provider.lead or client.approver",
    ),
    (
        edit("notify: [provider.lead]", "notify: []"),
        "acme.yaml:28:27 escalation.steps[0].notify: must not be empty",
    ),
    (
        edit("term: {months: 12,", "term: {months: 0,"),
        "acme.yaml:12:18 agreement.term.months: must be greater than 0, not 0",
    ),
    # calendars
    (
        edit('hours: {mon-fri: "09:00-17:00"}', 'hours: {mon-fri: "9:00-25:00"}'),
        "acme.yaml:17:22 calendars.office.hours.mon-fri: '9:00-25:00' is not a window:"
        " end 25:00 is past 24:00",
    ),
    (
        edit("holidays: {country: DE}", "holidays: {country: XX}"),
        "acme.yaml:18:25 calendars.office.holidays.country: 'XX' is not a country"
        " known to the holidays package (use an ISO 3166 code such as DE, US, GB)",
    ),
    (
        edit(
            "    timezone: Europe/Berlin\n    hours", "    timezone: Berlin\n    hours"
        ),
        "acme.yaml:16:15 calendars.office.timezone: 'Berlin' is not a known IANA time"
        " zone (e.g. Europe/Berlin, UTC)",
    ),
    (
        edit("calendars:\n  office:", "calendars:\n  office:\n    colour: red"),
        "acme.yaml:16:13 calendars.office.colour: unknown key 'colour'; expected one"
        " of timezone, hours, holidays, open, business_day",
    ),
    (
        edit(
            "  timezone: Europe/Berlin\ncalendars", "  timezone: Mars/Base\ncalendars"
        ),
        "acme.yaml:13:13 agreement.timezone: 'Mars/Base' is not a known IANA time"
        " zone (e.g. Europe/Berlin)",
    ),
    # cross-references
    (
        edit("default_priority: normal", "default_priority: urgent"),
        "acme.yaml:22:19 default_priority: no priority named 'urgent'; the file has:"
        " critical, normal",
    ),
    (
        edit("resolution: 8h}", "resolution: 8h, calendar: night}"),
        "acme.yaml:20:73 priorities.critical.calendar: no calendar named 'night';"
        " the file has: office",
    ),
    (
        edit("after: mockups}", "after: design}"),
        "acme.yaml:25:57 milestones[1].after: no milestone named 'design'; the file"
        " has: mockups, launch",
    ),
    (
        edit("after: mockups}", "after: launch}"),
        "acme.yaml:25:57 milestones[1].after: a milestone cannot come after itself",
    ),
    (
        edit("{id: launch,", "{id: mockups,"),
        "acme.yaml:25:10 milestones[1].id: 'mockups' is already the id of"
        " milestones[0]",
    ),
    (
        edit("notify: [provider.lead]", "notify: [client.lead]"),
        "acme.yaml:28:36 escalation.steps[0].notify[0]: nobody holds the role"
        " 'client.lead'; the client's contacts are: client.approver",
    ),
    (
        BASE + "targets:\n  - {measure: response_on_time, priorities: [urgent],"
        " at_least: 95%}\n",
        "acme.yaml:35:46 targets[0].priorities[0]: no priority named 'urgent'; the"
        " file has: critical, normal",
    ),
    (
        edit("term: {months: 12,", "term: {months: 12, until: 2027-12-31,"),
        "acme.yaml:12:3 agreement.term: give either months or until, not both",
    ),
    (
        edit(
            "calendars:\n  office:",
            "calendars:\n  night: {timezone: UTC}\n  office:",
        ),
        "acme.yaml:1:1 default_calendar: missing; the file has 2 calendars (night,"
        " office): name the one used when a priority names none",
    ),
    (
        edit(
            'rates: {default: "95.00"}',
            'rates: {default: "95.00", per_priority: {urgent: "120.00"}}',
        ),
        "acme.yaml:32:52 billing.rates.per_priority.urgent: no priority named"
        " 'urgent'; the file has: critical, normal",
    ),
    (
        edit(
            "priorities:\n  critical: {means: Site down., response: 1h, resolution:"
            " 8h}\n  normal: {means: Anything else., response: 1bd, resolution:"
            " 5bd}\ndefault_priority: normal\n",
            "priorities: [critical]\n",
        ),
        "acme.yaml:19:1 priorities: must be a mapping (key: value)",
    ),
    (
        edit(
            "{name: Max, email: max@acme-gmbh.de, role: approver}",
            "{name: Max, role: approver}",
        ),
        "acme.yaml:10:9 agreement.client.contacts[0].email: missing; this field is"
        " required",
    ),
    (
        edit(
            "    contacts:\n      - {name: Max, email: max@acme-gmbh.de, role:"
            " approver}\n",
            "    contacts: []\n",
        ),
        "acme.yaml:9:5 agreement.client.contacts: must not be empty",
    ),
    (
        edit("due: 2027-02-15}", "due: mid-February}"),
        "acme.yaml:24:41 milestones[0].due: 'mid-February' is not a date; write"
        " YYYY-MM-DD",
    ),
    (
        edit(
            "due: 2027-02-15}",
            "due: 2027-02-15, acceptance: {review_within: 5bd, if_silent: ignore}}",
        ),
        "acme.yaml:24:97 milestones[0].acceptance.if_silent: must be"
        " 'deemed_accepted' or 'shift_schedule', not 'ignore'",
    ),
    (
        BASE + "pause_on: waiting\n",
        "acme.yaml:34:11 pause_on: must be a list, not 'waiting'",
    ),
    (
        BASE + "responsibilities:\n  client:\n    - {obligation: Feedback, within:"
        " soon}\n",
        "acme.yaml:36:38 responsibilities.client[0].within: 'soon' is neither working"
        " time (4h, 90m, 2bd) nor a calendar period (14 days, 1 week)",
    ),
    (
        BASE + "roles:\n  - {activity: Triage, responsible: jane}\n",
        "acme.yaml:35:37 roles[0].responsible: 'jane' is not a role; write the party"
        " and the role, e.g. provider.lead or client.approver",
    ),
    (
        BASE + "colour: red\n",
        "acme.yaml:34:9 colour: unknown field 'colour'; expected one of agreement,"
        " calendars, priorities, default_priority, default_calendar, pause_on,"
        " milestones, responsibilities, roles, targets, accountability, escalation,"
        " delays, change_requests, reviews, billing",
    ),
    (
        edit(
            "calendars:\n  office:\n", "calendars:\n  night: 09:00-17:00\n  office:\n"
        ),
        "acme.yaml:15:10 calendars.night: must be a mapping (key: value), not"
        " '09:00-17:00'",
    ),
    (
        edit("due: 14 days}", "due: 14 days, detailed_time_report: maybe}"),
        "acme.yaml:33:63 billing.invoice.detailed_time_report: must be true or false,"
        " not 'maybe'",
    ),
    (
        edit("at: 75% of target", "at: breach + xyz"),
        "acme.yaml:28:12 escalation.steps[0].at: 'xyz' is not a duration; write e.g."
        " 4h, 90m or 2bd",
    ),
    (
        edit("at: 75% of target", "at: 175% of target"),
        "acme.yaml:28:12 escalation.steps[0].at: '175% of target': the share of the"
        " target must be above 0% and at most 100%",
    ),
    (
        edit("term: {months: 12,", "term: {months: 99999999,"),
        "acme.yaml:12:18 agreement.term.months: must be less than or equal to 1200,"
        " not 99999999",
    ),
    # the file itself
    (
        "- just\n- a list\n",
        "acme.yaml:1:1: an agreement file must be a mapping with an agreement: key",
    ),
    (
        "agreement: [unclosed\n",
        "acme.yaml:2:1: YAML syntax error: expected ',' or"
        " ']', but got '<stream end>' (while parsing a flow sequence at line 1,"
        " column 12)",
    ),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_a_malformed_file_gets_its_exact_message_and_position(text, message):
    assert message in problems_of(text)


def test_every_problem_of_a_file_is_reported_at_once_in_file_order():
    text = edit("response: 1h,", "response: 4 hrs,")
    text = text.replace("model: hourly", "model: barter")
    text = text.replace("  title: Care for Acme\n", "")
    found = problems_of(text)
    assert [p.split(" ")[0] for p in found] == [
        "acme.yaml:1:1",
        "acme.yaml:19:43",
        "acme.yaml:30:10",
    ]


def test_cross_reference_problems_come_all_together():
    text = edit("default_priority: normal", "default_priority: urgent")
    text = text.replace("after: mockups}", "after: design}")
    assert len(problems_of(text)) == 2


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        load(tmp_path / "nope.yaml")


def test_load_document_keeps_positions_for_later_checks():
    loaded = load_document(EXAMPLE)
    assert loaded.document.position(("priorities", "critical", "response"))[0] > 1


def test_calendar_and_schema_problems_are_reported_together():
    text = edit("response: 1h,", "response: 4 hrs,").replace(
        '"09:00-17:00"', '"07:00-25:00"'
    )
    found = problems_of(text)
    assert len(found) == 2
    assert "end 25:00 is past 24:00" in found[0]
    assert "'4 hrs' is not a duration" in found[1]


def test_a_misspelt_field_gets_a_suggestion():
    text = edit("{means: Site down.,", "{meens: Site down.,")
    assert problems_of(text) == [
        "acme.yaml:20:21 priorities.critical.meens: unknown field 'meens'; did you"
        " mean means?"
    ]
