"""`agreement check`: each rule on a file that breaks it, with code, field and
position; clean files stay clean."""

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slakeeper.agreement import loads_document
from slakeeper.agreement.lint import Severity, check
from slakeeper.cli import app
from tests.agreement.test_load import BASE, EXAMPLE, edit

TODAY = date(2027, 1, 1)


def findings(text: str, today: date = TODAY) -> list[tuple[str, str, str, str]]:
    return [
        (f.code, str(f.severity), f.location, f.where.dotted_path)
        for f in check(loads_document(text, "acme.yaml"), today=today)
    ]


def test_the_example_and_the_base_file_are_clean():
    assert findings(EXAMPLE.read_text(encoding="utf-8")) == []
    assert findings(BASE) == []


CASES = [
    (
        edit("response: 1h, resolution: 8h", "response: 9h, resolution: 8h"),
        ("SLA001", "error", "acme.yaml:20:43", "priorities.critical.response"),
    ),
    (
        edit("resolution: 8h}", "resolution: 8h, update_every: 2bd}"),
        ("SLA002", "warning", "acme.yaml:20:77", "priorities.critical.update_every"),
    ),
    (
        edit("{means: Site down., response", "{response"),
        ("SLA003", "warning", "acme.yaml:20:3", "priorities.critical"),
    ),
    (
        BASE + "targets:\n  - {measure: update_on_time, at_least: 95%}\n",
        ("SLA004", "error", "acme.yaml:35:15", "targets[0].measure"),
    ),
    (
        BASE.replace("milestones:\n", "milestones: []\nunused:\n", 1).replace(
            "unused:\n  - {id: mockups, title: Mock-ups, due: 2027-02-15}\n"
            "  - {id: launch, title: Launch, due: 2027-04-01, after: mockups}\n",
            "",
        )
        + "targets:\n  - {measure: milestones_on_time, at_least: 90%}\n",
        ("SLA004", "error", "acme.yaml:33:15", "targets[0].measure"),
    ),
    (
        BASE
        + "accountability:\n  service_credits:\n    monthly_fee: {amount: '100.00',"
        " currency: EUR}\n    cap: 20%\n    tiers:\n"
        "      - {measure: response_on_time, below: 90%, credit: 10%}\n"
        "      - {measure: response_on_time, below: 95%, credit: 5%}\n",
        (
            "SLA005",
            "error",
            "acme.yaml:40:9",
            "accountability.service_credits.tiers[1]",
        ),
    ),
    (
        BASE
        + "accountability:\n  service_credits:\n    monthly_fee: {amount: '100.00',"
        " currency: EUR}\n    cap: 20%\n    tiers:\n"
        "      - {measure: response_on_time, below: 95%, credit: 5%}\n"
        "      - {measure: response_on_time, below: 95%, credit: 10%}\n",
        (
            "SLA005",
            "error",
            "acme.yaml:40:44",
            "accountability.service_credits.tiers[1].below",
        ),
    ),
    (
        BASE
        + "accountability:\n  service_credits:\n    monthly_fee: {amount: '100.00',"
        " currency: EUR}\n    cap: 5%\n    tiers:\n"
        "      - {measure: response_on_time, below: 95%, credit: 10%}\n",
        (
            "SLA006",
            "error",
            "acme.yaml:39:57",
            "accountability.service_credits.tiers[0].credit",
        ),
    ),
    (
        edit(
            "due: 2027-02-15}",
            "due: 2027-02-15, needs_from_client: [{what: Logo, by: 2027-03-01}]}",
        ),
        (
            "SLA007",
            "error",
            "acme.yaml:24:90",
            "milestones[0].needs_from_client[0].by",
        ),
    ),
    (
        edit("due: 2027-04-01, after", "due: 2027-02-01, after"),
        ("SLA008", "error", "acme.yaml:25:38", "milestones[1].due"),
    ),
    (
        BASE + "responsibilities:\n  client:\n    - Respond promptly.\n",
        ("SLA009", "warning", "acme.yaml:36:7", "responsibilities.client[0]"),
    ),
    (
        edit('hours: {mon-fri: "09:00-17:00"}', "hours: {}"),
        ("SLA010", "error", "acme.yaml:15:3", "calendars.office"),
    ),
    (
        edit("effective: 2027-01-01", "effective: 2027-03-01"),
        ("SLA012", "error", "acme.yaml:11:14", "agreement.effective"),
    ),
    (
        BASE
        + "accountability:\n  service_credits:\n    monthly_fee: {amount: '100.00',"
        " currency: USD}\n    cap: 20%\n    tiers:\n"
        "      - {measure: response_on_time, below: 95%, credit: 5%}\n",
        (
            "SLA014",
            "warning",
            "acme.yaml:36:47",
            "accountability.service_credits.monthly_fee.currency",
        ),
    ),
]


