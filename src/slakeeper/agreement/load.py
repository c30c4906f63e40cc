"""Loading agreement files: YAML with positions, schema validation, and the
cross-references no single field can check, every problem reported at once."""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from slakeeper.agreement.schema import Agreement
from slakeeper.core import CalendarSpecError, WorkCalendar
from slakeeper.yamlsource import (
    PathPart,
    SourceError,
    SourceProblem,
    YamlDocument,
    load_yaml,
    parse_yaml,
)

__all__ = [
    "InvalidAgreement",
    "LoadedAgreement",
    "load",
    "load_document",
    "loads",
    "loads_document",
]

Path = tuple[PathPart, ...]

LAST_YEAR = 2199  # slakeeper.core's calendars cover 1900-2199

_PATTERN_HINTS = {
    "id": "must be lowercase letters, digits, - or _ (e.g. launch-site)",
    "currency": "must be a three-letter ISO 4217 code such as EUR",
    "contract": "must be the digits of the Upwork contract id",
}


@dataclass(frozen=True, slots=True)
class LoadedAgreement:
    """A validated agreement, its calendars, and the document it came from.

    `broken` names the top-level sections that had problems (only in the
    partial agreement of an `InvalidAgreement`): they were left out or are
    stand-ins, and no check may read them."""

    agreement: Agreement
    calendars: dict[str, WorkCalendar]
    document: YamlDocument
    broken: frozenset[str] = frozenset()


class InvalidAgreement(SourceError):
    """An agreement file with problems. `partial` is the rest of the file, the
    sections with problems left out, so that the checks that do not read them
    can still run and report everything at once (`None` when nothing is left)."""

    def __init__(
        self, problems: Sequence[SourceProblem], partial: LoadedAgreement | None
    ) -> None:
        super().__init__(problems)
        self.partial = partial


def load(path: str | os.PathLike[str]) -> Agreement:
    """Load and validate an agreement file; raises `InvalidAgreement` (a
    `SourceError`) listing every problem with its file, line, column and field
    path."""
    return load_document(path).agreement


def loads(text: str, source: str = "<string>") -> Agreement:
    """`load` for text; `source` names it in messages."""
    return loads_document(text, source).agreement


def load_document(path: str | os.PathLike[str]) -> LoadedAgreement:
    return _validate(load_yaml(path))


def loads_document(text: str, source: str = "<string>") -> LoadedAgreement:
    return _validate(parse_yaml(text, file=source))


def _validate(doc: YamlDocument) -> LoadedAgreement:
    data = doc.plain()
    if not isinstance(data, dict):
        raise doc.error(
            (), "an agreement file must be a mapping with an agreement: key"
        )
    # calendars are checked by the engine, whatever the rest of the file holds,
    # so that their problems are reported together with the schema's
    problems: list[SourceProblem] = []
    calendars: dict[str, WorkCalendar] = {}
    raw = data.get("calendars")
    for name, spec in raw.items() if isinstance(raw, dict) else ():
        if not isinstance(spec, dict):
            continue  # the schema says what is wrong
        try:
            calendars[str(name)] = WorkCalendar.from_spec(spec)
        except CalendarSpecError as exc:
            problems.extend(
                doc.problem(("calendars", name, *p.path), p.message)
                for p in exc.problems
            )
    agreement: Agreement | None
    invalid: frozenset[str] = frozenset()  # sections the schema refused
    try:
        agreement = Agreement.model_validate(data)
    except ValidationError as exc:
        schema = _schema_problems(doc, data, exc)
        problems.extend(schema)
        invalid = _sections(schema)
        agreement = _without(data, invalid)
    if agreement is not None:
        problems.extend(
            doc.problem(path, msg) for path, msg in _cross_check(agreement, invalid)
        )
    if problems:
        partial = (
            None
            if agreement is None
            else LoadedAgreement(agreement, calendars, doc, _sections(problems))
        )
        raise InvalidAgreement(sorted(problems, key=_position), partial)
    assert agreement is not None  # only a schema problem leaves none
    return LoadedAgreement(agreement, calendars, doc)


def _sections(problems: Sequence[SourceProblem]) -> frozenset[str]:
    """The top-level sections the problems are in."""
    return frozenset(str(p.path[0]) for p in problems if p.path)


# Stand-ins for the required sections, so that the rest validates without them.
_STAND_INS: dict[str, Any] = {
    "agreement": {
        "title": "-",
        "provider": {
            "name": "-",
            "contacts": [{"name": "-", "email": "-", "role": "-"}],
        },
        "client": {"name": "-", "contacts": [{"name": "-", "email": "-", "role": "-"}]},
        "effective": "2000-01-01",
        "timezone": "UTC",
    },
    "calendars": {"-": {}},
}


def _without(data: dict[Any, Any], broken: frozenset[str]) -> Agreement | None:
    """The agreement without its `broken` sections (stand-ins for the required
    ones); `None` when even that does not validate."""
    rest = {k: v for k, v in data.items() if str(k) not in broken}
    for key, stand_in in _STAND_INS.items():
        if key in broken or key not in rest:
            rest[key] = stand_in
    try:
        return Agreement.model_validate(rest)
    except ValidationError:  # pragma: no cover - every section is checked alone
        return None


