"""The CSV exports slakeeper reads, as tables: each tool's known variants map a
column header to a field; a file's header picks the variant, and columns the
variant does not know are reported (and ignored). Rows become `ParsedRow`s with
UTC instants and raw seconds; a bad row becomes a `RowProblem` with its line.

Where the column lists come from (public documentation and public files that
show real exports; nothing here was recorded from a live account):

- Toggl Track, detailed report: Toggl's help article "Editing and uploading a
  CSV file" (support.toggl.com/import-and-export/csv-import/editing-and-
  uploading-a-csv-file: the importable columns are those of the detailed
  report export: User, Email, Client, Project, Task, Description, Billable,
  Start date, Start time, Duration, Tags) and published exports with the full
  header `User,Email,Client,Project,Task,Description,Billable,Start date,Start
  time,End date,End time,Duration,Tags,Amount ()` (the currency in the
  brackets varies, e.g. `Amount (EUR)`). Newer reports call the user `Member`
  and can add `Weekday`. Dates are ISO (`2026-07-07`), times `09:00:00`, the
  duration `01:30:00` ("improved" format) or decimal hours.
- Clockify, detailed report: Clockify's help page on the detailed report
  (clockify.me/help/reports/detailed-report) and published exports with the
  header `Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start
  Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable
  Rate (USD),Billable Amount (USD)`, later with `Date of creation`, `Type`
  (Regular or Break), `Invoiced` and `Invoice ID`. Dates follow the user's
  date-format setting (`01/15/2024`, `22/06/2026`, `18.08.2026`, ISO), times
  the 12- or 24-hour setting (`02:44:33 PM`, `10:00`).
- Upwork, timesheet ("Weekly Summary" under Reports, one row per contract and
  day): `Date,Contract,Hours,Amount,Payment type`, the contract written as
  `Title (12345678)`, hours in decimal (`0.33333` is 20 minutes); rows with a
  payment type (Bonus, Fixed Price Payment) are money, not time.
- Upwork, transaction history (Reports, Transactions, Download CSV):
  `Date,Ref ID,Type,Description,Agency,Freelancer,Team,Account Name,PO,Amount,
  Amount in local currency,Currency,Balance`; an hourly invoice reads
  `Invoice for 09/01/2026-09/07/2026 - 12:30 hrs @ $40.00/hr`.
- Upwork, work diary: Upwork offers no CSV download of the work diary that we
  could find documented. The variant here is slakeeper's own layout of the
  diary's 10-minute segments, named after the fields of Upwork's GraphQL
  `workDiaryTimeCells` (cellDateTime, memo, manual, activityLevel):
  `Date,Time (UTC),Memo,Type,Activity,Contract` with Type `Tracked` or
  `Manual`, and an optional `Minutes` (default 10).

Time zones: Toggl and Clockify write local dates and times (the exporting
user's), read here in the zone given (the CLI's `--timezone`, by default the
agreement's); Upwork's are UTC.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Literal

from slakeeper.errors import InvalidInput

__all__ = [
    "VARIANTS",
    "DateOrder",
    "Kind",
    "ParsedFile",
    "ParsedRow",
    "RowProblem",
    "Tool",
    "Variant",
    "normalise_header",
    "parse_csv",
    "parse_duration_text",
]

DateOrder = Literal["dmy", "mdy"]
UPWORK_SEGMENT = timedelta(minutes=10)


class Tool(StrEnum):
    UPWORK = "upwork"
    TOGGL = "toggl"
    CLOCKIFY = "clockify"


class Kind(StrEnum):
    """The shape of a variant's rows."""

    TIMED = "timed"  # a local start and a duration or an end (Toggl, Clockify)
    DAILY = "daily"  # a UTC day and hours, per contract (Upwork timesheet)
    INVOICE = "invoice"  # a weekly hourly invoice (Upwork transaction history)
    DIARY = "diary"  # a UTC start, memo and manual flag (Upwork work diary)


