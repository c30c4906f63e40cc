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
    # the example's people are at acme.example: mail to them never arrives
    assert findings(EXAMPLE.read_text(encoding="utf-8")) == [
        ("SLA019", "warning", f"acme.yaml:{line}:{column}", path)
        for line, column, path in (
            (10, 33, "agreement.provider.contacts[0].email"),
            (14, 39, "agreement.client.contacts[0].email"),
            (15, 37, "agreement.client.contacts[1].email"),
        )
    ]
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


# -- placeholders (SLA019) -------------------------------------------------------


def test_placeholder_values_of_the_templates_are_flagged_as_warnings():
    text = (
        edit("name: Jane Doe Web", "name: Your Company")
        .replace("jane@janedoe-web.de", "jane@yourcompany.example.com")
        .replace("{name: Max,", "{name: Sam Client,")
        .replace("max@acme-gmbh.de", "max@acme.example")
        .replace(
            "  invoice: {every",
            "  tax: {rate: 19%, id: DE123456789}\n  invoice: {every",
        )
        .replace("  rates:", "  upwork: {contract: '40000001'}\n  rates:")
    )
    found = findings(text)
    assert found == [
        ("SLA019", "warning", "acme.yaml:4:11", "agreement.provider.name"),
        ("SLA019", "warning", "acme.yaml:6:33", "agreement.provider.contacts[0].email"),
        ("SLA019", "warning", "acme.yaml:10:16", "agreement.client.contacts[0].name"),
        ("SLA019", "warning", "acme.yaml:10:35", "agreement.client.contacts[0].email"),
        ("SLA019", "warning", "acme.yaml:32:22", "billing.upwork.contract"),
        ("SLA019", "warning", "acme.yaml:34:24", "billing.tax.id"),
    ]


PLACEHOLDERS = {
    "name": {
        "Your Company": True,
        "your company.": True,
        "ACME Inc.": True,
        "Acme Web GmbH": False,
        "Sam Client": True,
        "Samuel Clients": False,
    },
    "email": {  # at domains reserved for examples
        "sam@client.example.com": True,
        "sam@example.org": True,
        "max@acme.example": True,
        "max@acme.test": True,
        "max@EXAMPLE.NET.": True,
        "max@example.com.au": False,
        "max@myexample.com": False,
        "max@acme.de": False,
    },
    "id": {
        "GB123456789": True,
        "DE 123 456 789": True,
        "FR000000000": True,
        "40000001": True,
        "DE811907980": False,
        "1234": False,
    },
}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [(k, v, e) for k, cases in PLACEHOLDERS.items() for v, e in cases.items()],
)
def test_placeholders_are_recognised(kind, value, expected):
    from slakeeper.agreement.templates import placeholders

    assert getattr(placeholders, f"is_placeholder_{kind}")(value) is expected


def test_placeholders_fail_check_only_with_strict(tmp_path):
    path = write(tmp_path, BASE.replace("max@acme-gmbh.de", "max@client.example.com"))
    result = runner.invoke(app, ["agreement", "check", path])
    assert result.exit_code == 0, result.output
    assert "warning SLA019 agreement.client.contacts[0].email:" in result.output
    assert runner.invoke(app, ["agreement", "check", path, "--strict"]).exit_code == 1


# -- time limits longer than the term (SLA020) ----------------------------------


