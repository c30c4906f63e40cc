"""`slakeeper calendar ...`: ask a business calendar when something is due, how much
working time lies between two instants, and when it is open.

`--calendar` names a YAML file: an agreement file (a mapping with `calendars:`, where
`FILE#NAME` picks one) or a file holding one calendar spec at its top level.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from slakeeper.core import (
    CalendarSpecError,
    CoreError,
    DurationError,
    WorkCalendar,
    format_duration,
    parse_duration,
)
from slakeeper.yamlsource import (
    PathPart,
    SourceError,
    SourceProblem,
    YamlDocument,
    load_yaml,
    to_plain,
)

__all__ = ["LoadedCalendar", "app", "load_calendar"]

app = typer.Typer(
    name="calendar",
    help="Ask a business calendar: due times, working time between instants, "
    "open hours.",
    no_args_is_help=True,
)

# ---------------------------------------------------------------------------
# Loading a calendar from a file


@dataclass(frozen=True, slots=True)
class LoadedCalendar:
    """A calendar read from a file, with what messages and output need to name it."""

    calendar: WorkCalendar
    file: str
    name: str | None  # None for a file holding one calendar spec at its top level

    @property
    def label(self) -> str:
        """`office (acme.yaml)`, or the file name alone for a one-calendar file."""
        return f"{self.name} ({self.file})" if self.name else self.file


def _split_ref(ref: str) -> tuple[str, str | None]:
    if "#" not in ref or Path(ref).exists():
        return ref, None
    file, _, name = ref.rpartition("#")
    if not file or not name:
        raise typer.BadParameter(
            f"{ref!r} should be FILE or FILE#NAME", param_hint="'--calendar'"
        )
    return file, name


def _names(calendars: Mapping[Any, Any]) -> str:
    return ", ".join(str(k) for k in calendars)


def _pick_calendar(doc: YamlDocument, root: Mapping[Any, Any], name: str | None) -> str:
    """The name of the calendar to use: `#name`, else `default_calendar`, else the
    only one; an error naming the choices otherwise."""
    calendars = root["calendars"]
    if not isinstance(calendars, Mapping) or not calendars:
        raise doc.error(
            ("calendars",), "must map calendar names to calendar specs", key=True
        )
    if name is not None:
        if name not in {str(k) for k in calendars}:
            raise doc.error(
                ("calendars",),
                f"no calendar named {name!r}; the file has: {_names(calendars)}",
                key=True,
            )
        return name
    default = root.get("default_calendar")
    if default is not None:
        if str(default) not in {str(k) for k in calendars}:
            raise doc.error(
                ("default_calendar",),
                f"{default!r} is not one of the calendars: {_names(calendars)}",
            )
        return str(default)
    if len(calendars) == 1:
        return str(next(iter(calendars)))
    first = next(iter(calendars))
    raise doc.error(
        ("calendars",),
        f"the file has {len(calendars)} calendars ({_names(calendars)}) and no"
        f" default_calendar; pick one with --calendar {doc.file}#{first}",
        key=True,
    )


def load_calendar(ref: str) -> LoadedCalendar:
    """Read the calendar `ref` names (`FILE` or `FILE#NAME`).

    Raises:
        SourceError: the file is unreadable or invalid, or holds no such calendar;
            every problem of an invalid spec is listed with its file position.
    """
    file, name = _split_ref(ref)
    doc = load_yaml(file)
    root = doc.data
    if root is None:
        raise SourceError(
            [SourceProblem(file, "is empty; expected a calendar spec or calendars:")]
        )
    if not isinstance(root, Mapping):
        raise doc.error(
            (),
            "must be a mapping: a calendar spec (timezone, hours, ...) or an"
            " agreement with calendars:",
        )
    path: tuple[PathPart, ...] = ()
    if "calendars" in root:
        name = _pick_calendar(doc, root, name)
        path = ("calendars", name)
        spec = to_plain(next(v for k, v in root["calendars"].items() if str(k) == name))
    elif name is not None:
        raise SourceError(
            [
                SourceProblem(
                    file,
                    f"holds one calendar spec (no calendars:), so there is no"
                    f" calendar {name!r} to pick; drop '#{name}'",
                )
            ]
        )
    else:
        spec = to_plain(root)
    if not isinstance(spec, Mapping):
        raise doc.error(path, "a calendar must be a mapping with timezone and hours")
    try:
        calendar = WorkCalendar.from_spec(spec)
    except CalendarSpecError as exc:
        problems = [doc.problem((*path, *p.path), p.message) for p in exc.problems]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise SourceError(problems) from exc
    except CoreError as exc:
        raise doc.error(path, str(exc)) from exc
    return LoadedCalendar(calendar=calendar, file=file, name=name)


# ---------------------------------------------------------------------------
# Reading and writing values


def parse_instant(text: str, option: str, zone: tzinfo) -> datetime:
    """An ISO 8601 instant; without an offset it is read in `zone` (fold=0)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 instant; write e.g. 2027-01-04T09:00"
            " (read in the calendar's time zone) or 2027-01-04T09:00+01:00",
            param_hint=f"'{option}'",
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO date; write e.g. 2027-01-04",
            param_hint=f"'{option}'",
        ) from None


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _iso_local(value: datetime, zone: tzinfo) -> str:
    return value.astimezone(zone).isoformat()


