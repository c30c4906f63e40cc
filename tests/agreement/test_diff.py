"""`diff_agreements`: what changed between two versions, in plain English."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from slakeeper.agreement import Agreement, diff, load, words
from slakeeper.agreement.diff import (
    SECTION_OF,
    SECTIONS,
    Change,
    diff_agreements,
    to_json,
    to_markdown,
)
from slakeeper.agreement.types import CONTRACT_LANGUAGES, CalendarPeriod, WorkingTime
from slakeeper.core import parse_duration_parts
from slakeeper.yamlsource import load_yaml

EXAMPLE = Path(__file__).parents[2] / "examples" / "agreement.yaml"


def example_data() -> dict[str, Any]:
    data = load_yaml(EXAMPLE).plain()
    assert isinstance(data, dict)
    return data


BASE = Agreement.model_validate(example_data())


def changed(edit: Callable[[dict[str, Any]], object]) -> list[Change]:
    data = example_data()
    edit(data)
    return diff_agreements(BASE, Agreement.model_validate(data))


def texts(edit: Callable[[dict[str, Any]], object]) -> list[str]:
    return [c.text for c in changed(edit)]


# ---------------------------------------------------------------------------
# Basics


def test_identical_versions_have_no_changes() -> None:
    assert diff_agreements(BASE, load(EXAMPLE)) == []


def test_every_top_level_field_has_a_section_in_contract_order() -> None:
    assert set(SECTION_OF) == set(Agreement.model_fields)
    assert set(SECTION_OF.values()) == set(SECTIONS)
    firsts = [SECTION_OF[f] for f in Agreement.model_fields]
    # fields are declared in contract order, except defaults that join a section
    assert sorted(set(firsts), key=SECTIONS.index) == list(SECTIONS)


def test_the_examples_of_the_issue() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["priorities"]["high"]["response"] = "2h"
        d["milestones"].pop(0)
        d["milestones"][0].pop("after")
        d["milestones"].append(
            {"id": "training", "title": "Editor training", "due": date(2027, 5, 1)}
        )
        d["calendars"]["office"]["hours"]["sat"] = "10:00-14:00"
        d["calendars"]["office"]["holidays"]["dates"].append(date(2027, 12, 23))
        d["accountability"]["service_credits"]["tiers"][0]["credit"] = "7%"
        d["accountability"]["service_credits"]["monthly_fee"]["amount"] = "1800.00"

    assert texts(edit) == [
        "High response time: 4 working hours -> 2 working hours",
        "Support hours (office) now include Saturday 10:00-14:00",
        "Holidays (office): 23 December 2027 added",
        "Milestone removed: Redesign mock-ups",
        "Milestone New site live comes after: Redesign mock-ups -> not set",
        "New milestone: Editor training, due 1 May 2027",
        "Monthly fee: EUR 1,500.00 -> EUR 1,800.00",
        "Service credit when first replies to critical and high requests sent on"
        " time fall below 95%: 5% -> 7%",
    ]


def test_changes_come_in_contract_order_whatever_the_field_order() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["billing"]["invoice"]["due"] = "30 days"
        d["agreement"]["title"] = "Website care"
        d["default_calendar"] = "on_call"
        d["reviews"]["every"] = "6 months"

    found = changed(edit)
    # the contract says the default calendar with the response times
    assert [c.section for c in found] == [
        "Agreement",
        "Priorities",
        "Reviews",
        "Billing",
    ]
    assert found[1].text == "Default calendar: office -> on_call"


def test_sections_follow_the_contract() -> None:
    """Response times (priorities) come before support availability (calendars)."""
    assert SECTIONS[:3] == ("Agreement", "Priorities", "Calendars")

    def edit(d: dict[str, Any]) -> None:
        d["calendars"]["office"]["hours"]["sat"] = "10:00-14:00"
        d["priorities"]["low"]["response"] = "3bd"

    assert [c.section for c in changed(edit)] == ["Priorities", "Calendars"]


def test_a_change_carries_section_path_kind_and_values() -> None:
    (change,) = changed(lambda d: d["priorities"]["critical"].update(response="2h"))
    assert change == Change(
        section="Priorities",
        path=("priorities", "critical", "response"),
        kind="changed",
        old="1 working hour",
        new="2 working hours",
        text="Critical response time: 1 working hour -> 2 working hours",
    )


def test_same_words_but_different_values_still_show() -> None:
    (change,) = changed(lambda d: d["priorities"]["high"].update(response="240m"))
    assert change.text == "High response time: '4h' -> '240m'"


# ---------------------------------------------------------------------------
# Keyed collections


def test_priorities_added_removed_and_reordered() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["priorities"] = {
            "urgent": {"means": "Everything is on fire.", "response": "30m"},
            "high": d["priorities"]["high"],
            "critical": d["priorities"]["critical"],
            "normal": d["priorities"]["normal"],
        }
        d["targets"][0]["priorities"] = ["critical"]

    assert texts(edit)[:3] == [
        "Priority removed: Low",
        "New priority: Urgent (Everything is on fire): response 30 working minutes",
        "Priorities (most urgent first) reordered: critical; high; normal -> "
        "high; critical; normal",
    ]


def test_a_target_is_identified_by_measure_and_priorities() -> None:
    found = texts(lambda d: d["targets"][0].update(priorities=["critical"]))
    assert found == [
        "Target removed: at least 95% of first replies to critical and high requests"
        " sent on time, each month",
        "New target: at least 95% of first replies to critical requests sent on time,"
        " each month",
    ]
    assert texts(lambda d: d["targets"][1].update(at_least="92.5%")) == [
        "Target for requests resolved on time: 90% -> 92.5%"
    ]


def test_credit_tiers_by_measure_and_threshold() -> None:
    def edit(d: dict[str, Any]) -> None:
        tiers = d["accountability"]["service_credits"]["tiers"]
        tiers.pop(1)
        tiers.append({"measure": "resolution_on_time", "below": "80%", "credit": "8%"})

    assert texts(edit) == [
        "Service credit tier removed: 10% when first replies to critical and high"
        " requests sent on time fall below 90%",
        "New service credit tier: 8% when requests resolved on time fall below 80%",
    ]


def test_credit_tiers_by_measure_priorities_and_threshold() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["accountability"]["service_credits"]["tiers"][0]["priorities"] = ["critical"]

    assert texts(edit) == [
        "Service credit tier removed: 5% when first replies to critical and high"
        " requests sent on time fall below 95%",
        "New service credit tier: 5% when first replies to critical requests sent on"
        " time fall below 95%",
    ]


def test_roles_by_activity_and_contacts_by_email() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["roles"][0]["responsible"] = ["provider.lead", "provider.dev"]
        d["roles"].append({"activity": "Backups", "responsible": "provider.lead"})
        d["agreement"]["client"]["contacts"][1]["role"] = "approver"
        d["agreement"]["client"]["contacts"].append(
            {"name": "Ada", "email": "ada@acme.example", "role": "requester"}
        )

    assert texts(edit) == [
        "Client contact Erika Muster role: requester -> approver",
        "New client contact: Ada (your requester), ada@acme.example",
        "Responsible for Incident triage: Jane Doe (our lead) -> Jane Doe (our lead)"
        " and our dev",
        "New role: Backups, responsible: Jane Doe (our lead)",
    ]


def test_a_renamed_milestone_is_named_by_its_old_title() -> None:
    found = texts(lambda d: d["milestones"][1].update(title="Go live", fee="900"))
    assert found == [
        "Milestone New site live title: New site live -> Go live",
        "Milestone New site live fee: not set -> EUR 900.00",
    ]


def test_duplicate_keys_fall_back_to_comparing_the_whole_list() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["roles"][1]["activity"] = "Incident triage"

    assert texts(edit) == [
        "Roles: Content updates, responsible: Erika Muster (your requester);"
        " consulted: Jane Doe (our lead) -> Incident triage, responsible: Erika"
        " Muster (your requester); consulted: Jane Doe (our lead)"
    ]


# ---------------------------------------------------------------------------
# Lists compared as a whole, sub-sections added and removed


def test_plain_lists_report_items_added_removed_or_reordered() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["responsibilities"]["client"].pop()
        d["responsibilities"]["provider"].reverse()
        d["milestones"][0]["deliverables"].append("Icon set")

    assert texts(edit) == [
        "Milestone Redesign mock-ups deliverables: Icon set added",
        "Provider responsibilities reordered: Deliver the services within the "
        "agreed timelines and quality standards.; Progress update by e-mail -> "
        "Progress update by e-mail; Deliver the services within the agreed "
        "timelines and quality standards.",
        "Client obligation removed: You answer our questions within 2 working days.",
    ]


def test_obligations_and_commitments_are_matched_by_their_text() -> None:
    def edit(d: dict[str, Any]) -> None:
        client = d["responsibilities"]["client"]
        client.pop(0)  # one removed...
        client[0]["within"] = "3bd"  # ...and the next one edited: not a shift
        d["responsibilities"]["provider"][1]["on"] = "monday"

    assert texts(edit) == [
        "Day we do “Progress update by e-mail”: Friday -> Monday",
        "Client obligation removed: You give feedback on delivered work within"
        " 3 working days.",
        "Time you have for “Decisions on change requests”: 2 working days ->"
        " 3 working days",
    ]


def test_escalation_steps_are_described() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["escalation"]["steps"][2]["at"] = "breach + 8h"

    assert texts(edit) == [
        "Escalation steps: 4 working hours after a target is missed, we tell Max"
        " Mustermann (your approver); Escalated to a call within one working day"
        " -> 8 working hours after a target is missed, we tell Max Mustermann"
        " (your approver); Escalated to a call within one working day"
    ]
    found = texts(lambda d: d["escalation"]["steps"].pop(0))
    assert found == [
        "Escalation steps: when 75% of the target time has passed, we tell Jane Doe"
        " (our lead) removed"
    ]


def test_sections_added_and_removed_field_by_field() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["billing"]["tax"] = {"rate": "19%"}
        del d["change_requests"]

    found = changed(edit)
    assert [(c.kind, c.text) for c in found] == [
        ("removed", "Change request estimate time: 2 working days -> not set"),
        (
            "removed",
            "Change request approver: Max Mustermann (your approver) -> not set",
        ),
        ("added", "Tax rate: not set -> 19%"),
    ]


def test_generic_fallback_names_section_and_field_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(diff._LABELS, ("billing", "rounding", "mode"))
    monkeypatch.delitem(diff._LABELS, ("priorities", "*", "response"))
    found = texts(
        lambda d: (
            d["billing"]["rounding"].update(mode="nearest"),
            d["priorities"]["low"].update(response="3bd"),
        )
    )
    assert found == [
        "Priorities Low response: 2 working days -> 3 working days",
        "Billing rounding mode: up -> nearest",
    ]


def test_contacts_and_inputs_from_the_client() -> None:
    found = texts(
        lambda d: d["agreement"]["provider"]["contacts"][0].update(role="owner")
    )
    assert found == ["Provider contact Jane Doe role: lead -> owner"]
    found = texts(
        lambda d: d["milestones"][0]["needs_from_client"][0].update(
            by=date(2027, 1, 20)
        )
    )
    assert found == [
        "Milestone Redesign mock-ups inputs from the client: Brand assets and logo "
        "files by 15 January 2027 -> Brand assets and logo files by 20 January 2027"
    ]


def test_generic_label_for_unlisted_fields() -> None:
    found = texts(lambda d: d["delays"].update(payment_overdue=None))
    assert found == [
        "Payment counts as overdue after: 14 days -> not set",
        "Clocks paused while payment is overdue: reply times removed",
        "Clocks paused while payment is overdue: resolution times removed",
    ]
    found = texts(
        lambda d: d["agreement"]["provider"]["contacts"][0].update(
            email="j@janedoe.example"
        )
    )
    assert found == [
        "Provider contact removed: Jane Doe (our lead), jane@janedoe.example",
        "New provider contact: Jane Doe (our lead), j@janedoe.example",
    ]


# ---------------------------------------------------------------------------
# Calendars


def office(edit: Callable[[dict[str, Any]], object]) -> list[str]:
    return texts(lambda d: edit(d["calendars"]["office"]))


def test_hours_are_compared_per_weekday() -> None:
    assert office(lambda c: c.update(hours={"mon-fri": "08:00-16:00"})) == [
        "Support hours (office) on Monday to Friday: 09:00-12:30, 13:30-17:30 -> "
        "08:00-16:00"
    ]
    assert office(
        lambda c: c.update(
            hours={"mon-thu": "09:00-12:30, 13:30-17:30", "sat, sun": "10:00-14:00"}
        )
    ) == [
        "Support hours (office) no longer include Friday (09:00-12:30, 13:30-17:30)",
        "Support hours (office) now include Saturday and Sunday 10:00-14:00",
    ]


def test_holidays_region_dates_and_names() -> None:
    def edit(c: dict[str, Any]) -> None:
        c["holidays"] = {
            "country": "DE",
            "subdivision": "BY",
            "dates": [
                {"date": date(2027, 12, 24), "name": "Christmas Eve"},
                {"from": date(2027, 12, 27), "to": date(2027, 12, 30)},
            ],
        }

    assert office(edit) == [
        "Public holidays (office): Berlin (Germany) -> Bayern (Germany)",
        "Holidays (office): 31 December 2027 removed",
        "Holidays (office): 27-30 December 2027 added",
        "Holidays (office): 24 December 2027 name: closed -> Christmas Eve",
    ]


def test_time_zone_openings_and_business_day() -> None:
    def edit(c: dict[str, Any]) -> None:
        c["timezone"] = "Europe/Vienna"
        c["open"] = {date(2027, 12, 28): "10:00-12:00"}
        c["business_day"] = "8h"

    assert office(edit) == [
        "Calendar office time zone: Europe/Berlin -> Europe/Vienna",
        "Extra opening (office): 28 December 2027 10:00-12:00 added",
        'Business day (office): not set -> "8h"',
    ]


def test_calendars_added_removed_and_rewritten() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["calendars"]["weekend"] = {
            "timezone": "UTC",
            "hours": {"sat-sun": "10:00-14:00"},
        }
        d["calendars"]["on_call"]["hours"] = {"monday-sunday": "07:00-22:00"}

    assert texts(edit) == [
        'Calendar on_call hours (written differently, same meaning): {"mon-sun": '
        '"07:00-22:00"} -> {"monday-sunday": "07:00-22:00"}',
        "New calendar: weekend (UTC, Saturday and Sunday 10:00-14:00)",
    ]
    assert texts(lambda d: d["calendars"].pop("on_call")) == [
        "Calendar removed: on_call"
    ]


def test_an_invalid_calendar_is_compared_raw() -> None:
    found = office(lambda c: c.update(hours={"mon-fri": "9-5"}))
    assert found == [
        'Calendar office hours: {"mon-fri": "09:00-12:30, 13:30-17:30"} -> '
        '{"mon-fri": "9-5"}'
    ]


# ---------------------------------------------------------------------------
# Nothing is silently missed: change each leaf of the example, one at a time.

_ALTERNATIVES: dict[str, dict[str, str]] = {
    "renewal": {"automatic": "manual"},
    "if_silent": {"deemed_accepted": "shift_schedule"},
    "measure": {
        "response_on_time": "update_on_time",
        "resolution_on_time": "update_on_time",
        "milestones_on_time": "update_on_time",
    },
    "per": {"month": "quarter", "quarter": "year", "entry": "day"},
    "mode": {"up": "nearest"},
    "model": {"hourly": "retainer"},
    "shift_milestones": {"working_time": "calendar_days"},
    "adjustments": {"need_acceptance": "automatic"},
    "on": {"friday": "monday"},
    "suspend": {"response": "update_every", "resolution": "update_every"},
    "currency": {"EUR": "USD"},
    "timezone": {"Europe/Berlin": "Europe/Vienna"},
    "language": {"en": "de"},
    "country": {"DE": "AT"},
    "subdivision": {"BE": "BY"},
    "default_priority": {"normal": "high"},
    "default_calendar": {"office": "on_call"},
    "calendar": {"on_call": "office"},
    "priorities": {"critical": "normal", "high": "normal"},
    "every": {"month": "2 months"},
}
#: How the diff says an alternative value (as the contract does), by field.
_NEEDLES: dict[str, Callable[[str], str]] = {
    "subdivision": lambda code: words.place("DE", code),
    "suspend": {"update_every": "update times"}.__getitem__,
}
_UNCHANGEABLE: set[tuple[str, ...]] = {
    ("accountability", "service_credits", "basis")
}  # one value only
if len(CONTRACT_LANGUAGES) == 1:  # until a second catalogue ships
    _UNCHANGEABLE.add(("agreement", "language"))


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path


def _field(path: tuple[Any, ...]) -> str:
    return next(str(p) for p in reversed(path) if not isinstance(p, int))


def _mutate(path: tuple[Any, ...], value: Any) -> tuple[Any, str | None]:
    """A valid new value for the leaf and a needle the change must mention."""
    field = _field(path)
    if isinstance(value, bool):
        return not value, "yes" if not value else "no"
    if isinstance(value, int):
        return value + 1, str(value + 1)
    if isinstance(value, date):
        later = value + timedelta(days=1)
        return later, words.long_date(later)
    assert isinstance(value, str), path
    if field in _ALTERNATIVES and value in _ALTERNATIVES[field]:
        new = _ALTERNATIVES[field][value]
        return new, _NEEDLES[field](new) if field in _NEEDLES else new
    if path[0] == "calendars" and "hours" in path:
        hour = int(value[:2])
        new = f"{hour - 1:02d}{value[2:]}"
        return new, new[:5]
    if field == "id":
        return value + "-x", None
    if field == "contract":
        return str(int(value) + 1), str(int(value) + 1)
    if re.fullmatch(r"\d+(bd|h|m)", value):
        number = int(value[:-2] if value.endswith("bd") else value[:-1])
        new = f"{number + 1}{value.removeprefix(str(number))}"
        return new, words.working_time(_working(new))
    if match := re.fullmatch(r"(\d+) (day|week|month)s?", value):
        new = f"{int(match[1]) + 1} {match[2]}s"
        return new, words.period(CalendarPeriod(int(match[1]) + 1, match[2]))  # type: ignore[arg-type]
    if re.fullmatch(r"\d+(\.\d+)?%", value):
        new = f"{Decimal(value[:-1]) - 1}%"
        return new, new
    if match := re.fullmatch(r"(\d+)% of target", value):
        share = int(match[1]) + 5
        return f"{share}% of target", f"when {share}% of the target time has passed"
    if value == "breach":
        return "breach + 1h", "1 working hour after a target is missed"
    if match := re.fullmatch(r"breach \+ (\d+)h", value):
        hours = words.plural(int(match[1]) + 1, "working hour")
        return f"breach + {int(match[1]) + 1}h", f"{hours} after a target is missed"
    if re.fullmatch(r"\d+\.\d\d", value):
        new_amount = Decimal(value) + 1
        return str(new_amount), f"{new_amount:,}"
    if re.fullmatch(r"(provider|client)\.\w+", value):  # said as the person
        owner = "our" if value.startswith("provider") else "your"
        return value + "x", f"{owner} {value.partition('.')[2]}x"
    if "@" in value:
        return "x" + value, "x" + value
    return value + " (revised)", "(revised)"


def _working(text: str) -> WorkingTime:
    fixed, days = parse_duration_parts(text)
    return WorkingTime(text, fixed, days)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


LEAVES = [p for p in _leaves(example_data()) if p[:3] not in _UNCHANGEABLE]


def _squash(text: str) -> str:
    return text.lower().replace("_", " ")


@pytest.mark.parametrize("path", LEAVES, ids=lambda p: ".".join(map(str, p)))
def test_every_leaf_change_is_reported(path: tuple[Any, ...]) -> None:
    data = example_data()
    parent = _get(data, path[:-1])
    new_value, needle = _mutate(path, parent[path[-1]])
    if path[-1] == "measure":  # said with the priorities it counts
        needle = words.measure(new_value, parent.get("priorities"))
    parent[path[-1]] = new_value
    found = diff_agreements(BASE, Agreement.model_validate(copy.deepcopy(data)))
    assert found, f"no change reported for {path}"
    assert {c.path[0] for c in found} == {path[0]}
    if needle is not None:
        assert any(_squash(needle) in _squash(c.text) for c in found), (
            needle,
            [c.text for c in found],
        )


def test_the_leaves_cover_the_example() -> None:
    assert len(LEAVES) > 80


# ---------------------------------------------------------------------------
# Output


def test_markdown_groups_by_section() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["priorities"]["critical"]["response"] = "2h"
        d["billing"]["rates"]["default"] = "100.00"

    assert to_markdown(changed(edit)) == (
        "# Changes\n"
        "\n"
        "## Priorities\n"
        "\n"
        "- Critical response time: 1 working hour -> 2 working hours\n"
        "\n"
        "## Billing\n"
        "\n"
        "- Hourly rate: EUR 95.00 -> EUR 100.00\n"
    )


def test_markdown_without_changes() -> None:
    assert to_markdown([], "Changes from a to b") == (
        "# Changes from a to b\n\nNo changes.\n"
    )


def test_json_lists_every_field() -> None:
    found = changed(lambda d: d["reviews"].update(first=date(2027, 5, 1)))
    assert json.loads(to_json(found)) == {
        "changes": [
            {
                "section": "Reviews",
                "path": ["reviews", "first"],
                "kind": "changed",
                "old": "1 April 2027",
                "new": "1 May 2027",
                "text": "First review: 1 April 2027 -> 1 May 2027",
            }
        ]
    }
    assert json.loads(to_json([])) == {"changes": []}


def test_added_and_removed_changes_have_no_old_or_new_value() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["calendars"]["office"]["hours"] = {
            "mon-thu": "09:00-17:00",
            "sat": "10:00-14:00",
        }
        d["milestones"].pop(0)
        d["billing"]["tax"] = {"rate": "19%"}
        d["responsibilities"]["client"].append("Keep backups")

    found = changed(edit)
    assert {c.kind for c in found} == {"added", "removed", "changed"}
    for c in found:
        assert (c.old is None) == (c.kind == "added"), c
        assert (c.new is None) == (c.kind == "removed"), c
