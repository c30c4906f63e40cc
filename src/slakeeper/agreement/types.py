"""Value types of agreement files: working time, calendar periods, percentages,
money and role references, each parsed from the text people write and written
back the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from slakeeper.core import DurationError, parse_duration_parts

__all__ = [
    "CONTRACT_LANGUAGES",
    "CalendarPeriod",
    "EscalationAt",
    "EscalationAtText",
    "LanguageText",
    "Money",
    "Percent",
    "PeriodText",
    "RoleRef",
    "WorkingTime",
    "WorkingTimeText",
]


MAX_BUSINESS_DAYS = 1_000_000
"""Beyond this many business days a duration no longer fits in a `timedelta`."""


@dataclass(frozen=True, slots=True)
class WorkingTime:
    """Working time as written (`4h`, `90m`, `2bd`): a fixed part plus business days."""

    text: str
    fixed: timedelta
    business_days: Decimal

    def resolve(self, business_day: timedelta) -> timedelta:
        """The working time on a calendar whose business day lasts `business_day`."""
        micros = Decimal(business_day // timedelta(microseconds=1))
        days = int((self.business_days * micros).to_integral_value())
        return self.fixed + timedelta(microseconds=days)

    def __str__(self) -> str:
        return self.text


def _working_time(value: Any) -> WorkingTime:
    if isinstance(value, WorkingTime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "working_time",
            "{value} is not a duration; write e.g. 4h, 90m or 2bd",
            {"value": repr(value)},
        )
    try:
        fixed, days = parse_duration_parts(value)
    except DurationError:
        raise PydanticCustomError(
            "working_time",
            "{value} is not a duration; write e.g. 4h, 90m or 2bd",
            {"value": repr(value)},
        ) from None
    if days > MAX_BUSINESS_DAYS:
        raise PydanticCustomError(
            "working_time",
            "{value} is too long to be a duration (at most {most}bd)",
            {"value": repr(value), "most": MAX_BUSINESS_DAYS},
        )
    return WorkingTime(value.strip(), fixed, days)


WorkingTimeText = Annotated[
    WorkingTime,
    PlainValidator(_working_time),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+(\.\d+)?\s*(bd|h|m|s)\s*)+$",
            "description": "Working time: 4h, 90m, 1h30m or 2bd (business days).",
            "examples": ["4h", "90m", "2bd"],
        }
    ),
]

PeriodUnit = Literal["day", "week", "month", "year"]
_PERIOD = re.compile(r"^\s*(\d+)?\s*(day|week|month|year)s?\s*$")


@dataclass(frozen=True, slots=True)
class CalendarPeriod:
    """A period on the wall calendar (`14 days`, `1 week`, `3 months`)."""

    amount: int
    unit: PeriodUnit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


def _period(value: Any) -> CalendarPeriod:
    if isinstance(value, CalendarPeriod):
        return value
    match = _PERIOD.match(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError(
            "calendar_period",
            "{value} is not a calendar period; write e.g. 14 days, 1 week or 3 months",
            {"value": repr(value)},
        )
    unit: PeriodUnit = match.group(2)  # type: ignore[assignment]
    return CalendarPeriod(int(match.group(1) or 1), unit)


PeriodText = Annotated[
    CalendarPeriod,
    PlainValidator(_period),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+)?\s*(day|week|month|year)s?\s*$",
            "description": "A calendar period: 14 days, 1 week, 3 months, 1 year.",
            "examples": ["14 days", "1 week", "3 months"],
        }
    ),
]


def _percent(value: Any) -> Decimal:
    text = value.strip() if isinstance(value, str) else None
    if text is None or not text.endswith("%"):
        raise PydanticCustomError(
            "percent",
            "{value} is not a percentage; write e.g. 95%",
            {"value": repr(value)},
        )
    try:
        number = Decimal(text[:-1].strip())
    except InvalidOperation:
        raise PydanticCustomError(
            "percent",
            "{value} is not a percentage; write e.g. 95%",
            {"value": repr(value)},
        ) from None
    if not Decimal(0) <= number <= Decimal(100):
        raise PydanticCustomError(
            "percent", "{value} is not between 0% and 100%", {"value": repr(value)}
        )
    return number


Percent = Annotated[
    Decimal,
    PlainValidator(_percent),
    PlainSerializer(lambda d: f"{d}%", return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$", "examples": ["95%"]}
    ),
]


def _money(value: Any) -> Decimal:
    if isinstance(value, (bool, float)):
        raise PydanticCustomError(
            "money",
            '{value} is written as a number; quote amounts of money, e.g. "1500.00",'
            " so that no cent is lost",
            {"value": repr(value)},
        )
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, str | int) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise PydanticCustomError(
            "money",
            '{value} is not an amount of money; write e.g. "1500.00"',
            {"value": repr(value)},
        )
    if amount < 0:
        raise PydanticCustomError(
            "money",
            "{value} is negative; amounts here are zero or more",
            {"value": repr(value)},
        )
    return amount


Money = Annotated[
    Decimal,
    PlainValidator(_money),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*$"},
                {"type": "integer", "minimum": 0},
            ],
            "examples": ["1500.00"],
        }
    ),
]

_ROLE = re.compile(r"^(provider|client)\.[A-Za-z_][A-Za-z0-9_-]*$")


def _role(value: Any) -> str:
    if not isinstance(value, str) or not _ROLE.match(value.strip()):
        raise PydanticCustomError(
            "role",
            "{value} is not a role; write the party and the role, e.g. provider.lead"
            " or client.approver",
            {"value": repr(value)},
        )
    return value.strip()


RoleRef = Annotated[
    str,
    PlainValidator(_role),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _ROLE.pattern,
            "examples": ["provider.lead", "client.approver"],
        }
    ),
]


_LEVEL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s+of\s+target\s*$")
_BREACH = re.compile(r"^\s*breach\s*(?:\+\s*(.+?))?\s*$")


@dataclass(frozen=True, slots=True)
class EscalationAt:
    """When an escalation step fires: at a share of the target (`75% of target`),
    at the breach (`breach`), or some working time after it (`breach + 4h`)."""

    text: str
    fraction: Decimal | None  # 75 for `75% of target`; None for breach steps
    after_breach: WorkingTime | None

    def __str__(self) -> str:
        return self.text


def _escalation_at(value: Any) -> EscalationAt:
    if isinstance(value, EscalationAt):
        return value
    hint = "must be '75% of target', 'breach' or 'breach + 4h'"
    if not isinstance(value, str):
        raise PydanticCustomError(
            "escalation_at", "{value} " + hint, {"value": repr(value)}
        )
    level = _LEVEL.match(value)
    if level is not None:
        fraction = Decimal(level.group(1))
        if not Decimal(0) < fraction <= Decimal(100):
            raise PydanticCustomError(
                "escalation_at",
                "{value}: the share of the target must be above 0% and at most 100%",
                {"value": repr(value)},
            )
        return EscalationAt(value.strip(), fraction, None)
    breach = _BREACH.match(value)
    if breach is None:
        raise PydanticCustomError(
            "escalation_at", "{value} " + hint, {"value": repr(value)}
        )
    after = None if breach.group(1) is None else _working_time(breach.group(1))
    return EscalationAt(value.strip(), None, after)


EscalationAtText = Annotated[
    EscalationAt,
    PlainValidator(_escalation_at),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+(\.\d+)?\s*%\s+of\s+target|breach(\s*\+\s*.+)?)\s*$",
            "description": "75% of target, breach, or breach + 4h.",
            "examples": ["75% of target", "breach", "breach + 4h"],
        }
    ),
]


CONTRACT_LANGUAGES: dict[str, str] = {"en": "English"}
"""The languages the contract renderer has a catalogue for, by code: the only
values `agreement.language` accepts. Add one here with its catalogue."""


def _language(value: Any) -> str:
    code = value.strip() if isinstance(value, str) else None
    if code not in CONTRACT_LANGUAGES:
        supported = ", ".join(f"{c} ({n})" for c, n in CONTRACT_LANGUAGES.items())
        raise PydanticCustomError(
            "language",
            "{value} is not a language the contract can be written in; supported:"
            " {supported}",
            {"value": repr(value), "supported": supported},
        )
    return code


LanguageText = Annotated[
    str,
    PlainValidator(_language),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(CONTRACT_LANGUAGES),
            "description": "The language of the contract text.",
        }
    ),
]