def _position(problem: SourceProblem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)


# -- schema errors --------------------------------------------------------------


def _data_path(data: Any, loc: Sequence[PathPart], kind: str) -> Path:
    """The path in the file of a pydantic error location (union tags dropped)."""
    path: list[PathPart] = []
    node = data
    for i, part in enumerate(loc):
        found, child = _child(node, part)
        if found:
            node = child
        elif not (i == len(loc) - 1 and kind == "missing"):
            continue  # a union member's tag, not part of the file
        path.append(part)
    return tuple(path)


def _child(node: Any, part: PathPart) -> tuple[bool, Any]:
    if isinstance(node, dict) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _message(error: Any, path: Path) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "missing; this field is required"
    if kind == "extra_forbidden":
        return _unknown_field(path)
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(path[-1]) if path else "", "has the wrong form")
        return f"{given!r} {hint}"
    if kind == "too_short":
        return "must not be empty"
    if kind.startswith(("date", "datetime")):
        return f"{given!r} is not a date; write YYYY-MM-DD"
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}" + (
            "" if isinstance(given, dict | list) else f", not {given!r}"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    if message.startswith("Input should be"):
        message = "must be" + message.removeprefix("Input should be")
        if given is not None and not isinstance(given, dict | list):
            message += f", not {given!r}"
    return message


def _unknown_field(path: Path) -> str:
    """`unknown field 'defualt_priority'; did you mean default_priority?`"""
    name = str(path[-1])
    allowed = _fields_at(path[:-1])
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown field {name!r}; did you mean {close[0]}?"
    if allowed:
        return f"unknown field {name!r}; expected one of {', '.join(allowed)}"
    return f"unknown field {name!r}; see docs/agreement-format.md"


def _fields_at(path: Path) -> list[str]:
    """The field names of the section at `path` of an agreement file."""
    model: Any = Agreement
    for part in path:
        if isinstance(part, int) or model is None:
            continue  # a list item: same model
        field = model.model_fields.get(str(part)) if _is_model(model) else None
        if field is None:
            # a key of a mapping of name -> section
            continue
        model = _section_type(field.annotation)
    return list(model.model_fields) if _is_model(model) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _section_type(annotation: Any) -> Any:
    """The model inside Optional[...], list[...], dict[str, ...] or a union."""
    if _is_model(annotation):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_type(arg)
        if found is not None:
            return found
    return None