LIMIT_CASES = [
    (
        edit("response: 1h, resolution: 8h", "response: 9999bd, resolution: 99999bd"),
        [
            ("SLA020", "error", "acme.yaml:20:43", "priorities.critical.response"),
            ("SLA020", "error", "acme.yaml:20:63", "priorities.critical.resolution"),
        ],
    ),
    (
        # a term that ends: 2 months hold about 43 business days
        edit("term: {months: 12, renewal: automatic", "term: {months: 2, renewal: none")
        .replace("due: 2027-04-01", "due: 2027-02-20")
        .replace("response: 1bd, resolution: 5bd", "response: 1bd, resolution: 45bd"),
        [("SLA020", "error", "acme.yaml:21:62", "priorities.normal.resolution")],
    ),
    (
        BASE + "responsibilities:\n  client:\n"
        "    - {obligation: Send content., within: 400 days}\n"
        "    - {obligation: Answer., within: 300bd}\n"
        "    - {obligation: Pay., within: 14 days}\n",
        [
            ("SLA020", "error", "acme.yaml:36:43", "responsibilities.client[0].within"),
            ("SLA020", "error", "acme.yaml:37:37", "responsibilities.client[1].within"),
        ],
    ),
    (
        edit(
            "due: 2027-02-15}",
            "due: 2027-02-15, acceptance: {review_within: 9999bd}}",
        ),
        [
            (
                "SLA020",
                "error",
                "acme.yaml:24:81",
                "milestones[0].acceptance.review_within",
            )
        ],
    ),
    (
        BASE + "change_requests:\n  estimate_within: 2bd\n  decide_within: 1000bd\n"
        "  requires_approval_by: client.approver\n",
        [("SLA020", "error", "acme.yaml:36:18", "change_requests.decide_within")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), LIMIT_CASES)
def test_time_limits_longer_than_the_term_are_errors(text, expected):
    assert findings(text) == expected


def test_a_limit_within_a_year_of_a_renewing_term_is_fine():
    assert findings(edit("resolution: 5bd}", "resolution: 200bd}")) == []
    (finding,) = check(
        loads_document(edit("resolution: 5bd}", "resolution: 300bd}"), "acme.yaml"),
        today=TODAY,
    )
    assert finding.code == "SLA020"
    assert finding.message == (
        "The normal resolution target (300 working days) is longer than a year: it"
        " could never run out, so it promises nothing."
    )


def test_absurd_targets_fail_strict_check_with_their_field(tmp_path):
    text = edit("response: 1h, resolution: 8h", "response: 1h, resolution: 99999bd")
    result = runner.invoke(
        app, ["agreement", "check", write(tmp_path, text), "--strict"]
    )
    assert result.exit_code == 1
    assert "error SLA020 priorities.critical.resolution: The critical" in result.output


# -- every problem at once ------------------------------------------------------------


PARTIAL = (
    edit("response: 1bd, resolution: 5bd", "response: 1bd, resolution: 99999bd")
    .replace("renewal: automatic", "renewal: sometimes")  # schema: agreement.term
    .replace("after: mockups}", "after: mock-ups}")  # cross-check: milestones
    + "responsibilities:\n  client:\n    - Reply.\n"  # lint: SLA009
    + "reviews: {every: fortnightly}\n"  # schema: reviews.every
)


def test_a_schema_error_hides_no_other_problem(tmp_path):
    result = runner.invoke(
        app, ["agreement", "check", write(tmp_path, PARTIAL), "--today", "2027-01-01"]
    )
    assert result.exit_code == 2
    assert "agreement.term.renewal: must be 'automatic', 'manual' or 'none'" in (
        result.stderr
    )
    assert "milestones[1].after: no milestone named 'mock-ups'" in result.stderr
    assert "reviews.every: 'fortnightly' is not a calendar period" in result.stderr
    # the lint rules that read no section with a problem still run
    assert "warning SLA009 responsibilities.client[0]:" in result.stdout
    assert "error SLA020 priorities.normal.resolution:" not in result.stdout  # term
    assert "SLA016" not in result.stdout  # reads milestones, which have a problem


def test_a_schema_error_hides_no_other_problem_in_json(tmp_path):
    import json

    path = write(tmp_path, PARTIAL.replace("renewal: sometimes", "renewal: none"))
    result = runner.invoke(
        app, ["agreement", "check", path, "--json", "--today", "2027-01-01"]
    )
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["valid"] is False
    assert [p["path"] for p in body["problems"]] == [
        "milestones[1].after",
        "reviews.every",
    ]
    assert [(f["code"], f["path"]) for f in body["findings"]] == [
        ("SLA020", "priorities.normal.resolution"),
        ("SLA009", "responsibilities.client[0]"),
    ]


def test_a_file_whose_required_sections_are_broken_still_lints_the_rest():
    from slakeeper.agreement.load import InvalidAgreement

    text = (
        BASE.replace("effective: 2027-01-01", "effective: soon").replace(
            "holidays: {country: DE}", "holidays: {country: XX}"
        )
        + "responsibilities:\n  client:\n    - Reply.\n"
    )
    with pytest.raises(InvalidAgreement) as caught:
        loads_document(text, "acme.yaml")
    paths = [p.dotted_path for p in caught.value.problems]
    assert paths == ["agreement.effective", "calendars.office.holidays.country"]
    partial = caught.value.partial
    assert partial is not None
    assert partial.broken == {"agreement", "calendars"}
    assert [f.code for f in check(partial, today=TODAY)] == ["SLA009"]


# -- language --------------------------------------------------------------------------


def test_a_language_without_a_catalogue_is_refused(tmp_path):
    text = edit(
        "timezone: Europe/Berlin\ncal",
        "timezone: Europe/Berlin\n  language: klingon\ncal",
    )
    result = runner.invoke(app, ["agreement", "check", write(tmp_path, text)])
    assert result.exit_code == 2
    assert (
        "acme.yaml:14:13 agreement.language: 'klingon' is not a language the"
        " contract can be written in; supported: en (English)"
    ) in result.stderr
