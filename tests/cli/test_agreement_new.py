"""`slakeeper agreement new`: templates to standard output or a file, the
interactive questions, and the refusal to overwrite."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slakeeper.agreement import load, load_document, loads
from slakeeper.agreement.lint import check as lint_check
from slakeeper.agreement.templates import TEMPLATES, list_templates, template_text
from slakeeper.cli import agreement_new
from slakeeper.cli.agreement_new import Answers, apply_answers, new, parse_hours
from slakeeper.yamlsource import SourceError

runner = CliRunner()

app = typer.Typer()
app.command("new")(new)


@app.callback()
def _group() -> None:
    """A throwaway group, so that `new` is a subcommand as in the real CLI."""


def _input(*answers: str) -> str:
    return "".join(f"{a}\n" for a in answers)


# The answers, in the order asked; "" keeps the default.
GENERAL = [
    "Acme Web, Inc.",  # provider name
    "Jane Doe",  # provider contact
    "jane@acme-web.de",  # provider e-mail
    "Globex GmbH",  # client name
    "Max Mustermann",  # client contact
    "max@globex.de",  # client e-mail
    "Europe/Berlin",  # time zone
    "mon-fri: 08:00-12:00, 13:00-17:00; sat: 10:00-14:00",  # office hours
    "DE",  # holiday country
    "BY",  # region
    "",  # currency: EUR, the time zone's
    "19%",  # tax rate (the template's 20 % is British: no default)
    "DE811907980",  # tax id
]
BILLING = GENERAL[-3:]
# the second client contact of two templates, and the Upwork contract
MORE = {
    "retainer-support": (["Erika Muster", "erika@globex.de"], []),
    "fixed-scope-project": (["Erika Muster", "erika@globex.de"], []),
    "hourly-upwork": ([], ["40012345"]),
}


def _answers(name: str, *targets: str, general: list[str] = GENERAL) -> list[str]:
    """The answers to every question of template `name`, in the order asked."""
    contacts, upwork = MORE[name]
    return [*general[:6], *contacts, *general[6:], *upwork, *targets]


@pytest.mark.parametrize("name", list_templates())
def test_prints_the_template_as_shipped(name: str) -> None:
    result = runner.invoke(app, ["new", "--template", name])
    assert result.exit_code == 0, result.output
    assert result.stdout == template_text(name)
    loads(result.stdout)


@pytest.mark.parametrize("name", list_templates())
def test_out_writes_the_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / "agreement.yaml"
    result = runner.invoke(app, ["new", "-t", name, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"Wrote {out}" in result.stderr
    assert out.read_text(encoding="utf-8") == template_text(name)
    load(out)


def test_an_unknown_template_is_a_usage_error_listing_the_names() -> None:
    result = runner.invoke(app, ["new", "--template", "retainer"])
    assert result.exit_code == 2
    assert "no template named 'retainer'" in result.output
    for name in list_templates():
        assert name in result.output
    assert result.stdout == ""


def test_the_template_is_required() -> None:
    result = runner.invoke(app, ["new"])
    assert result.exit_code == 2
    assert "--template" in result.output


def test_out_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "agreement.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "-t", "hourly-upwork", "-o", str(out)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_out_refuses_before_asking_any_question(tmp_path: Path) -> None:
    out = tmp_path / "agreement.yaml"
    out.write_text("keep me\n", encoding="utf-8")
    result = runner.invoke(
        app, ["new", "-t", "hourly-upwork", "-o", str(out), "--interactive"]
    )
    assert result.exit_code == 2
    assert "Time zone" not in result.output
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_force_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "agreement.yaml"
    out.write_text("old\n", encoding="utf-8")
    result = runner.invoke(
        app, ["new", "-t", "fixed-scope-project", "-o", str(out), "--force"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == template_text("fixed-scope-project")


def test_out_may_not_be_a_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "-t", "hourly-upwork", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "directory" in result.output


def test_an_unwritable_out_is_a_source_error(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "a.yaml"
    result = runner.invoke(app, ["new", "-t", "hourly-upwork", "-o", str(out)])
    assert isinstance(result.exception, SourceError)
    assert f"{out}: cannot be written" in str(result.exception)


# -- interactive -------------------------------------------------------------------


def test_interactive_answers_land_in_the_file(tmp_path: Path) -> None:
    out = tmp_path / "retainer.yaml"
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "--interactive"],
        input=_input(*_answers("retainer-support", "30m", "4h")),
    )
    assert result.exit_code == 0, result.output
    loaded = load_document(out)
    a = loaded.agreement
    assert a.agreement.provider.name == "Acme Web, Inc."
    assert a.agreement.provider.contacts[0].name == "Jane Doe"
    assert a.agreement.provider.contacts[0].email == "jane@acme-web.de"
    assert a.agreement.client.name == "Globex GmbH"
    assert a.agreement.client.contacts[0].name == "Max Mustermann"
    assert a.agreement.client.contacts[0].email == "max@globex.de"
    assert a.agreement.title == "Monthly support retainer for Globex GmbH"
    assert a.agreement.timezone == "Europe/Berlin"
    assert {c["timezone"] for c in a.calendars.values()} == {"Europe/Berlin"}
    office = a.calendars["office"]
    assert office["hours"] == {
        "mon-fri": "08:00-12:00, 13:00-17:00",
        "sat": "10:00-14:00",
    }
    assert office["holidays"]["country"] == "DE"
    assert office["holidays"]["subdivision"] == "BY"
    critical = a.priorities["critical"]
    assert critical.response is not None
    assert critical.resolution is not None
    assert (str(critical.response), str(critical.resolution)) == ("30m", "4h")
    # the comments of the template stay
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Template: retainer-support.")
    assert "# The most credit owed in one month; keep it above every tier." in text
    # the questions went to standard error
    assert "Time zone" in result.stderr
    assert "Time zone" not in result.stdout


def test_interactive_offers_no_placeholder_as_a_default(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input="\n" * 12,
    )
    assert result.exit_code == 1  # Enter alone never answers "Your company's name"
    assert not out.exists()
    assert "Your Company" not in result.stderr
    assert result.stderr.count("Your company's name:") > 1


def test_berlin_gets_euro_german_holidays_and_no_british_tax(tmp_path: Path) -> None:
    # issue 11: with Europe/Berlin the file kept GBP, 20 % VAT, GB123456789
    out = tmp_path / "a.yaml"
    answers = [
        *GENERAL[:6],
        *MORE["retainer-support"][0],
        "Europe/Berlin",
        "",  # office hours as in the template
        "",  # holidays: DE, the time zone's country
        "",  # no region
        "",  # currency: EUR
        "",  # no default for the rate: asked again
        "19%",
        "",  # no default for the tax id either
        "GB123456789",  # the template's sample: refused
        "DE811907980",
        "",  # response
        "",  # resolution
    ]
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input=_input(*answers),
    )
    assert result.exit_code == 0, result.output
    assert "Currency of the invoices (ISO code) [EUR]:" in result.stderr
    assert "Public holidays of which country (ISO code, or none) [DE]:" in result.stderr
    assert "VAT rate (e.g. 19%; none for no tax):" in result.stderr
    assert "GB123456789 is a sample number" in result.stderr
    loaded = load_document(out)
    a = loaded.agreement
    assert a.billing is not None
    assert a.billing.currency == "EUR"
    credits = a.accountability.service_credits
    assert credits is not None
    assert credits.monthly_fee.currency == "EUR"
    assert a.billing.tax is not None
    assert (a.billing.tax.rate, a.billing.tax.id) == (Decimal(19), "DE811907980")
    assert a.calendars["office"]["holidays"]["country"] == "DE"
    # nothing left for `check --strict` to flag
    assert lint_check(loaded, today=date(2027, 1, 1)) == []


def test_no_tax_drops_the_tax_section(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    answers = _answers(
        "retainer-support", "30m", "4h", general=[*GENERAL[:10], "", "none"]
    )
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input=_input(*answers),
    )
    assert result.exit_code == 0, result.output
    assert "tax id" not in result.stderr
    billing = load(out).billing
    assert billing is not None
    assert billing.tax is None


@pytest.mark.parametrize("name", ["fixed-scope-project", "hourly-upwork"])
def test_every_template_asks_for_its_top_priority_targets(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "a.yaml"
    result = runner.invoke(
        app,
        ["new", "-t", name, "-o", str(out), "-i"],
        input=_input(*_answers(name, "1h", "1bd")),
    )
    assert result.exit_code == 0, result.output
    assert "Response time for urgent requests" in result.stderr
    a = load(out)
    assert a.agreement.client.name == "Globex GmbH"
    assert a.calendars["office"]["holidays"]["subdivision"] == "BY"
    urgent = a.priorities["urgent"]
    assert (str(urgent.response), str(urgent.resolution)) == ("1h", "1bd")


def test_wrong_answers_are_asked_again(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    answers = [
        "Your Company",  # a placeholder: re-asked
        "Acme Web",
        "Jane Doe",
        "not-an-email",  # re-asked
        "jane@acme.example",  # a domain for examples: re-asked
        "jane@acme.io",
        "Globex",
        "Sam Client",  # a placeholder: re-asked
        "Max",
        "max@globex",  # no dot in the domain: re-asked
        "max@globex.com",
        "Robin Client",  # the template's requester: re-asked
        "Robin Roe",
        "robin@client.example.com",  # re-asked
        "robin@globex.com",
        "Europe/Berln",  # re-asked, with a suggestion
        "America/Chicago",
        "mon-fri 9-5",  # not days: hours
        "mon-fri: 9-17",  # not a window
        "mon: closed",  # never open
        "mon-thu: 08:00-18:00",
        "XX",  # unknown country
        "us",
        "ZZ",  # unknown region
        "il",
        "dollars",  # not a currency code
        "",  # USD, Chicago's
        "lots",  # not a rate
        "8.25 %",
        "n/a?",  # not a tax id
        "36-4725916",
        "soon",  # not a duration
        "1h",
        "30m",  # shorter than the response
        "90m",  # shorter than update_every (2h)
        "6h",
    ]
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input=_input(*answers),
    )
    assert result.exit_code == 0, result.output
    errors = result.stderr
    assert "'Your Company' is a placeholder of the templates" in errors
    assert "'Sam Client' is a placeholder of the templates" in errors
    assert "jane@acme.example is at a domain reserved for examples" in errors
    assert "'dollars' is not a currency code" in errors
    assert "'lots' is not a tax rate" in errors
    assert "'n/a?' is not a tax id" in errors
    assert "'not-an-email' is not an e-mail address" in errors
    assert "'max@globex' is not an e-mail address" in errors
    assert "'Europe/Berln' is not a known IANA time zone" in errors
    assert "did you mean Europe/Berlin" in errors
    assert "'mon-fri 9-5' is not 'days: hours'" in errors
    assert "hours.mon-fri: '9-17' is not a window" in errors
    assert "never open" in errors
    assert "'XX' is not a country" in errors
    assert "'ZZ' is not a subdivision of US" in errors
    assert "'soon' is not a duration" in errors
    assert "shorter than the response time (1h)" in errors
    assert "shorter than the update cadence (2h)" in errors
    a = load(out)
    assert a.agreement.provider.name == "Acme Web"
    assert a.agreement.provider.contacts[0].email == "jane@acme.io"
    assert a.agreement.client.contacts[0].email == "max@globex.com"
    assert a.billing is not None
    assert a.billing.currency == "USD"
    assert a.billing.tax is not None
    assert (str(a.billing.tax.rate), a.billing.tax.id) == ("8.25", "36-4725916")
    assert a.agreement.timezone == "America/Chicago"
    assert a.calendars["office"]["hours"] == {"mon-thu": "08:00-18:00"}
    assert a.calendars["office"]["holidays"]["country"] == "US"
    assert a.calendars["office"]["holidays"]["subdivision"] == "IL"
    critical = a.priorities["critical"]
    assert (str(critical.response), str(critical.resolution)) == ("1h", "6h")


def test_no_holidays_drops_the_country_but_keeps_extra_dates(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    answers = _answers(
        "retainer-support", "", "", general=[*GENERAL[:8], "none", *BILLING]
    )
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input=_input(*answers),
    )
    assert result.exit_code == 0, result.output
    assert "Region of" not in result.stderr
    holidays = load(out).calendars["office"]["holidays"]
    assert "country" not in holidays
    assert "subdivision" not in holidays
    assert holidays["dates"] == [date(2027, 12, 24), date(2027, 12, 31)]


def test_a_new_country_does_not_keep_the_old_region(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    answers = _answers(
        "retainer-support", "", "", general=[*GENERAL[:8], "FR", "", *BILLING]
    )
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input=_input(*answers),
    )
    assert result.exit_code == 0, result.output
    holidays = load(out).calendars["office"]["holidays"]
    assert holidays["country"] == "FR"
    assert "subdivision" not in holidays


def test_interactive_runs_out_of_answers_aborts(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    result = runner.invoke(
        app,
        ["new", "-t", "retainer-support", "-o", str(out), "-i"],
        input=_input("Acme"),
    )
    assert result.exit_code == 1
    assert not out.exists()


@pytest.mark.parametrize("name", list_templates())
def test_interactive_results_pass_lint(tmp_path: Path, name: str) -> None:
    out = tmp_path / "a.yaml"
    answers = _answers(name, "30m", "4h")
    result = runner.invoke(
        app, ["new", "-t", name, "-o", str(out), "-i"], input=_input(*answers)
    )
    assert result.exit_code == 0, result.output
    findings = lint_check(load_document(out), today=date(2027, 1, 1))
    assert [f"{f.code} {f.location} {f.message}" for f in findings] == []


# -- the pieces ---------------------------------------------------------------------


def test_parse_hours_reads_several_day_groups() -> None:
    assert parse_hours("mon-fri: 09:00-17:00; sat, sun: 10:00-12:00;", "UTC") == {
        "mon-fri": "09:00-17:00",
        "sat, sun": "10:00-12:00",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "please enter opening hours"),
        ("09:00-17:00", "is not a weekday"),
        ("mon: 9-17", "is not a window"),
        ("mon-fri:", "is not 'days: hours'"),
        ("funday: 09:00-17:00", "funday"),
    ],
)
def test_parse_hours_explains_what_is_wrong(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(value, "UTC")


def test_apply_answers_quotes_what_yaml_would_misread() -> None:
    answers = Answers(
        provider_name="Acme: {Web} #1, Inc.",
        provider_contact="O'Brien, Pat",
        provider_email="pat@acme.example",
        client_name="[Client]",
        client_contact="- Max",
        client_email="max@client.example",
        timezone="UTC",
        hours={"mon-fri": "09:00-17:00"},
        holiday_country=None,
        holiday_subdivision=None,
    )
    template = TEMPLATES["hourly-upwork"]
    text = apply_answers(template_text(template.name), template, answers)
    a = loads(text)
    assert a.agreement.provider.name == "Acme: {Web} #1, Inc."
    assert a.agreement.provider.contacts[0].name == "O'Brien, Pat"
    assert a.agreement.client.name == "[Client]"
    assert a.agreement.client.contacts[0].name == "- Max"
    assert "holidays" not in a.calendars["office"]


def test_apply_answers_adds_holidays_to_a_calendar_without_them() -> None:
    template = TEMPLATES["hourly-upwork"]
    base = Answers(
        provider_name="A",
        provider_contact="B",
        provider_email="b@a.example",
        client_name="C",
        client_contact="D",
        client_email="d@c.example",
        timezone="Europe/Paris",
        hours={"mon-fri": "09:00-17:00"},
        holiday_country=None,
        holiday_subdivision=None,
    )
    without = apply_answers(template_text(template.name), template, base)
    assert "holidays" not in loads(without).calendars["office"]
    again = apply_answers(
        without,
        template,
        replace(base, holiday_country="FR"),
    )
    office = loads(again).calendars["office"]
    assert office["holidays"] == {"country": "FR"}
    assert list(office) == ["timezone", "hours", "holidays"]


def test_errors_are_reported_like_the_rest_of_the_cli(tmp_path: Path) -> None:
    from slakeeper.cli import SlakeeperGroup

    root = typer.Typer(cls=SlakeeperGroup)
    root.command("new")(new)

    @root.callback()
    def _root() -> None:
        """Root."""

    existing = tmp_path / "a.yaml"
    existing.write_text("x\n", encoding="utf-8")
    result = runner.invoke(root, ["new", "-t", "hourly-upwork", "-o", str(existing)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '--out': ")
    assert "already exists; add --force to overwrite it" in result.stderr

    result = runner.invoke(root, ["new", "-t", "nope"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: Invalid value for '--template': no template named 'nope';"
        " choose one of: retainer-support, fixed-scope-project, hourly-upwork."
    )

    missing = tmp_path / "missing" / "a.yaml"
    result = runner.invoke(root, ["new", "-t", "hourly-upwork", "-o", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {missing}: cannot be written: ")


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The templates start in 2027: as of this day they are printed unchanged."""
    monkeypatch.setattr(agreement_new, "_today", lambda: date(2026, 11, 29))


