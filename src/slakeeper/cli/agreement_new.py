"""`slakeeper agreement new`: start an agreement file from a template.

Without `--interactive` the template is written as shipped, with what the
options (`--provider-name`, `--currency`, `--tax-rate`, ...) set. With it, a
few questions (names, e-mail addresses, time zone, office hours, public
holidays, currency, tax and the top priority's targets) are asked on standard
error for what no option set, each re-asked until the answer is valid, and the
answers are written into the template with ruamel.yaml's round-trip mode, so its
comments and layout stay. No question offers a template's placeholder (see
`agreement.templates.placeholders`) as its default: names, e-mail addresses and
the tax id must be typed; the currency, holidays and tax rate default to the
time zone's country where it is known. The result is loaded before it is
written: `new` never writes an invalid file.

The lead registers `new` on the `agreement` app: `app.command("new")(new)`.
"""

from __future__ import annotations

import difflib
import io
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import typer
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from slakeeper.agreement.load import loads
from slakeeper.agreement.templates import (
    TEMPLATES,
    Template,
    UnknownTemplateError,
    current_text,
    list_templates,
)
from slakeeper.agreement.templates.placeholders import (
    is_placeholder_email,
    is_placeholder_id,
    is_placeholder_name,
)
from slakeeper.agreement.types import WorkingTime
from slakeeper.cli.output import write_output
from slakeeper.core import (
    CalendarSpecError,
    DurationError,
    WorkCalendar,
    parse_duration_parts,
)
from slakeeper.yamlsource import to_plain

__all__ = [
    "Answers",
    "Settings",
    "apply_answers",
    "apply_settings",
    "currency_of_zone",
    "new",
    "parse_hours",
]

