"""Canonical bytes and hash: content decides them; layout, order and comments do not."""

import json
from datetime import date

from slakeeper.agreement import canonical_json, canonical_sha256, loads
from slakeeper.agreement.canonical import term_dates
from tests.agreement.test_load import BASE


def test_key_order_comments_and_layout_do_not_change_the_hash():
    reordered = BASE.replace(
        "  currency: EUR\n  model: hourly\n",
        "  model: hourly  # paid by the hour\n  currency: EUR\n",
    ).replace(
        "{means: Site down., response: 1h, resolution: 8h}",
        "\n    resolution: 8h\n    response: 1h\n    means: Site down.",
    )
    assert reordered != BASE
    assert canonical_sha256(loads(reordered)) == canonical_sha256(loads(BASE))


def test_a_change_of_content_changes_the_hash():
    changed = BASE.replace("response: 1h,", "response: 2h,")
    assert canonical_sha256(loads(changed)) != canonical_sha256(loads(BASE))


def test_the_bytes_are_rfc8785_and_hold_the_resolved_holidays():
    data = canonical_json(loads(BASE))
    parsed = json.loads(data)
    assert (
        data
        == json.dumps(
            parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    office = parsed["resolved_holidays"]["office"]
    assert office["2027-01-01"] == "New Year's Day"
    assert office["2027-12-26"] == "Second Day of Christmas"
    assert "2028-01-01" not in office
    assert parsed["priorities"]["critical"]["response"] == "1h"
    assert parsed["billing"]["rates"]["default"] == "95.00"


def test_the_term_decides_which_holidays_are_resolved():
    assert term_dates(loads(BASE)) == (date(2027, 1, 1), date(2027, 12, 31))
    until = loads(BASE.replace("term: {months: 12,", "term: {until: 2028-06-30,"))
    assert term_dates(until) == (date(2027, 1, 1), date(2028, 6, 30))
    assert (
        "2028-05-01" in json.loads(canonical_json(until))["resolved_holidays"]["office"]
    )
    open_ended = loads(BASE.replace("term: {months: 12,", "term: {"))
    assert term_dates(open_ended) == (date(2027, 1, 1), date(2027, 12, 31))
    short = loads(
        BASE.replace("effective: 2027-01-01", "effective: 2027-01-31").replace(
            "months: 12", "months: 1"
        )
    )
    assert term_dates(short) == (date(2027, 1, 31), date(2027, 2, 27))


def test_calendars_are_hashed_by_meaning_not_spelling():
    spelled = BASE.replace(
        'hours: {mon-fri: "09:00-17:00"}',
        'hours: {mon: ["09:00-17:00"], tue-fri: "09:00-17:00"}',
    )
    assert spelled != BASE
    assert canonical_sha256(loads(spelled)) == canonical_sha256(loads(BASE))


def test_the_order_of_priorities_is_part_of_the_content():
    swapped = BASE.replace(
        "  critical: {means: Site down., response: 1h, resolution: 8h}\n"
        "  normal: {means: Anything else., response: 1bd, resolution: 5bd}\n",
        "  normal: {means: Anything else., response: 1bd, resolution: 5bd}\n"
        "  critical: {means: Site down., response: 1h, resolution: 8h}\n",
    )
    assert swapped != BASE
    assert canonical_sha256(loads(swapped)) != canonical_sha256(loads(BASE))