# The fields a column can map to ("" : a known column slakeeper does not use).
ID = "id"
START_DATE = "start_date"
START_TIME = "start_time"
END_DATE = "end_date"
END_TIME = "end_time"
DURATION = "duration"
DURATION_DECIMAL = "duration_decimal"
HOURS = "hours"
MINUTES = "minutes"
NOTE = "note"
BILLABLE = "billable"
EMAIL = "email"
USER = "user"
CLIENT = "client"
PROJECT = "project"
TASK = "task"
TAGS = "tags"
CONTRACT = "contract"
KIND = "kind"
MANUAL = "manual"
TEAM = "team"
UNUSED = ""


@dataclass(frozen=True, slots=True)
class Variant:
    """One known export layout: normalised header → field, the fields a file
    must have (`required`), and sets of which at least one must be complete
    (`any_of`, empty: no such rule)."""

    tool: Tool
    name: str
    kind: Kind
    columns: Mapping[str, str]
    required: frozenset[str]
    any_of: tuple[frozenset[str], ...] = ()

    def missing(self, present: frozenset[str]) -> list[str]:
        """The fields a header with `present` lacks (empty: it fits)."""
        lacking = sorted(self.required - present)
        if self.any_of and not any(s <= present for s in self.any_of):
            lacking.append(" and ".join(sorted(self.any_of[0] - present)))
        return lacking