def test_templates_move_on_by_whole_years_so_they_start_after_today(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(agreement_new, "_today", lambda: date(2027, 7, 1))
    result = runner.invoke(app, ["new", "-t", "fixed-scope-project"])
    assert result.exit_code == 0, result.output
    assert "effective: 2028-01-11" in result.output
    assert "until: 2028-06-30" in result.output
    assert "2027-" not in result.output


# -- options, for scripts -------------------------------------------------------------

FLAGS = [
    "--provider-name", "Jane Doe Web",
    "--provider-contact", "Jane Doe",
    "--provider-email", "jane@janedoe.de",
    "--client-name", "Globex GmbH",
    "--client-contact", "Max Mustermann",
    "--client-email", "max@globex.de",
    "--timezone", "Europe/Berlin",
    "--currency", "eur",
    "--tax-rate", "19%",
    "--tax-id", "DE811907980",
    "--contact", "client.requester=Erika Muster <erika@globex.de>",
]  # fmt: skip


def test_options_set_parties_currency_and_tax_without_questions(
    tmp_path: Path,
) -> None:
    out = tmp_path / "a.yaml"
    result = runner.invoke(
        app, ["new", "-t", "retainer-support", "-o", str(out), *FLAGS]
    )
    assert result.exit_code == 0, result.output
    loaded = load_document(out)
    a = loaded.agreement
    assert a.agreement.provider.name == "Jane Doe Web"
    assert a.agreement.client.contacts[1].name == "Erika Muster"
    assert a.agreement.timezone == "Europe/Berlin"
    assert a.billing is not None
    assert a.billing.currency == "EUR"
    assert a.billing.tax is not None
    assert (a.billing.tax.rate, a.billing.tax.id) == (Decimal(19), "DE811907980")
    assert lint_check(loaded, today=date(2027, 1, 1)) == []
    # comments stay
    assert "# Your VAT rate and number" in out.read_text(encoding="utf-8")


def test_options_skip_their_questions(tmp_path: Path) -> None:
    out = tmp_path / "a.yaml"
    rest = [*GENERAL[7:10], *MORE["hourly-upwork"][1], "1h", "1bd"]
    result = runner.invoke(
        app,
        ["new", "-t", "hourly-upwork", "-o", str(out), "-i", *FLAGS[:-2]],
        input=_input(*rest),
    )
    assert result.exit_code == 0, result.output
    assert "e-mail" not in result.stderr
    assert "Currency" not in result.stderr
    assert "Upwork contract id" in result.stderr
    a = load(out)
    assert a.billing is not None
    assert a.billing.upwork is not None
    assert a.billing.upwork.contract == "40012345"
    assert a.billing.tax is not None  # the template had none: the options add it
    assert a.billing.tax.id == "DE811907980"


@pytest.mark.parametrize(
    ("args", "hint", "message"),
    [
        (["--provider-email", "jane@x.example"], "--provider-email", "reserved"),
        (["--client-name", "Client Ltd"], "--client-name", "placeholder"),
        (["--currency", "euro"], "--currency", "not a currency code"),
        (["--tax-rate", "high"], "--tax-rate", "not a tax rate"),
        (["--tax-id", "GB123456789"], "--tax-id", "sample number"),
        (["--timezone", "Mars/Base"], "--timezone", "not a known IANA time zone"),
        (["--contact", "robin"], "--contact", "is not ROLE=NAME <EMAIL>"),
        (["--contact", "client.cfo=Pat <pat@globex.de>"], "--contact", "roles:"),
        (["--tax-id", "DE811907980"], "--tax-id", "charges no tax"),
    ],
)
def test_a_wrong_option_is_a_usage_error(
    args: list[str], hint: str, message: str
) -> None:
    result = runner.invoke(app, ["new", "-t", "hourly-upwork", *args])
    assert result.exit_code == 2
    assert hint in result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_tax_rate_none_drops_the_tax() -> None:
    result = runner.invoke(
        app, ["new", "-t", "fixed-scope-project", "--tax-rate", "none"]
    )
    assert result.exit_code == 0, result.output
    billing = loads(result.stdout).billing
    assert billing is not None
    assert billing.tax is None


@pytest.mark.parametrize(
    ("zone", "currency"),
    [
        ("Europe/Berlin", "EUR"),
        ("Europe/London", "GBP"),
        ("Europe/Zurich", "CHF"),
        ("America/Chicago", "USD"),
        ("UTC", None),
        ("Antarctica/Troll", None),
    ],
)
def test_the_currency_of_a_time_zone(zone: str, currency: str | None) -> None:
    assert agreement_new.currency_of_zone(zone) == currency
