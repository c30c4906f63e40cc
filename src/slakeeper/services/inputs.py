"""Reading a caller's word for a state, kind or mode (core/states.py) into its
enum, or refusing it with the values it could have been."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from slakeeper.errors import InvalidInput

__all__ = ["one_of"]

E = TypeVar("E", bound=StrEnum)


def one_of(
    cls: type[E],
    value: str,
    location: str,
    *,
    what: str | None = None,
    allowed: Iterable[E] | None = None,
) -> E:
    """`value` as a member of `cls` (of `allowed` only, when given); otherwise
    InvalidInput `unknown <what> 'x'; expected one of a, b` at `location`
    (`what` defaults to `location`)."""
    choices = tuple(cls if allowed is None else allowed)
    try:
        member = cls(value)
    except ValueError:
        member = None
    if member is None or member not in choices:
        raise InvalidInput(
            f"unknown {what or location} {value!r};"
            f" expected one of {', '.join(choices)}",
            location=location,
        )
    return member
