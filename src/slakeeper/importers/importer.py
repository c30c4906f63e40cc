"""Importing a CSV export of time into a client's entries, idempotently.

Steps of `import_csv`:
1. Parse every row (`csv_formats`): a row that cannot be read is bad, with its
   line number; rows that are not time (a bonus, a fee, a break, another
   contract's hours) are skipped, with the reason.
2. Give each row an external id: the tool's own id column when it has one
   (Upwork's `Ref ID`), else a stable hash of the row's content (its start,
   duration, person, client, project, task, note and tags; identical rows in
   one file are told apart by their order). A row whose id is already stored
   for the same source is "already imported": importing a file twice changes
   nothing.
3. Record the new rows in one batch with `time_entries.add_entries` (under
   the workspace's write lock, so every rule of a manual entry holds, and each
   gets its audit entry): a row the service refuses is bad too.
4. Keep what was written only when no row is bad, or when `partial` is given;
   a dry run never keeps anything. The result lists every row's outcome.

Sources: `import:toggl`, `import:clockify`; Upwork rows are `upwork_tracked` or
`upwork_manual` (billed through Upwork: slakeeper never invoices them).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from slakeeper.errors import AppError, InvalidInput, NotFound, PermissionDenied
from slakeeper.importers.csv_formats import (
    DateOrder,
    Kind,
    ParsedRow,
    Tool,
    parse_csv,
)
from slakeeper.services import time_entries
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    visible_client,
)
from slakeeper.services.time_entries import NewEntry
from slakeeper.services.versions import agreement_in_force, version_terms

__all__ = [
    "ImportResult",
    "RowOutcome",
    "RowStatus",
    "import_csv",
    "upwork_contract",
]

Progress = Callable[[int, int], None]


class RowStatus(StrEnum):
    NEW = "new"  # recorded (or, in a dry run or a stopped import, would be)
    EXISTING = "already imported"
    SKIPPED = "skipped"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    line: int
    status: RowStatus
    message: str = ""  # why a row is skipped or bad
    source: str | None = None
    external_id: str | None = None
    worked_at: datetime | None = None
    seconds: int = 0
    note: str = ""
    entry_id: int | None = None  # the entry recorded (None unless kept)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, in a dry run, would do), row by row."""

    tool: str
    variant: str
    unknown_columns: tuple[str, ...]
    outcomes: list[RowOutcome]  # by line
    dry_run: bool
    partial: bool

    def count(self, status: RowStatus) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def bad(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status is RowStatus.BAD]

    @property
    def stopped(self) -> bool:
        """Bad rows without `partial`: nothing was (or would be) written."""
        return bool(self.bad) and not self.partial

    @property
    def written(self) -> bool:
        """Whether new entries were kept."""
        return not self.dry_run and not self.stopped and self.count(RowStatus.NEW) > 0

    @property
    def new_seconds(self) -> int:
        return sum(o.seconds for o in self.outcomes if o.status is RowStatus.NEW)


def upwork_contract(
    session: Session, principal: Principal, client_id: int, at: datetime
) -> str | None:
    """The Upwork contract id of the client's agreement in force at `at`."""
    version = agreement_in_force(session, principal, client_id, at)
    if version is None:
        return None
    billing = version_terms(version).agreement.billing
    upwork = None if billing is None else billing.upwork
    return None if upwork is None else upwork.contract


def _zone(
    session: Session,
    principal: Principal,
    client_id: int,
    timezone: str | None,
    now: datetime,
) -> ZoneInfo | None:
    if timezone is not None:
        try:
            return ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"{timezone!r} is not a time zone; write e.g. Europe/Berlin or UTC",
                location="--timezone",
            ) from None
    return time_entries.client_timezone(session, principal, client_id, now)


def _hash(tool: Tool, row: ParsedRow, seen: Counter[str]) -> str:
    """A stable id from the row's content; the n-th identical row gets its n."""
    content = "\x1f".join((tool.value, *row.key))
    seen[content] += 1
    digest = hashlib.sha256(f"{content}\x1e{seen[content]}".encode()).hexdigest()
    return f"sha256:{digest[:40]}"


class _Users:
    """Users by e-mail (each looked up once), as the time service finds them."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self._found: dict[str, int | str] = {}

    def find(self, email: str) -> int | str:
        """The user's id, or why the e-mail names no one who can record time."""
        if email not in self._found:
            self._found[email] = self._look_up(email)
        return self._found[email]

    def _look_up(self, email: str) -> int | str:
        try:
            user_id = time_entries.user_named(self.session, self.principal, email)
        except NotFound:
            return (
                f"no user {email} in the workspace (add them, or book every"
                " row to one person with --user)"
            )
        try:
            time_entries.check_worker(self.session, self.principal, user_id)
        except InvalidInput as exc:  # not a member of the team: the reason alone
            return exc.details[0].message if exc.details else exc.message
        except PermissionDenied:  # said on each of the person's rows
            pass
        return user_id


def _check_one(values: set[str], what: str, fix: str) -> None:
    if len(values) > 1:
        raise InvalidInput(
            f"the file holds the hours of several {what} ({', '.join(sorted(values))});"
            f" {fix}",
            location="file",
        )