T = TypeVar("T")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True, slots=True)
class Answers:
    """What the interactive questions decide. `None` keeps the template's value
    (for the holidays: `country=None` means no public holidays)."""

    provider_name: str
    provider_contact: str
    provider_email: str
    client_name: str
    client_contact: str
    client_email: str
    timezone: str
    hours: dict[str, str]
    holiday_country: str | None
    holiday_subdivision: str | None
    top_response: str | None = None
    top_resolution: str | None = None
    billing: Billing | None = None
    contacts: tuple[Contact, ...] = ()
    """The other contacts (beyond each party's first)."""
    upwork_contract: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact by its role (`client.requester`): name and e-mail address."""

    role: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Billing:
    """The currency and tax answers: `tax_rate=None` drops the tax, `tax_id=None`
    leaves the id out."""

    currency: str
    tax_rate: str | None
    tax_id: str | None


@dataclass(frozen=True, slots=True)
class Settings:
    """What the options of `new` set; `None` leaves it to the template (or, with
    --interactive, to the question). `tax_rate="none"` drops the tax, and
    `tax_id="none"` the id."""

    provider_name: str | None = None
    provider_contact: str | None = None
    provider_email: str | None = None
    client_name: str | None = None
    client_contact: str | None = None
    client_email: str | None = None
    timezone: str | None = None
    currency: str | None = None
    tax_rate: str | None = None
    tax_id: str | None = None
    upwork_contract: str | None = None
    contacts: tuple[Contact, ...] = ()


# -- the command -------------------------------------------------------------------


def _option(name: str, help_text: str) -> Any:
    return typer.Option(name, metavar="TEXT", help=help_text, show_default=False)


def new(
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            metavar="NAME",
            help=f"The template to start from: {', '.join(list_templates())}.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            dir_okay=False,
            help="Write the agreement to FILE instead of printing it.",
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Ask for names, time zone, hours and targets, with defaults.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Overwrite FILE if it exists."),
    ] = False,
    provider_name: Annotated[
        str | None, _option("--provider-name", "Your company's name.")
    ] = None,
    provider_contact: Annotated[
        str | None, _option("--provider-contact", "Your name (the lead contact).")
    ] = None,
    provider_email: Annotated[
        str | None, _option("--provider-email", "Your e-mail address.")
    ] = None,
    client_name: Annotated[
        str | None, _option("--client-name", "The client's name.")
    ] = None,
    client_contact: Annotated[
        str | None, _option("--client-contact", "The client's first contact.")
    ] = None,
    client_email: Annotated[
        str | None, _option("--client-email", "That contact's e-mail address.")
    ] = None,
    timezone: Annotated[
        str | None,
        _option("--timezone", "The agreement's IANA time zone (Europe/Berlin)."),
    ] = None,
    currency: Annotated[
        str | None, _option("--currency", "The ISO 4217 code invoices are in (EUR).")
    ] = None,
    tax_rate: Annotated[
        str | None, _option("--tax-rate", "The VAT rate (19%), or none for no tax.")
    ] = None,
    tax_id: Annotated[
        str | None, _option("--tax-id", "Your VAT or tax id, or none.")
    ] = None,
    upwork_contract: Annotated[
        str | None,
        _option("--upwork-contract", "The Upwork contract id (hourly-upwork)."),
    ] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option(
            "--contact",
            metavar="ROLE=NAME <EMAIL>",
            help="Another contact, by role: --contact 'client.requester=Robin Roe"
            " <robin@globex.de>'. Repeat for each.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start an agreement file from a template.

    Templates: retainer-support (monthly support retainer with priorities and
    service credits), fixed-scope-project (milestones, client inputs and
    acceptance windows), hourly-upwork (hourly work through an Upwork contract,
    billed weekly). Their dates move on by whole years so that the agreement
    starts after today. The options set names, e-mail addresses, the time zone,
    the currency and the tax, for scripts; --interactive asks for the rest (its
    questions go to standard error, so the file can be redirected). The
    template's placeholders are never offered as answers; `agreement check
    --strict` flags those left in the file.
    """
    try:
        text = current_text(template, _today())
    except UnknownTemplateError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--template'") from None
    if out is not None and out.exists() and not force:
        raise typer.BadParameter(
            f"{out} already exists; add --force to overwrite it",
            param_hint="'--out'",
        )
    settings = Settings(
        provider_name,
        provider_contact,
        provider_email,
        client_name,
        client_contact,
        client_email,
        timezone,
        currency,
        tax_rate,
        tax_id,
        upwork_contract,
    )
    _check_settings(settings)
    try:
        settings = replace(
            settings, contacts=tuple(_contact(value) for value in contact or ())
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--contact'") from None
    spec = TEMPLATES[template]
    text = (
        _interview(text, spec, settings)
        if interactive
        else apply_settings(text, spec, settings)
    )
    source = str(out) if out is not None else f"<template {template}>"
    loads(text, source=source)  # never write a file that does not load
    if out is None:
        typer.echo(text, nl=False)
        return
    write_output(out, text)
    typer.echo(
        f"Wrote {out}. Edit it, then check it: slakeeper agreement check {out}",
        err=True,
    )


def _today() -> date:
    return datetime.now(UTC).astimezone().date()


def _check_settings(settings: Settings) -> None:
    """Each option's value parsed as its question's answer would be."""
    for field in fields(settings):
        value = getattr(settings, field.name)
        if value is None or field.name == "contacts":
            continue
        try:
            _PARSE[field.name](value)
        except ValueError as exc:
            hint = "'--" + field.name.replace("_", "-") + "'"
            raise typer.BadParameter(str(exc), param_hint=hint) from None


# -- YAML round trip ---------------------------------------------------------------


def _yaml() -> YAML:
    """The round-trip settings under which the templates dump as they are."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str) -> CommentedMap:
    data = _yaml().load(text)
    if not isinstance(data, CommentedMap):  # pragma: no cover - templates are maps
        raise TypeError("a template must be a mapping")
    return data


def _dump(data: CommentedMap) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def _flow_map(items: dict[str, Any]) -> CommentedMap:
    node = CommentedMap(items)
    node.fa.set_flow_style()
    return node


def apply_answers(text: str, template: Template, answers: Answers) -> str:
    """The template `text` with the answers written in, comments kept."""
    data = _load(text)
    _apply_general(data, template, answers)
    _apply_top_priority(data, answers)
    if answers.billing is not None:
        _apply_billing(data, answers.billing)
    _apply_contacts(data, answers.contacts)
    if answers.upwork_contract is not None:
        data["billing"]["upwork"]["contract"] = DoubleQuotedScalarString(
            answers.upwork_contract
        )
    return _dump(data)


def apply_settings(text: str, template: Template, settings: Settings) -> str:
    """The template `text` with what the options set written in, comments kept."""
    if settings == Settings():
        return text
    data = _load(text)
    _apply_parties(data, settings)
    try:
        _apply_contacts(data, settings.contacts)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--contact'") from None
    upwork = (data.get("billing") or {}).get("upwork")
    if settings.upwork_contract is not None and upwork is not None:
        upwork["contract"] = DoubleQuotedScalarString(settings.upwork_contract)
    if settings.timezone is not None:
        _apply_timezone(data, settings.timezone)
    billing = data.get("billing")
    given = (settings.currency, settings.tax_rate, settings.tax_id)
    if billing is not None and given != (None, None, None):
        tax = billing.get("tax") or {}
        rate = (
            _tax_rate(settings.tax_rate)
            if settings.tax_rate is not None
            else _text_or_none(tax.get("rate"))
        )
        tax_id = (
            _tax_id(settings.tax_id)
            if settings.tax_id is not None
            else _text_or_none(tax.get("id"))
        )
        if rate is None and settings.tax_id is not None and tax_id is not None:
            raise typer.BadParameter(
                f"the {template.name} template charges no tax: give --tax-rate too",
                param_hint="'--tax-id'",
            )
        currency = settings.currency or str(billing["currency"])
        _apply_billing(
            data, Billing(_currency(currency), rate, None if rate is None else tax_id)
        )
    return _dump(data)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _apply_parties(data: CommentedMap, who: Answers | Settings) -> None:
    about = data["agreement"]
    for party, name, contact, email in (
        ("provider", who.provider_name, who.provider_contact, who.provider_email),
        ("client", who.client_name, who.client_contact, who.client_email),
    ):
        node = about[party]
        if name is not None:
            old_name = str(node["name"])
            node["name"] = name
            if party == "client" and old_name in str(about["title"]):
                about["title"] = str(about["title"]).replace(old_name, name)
        first = node["contacts"][0]
        if contact is not None:
            first["name"] = contact
        if email is not None:
            first["email"] = email


def _apply_contacts(data: CommentedMap, contacts: tuple[Contact, ...]) -> None:
    """Each contact written over the template's contact with that role."""
    for contact in contacts:
        party, _, role = contact.role.partition(".")
        people = data["agreement"][party]["contacts"]
        found = [c for c in people if c["role"] == role]
        if not found:
            roles = ", ".join(f"{party}.{c['role']}" for c in people)
            raise ValueError(f"no contact has the role {contact.role}; roles: {roles}")
        found[0]["name"] = contact.name
        found[0]["email"] = contact.email


def _apply_timezone(data: CommentedMap, timezone: str) -> None:
    data["agreement"]["timezone"] = timezone
    for calendar in data["calendars"].values():
        calendar["timezone"] = timezone


def _apply_billing(data: CommentedMap, answer: Billing) -> None:
    billing = data.get("billing")
    if billing is None:  # pragma: no cover - every template bills
        return
    billing["currency"] = answer.currency
    credits = (data.get("accountability") or {}).get("service_credits")
    if credits is not None:
        credits["monthly_fee"]["currency"] = answer.currency
    if answer.tax_rate is None:
        billing.pop("tax", None)
        return
    tax = billing.get("tax")
    if tax is None:
        tax = _flow_map({})
        keys = list(billing)
        at = keys.index("invoice") if "invoice" in keys else len(keys)
        billing.insert(at, "tax", tax)
    tax["rate"] = answer.tax_rate
    if answer.tax_id is None:
        tax.pop("id", None)
    else:
        tax["id"] = answer.tax_id


def _apply_general(data: CommentedMap, template: Template, answers: Answers) -> None:
    _apply_parties(data, answers)
    _apply_timezone(data, answers.timezone)
    office = data["calendars"][template.office_calendar]
    office["hours"] = _flow_map(
        {key: DoubleQuotedScalarString(value) for key, value in answers.hours.items()}
    )
    _apply_holidays(office, answers.holiday_country, answers.holiday_subdivision)


def _apply_holidays(
    calendar: CommentedMap, country: str | None, subdivision: str | None
) -> None:
    holidays = calendar.get("holidays")
    if country is None:
        if holidays is None:
            return
        for key in ("country", "subdivision"):
            holidays.pop(key, None)
        if not holidays:
            del calendar["holidays"]
        return
    if holidays is None:
        holidays = _flow_map({})
        calendar.insert(list(calendar).index("hours") + 1, "holidays", holidays)
    if "country" in holidays:
        holidays["country"] = country
    else:
        holidays.insert(0, "country", country)
    if subdivision is None:
        holidays.pop("subdivision", None)
    elif "subdivision" in holidays:
        holidays["subdivision"] = subdivision
    else:
        holidays.insert(1, "subdivision", subdivision)


def _apply_top_priority(data: CommentedMap, answers: Answers) -> None:
    priorities = data.get("priorities")
    if not priorities:
        return
    top = priorities[next(iter(priorities))]
    if answers.top_response is not None:
        top["response"] = answers.top_response
    if answers.top_resolution is not None:
        top["resolution"] = answers.top_resolution


# -- the questions -----------------------------------------------------------------


def _ask(question: str, default: str | None, parse: Callable[[str], T]) -> T:
    """Ask until `parse` accepts the answer; its `ValueError` says what is wrong.
    Without a default (`None`), an empty answer asks again."""
    while True:
        answer = typer.prompt(
            question,
            default=default,
            show_default=bool(default),
            err=True,
        )
        try:
            return parse(str(answer).strip())
        except ValueError as exc:
            typer.echo(f"  {exc}", err=True)


def _interview(text: str, template: Template, settings: Settings) -> str:
    data = to_plain(_load(text))
    about = data["agreement"]
    client = about["client"]
    office = data["calendars"][template.office_calendar]
    typer.echo(
        f"A new agreement from the {template.name} template."
        " Press Enter to keep the value in brackets.",
        err=True,
    )

    def question(field: str, words: str, default: str | None) -> Any:
        """Ask, unless the option of that name gave the answer."""
        value = getattr(settings, field)
        parse = _PARSE[field]
        return parse(value) if value is not None else _ask(words, default, parse)

    provider_name = question("provider_name", "Your company's name", None)
    provider_contact = question(
        "provider_contact", "Your name (the lead contact)", None
    )
    provider_email = question("provider_email", "Your e-mail", None)
    client_name = question("client_name", "The client's name", None)
    client_contact = question(
        "client_contact",
        f"The client's contact ({client['contacts'][0]['role']})",
        None,
    )
    client_email = question("client_email", "The client contact's e-mail", None)
    contacts = _ask_contacts(about, settings.contacts)
    timezone = question("timezone", "Time zone (IANA name)", about["timezone"])
    country_of_zone = zone_country(timezone)
    hours = _ask(
        "Office hours (e.g. mon-fri: 09:00-17:00; sat: 10:00-14:00)",
        _format_hours(office["hours"]),
        lambda value: parse_hours(value, timezone),
    )
    holidays = office.get("holidays") or {}
    old_country = holidays.get("country")
    country = _ask(
        "Public holidays of which country (ISO code, or none)",
        _holiday_default(country_of_zone, old_country),
        _country,
    )
    subdivision: str | None = None
    if country is not None:
        old_subdivision = (
            holidays.get("subdivision") if country == old_country else None
        )
        subdivision = _ask(
            f"Region of {country} for holidays (ISO code; empty for none)",
            old_subdivision or "",
            lambda value: _subdivision(country, value),
        )
    answers = Answers(
        provider_name,
        provider_contact,
        provider_email,
        client_name,
        client_contact,
        client_email,
        timezone,
        hours,
        country,
        subdivision,
        billing=_ask_billing(data, question, country_of_zone),
        contacts=contacts,
        upwork_contract=question(
            "upwork_contract", "The Upwork contract id (digits)", None
        )
        if (data.get("billing") or {}).get("upwork")
        else None,
    )
    text = apply_answers(text, template, answers)
    if template.asks_top_priority_targets:
        text = _ask_top_priority(text, template, answers)
    return text


def _ask_contacts(
    about: dict[str, Any], given: tuple[Contact, ...]
) -> tuple[Contact, ...]:
    """Name and e-mail of each contact beyond a party's first, unless given."""
    done = {c.role for c in given}
    asked = []
    for party in ("provider", "client"):
        for contact in about[party]["contacts"][1:]:
            role = f"{party}.{contact['role']}"
            if role in done:
                continue
            whose = "Your" if party == "provider" else "The client's"
            name = _ask(f"{whose} {contact['role']} (name)", None, _name)
            email = _ask(f"{name}'s e-mail", None, _email)
            asked.append(Contact(role, name, email))
    return (*given, *asked)


def _holiday_default(zone_country: str | None, old: str | None) -> str:
    if zone_country is not None:
        try:
            return _country(zone_country) or "none"
        except ValueError:
            pass  # the holidays package does not know it
    return old or "none"


def _ask_billing(
    data: dict[str, Any],
    question: Callable[[str, str, str | None], Any],
    country: str | None,
) -> Billing | None:
    billing = data.get("billing")
    if billing is None:  # pragma: no cover - every template bills
        return None
    currency = question(
        "currency", "Currency of the invoices (ISO code)", _currency_default(country)
    )
    tax = billing.get("tax") or {}
    template_id = str(tax.get("id") or "")
    # the template's rate only where its sample id is of the zone's country
    rate_default = (
        str(tax["rate"])
        if "rate" in tax and country and template_id.startswith(country)
        else None
    )
    rate = question("tax_rate", "VAT rate (e.g. 19%; none for no tax)", rate_default)
    if rate is None:
        return Billing(currency, None, None)
    tax_id = question("tax_id", "Your VAT or tax id (none to leave it out)", None)
    return Billing(currency, rate, tax_id)


def _currency_default(country: str | None) -> str | None:
    return None if country is None else _CURRENCIES.get(country)


def currency_of_zone(timezone: str) -> str | None:
    """The currency of the country an IANA time zone is in (`Europe/Berlin` ->
    `EUR`), where one is known."""
    return _currency_default(zone_country(timezone))


def zone_country(timezone: str) -> str | None:
    """The ISO country code of an IANA time zone (tzdata's zone.tab), or None
    (`UTC`, or no zone.tab on this system)."""
    return _zone_countries().get(timezone)


@cache
def _zone_countries() -> dict[str, str]:
    text = None
    try:
        text = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is there
        for folder in zoneinfo.TZPATH:
            candidate = Path(folder) / "zone.tab"
            if candidate.is_file():
                text = candidate.read_text(encoding="utf-8")
                break
    countries: dict[str, str] = {}
    for line in (text or "").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            countries[parts[2]] = parts[0]
    return countries


# The currency of each country where it is clear (ISO 4217); others are asked.
_EURO = (
    "AD AT BE BG CY DE EE ES FI FR GR HR IE IT LT LU LV MC ME MT NL PT SI SK SM VA XK"
)
_CURRENCIES: dict[str, str] = {
    **dict.fromkeys(_EURO.split(), "EUR"),
    "AU": "AUD", "BR": "BRL", "CA": "CAD", "CH": "CHF", "CN": "CNY", "CZ": "CZK",
    "DK": "DKK", "GB": "GBP", "HK": "HKD", "HU": "HUF", "IL": "ILS", "IN": "INR",
    "IS": "ISK", "JP": "JPY", "KR": "KRW", "LI": "CHF", "MX": "MXN", "NO": "NOK",
    "NZ": "NZD", "PL": "PLN", "RO": "RON", "RS": "RSD", "SE": "SEK", "SG": "SGD",
    "TR": "TRY", "UA": "UAH", "US": "USD", "ZA": "ZAR",
}  # fmt: skip


def _ask_top_priority(text: str, template: Template, answers: Answers) -> str:
    data = to_plain(_load(text))
    priorities: dict[str, dict[str, Any]] = data.get("priorities") or {}
    if not priorities:  # pragma: no cover - templates that ask have priorities
        return text
    level, top = next(iter(priorities.items()))
    calendar_name = top.get("calendar") or data.get("default_calendar")
    spec = data["calendars"][calendar_name or next(iter(data["calendars"]))]
    day = WorkCalendar.from_spec(spec).business_day
    update = _working_time(top["update_every"]) if "update_every" in top else None

    def response_check(value: str) -> str:
        _working_time(value)
        return value

    response = _ask(
        f"Response time for {level} requests (e.g. 1h, 90m, 1bd)",
        str(top.get("response", "")),
        response_check,
    )
    first = _working_time(response)

    def resolution_check(value: str) -> str:
        limit = _working_time(value)
        if limit.resolve(day) < first.resolve(day):
            raise ValueError(
                f"the resolution time must not be shorter than the response time"
                f" ({response}); enter a longer time"
            )
        if update is not None and limit.resolve(day) < update.resolve(day):
            raise ValueError(
                f"the resolution time must not be shorter than the update cadence"
                f" ({update}); enter a longer time"
            )
        return value

    resolution = _ask(
        f"Resolution time for {level} requests (e.g. 8h, 2bd)",
        str(top.get("resolution", "")),
        resolution_check,
    )
    done = replace(answers, top_response=response, top_resolution=resolution)
    return apply_answers(text, template, done)


# -- parsing answers -----------------------------------------------------------------


def _text(value: str) -> str:
    if not value:
        raise ValueError("please enter a value")
    return value


def _name(value: str) -> str:
    if is_placeholder_name(_text(value)):
        raise ValueError(f"{value!r} is a placeholder of the templates; enter the name")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (e.g. sam@acme.de)")
    if is_placeholder_email(value):
        raise ValueError(
            f"{value} is at a domain reserved for examples, where mail never"
            " arrives; enter a real address"
        )
    return value


def _contact(value: str) -> Contact:
    """`client.requester=Robin Roe <robin@globex.de>`."""
    match = re.fullmatch(
        r"\s*(provider|client)\.([\w-]+)\s*=\s*(.+?)\s*<(.+)>\s*", value
    )
    if match is None:
        raise ValueError(
            f"{value!r} is not ROLE=NAME <EMAIL>; write e.g."
            " 'client.requester=Robin Roe <robin@globex.de>'"
        )
    party, role, name, email = match.groups()
    return Contact(f"{party}.{role}", _name(name), _email(email.strip()))


def _upwork_contract(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"{value!r} is not an Upwork contract id; write its digits")
    if is_placeholder_id(value):
        raise ValueError(f"{value} is the template's sample; enter your contract's id")
    return value


def _currency(value: str) -> str:
    code = value.upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"{value!r} is not a currency code; write e.g. EUR or USD")
    return code


