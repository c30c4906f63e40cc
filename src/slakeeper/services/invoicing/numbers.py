"""Invoice numbers: the workspace's number pattern (`{YYYY}-{seq:04}` by
default), the series a pattern and a day give, and the next number of a series,
taken from its gap-free counter (services/counters.py) inside the issuing
transaction: two issuers never take the same number, and a rollback gives it
back.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.db.models import Invoice
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.services import counters

__all__ = [
    "DEFAULT_PATTERN",
    "check_pattern",
    "format_number",
    "next_number",
    "series_of",
]

DEFAULT_PATTERN = "{YYYY}-{seq:04}"


_FIELD = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"^seq(?::0?([1-9]|1[0-2]))?$")


def _fields(pattern: str) -> list[tuple[str, str]]:
    """(literal text before, field) pairs of a pattern, then (rest, "")."""
    out: list[tuple[str, str]] = []
    at = 0
    for match in _FIELD.finditer(pattern):
        out.append((pattern[at : match.start()], match.group(1)))
        at = match.end()
    out.append((pattern[at:], ""))
    return out


def check_pattern(pattern: str) -> str:
    """The pattern when it is valid: literal text with `{YYYY}`, `{YY}`, `{MM}`
    and exactly one `{seq}` or `{seq:0N}` (N digits, zero-padded, N <= 12);
    InvalidInput naming the problem otherwise."""
    text = pattern.strip()
    problem = None
    if not text or len(text) > 60:
        problem = "must have 1 to 60 characters"
    elif any(c in text for c in "/\\\n\r\t"):
        problem = "must not contain slashes or control characters"
    else:
        fields = [f for _, f in _fields(text) if f]
        unknown = [
            f for f in fields if f not in ("YYYY", "YY", "MM") and not _SEQ.match(f)
        ]
        literal = "".join(lit for lit, _ in _fields(text))
        if unknown:
            problem = (
                f"has the unknown field {{{unknown[0]}}}; use {{YYYY}}, {{YY}},"
                " {MM} and {seq} or {seq:04}"
            )
        elif "{" in literal or "}" in literal:
            problem = "has an unmatched brace"
        elif sum(1 for f in fields if _SEQ.match(f)) != 1:
            problem = "needs exactly one {seq} (or {seq:04} for 0001)"
    if problem is not None:
        raise InvalidInput(
            f"invoice number pattern {pattern!r} {problem}", location="pattern"
        )
    return text


def series_of(pattern: str, day: date) -> str:
    """The series a number belongs to: the pattern with its date parts filled in
    (`{YYYY}-{seq:04}` on 2027-01-31: `2027-{seq}`); each series counts from 1."""
    out = []
    for literal, field in _fields(check_pattern(pattern)):
        out.append(literal)
        if field:
            out.append(_date_part(field, day) if not _SEQ.match(field) else "{seq}")
    return "".join(out)


def _date_part(field: str, day: date) -> str:
    if field == "YYYY":
        return f"{day.year:04d}"
    if field == "YY":
        return f"{day.year % 100:02d}"
    return f"{day.month:02d}"


def format_number(pattern: str, day: date, seq: int) -> str:
    """The number `seq` of the series for `day`: `2027-0001`."""
    out = []
    for literal, field in _fields(check_pattern(pattern)):
        out.append(literal)
        match = _SEQ.match(field) if field else None
        if match is not None:
            out.append(str(seq).zfill(int(match.group(1) or 1)))
        elif field:
            out.append(_date_part(field, day))
    return "".join(out)


def next_number(session: Session, workspace_id: int, pattern: str, day: date) -> str:
    """Take the next number of the series for `day` in the caller's transaction,
    from the series' counter (services/counters.py: locked until the caller
    commits, given back by a rollback: no gaps, never twice)."""
    series = counters.invoice_series(series_of(pattern, day))
    number = format_number(
        pattern, day, counters.next_value(session, workspace_id, series)
    )
    taken = session.scalar(
        select(Invoice.id).where(
            Invoice.workspace_id == workspace_id, Invoice.number == number
        )
    )
    if taken is not None:
        raise Conflict(
            f"invoice number {number} is taken already (was the number pattern"
            " changed?); numbers are never reused: change the pattern"
        )
    return number
