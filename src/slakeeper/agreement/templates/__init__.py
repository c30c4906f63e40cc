"""Starting points for new agreement files: commented YAML files that load
cleanly and pass `slakeeper agreement check`; `--strict` fails until their
placeholders (listed in `placeholders.py`) are replaced.

`TEMPLATES` maps each name to its `Template` (file, one-line summary, and what
`slakeeper agreement new --interactive` may change in it); `template_text(name)`
returns a template's YAML text, exactly as shipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from types import MappingProxyType

from slakeeper.errors import NotFound

__all__ = [
    "TEMPLATES",
    "Template",
    "UnknownTemplateError",
    "current_text",
    "list_templates",
    "template_text",
]


@dataclass(frozen=True, slots=True)
class Template:
    """One template: its name, its file in this package, and what it is for."""

    name: str
    file: str
    summary: str
    office_calendar: str = "office"
    """The calendar whose hours and holidays the interactive questions set."""
    asks_top_priority_targets: bool = False
    """Whether the interactive questions include the top priority's targets."""


TEMPLATES: MappingProxyType[str, Template] = MappingProxyType(
    {
        t.name: t
        for t in (
            Template(
                "retainer-support",
                "retainer-support.yaml",
                "Monthly support retainer: priorities, targets, service credits,"
                " escalation.",
                asks_top_priority_targets=True,
            ),
            Template(
                "fixed-scope-project",
                "fixed-scope-project.yaml",
                "Fixed-price project: milestones, client inputs, acceptance windows.",
                asks_top_priority_targets=True,
            ),
            Template(
                "hourly-upwork",
                "hourly-upwork.yaml",
                "Hourly work through an Upwork contract: time reports, weekly billing.",
                asks_top_priority_targets=True,
            ),
        )
    }
)


class UnknownTemplateError(NotFound, LookupError):
    """A template name that is not in `TEMPLATES`; the message lists the names."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"no template named {name!r}; choose one of: {', '.join(TEMPLATES)}"
        )


def list_templates() -> list[str]:
    """The names of the templates, in the order they are offered."""
    return list(TEMPLATES)


def template_text(name: str) -> str:
    """The YAML text of the template `name`; raises `UnknownTemplateError`."""
    template = TEMPLATES.get(name)
    if template is None:
        raise UnknownTemplateError(name)
    return files(__name__).joinpath(template.file).read_text(encoding="utf-8")


_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def current_text(name: str, today: date) -> str:
    """A template's text with its dates moved on by whole years, so that it starts
    on or after `today` (dates stay on the same day of the year: a Christmas
    closure stays on 24 December). Comments and layout are kept."""
    text = template_text(name)
    match = re.search(r"^\s*effective:\s*(\d{4}-\d{2}-\d{2})", text, re.MULTILINE)
    assert match is not None, f"template {name} has no effective date"
    effective = date.fromisoformat(match.group(1))
    years = 0
    while _shift(effective, years) < today:
        years += 1
    if years == 0:
        return text
    return _DATE.sub(
        lambda m: _shift(date.fromisoformat(m.group(0)), years).isoformat(), text
    )


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