def import_csv(
    session: Session,
    principal: Principal,
    *,
    tool: Tool | str,
    text: str,
    client_id: int,
    user_id: int | None = None,
    timezone: str | None = None,
    date_order: DateOrder | None = None,
    dry_run: bool = False,
    partial: bool = False,
    now: datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the rows of a CSV export as time of a client (see the module's
    steps). `user_id` books every row to that user; otherwise a row's e-mail
    column names whose time it is, and without one it is the principal's.
    `timezone` reads local times (Toggl, Clockify; default: the agreement's).

    Raises InvalidInput for a file that cannot be read at all (nothing is
    written); bad rows are reported in the result instead.
    """
    active_user(session, principal)
    require_provider(principal, "import time")
    client = visible_client(session, principal, client_id)
    try:
        kind_of = Tool(tool)
    except ValueError:
        known = ", ".join(t.value for t in Tool)
        raise InvalidInput(
            f"unknown tool {tool!r}; expected one of {known}", location="tool"
        ) from None
    if user_id is not None:  # refused at once, not row by row
        time_entries.check_worker(session, principal, user_id)
    zone = _zone(session, principal, client.id, timezone, now)
    parsed = parse_csv(kind_of, text, zone=zone, date_order=date_order)
    contract = upwork_contract(session, principal, client.id, now)
    rows = [r for r in parsed.rows if r.skip is None]
    if kind_of is Tool.UPWORK and contract is None:
        _check_one(
            {r.contract for r in rows if r.contract},
            "Upwork contracts",
            f"name {client.name}'s in the agreement (billing.upwork.contract)",
        )
    if parsed.variant.kind is Kind.INVOICE:
        _check_one(
            {r.team for r in rows if r.team},
            "Upwork teams",
            "export the transactions of one client",
        )

    # 1-2. each row's outcome, unless it is new
    outcomes: dict[int, RowOutcome] = {
        p.line: RowOutcome(p.line, RowStatus.BAD, p.message) for p in parsed.problems
    }
    users = _Users(session, principal)
    seen: Counter[str] = Counter()
    first_line: dict[tuple[str, str], int] = {}
    candidates: list[tuple[ParsedRow, str, int | None]] = []
    for row in parsed.rows:
        if row.skip is not None:
            outcomes[row.line] = RowOutcome(row.line, RowStatus.SKIPPED, row.skip)
            continue
        if contract is not None and row.contract not in (None, contract):
            outcomes[row.line] = RowOutcome(
                row.line,
                RowStatus.SKIPPED,
                f"Upwork contract {row.contract}, not {client.name}'s ({contract})",
            )
            continue
        ext = row.tool_id or _hash(kind_of, row, seen)
        pair = (row.source, ext)
        if pair in first_line:
            outcomes[row.line] = RowOutcome(
                row.line, RowStatus.SKIPPED, f"repeats line {first_line[pair]}"
            )
            continue
        first_line[pair] = row.line
        who: int | None = user_id
        if who is None and row.email:
            found = users.find(row.email)
            if isinstance(found, str):
                outcomes[row.line] = RowOutcome(row.line, RowStatus.BAD, found)
                continue
            who = found
        candidates.append((row, ext, who))
    stored = time_entries.stored_external_ids(
        session, principal, ((r.source, ext) for r, ext, _ in candidates)
    )

    # 3. record the new rows through the time service, in one batch
    fresh = [c for c in candidates if (c[0].source, c[1]) not in stored]
    for row, ext, _ in candidates:
        if (row.source, ext) in stored:
            outcomes[row.line] = _outcome(row, ext, RowStatus.EXISTING)
    outer = session.begin_nested()
    added = time_entries.add_entries(
        session,
        principal,
        client_id=client.id,
        entries=[_new_entry(row, ext, who) for row, ext, who in fresh],
        now=now,
        progress=progress,
    )
    for (row, ext, _), entry in zip(fresh, added, strict=True):
        if isinstance(entry, AppError):
            outcomes[row.line] = RowOutcome(row.line, RowStatus.BAD, entry.message)
        else:
            outcomes[row.line] = _outcome(row, ext, RowStatus.NEW, entry.id)

    # 4. keep it, or not
    result = ImportResult(
        tool=kind_of.value,
        variant=parsed.variant.name,
        unknown_columns=parsed.unknown_columns,
        outcomes=[outcomes[line] for line in sorted(outcomes)],
        dry_run=dry_run,
        partial=partial,
    )
    if result.written:
        outer.commit()
        return result
    outer.rollback()
    return ImportResult(
        tool=result.tool,
        variant=result.variant,
        unknown_columns=result.unknown_columns,
        outcomes=[_unkept(o) for o in result.outcomes],
        dry_run=dry_run,
        partial=partial,
    )


def _outcome(
    row: ParsedRow, ext: str, status: RowStatus, entry_id: int | None = None
) -> RowOutcome:
    return RowOutcome(
        row.line,
        status,
        source=row.source,
        external_id=ext,
        worked_at=row.worked_at,
        seconds=row.seconds,
        note=row.note,
        entry_id=entry_id,
    )


def _unkept(outcome: RowOutcome) -> RowOutcome:
    if outcome.entry_id is None:
        return outcome
    return RowOutcome(
        outcome.line,
        outcome.status,
        outcome.message,
        outcome.source,
        outcome.external_id,
        outcome.worked_at,
        outcome.seconds,
        outcome.note,
        None,
    )


def _new_entry(row: ParsedRow, ext: str, user_id: int | None) -> NewEntry:
    span = timedelta(seconds=row.seconds)
    timed = row.started_at is not None
    return NewEntry(
        started_at=row.started_at,
        ended_at=row.started_at + span if row.started_at is not None else None,
        duration=None if timed else span,
        worked_at=None if timed else row.worked_at,
        note=row.note,
        billable=row.billable,
        user_id=user_id,
        source=row.source,
        external_id=ext,
    )
