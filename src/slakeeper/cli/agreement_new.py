"""`slakeeper agreement new`: start an agreement file from a template.

Without `--interactive` the template is written as shipped. With it, a few
questions (names, e-mail addresses, time zone, office hours, public holidays
and, for the retainer, the top priority's targets) are asked on standard error,
each re-asked until the answer is valid, and the answers are written into the
template with ruamel.yaml's round-trip mode, so its comments and layout stay.
The result is loaded before it is written: `new` never writes an invalid file.

The lead registers `new` on the `agreement` app: `app.command("new")(new)`.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
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
from slakeeper.agreement.types import WorkingTime
from slakeeper.cli.output import write_output
from slakeeper.core import (
    CalendarSpecError,
    DurationError,
    WorkCalendar,
    parse_duration_parts,
)
from slakeeper.yamlsource import to_plain

__all__ = ["Answers", "apply_answers", "new", "parse_hours"]

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


# -- the command -------------------------------------------------------------------


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
) -> None:
    """Start an agreement file from a template.

    Templates: retainer-support (monthly support retainer with priorities and
    service credits), fixed-scope-project (milestones, client inputs and
    acceptance windows), hourly-upwork (hourly work through an Upwork contract,
    billed weekly). Their dates move on by whole years so that the agreement
    starts after today. Questions of --interactive go to standard error, so the
    file can be redirected.
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
    if interactive:
        spec = TEMPLATES[template]
        text = _interview(text, spec)
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
    return _dump(data)


def _apply_general(data: CommentedMap, template: Template, answers: Answers) -> None:
    about = data["agreement"]
    for party, name, contact, email in (
        ("provider", answers.provider_name, answers.provider_contact,
         answers.provider_email),
        ("client", answers.client_name, answers.client_contact, answers.client_email),
    ):  # fmt: skip
        node = about[party]
        old_name = str(node["name"])
        node["name"] = name
        if party == "client" and old_name in str(about["title"]):
            about["title"] = str(about["title"]).replace(old_name, name)
        first = node["contacts"][0]
        first["name"] = contact
        first["email"] = email
    about["timezone"] = answers.timezone
    for calendar in data["calendars"].values():
        calendar["timezone"] = answers.timezone
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


def _ask(question: str, default: str, parse: Callable[[str], T]) -> T:
    """Ask until `parse` accepts the answer; its `ValueError` says what is wrong."""
    while True:
        answer = typer.prompt(
            question, default=default, show_default=bool(default), err=True
        )
        try:
            return parse(str(answer).strip())
        except ValueError as exc:
            typer.echo(f"  {exc}", err=True)


def _interview(text: str, template: Template) -> str:
    data = to_plain(_load(text))
    about = data["agreement"]
    provider, client = about["provider"], about["client"]
    office = data["calendars"][template.office_calendar]
    typer.echo(
        f"A new agreement from the {template.name} template."
        " Press Enter to keep the value in brackets.",
        err=True,
    )
    provider_name = _ask("Your company's name", provider["name"], _text)
    provider_contact = _ask(
        "Your name (the lead contact)", provider["contacts"][0]["name"], _text
    )
    provider_email = _ask("Your e-mail", provider["contacts"][0]["email"], _email)
    client_name = _ask("The client's name", client["name"], _text)
    client_contact = _ask(
        f"The client's contact ({client['contacts'][0]['role']})",
        client["contacts"][0]["name"],
        _text,
    )
    client_email = _ask(
        "The client contact's e-mail", client["contacts"][0]["email"], _email
    )
    timezone = _ask("Time zone (IANA name)", about["timezone"], _timezone)
    hours = _ask(
        "Office hours (e.g. mon-fri: 09:00-17:00; sat: 10:00-14:00)",
        _format_hours(office["hours"]),
        lambda value: parse_hours(value, timezone),
    )
    holidays = office.get("holidays") or {}
    old_country = holidays.get("country")
    country = _ask(
        "Public holidays of which country (ISO code, or none)",
        old_country or "none",
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
    )
    text = apply_answers(text, template, answers)
    if template.asks_top_priority_targets:
        text = _ask_top_priority(text, template, answers)
    return text


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


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (e.g. sam@example.com)")
    return value


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