_TOGGL = Variant(
    Tool.TOGGL,
    "Toggl Track detailed report",
    Kind.TIMED,
    {
        "user": USER,
        "member": USER,
        "email": EMAIL,
        "client": CLIENT,
        "project": PROJECT,
        "task": TASK,
        "description": NOTE,
        "billable": BILLABLE,
        "start date": START_DATE,
        "start time": START_TIME,
        "end date": END_DATE,
        "end time": END_TIME,
        "duration": DURATION,
        "tags": TAGS,
        "amount": UNUSED,
        "weekday": UNUSED,
    },
    frozenset({START_DATE, START_TIME}),
    (frozenset({DURATION}), frozenset({END_DATE, END_TIME})),
)
_CLOCKIFY = Variant(
    Tool.CLOCKIFY,
    "Clockify detailed report",
    Kind.TIMED,
    {
        "project": PROJECT,
        "client": CLIENT,
        "description": NOTE,
        "task": TASK,
        "user": USER,
        "group": UNUSED,
        "email": EMAIL,
        "tags": TAGS,
        "tag": TAGS,
        "type": KIND,
        "billable": BILLABLE,
        "invoiced": UNUSED,
        "invoice id": UNUSED,
        "start date": START_DATE,
        "start time": START_TIME,
        "end date": END_DATE,
        "end time": END_TIME,
        "duration (h)": DURATION,
        "duration (decimal)": DURATION_DECIMAL,
        "billable rate": UNUSED,
        "billable amount": UNUSED,
        "cost rate": UNUSED,
        "cost amount": UNUSED,
        "date of creation": UNUSED,
    },
    frozenset({START_DATE, START_TIME}),
    (
        frozenset({DURATION}),
        frozenset({END_DATE, END_TIME}),
        frozenset({DURATION_DECIMAL}),
    ),
)
_UPWORK_TIMESHEET = Variant(
    Tool.UPWORK,
    "Upwork timesheet (weekly summary)",
    Kind.DAILY,
    {
        "date": START_DATE,
        "contract": CONTRACT,
        "hours": HOURS,
        "amount": UNUSED,
        "payment type": KIND,
        "memo": NOTE,
    },
    frozenset({START_DATE, CONTRACT, HOURS}),
)
_UPWORK_TRANSACTIONS = Variant(
    Tool.UPWORK,
    "Upwork transaction history",
    Kind.INVOICE,
    {
        "date": START_DATE,
        "ref id": ID,
        "type": KIND,
        "description": NOTE,
        "agency": UNUSED,
        "freelancer": USER,
        "team": TEAM,
        "account name": UNUSED,
        "po": UNUSED,
        "amount": UNUSED,
        "amount in local currency": UNUSED,
        "currency": UNUSED,
        "balance": UNUSED,
    },
    frozenset({ID, KIND, NOTE}),
)
_UPWORK_DIARY = Variant(
    Tool.UPWORK,
    "Upwork work diary segments (slakeeper's layout)",
    Kind.DIARY,
    {
        "date": START_DATE,
        "time (utc)": START_TIME,
        "memo": NOTE,
        "type": KIND,
        "manual": MANUAL,
        "activity": UNUSED,
        "contract": CONTRACT,
        "minutes": MINUTES,
    },
    frozenset({START_DATE, START_TIME, NOTE}),
)
VARIANTS: tuple[Variant, ...] = (
    _TOGGL,
    _CLOCKIFY,
    _UPWORK_TIMESHEET,
    _UPWORK_TRANSACTIONS,
    _UPWORK_DIARY,
)


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row as time: `worked_at` (UTC) and raw `seconds`; a timed row also has
    its start (`started_at`). `skip` says why a row that is not time (a bonus,
    a fee, a break) is left out. `key` is the row's content for a stable hash
    when the tool gives no id (`tool_id`)."""

    line: int
    source: str
    worked_at: datetime
    seconds: int
    started_at: datetime | None = None
    note: str = ""
    billable: bool = True
    email: str | None = None
    contract: str | None = None
    team: str | None = None
    tool_id: str | None = None
    skip: str | None = None
    key: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    tool: Tool
    variant: Variant
    unknown_columns: tuple[str, ...]
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


class RowError(InvalidInput, ValueError):
    """A bad value in a row (the message names the column)."""


# -- headers -------------------------------------------------------------------------

_BRACKETS = re.compile(r"^(.*?)\s*\(([^()]{0,5})\)$")


def normalise_header(text: str) -> str:
    """A header as the tables spell it: no BOM, lower case, single spaces."""
    return " ".join(text.replace("\ufeff", "").strip().lower().split())


def _field(variant: Variant, header: str) -> str | None:
    """The field of a header in a variant; a currency in brackets
    (`Amount (EUR)`, `Billable Rate (USD)`, `Amount ()`) is tolerated."""
    name = normalise_header(header)
    if name in variant.columns:
        return variant.columns[name]
    bracketed = _BRACKETS.match(name)
    if bracketed and bracketed.group(1) in variant.columns:
        return variant.columns[bracketed.group(1)]
    return None


def _choose(tool: Tool, header: Sequence[str]) -> Variant:
    """The variant of `tool` the header fits (the one knowing most columns)."""
    fits: list[tuple[int, Variant]] = []
    closest: tuple[int, Variant, list[str]] | None = None
    for variant in VARIANTS:
        if variant.tool is not tool:
            continue
        fields = [_field(variant, h) for h in header]
        present = frozenset(f for f in fields if f)
        known = sum(f is not None for f in fields)
        lacking = variant.missing(present)
        if not lacking:
            fits.append((known, variant))
        elif closest is None or known > closest[0]:
            closest = (known, variant, lacking)
    if fits:
        return max(fits, key=lambda f: f[0])[1]
    assert closest is not None
    _, variant, lacking = closest
    shown = ", ".join(h.strip() for h in header if h.strip()) or "none"
    raise InvalidInput(
        f"the header is not a {tool.value} export slakeeper knows: closest is the"
        f" {variant.name}, which needs {', '.join(lacking)} (columns found:"
        f" {shown}); see docs/billing.md section 11",
        location="line 1",
    )


# -- values --------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.I)
_CLOCK = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?$")
_CONTRACT = re.compile(r"\((\d+)\)\s*$")
_HOURLY = re.compile(
    r"(\d{1,2}/\d{1,2}/\d{4})\s*-\s*(\d{1,2}/\d{1,2}/\d{4})\s*-\s*"
    r"(?:(\d+):(\d{2})|(\d+(?:\.\d+)?))\s*hrs?\b",
    re.I,
)
_YES = {"yes", "y", "true", "1", "billable"}
_NO = {"no", "n", "false", "0", "non-billable", "not billable"}


def parse_date(text: str, column: str, order: DateOrder | None) -> date:
    """A date as the exports write it: ISO, `dd.mm.yyyy`, `mm/dd/yyyy` or
    `dd/mm/yyyy` (by `order`), or Upwork's `Sep 8, 2026`."""
    raw = text.strip()
    try:
        if _ISO_DATE.match(raw):
            return date.fromisoformat(raw)
        if m := _DOT_DATE.match(raw):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _SLASH_DATE.match(raw):
            first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if order == "dmy":
                return date(year, second, first)
            return date(year, first, second)
        return datetime.strptime(raw, "%b %d, %Y").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise RowError(f"{column}: {text!r} is not a date") from None