def _tax_rate(value: str) -> str | None:
    if value.lower() in {"none", "no", "-", "0", "0%"}:
        return None  # no VAT line at all, rather than 0 % without a reason
    number = value.removesuffix("%").strip()
    try:
        rate = Decimal(number)
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not Decimal(0) < rate <= Decimal(100):
        raise ValueError(
            f"{value!r} is not a tax rate; write e.g. 19% (or none for no tax)"
        )
    return f"{number}%"


def _tax_id(value: str) -> str | None:
    if value.lower() in {"none", "no", "-"}:
        return None
    compact = value.replace(" ", "")
    if not re.fullmatch(r"[A-Za-z0-9./-]{4,30}", compact):
        raise ValueError(f"{value!r} is not a tax id; write e.g. DE811907980")
    if is_placeholder_id(compact):
        raise ValueError(f"{value} is a sample number; enter your own tax id")
    return compact.upper()


def _timezone(value: str) -> str:
    known = available_timezones()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    else:
        if value in known:
            return value
    close = difflib.get_close_matches(value, sorted(known), n=3)
    hint = f"did you mean {' or '.join(close)}?" if close else "e.g. Europe/Berlin"
    raise ValueError(f"{value!r} is not a known IANA time zone; {hint}")


def _format_hours(hours: dict[str, Any]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in hours.items())