CASES += [
    (
        edit("term: {months: 12,", "term: {until: 2026-06-30,"),
        ("SLA015", "error", "acme.yaml:12:17", "agreement.term.until"),
    ),
    (
        edit(
            "term: {months: 12, renewal: automatic", "term: {months: 2, renewal: none"
        ),
        ("SLA016", "warning", "acme.yaml:25:38", "milestones[1].due"),
    ),
    (
        BASE + "reviews: {every: 3 months, first: 2026-12-01}\n",
        ("SLA017", "warning", "acme.yaml:34:35", "reviews.first"),
    ),
    (
        edit("response: 1h, resolution: 8h", "response: 0h, resolution: 8h"),
        ("SLA018", "error", "acme.yaml:20:43", "priorities.critical.response"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_rule_names_its_code_severity_and_field(text, expected):
    assert expected in findings(text)


def test_a_term_that_has_ended_is_flagged_as_of_the_given_day():
    text = edit("renewal: automatic", "renewal: manual")
    assert findings(text, date(2027, 12, 31)) == []
    assert findings(text, date(2028, 1, 1)) == [
        ("SLA013", "warning", "acme.yaml:12:3", "agreement.term")
    ]


def test_every_finding_explains_and_suggests_a_fix():
    text = edit("response: 1h, resolution: 8h", "response: 9h, resolution: 8h")
    (finding,) = check(loads_document(text, "acme.yaml"), today=TODAY)
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "The critical response target (9 working hours) is longer than its"
        " resolution target (8 working hours)."
    )
    assert finding.fix.endswith(".")


runner = CliRunner()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_exits_0_for_a_clean_file(tmp_path):
    result = runner.invoke(app, ["agreement", "check", write(tmp_path, BASE)])
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_the_command_exits_1_for_lint_errors(tmp_path):
    text = edit("response: 1h, resolution: 8h", "response: 9h, resolution: 8h")
    result = runner.invoke(app, ["agreement", "check", write(tmp_path, text)])
    assert result.exit_code == 1
    assert "error SLA001 priorities.critical.response: The critical" in result.output
    assert "    fix: Make the response target shorter" in result.output
    assert "1 error, 0 warnings" in result.output


def test_warnings_fail_only_with_strict(tmp_path):
    path = write(tmp_path, BASE + "responsibilities:\n  client:\n    - Be nice.\n")
    assert runner.invoke(app, ["agreement", "check", path]).exit_code == 0
    strict = runner.invoke(app, ["agreement", "check", path, "--strict"])
    assert strict.exit_code == 1


def test_the_command_exits_2_for_a_file_that_does_not_validate(tmp_path):
    text = edit("response: 1h,", "response: 4 hrs,")
    result = runner.invoke(app, ["agreement", "check", write(tmp_path, text)])
    assert result.exit_code == 2
    assert "'4 hrs' is not a duration" in result.output


def test_json_output_and_the_today_option(tmp_path):
    text = edit("renewal: automatic", "renewal: manual")
    path = write(tmp_path, text)
    result = runner.invoke(
        app, ["agreement", "check", path, "--json", "--today", "2030-01-01"]
    )
    assert result.exit_code == 0
    assert '"code": "SLA013"' in result.output
    bad = runner.invoke(app, ["agreement", "check", path, "--today", "soon"])
    assert bad.exit_code == 2


def test_every_rule_is_documented():
    import re

    import slakeeper.agreement.lint as lint

    source = Path(lint.__file__).read_text(encoding="utf-8")
    docs = (EXAMPLE.parents[1] / "docs" / "agreement-check.md").read_text(
        encoding="utf-8"
    )
    codes = set(re.findall(r'"(SLA\d{3})"', source))
    assert codes
    assert codes == set(re.findall(r"\| (SLA\d{3}) \|", docs))


def test_json_output_lists_validation_problems_with_exit_2(tmp_path):
    import json

    text = edit("response: 1h,", "response: 4 hrs,")
    result = runner.invoke(app, ["agreement", "check", write(tmp_path, text), "--json"])
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["valid"] is False
    assert body["problems"][0]["path"] == "priorities.critical.response"
    assert body["problems"][0]["line"] == 20