def parse_time(text: str, column: str) -> time:
    """A time of day: `14:05`, `14:05:09`, `02:05:09 PM`."""
    m = _TIME.match(text.strip())
    if m is None:
        raise RowError(f"{column}: {text!r} is not a time of day")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    half = (m.group(4) or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise RowError(f"{column}: {text!r} is not a time of day")
        hour = hour % 12 + (12 if half == "pm" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        raise RowError(f"{column}: {text!r} is not a time of day") from None


def parse_duration_text(text: str, column: str) -> int:
    """Seconds of a duration written `1:30:00`, `01:30` (hours and minutes) or
    as decimal hours (`1.5`, `0.33333`: rounded to the whole minute, as
    decimal hours never carry seconds)."""
    raw = text.strip()
    if m := _CLOCK.match(raw):
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if mi > 59 or s > 59:
            raise RowError(f"{column}: {text!r} is not a duration")
        return h * 3600 + mi * 60 + s
    try:
        hours = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise RowError(
            f"{column}: {text!r} is not a duration (write 1:30:00 or 1.5)"
        ) from None
    if not hours.is_finite() or hours < 0:
        raise RowError(f"{column}: {text!r} is not a duration")
    return int((hours * 60).to_integral_value()) * 60


def _bool(text: str, column: str, default: bool) -> bool:
    raw = text.strip().lower()
    if not raw:
        return default
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise RowError(f"{column}: {text!r} is neither yes nor no")


def _local(day: date, at: time, zone: tzinfo) -> datetime:
    """A local wall time as UTC (a time repeated by a DST change is its first
    occurrence; one skipped by it is read with the offset before the change)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _date_order(
    rows: Sequence[tuple[int, Mapping[str, str]]], given: DateOrder | None
) -> DateOrder | None:
    """Whether `a/b/yyyy` dates are day-first: from `given`, else from the file
    (a first part over 12 means day first, a second part over 12 month first)."""
    day_first = month_first = seen = False
    for _, values in rows:
        for name in (START_DATE, END_DATE):
            m = _SLASH_DATE.match(values.get(name, "").strip())
            if m is None:
                continue
            seen = True
            day_first |= int(m.group(1)) > 12
            month_first |= int(m.group(2)) > 12
    if given is not None or not seen:
        return given
    if day_first and month_first:
        raise InvalidInput(
            "the dates mix day-first and month-first (e.g. 13/01 and 01/13);"
            " export the file again with one date format",
            location="--date-order",
        )
    if day_first or month_first:
        return "dmy" if day_first else "mdy"
    raise InvalidInput(
        "every date like 03/04/2027 could be 3 April or March 4: say which with"
        " --date-order dmy or --date-order mdy",
        location="--date-order",
    )


# -- rows ----------------------------------------------------------------------------


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV records with the line each starts on (quoted cells may span
    lines); the delimiter is the one of `,` `;` and tab the first line uses most."""
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            yield line, record
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"{exc}", location=f"line {reader.line_num}") from None


def _timed(
    tool: Tool,
    line: int,
    v: Mapping[str, str],
    zone: tzinfo,
    order: DateOrder | None,
) -> ParsedRow:
    """A Toggl or Clockify row: a local start, and its duration (else its end,
    else the decimal duration)."""
    day = parse_date(v[START_DATE], "Start date", order)
    start = _local(day, parse_time(v[START_TIME], "Start time"), zone)
    if v.get(DURATION, "").strip():
        seconds = parse_duration_text(v[DURATION], "Duration")
    elif v.get(END_DATE, "").strip() and v.get(END_TIME, "").strip():
        end_day = parse_date(v[END_DATE], "End date", order)
        end = _local(end_day, parse_time(v[END_TIME], "End time"), zone)
        seconds = int((end - start).total_seconds())
    elif v.get(DURATION_DECIMAL, "").strip():
        seconds = parse_duration_text(v[DURATION_DECIMAL], "Duration (decimal)")
    else:
        raise RowError("Duration: empty, and no end is given")
    if seconds < 1:
        raise RowError(f"the entry lasts {seconds} seconds; at least one is needed")
    kind = v.get(KIND, "").strip().lower()
    note = " / ".join(
        p for p in (v.get(PROJECT, "").strip(), v.get(NOTE, "").strip()) if p
    )
    email = v.get(EMAIL, "").strip().lower() or None
    return ParsedRow(
        line=line,
        source=f"import:{tool.value}",
        worked_at=start,
        seconds=seconds,
        started_at=start,
        note=note,
        billable=_bool(v.get(BILLABLE, ""), "Billable", True),
        email=email,
        skip="a break, not work" if kind == "break" else None,
        key=(
            start.isoformat(),
            str(seconds),
            email or v.get(USER, "").strip(),
            v.get(CLIENT, "").strip(),
            v.get(PROJECT, "").strip(),
            v.get(TASK, "").strip(),
            v.get(NOTE, "").strip(),
            v.get(TAGS, "").strip(),
        ),
    )


def _contract(text: str) -> str | None:
    raw = text.strip()
    if raw.isdigit():
        return raw
    m = _CONTRACT.search(raw)
    return None if m is None else m.group(1)


def _daily(line: int, v: Mapping[str, str], order: DateOrder | None) -> ParsedRow:
    """An Upwork timesheet row: a contract's hours on a UTC day."""
    day = parse_date(v[START_DATE], "Date", order)
    at = _midnight(day)
    contract = _contract(v[CONTRACT])
    paid = v.get(KIND, "").strip()
    if paid:
        return _skipped(line, at, f"a {paid} payment, not hours")
    if not v[HOURS].strip():
        return _skipped(line, at, "no hours")
    seconds = parse_duration_text(v[HOURS], "Hours")
    if contract is None:
        raise RowError(f"Contract: {v[CONTRACT]!r} names no contract id")
    if seconds == 0:
        return _skipped(line, at, "no hours")
    return ParsedRow(
        line=line,
        source="upwork_tracked",
        worked_at=at,
        seconds=seconds,
        note=v.get(NOTE, "").strip() or v[CONTRACT].strip(),
        contract=contract,
        key=(day.isoformat(), contract, str(seconds)),
    )


def _invoice(line: int, v: Mapping[str, str]) -> ParsedRow:
    """An Upwork transaction: an hourly invoice is a billing week's hours."""
    kind = v[KIND].strip()
    ref = v[ID].strip()
    description = v[NOTE].strip()
    team = v.get(TEAM, "").strip() or None
    if kind.lower() != "hourly":
        return _skipped(line, None, f"a {kind or 'untyped'} transaction, not hours")
    if not ref:
        raise RowError("Ref ID: empty")
    m = _HOURLY.search(description)
    if m is None:
        raise RowError(
            f"Description: {description!r} is not an hourly invoice"
            " ('Invoice for MM/DD/YYYY-MM/DD/YYYY - H:MM hrs @ ...')"
        )
    first = parse_date(m.group(1), "Description", "mdy")
    if m.group(3) is not None:
        seconds = int(m.group(3)) * 3600 + int(m.group(4)) * 60
    else:
        seconds = parse_duration_text(m.group(5), "Description")
    if seconds == 0:
        return _skipped(line, _midnight(first), "no hours")
    return ParsedRow(
        line=line,
        source="upwork_tracked",
        tool_id=ref,
        worked_at=_midnight(first),
        seconds=seconds,
        note=description,
        team=team,
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _skipped(line: int, at: datetime | None, why: str) -> ParsedRow:
    """A row that is not time (money, a break, nothing worked)."""
    when = at or datetime(1970, 1, 1, tzinfo=UTC)
    return ParsedRow(line, "upwork_tracked", when, 0, skip=why)


def _diary(line: int, v: Mapping[str, str], order: DateOrder | None) -> ParsedRow:
    """A work diary segment: its UTC start, memo and whether it is manual."""
    day = parse_date(v[START_DATE], "Date", order)
    start = datetime.combine(day, parse_time(v[START_TIME], "Time (UTC)"), UTC)
    kind = v.get(KIND, "").strip().lower()
    if kind in ("manual", "manual time"):
        manual = True
    elif kind in ("", "tracked", "auto-tracked", "automatic"):
        manual = _bool(v.get(MANUAL, ""), "Manual", False)
    else:
        raise RowError(f"Type: {v[KIND]!r} is neither Tracked nor Manual")
    minutes = v.get(MINUTES, "").strip()
    seconds = int(UPWORK_SEGMENT.total_seconds())
    if minutes:
        if not minutes.isdigit() or int(minutes) == 0:
            raise RowError(f"Minutes: {minutes!r} is not a whole number of minutes")
        seconds = int(minutes) * 60
    contract = v.get(CONTRACT, "").strip()
    return ParsedRow(
        line=line,
        source="upwork_manual" if manual else "upwork_tracked",
        worked_at=start,
        seconds=seconds,
        started_at=start,
        note=v[NOTE].strip(),
        contract=_contract(contract) if contract else None,
        key=(start.isoformat(), str(seconds), contract),
    )


def parse_csv(
    tool: Tool,
    text: str,
    *,
    zone: tzinfo | None,
    date_order: DateOrder | None = None,
) -> ParsedFile:
    """Read an export of `tool`: pick the variant by the header, then parse every
    row; a bad row is a `RowProblem` (the others are still parsed).

    Raises InvalidInput for a file that cannot be read at all: no header, a
    header of no known variant, ambiguous dates, or local times (Toggl,
    Clockify) without a `zone`.
    """
    records = _records(text.lstrip("\ufeff"))
    header: list[str] | None = None
    for _, record in records:
        if any(cell.strip() for cell in record):
            header = record
            break
    if header is None:
        raise InvalidInput("the file is empty: no header line", location="line 1")
    variant = _choose(tool, header)
    if variant.kind is Kind.TIMED and zone is None:
        raise InvalidInput(
            f"{tool.value} exports have local times: give --timezone (no agreement"
            " in force names one)",
            location="--timezone",
        )
    fields = [_field(variant, h) for h in header]
    unknown = tuple(h.strip() for h, f in zip(header, fields, strict=True) if f is None)
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowProblem] = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        extra = record[len(header) :]
        if len(record) < len(header) or any(c.strip() for c in extra):
            problems.append(
                RowProblem(
                    line,
                    f"has {len(record)} cells where the header has {len(header)}",
                )
            )
            continue
        values: dict[str, str] = {}
        for name, cell in zip(fields, record, strict=False):
            if name and not values.get(name, "").strip():
                values[name] = cell
        rows.append((line, values))
    order = _date_order(rows, date_order)
    parsed = ParsedFile(tool, variant, unknown)
    for line, values in rows:
        try:
            if variant.kind is Kind.TIMED:
                assert zone is not None
                row = _timed(tool, line, values, zone, order)
            elif variant.kind is Kind.DAILY:
                row = _daily(line, values, order)
            elif variant.kind is Kind.INVOICE:
                row = _invoice(line, values)
            else:
                row = _diary(line, values, order)
        except RowError as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        parsed.rows.append(row)
    parsed.problems.extend(problems)
    parsed.problems.sort(key=lambda p: p.line)
    return parsed