def _seconds(d: timedelta) -> int | float:
    whole = d // timedelta(seconds=1)
    return whole if d == timedelta(seconds=whole) else d.total_seconds()


def _hhmm(value: datetime) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _echo_json(data: Mapping[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _about(loaded: LoadedCalendar) -> dict[str, Any]:
    return {
        "file": loaded.file,
        "calendar": loaded.name,
        "timezone": str(loaded.calendar.timezone),
    }


# ---------------------------------------------------------------------------
# Commands

CalendarOption = Annotated[
    str,
    typer.Option(
        "--calendar",
        "-c",
        metavar="FILE[#NAME]",
        help="A YAML file: an agreement (FILE#NAME picks one of its calendars; "
        "default: default_calendar, or the only one) or one calendar spec.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print JSON for scripts instead of text."),
]
_INSTANT_HELP = (
    "An ISO 8601 instant, e.g. 2027-01-04T09:00+01:00 or 2027-01-04T08:00Z; "
    "without an offset it is read in the calendar's time zone."
)


@app.command("due")
def due(
    calendar: CalendarOption,
    start: Annotated[
        str,
        typer.Option(
            "--start", metavar="ISO", help=f"When the clock starts. {_INSTANT_HELP}"
        ),
    ],
    duration: Annotated[
        str,
        typer.Option(
            "--in",
            metavar="DURATION",
            help="Working time to add: 4h, 90m, 1h30m, or 2bd (business days of "
            "the calendar's business_day length).",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Print when DURATION of working time after --start is used up (the due time)."""
    loaded = load_calendar(calendar)
    cal = loaded.calendar
    start_at = parse_instant(start, "--start", cal.timezone)
    try:
        amount = parse_duration(duration, business_day=cal.business_day)
    except DurationError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--in'") from None
    due_at = cal.add(start_at, amount)
    zone = cal.timezone
    if as_json:
        _echo_json(
            {
                **_about(loaded),
                "start": _iso_local(start_at, zone),
                "start_utc": _iso_utc(start_at),
                "working_time": format_duration(amount),
                "working_time_seconds": _seconds(amount),
                "due": _iso_local(due_at, zone),
                "due_utc": _iso_utc(due_at),
            }
        )
        return
    local = due_at.astimezone(zone)
    typer.echo(f"Due at {local.isoformat()} ({local:%A}, {zone})")
    typer.echo(f"       {_iso_utc(due_at)} (UTC)")
    typer.echo(
        f"{format_duration(amount)} of working time after"
        f" {_iso_local(start_at, zone)} on calendar {loaded.label}"
    )


@app.command("between")
def between(
    calendar: CalendarOption,
    from_: Annotated[
        str,
        typer.Option("--from", metavar="ISO", help=f"Start instant. {_INSTANT_HELP}"),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="ISO", help="End instant (not included), read like --from."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Print the working time between two instants (zero unless --to is later)."""
    loaded = load_calendar(calendar)
    cal = loaded.calendar
    zone = cal.timezone
    from_at = parse_instant(from_, "--from", zone)
    to_at = parse_instant(to, "--to", zone)
    worked = cal.between(from_at, to_at)
    if as_json:
        _echo_json(
            {
                **_about(loaded),
                "from": _iso_local(from_at, zone),
                "from_utc": _iso_utc(from_at),
                "to": _iso_local(to_at, zone),
                "to_utc": _iso_utc(to_at),
                "working_time": format_duration(worked),
                "working_time_seconds": _seconds(worked),
            }
        )
        return
    typer.echo(f"{format_duration(worked)} of working time")
    typer.echo(
        f"from {_iso_local(from_at, zone)} to {_iso_local(to_at, zone)}"
        f" on calendar {loaded.label}"
    )


@dataclass(frozen=True, slots=True)
class _Day:
    day: date
    windows: tuple[tuple[datetime, datetime, str, str], ...]  # start, end, HH:MM x2
    closed: str | None

    @property
    def open_time(self) -> timedelta:
        return sum((b - a for a, b, _, _ in self.windows), timedelta())


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _days(cal: WorkCalendar, first: date, count: int) -> list[_Day]:
    """The open windows of each local date, split at local midnight.

    1. Ask the calendar for its merged open intervals over the whole range.
    2. Cut each interval at every local midnight it spans, so a 22:00-06:00 window
       shows as 22:00-24:00 on one date and 00:00-06:00 on the next.
    3. Attach the names of closed dates.
    """
    zone = cal.timezone
    dates = [first + timedelta(days=i) for i in range(count)]
    bounds = [_local_midnight(d, zone) for d in dates]
    bounds.append(_local_midnight(dates[-1] + timedelta(days=1), zone))
    pieces: list[list[tuple[datetime, datetime, str, str]]] = [[] for _ in dates]
    for a, b in cal.windows(bounds[0], bounds[-1]):
        i = max(bisect_right(bounds, a.astimezone(UTC)) - 1, 0)
        while i < count and bounds[i] < b:
            lo, hi = max(a, bounds[i]), min(b, bounds[i + 1])
            if lo < hi:
                end = "24:00" if hi == bounds[i + 1] else _hhmm(hi.astimezone(zone))
                pieces[i].append((lo, hi, _hhmm(lo.astimezone(zone)), end))
            i += 1
    closed = cal.closed_dates(dates[0], dates[-1])
    return [
        _Day(day=d, windows=tuple(p), closed=closed.get(d))
        for d, p in zip(dates, pieces, strict=True)
    ]


@app.command("show")
def show(
    calendar: CalendarOption,
    from_: Annotated[
        str,
        typer.Option(
            "--from", metavar="DATE", help="First local date to show, e.g. 2027-12-20."
        ),
    ],
    days: Annotated[
        int,
        typer.Option("--days", min=1, metavar="N", help="How many dates to show."),
    ] = 7,
    as_json: JsonOption = False,
) -> None:
    """Show the open hours of each date (local times), with closed dates named."""
    first = _parse_date(from_, "--from")
    if days > (date.max - first).days:
        raise typer.BadParameter(
            f"{days} dates from {first} run past the year 9999",
            param_hint="'--days'",
        )
    loaded = load_calendar(calendar)
    cal = loaded.calendar
    zone = cal.timezone
    rows = _days(cal, first, days)
    total = sum((r.open_time for r in rows), timedelta())
    last = first + timedelta(days=days - 1)
    if as_json:
        _echo_json(
            {
                **_about(loaded),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "days": days,
                "working_time": format_duration(total),
                "working_time_seconds": _seconds(total),
                "dates": [
                    {
                        "date": r.day.isoformat(),
                        "weekday": f"{r.day:%a}",
                        "windows": [
                            {"start": _iso_local(a, zone), "end": _iso_local(b, zone)}
                            for a, b, _, _ in r.windows
                        ],
                        "working_time": format_duration(r.open_time),
                        "working_time_seconds": _seconds(r.open_time),
                        "closed": r.closed,
                    }
                    for r in rows
                ],
            },
        )
        return
    table = Table(caption=f"{format_duration(total)} of working time in {days} days")
    table.add_column("Date", no_wrap=True)
    table.add_column("Day", no_wrap=True)
    table.add_column("Open (local time)", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    table.add_column("Closed")
    for r in rows:
        hours = ", ".join(f"{s}-{e}" for _, _, s, e in r.windows) or "-"
        table.add_row(
            r.day.isoformat(),
            f"{r.day:%a}",
            hours,
            format_duration(r.open_time),
            r.closed or "",
        )
    console = Console(highlight=False)
    console.print(f"Calendar {loaded.label}, {zone}: {first} to {last}", markup=False)
    console.print(table)