def parse_hours(value: str, timezone: str) -> dict[str, str]:
    """`mon-fri: 09:00-17:00; sat: 10:00-14:00` as the `hours` of a calendar;
    raises `ValueError` saying what is wrong."""
    hours: dict[str, str] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        days, colon, windows = part.partition(":")
        if not colon or not days.strip() or not windows.strip():
            raise ValueError(
                f"{part.strip()!r} is not 'days: hours'; write e.g."
                " mon-fri: 09:00-17:00"
            )
        hours[days.strip()] = windows.strip()
    if not hours:
        raise ValueError("please enter opening hours, e.g. mon-fri: 09:00-17:00")
    try:
        calendar = WorkCalendar.from_spec({"timezone": timezone, "hours": hours})
    except CalendarSpecError as exc:
        raise ValueError("; ".join(str(p) for p in exc.problems)) from None
    if not any(calendar.rules.weekly):
        raise ValueError("these hours are never open; write e.g. mon-fri: 09:00-17:00")
    return hours


def _country(value: str) -> str | None:
    if value.lower() in {"none", "no", "-"}:
        return None
    code = value.upper()
    _check_holidays({"country": code})
    return code


def _subdivision(country: str, value: str) -> str | None:
    if not value or value.lower() in {"none", "no", "-"}:
        return None
    code = value.upper()
    _check_holidays({"country": country, "subdivision": code})
    return code


def _check_holidays(holidays: dict[str, str]) -> None:
    spec = {"timezone": "UTC", "hours": {"mon": "09:00-17:00"}, "holidays": holidays}
    try:
        WorkCalendar.from_spec(spec)
    except CalendarSpecError as exc:
        raise ValueError("; ".join(p.message for p in exc.problems)) from None


def _working_time(value: str) -> WorkingTime:
    try:
        fixed, days = parse_duration_parts(value)
    except DurationError:
        raise ValueError(
            f"{value!r} is not a duration; write e.g. 4h, 90m or 2bd"
        ) from None
    if fixed.total_seconds() <= 0 and days <= 0:
        raise ValueError("the time must be longer than zero")
    return WorkingTime(value.strip(), fixed, days)


_PARSE: dict[str, Callable[[str], Any]] = {
    "provider_name": _name,
    "provider_contact": _name,
    "provider_email": _email,
    "client_name": _name,
    "client_contact": _name,
    "client_email": _email,
    "timezone": _timezone,
    "currency": _currency,
    "tax_rate": _tax_rate,
    "tax_id": _tax_id,
    "upwork_contract": _upwork_contract,
}