_TYPE_WORDS = {
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "list_type": "a list",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _schema_problems(
    doc: YamlDocument, data: Any, exc: ValidationError
) -> list[SourceProblem]:
    found: dict[Path, list[tuple[str, str]]] = {}
    for error in exc.errors():
        path = _data_path(data, error["loc"], error["type"])
        found.setdefault(path, []).append((error["type"], _message(error, path)))
    problems = [
        doc.problem(path, _one_message(errors))
        for path, errors in found.items()
        # of the alternatives of a union, report the most specific problems
        if not any(_is_inside(other, path) for other in found)
    ]
    return sorted(problems, key=_position)


def _one_message(errors: list[tuple[str, str]]) -> str:
    """One message for a field, even when several alternatives were tried."""
    kinds = {kind for kind, _ in errors}
    if {"working_time", "calendar_period"} <= kinds:
        given = errors[0][1].split(" is not ")[0]
        return (
            f"{given} is neither working time (4h, 90m, 2bd) nor a calendar period"
            " (14 days, 1 week)"
        )
    return errors[0][1]


def _is_inside(path: Path, parent: Path) -> bool:
    return len(path) > len(parent) and path[: len(parent)] == parent


# -- cross-references -------------------------------------------------------------


def _cross_check(a: Agreement, broken: frozenset[str]) -> Iterator[tuple[Path, str]]:
    """Problems that involve more than one field, of the sections not `broken`
    (a partial agreement has stand-ins or defaults there)."""

    def intact(*sections: str) -> bool:
        return broken.isdisjoint(sections)

    if intact("agreement"):
        yield from _check_about(a)
    names = list(a.calendars)
    if intact("default_calendar", "calendars"):
        if a.default_calendar is not None and a.default_calendar not in a.calendars:
            yield ("default_calendar",), _unknown("calendar", a.default_calendar, names)
        elif a.default_calendar is None and len(names) > 1:
            yield (
                ("default_calendar",),
                (
                    f"missing; the file has {len(names)} calendars"
                    f" ({', '.join(names)}): name the one used when a priority"
                    " names none"
                ),
            )
    if intact("priorities", "calendars"):
        for name, priority in a.priorities.items():
            if priority.calendar is not None and priority.calendar not in a.calendars:
                yield (
                    ("priorities", name, "calendar"),
                    _unknown("calendar", priority.calendar, names),
                )
    levels = list(a.priorities)
    if (
        intact("default_priority", "priorities")
        and a.default_priority is not None
        and a.default_priority not in a.priorities
    ):
        yield (
            ("default_priority",),
            _unknown("priority", a.default_priority, levels),
        )
    if intact("milestones"):
        yield from _check_milestones(a)
    if intact("agreement"):
        yield from _check_roles(a, broken)
    if intact("targets", "priorities"):
        for i, target in enumerate(a.targets):
            for j, level in enumerate(target.priorities or ()):
                if level not in a.priorities:
                    yield (
                        ("targets", i, "priorities", j),
                        _unknown("priority", level, levels),
                    )
    credits = a.accountability.service_credits
    if intact("accountability", "priorities"):
        for i, tier in enumerate(credits.tiers if credits else ()):
            for j, level in enumerate(tier.priorities or ()):
                if level not in a.priorities:
                    path = (
                        "accountability",
                        "service_credits",
                        "tiers",
                        i,
                        "priorities",
                        j,
                    )
                    yield path, _unknown("priority", level, levels)
    if a.billing and a.billing.rates and intact("billing", "priorities"):
        for level in a.billing.rates.per_priority:
            if level not in a.priorities:
                yield (
                    ("billing", "rates", "per_priority", level),
                    _unknown("priority", level, levels),
                )


def _check_about(a: Agreement) -> Iterator[tuple[Path, str]]:
    about = a.agreement
    try:
        ZoneInfo(about.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield (
            ("agreement", "timezone"),
            (f"{about.timezone!r} is not a known IANA time zone (e.g. Europe/Berlin)"),
        )
    if about.term.months is not None and about.term.until is not None:
        yield ("agreement", "term"), "give either months or until, not both"
    if about.term.until is not None and about.term.until.year > LAST_YEAR:
        yield (
            ("agreement", "term", "until"),
            (f"the term must end by {LAST_YEAR}, the last year slakeeper supports"),
        )


def _unknown(kind: str, name: str, known: Sequence[str]) -> str:
    listed = ", ".join(known) if known else "none"
    return f"no {kind} named {name!r}; the file has: {listed}"


def _check_milestones(a: Agreement) -> Iterator[tuple[Path, str]]:
    seen: dict[str, int] = {}
    for i, milestone in enumerate(a.milestones):
        if milestone.id in seen:
            yield (
                ("milestones", i, "id"),
                (
                    f"{milestone.id!r} is already the id of"
                    f" milestones[{seen[milestone.id]}]"
                ),
            )
        seen.setdefault(milestone.id, i)
    ids = list(seen)
    for i, milestone in enumerate(a.milestones):
        if milestone.after is None:
            continue
        if milestone.after == milestone.id:
            yield ("milestones", i, "after"), "a milestone cannot come after itself"
        elif milestone.after not in seen:
            yield (
                ("milestones", i, "after"),
                _unknown("milestone", milestone.after, ids),
            )
    order = {m.id: m.after for m in a.milestones}
    for i, milestone in enumerate(a.milestones):
        if milestone.after == milestone.id:
            continue  # reported above
        chain, step = {milestone.id}, order.get(milestone.id)
        while step is not None and step in order:
            if step in chain:
                yield (
                    ("milestones", i, "after"),
                    (
                        "milestones that come after each other form a loop"
                        f" through {step!r}"
                    ),
                )
                break
            chain.add(step)
            step = order[step]


def _role_refs(a: Agreement, broken: frozenset[str]) -> Iterator[tuple[Path, str]]:
    """The role references of the sections not `broken`."""
    for path, ref in _all_role_refs(a):
        if str(path[0]) not in broken:
            yield path, ref


def _all_role_refs(a: Agreement) -> Iterator[tuple[Path, str]]:
    for i, role in enumerate(a.roles):
        for field in ("responsible", "accountable", "consulted", "informed"):
            value = getattr(role, field)
            if isinstance(value, str):
                yield ("roles", i, field), value
            elif isinstance(value, list):
                for j, ref in enumerate(value):
                    yield ("roles", i, field, j), ref
    for i, step in enumerate(a.escalation.steps):
        for j, ref in enumerate(step.notify):
            yield ("escalation", "steps", i, "notify", j), ref
    if a.change_requests is not None:
        yield (
            ("change_requests", "requires_approval_by"),
            (a.change_requests.requires_approval_by),
        )
    if a.billing is not None and a.billing.timesheets is not None:
        yield ("billing", "timesheets", "approved_by"), a.billing.timesheets.approved_by


def _check_roles(a: Agreement, broken: frozenset[str]) -> Iterator[tuple[Path, str]]:
    held = {
        "provider": [c.role for c in a.agreement.provider.contacts],
        "client": [c.role for c in a.agreement.client.contacts],
    }
    for path, ref in _role_refs(a, broken):
        party, _, role = ref.partition(".")
        if role not in held[party]:
            roles = ", ".join(f"{party}.{r}" for r in dict.fromkeys(held[party]))
            yield (
                path,
                f"nobody holds the role {ref!r}; the {party}'s contacts are: {roles}",
            )
