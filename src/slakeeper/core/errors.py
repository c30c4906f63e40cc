"""The errors the pure engine raises.

```
CoreError(ValueError)            anything the engine refuses
├── NaiveDatetimeError           a datetime without a time zone reached the engine
├── CalendarError                a calendar cannot answer (no open time, out of range)
│   └── CalendarSpecError        a calendar spec is invalid; lists every problem found
├── ClockError                   an SLA clock's events break the event rules
└── DurationError                a duration that cannot be parsed or is negative
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CalendarError",
    "CalendarSpecError",
    "ClockError",
    "CoreError",
    "DurationError",
    "NaiveDatetimeError",
    "SpecProblem",
    "format_path",
]

PathPart = str | int


def format_path(path: Iterable[PathPart]) -> str:
    """Write a field path as messages show it: `calendars.office.dates[2]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class CoreError(ValueError):
    """Base class of every error the engine raises on purpose."""


class NaiveDatetimeError(CoreError):
    """A datetime without a time zone (or without a UTC offset) was given."""


class DurationError(CoreError):
    """A duration could not be parsed, or was negative where that is not allowed."""


class ClockError(CoreError):
    """An SLA clock cannot be evaluated: an event breaks the event rules, or an
    event or argument is malformed.

    When one event is at fault, `index` is its position in the sequence given
    and `kind` its kind; the message names both.
    """

    def __init__(
        self, message: str, *, index: int | None = None, kind: str | None = None
    ) -> None:
        self.index = index
        self.kind = kind
        super().__init__(message)


class CalendarError(CoreError):
    """A calendar cannot answer: no open time within reach, or out of its range."""


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One problem in a calendar spec: where it is (`path`) and what is wrong."""

    path: tuple[PathPart, ...]
    message: str

    @property
    def dotted_path(self) -> str:
        """The path as written in messages: `hours.mon`, `holidays.dates[2]`."""
        return format_path(self.path)

    def __str__(self) -> str:
        where = self.dotted_path
        return f"{where}: {self.message}" if where else self.message


class CalendarSpecError(CalendarError):
    """A calendar spec is invalid. `problems` lists every problem, in spec order."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems: tuple[SpecProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
