"""Upwork's GraphQL API (`https://api.upwork.com/graphql`, an OAuth2 bearer
token), read-only, and `sync`, which brings a contract's Upwork hours up to date
in slakeeper and is safe to run on a schedule.

The query shapes follow Upwork's published GraphQL reference
(upwork.com/developer/documentation/graphql/api/docs/index.html:
`contractDetails(id:)`, `contractTimeReport(filter: TimeReportFilter,
pagination: Pagination)` with relay-style `edges`/`pageInfo`, and
`workDiaryContract(workDiaryContractInput: {contractId, date})` whose
`workDiaryTimeCells` are the work diary's 10-minute segments with `memo`,
`manual` and `overtime`). Dates are sent as `yyyyMMdd`, as public clients of
the API do. Nothing here was recorded from a live account: the test fixtures
are built from that documentation (tests/importers/fixtures/upwork_graphql/).

Errors become `UpworkError` with a message a person can act on: a refused
token (401), missing permission (403), GraphQL `errors`, an unreachable
server. A 429 (rate limit) or a 502/503/504 is retried after the server's
`Retry-After` (else 1, 2, 4 ... seconds), a few times.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Self

import httpx
from sqlalchemy.orm import Session

from slakeeper import __version__
from slakeeper.errors import AppError, InvalidInput
from slakeeper.importers.importer import upwork_contract
from slakeeper.importers.reconcile import UPWORK_SOURCES, billing_week
from slakeeper.services import time_entries
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    visible_client,
)

__all__ = [
    "DEFAULT_URL",
    "DiaryCell",
    "Segment",
    "SyncResult",
    "TimeReportDay",
    "UpworkClient",
    "UpworkContract",
    "UpworkError",
    "segments",
    "sync",
]

DEFAULT_URL = "https://api.upwork.com/graphql"
SEGMENT = timedelta(minutes=10)
MAX_PAGES = 1000
MAX_WAIT = 120.0  # seconds: a longer Retry-After ends the run instead

CONTRACT_QUERY = """
query ContractDetails($id: ID!) {
  contractDetails(id: $id) {
    id
    title
    status
  }
}
"""

TIME_REPORT_QUERY = """
query ContractTimeReport($filter: TimeReportFilter, $pagination: Pagination) {
  contractTimeReport(filter: $filter, pagination: $pagination) {
    totalCount
    edges {
      cursor
      node {
        dateWorkedOn
        totalHoursWorked
        memo
        contract {
          id
        }
      }
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
"""

WORK_DIARY_QUERY = """
query WorkDiaryContract($input: WorkDiaryContractInput!) {
  workDiaryContract(workDiaryContractInput: $input) {
    workDiaryTimeCells {
      cellDateTime {
        rawValue
      }
      memo
      manual
      overtime
    }
  }
}
"""


class UpworkError(AppError):
    """Upwork refused or failed a request (the message says what to do)."""

    code: ClassVar[str] = "upwork_error"
    status_code: ClassVar[int] = 502


@dataclass(frozen=True, slots=True)
class UpworkContract:
    id: str
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class TimeReportDay:
    """A row of Upwork's time report: a contract's hours on a day."""

    worked_on: date
    contract_id: str
    seconds: int
    memo: str


@dataclass(frozen=True, slots=True)
class DiaryCell:
    """A 10-minute work diary segment."""

    at: datetime  # its start, UTC
    memo: str
    manual: bool
    overtime: bool  # over the weekly limit: Upwork does not bill it


def _compact(day: date) -> str:
    return day.strftime("%Y%m%d")


def _day(text: Any) -> date:
    raw = str(text).strip()
    try:
        if len(raw) == 8 and raw.isdigit():
            return datetime.strptime(raw, "%Y%m%d").replace(tzinfo=UTC).date()
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise UpworkError(f"Upwork sent {text!r} as a date") from None


def _instant(raw: Any) -> datetime:
    """A `cellDateTime.rawValue`: epoch seconds (or milliseconds), or ISO 8601."""
    text = str(raw).strip()
    try:
        if text.isdigit():
            number = int(text)
            seconds = number / 1000 if number > 10**11 else number
            return datetime.fromtimestamp(seconds, UTC)
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise UpworkError(f"Upwork sent {raw!r} as a time") from None
    if at.utcoffset() is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def _seconds(hours: Any) -> int:
    """Decimal hours to seconds, to the whole minute (Upwork bills 10 minutes)."""
    try:
        value = Decimal(str(hours))
    except InvalidOperation:
        raise UpworkError(f"Upwork sent {hours!r} as hours") from None
    if not value.is_finite():
        raise UpworkError(f"Upwork sent {hours!r} as hours")
    return int((value * 60).to_integral_value()) * 60


class UpworkClient:
    """A read-only GraphQL client; `transport` lets tests answer locally."""

    def __init__(
        self,
        token: str,
        *,
        url: str = DEFAULT_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        page_size: int = 100,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        if not token.strip():
            raise InvalidInput(
                "no Upwork token: set an OAuth2 access token",
                location="SLAKEEPER_UPWORK_TOKEN",
            )
        self.url = url
        self.timeout = timeout
        self.max_retries = max_retries
        self.page_size = page_size
        self._sleep = sleep
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token.strip()}",
                "Accept": "application/json",
                "User-Agent": f"slakeeper/{__version__}",
            },
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- one request -------------------------------------------------------------------

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        """How long to wait before trying again (Retry-After, else 2**attempt)."""
        header = response.headers.get("Retry-After", "").strip()
        if header.isdigit():
            return float(header)
        if header:
            try:
                when = parsedate_to_datetime(header)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return max(0.0, (when - datetime.now(UTC)).total_seconds())
        return float(2**attempt)

    def query(self, text: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run a query; its `data`, or an `UpworkError`."""
        for attempt in range(self.max_retries + 1):
            try:
                response = self._http.post(
                    self.url, json={"query": text, "variables": variables}
                )
            except httpx.TimeoutException:
                raise UpworkError(
                    f"Upwork did not answer within {self.timeout:g} s ({self.url});"
                    " try again later"
                ) from None
            except httpx.HTTPError as exc:
                raise UpworkError(f"cannot reach Upwork at {self.url}: {exc}") from None
            status = response.status_code
            if status in (429, 502, 503, 504):
                wait = self._wait(response, attempt)
                what = "is rate limiting" if status == 429 else "is unavailable"
                if attempt == self.max_retries or wait > MAX_WAIT:
                    raise UpworkError(
                        f"Upwork {what} (HTTP {status}) after {attempt + 1}"
                        f" tries; run again in {wait:g} s or later"
                    )
                self._sleep(wait)
                continue
            return self._data(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise UpworkError(
                "Upwork refused the token (HTTP 401): SLAKEEPER_UPWORK_TOKEN is"
                " wrong or has expired; get a new OAuth2 access token"
            )
        if status == 403:
            raise UpworkError(
                "Upwork refused access (HTTP 403): the token may not read this"
                " contract's time reports and work diary (check the API key's"
                " scopes and that the contract is yours)"
            )
        if not 200 <= status < 300:
            body = " ".join(response.text.split())[:200]
            raise UpworkError(f"Upwork answered HTTP {status}: {body or 'no body'}")
        try:
            body = response.json()
        except ValueError:
            raise UpworkError(
                "Upwork answered with something that is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise UpworkError("Upwork answered with JSON that is not an object")
        errors = body.get("errors")
        if errors:
            messages = "; ".join(
                str(e.get("message", e)) if isinstance(e, dict) else str(e)
                for e in errors
            )
            raise UpworkError(f"Upwork refused the query: {messages}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise UpworkError("Upwork answered without data")
        return data

    # -- what slakeeper reads --------------------------------------------------------

    def contract(self, contract_id: str) -> UpworkContract:
        data = self.query(CONTRACT_QUERY, {"id": contract_id})
        found = data.get("contractDetails")
        if not isinstance(found, dict):
            raise UpworkError(
                f"Upwork knows no contract {contract_id} that this token may read"
            )
        return UpworkContract(
            str(found.get("id", contract_id)),
            str(found.get("title") or ""),
            str(found.get("status") or ""),
        )

    def time_report(
        self, contract_id: str, first: date, last: date
    ) -> list[TimeReportDay]:
        """The contract's hours per day from `first` to `last` (inclusive), page
        by page (the filter has the dates; rows of other contracts are left)."""
        days: list[TimeReportDay] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            data = self.query(
                TIME_REPORT_QUERY,
                {
                    "filter": {
                        "timeReportDate_bt": {
                            "rangeStart": _compact(first),
                            "rangeEnd": _compact(last),
                        }
                    },
                    "pagination": {"first": self.page_size, "after": after},
                },
            )
            report = data.get("contractTimeReport") or {}
            for edge in report.get("edges") or ():
                node = (edge or {}).get("node") or {}
                contract = str((node.get("contract") or {}).get("id", ""))
                if contract != contract_id:
                    continue
                days.append(
                    TimeReportDay(
                        _day(node.get("dateWorkedOn")),
                        contract,
                        _seconds(node.get("totalHoursWorked") or 0),
                        str(node.get("memo") or ""),
                    )
                )
            page = report.get("pageInfo") or {}
            cursor = page.get("endCursor")
            if not page.get("hasNextPage") or not cursor or cursor == after:
                return days
            after = str(cursor)
        raise UpworkError(f"Upwork's time report ran past {MAX_PAGES} pages")

    def work_diary(self, contract_id: str, day: date) -> list[DiaryCell]:
        """The contract's 10-minute segments of a day."""
        data = self.query(
            WORK_DIARY_QUERY,
            {"input": {"contractId": contract_id, "date": _compact(day)}},
        )
        diary = data.get("workDiaryContract") or {}
        cells = []
        for cell in diary.get("workDiaryTimeCells") or ():
            raw = ((cell or {}).get("cellDateTime") or {}).get("rawValue")
            cells.append(
                DiaryCell(
                    _instant(raw),
                    str(cell.get("memo") or "").strip(),
                    bool(cell.get("manual")),
                    bool(cell.get("overtime")),
                )
            )
        return cells


# -- sync ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """Consecutive diary cells with one memo and kind: one time entry."""

    started_at: datetime
    seconds: int
    memo: str
    manual: bool
    overtime: bool

    @property
    def source(self) -> str:
        return "upwork_manual" if self.manual else "upwork_tracked"

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.seconds)

    def external_id(self, contract: str) -> str:
        return f"{contract}:{self.started_at:%Y%m%dT%H%M}Z"


def segments(cells: Iterable[DiaryCell]) -> list[Segment]:
    """Group cells into segments: a gap, or a change of memo, manual or
    overtime, starts a new one (cells repeated across days count once)."""
    unique = {c.at: c for c in cells}
    found: list[Segment] = []
    for cell in (unique[at] for at in sorted(unique)):
        last = found[-1] if found else None
        if (
            last is not None
            and last.ended_at == cell.at
            and (last.memo, last.manual, last.overtime)
            == (cell.memo, cell.manual, cell.overtime)
        ):
            found[-1] = Segment(
                last.started_at,
                last.seconds + int(SEGMENT.total_seconds()),
                last.memo,
                last.manual,
                last.overtime,
            )
        else:
            found.append(
                Segment(
                    cell.at,
                    int(SEGMENT.total_seconds()),
                    cell.memo,
                    cell.manual,
                    cell.overtime,
                )
            )
    return found


@dataclass(frozen=True, slots=True)
class SyncResult:
    contract: UpworkContract
    since: datetime
    until: datetime
    dry_run: bool
    days: int  # days with hours in Upwork's time report
    report_seconds: int  # Upwork's time report for those days
    new: list[Segment] = field(default_factory=list)
    updated: list[Segment] = field(default_factory=list)
    removed: list[tuple[datetime, int]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # locked or refused


def sync(
    session: Session,
    principal: Principal,
    api: UpworkClient,
    *,
    client_id: int,
    since: datetime | None = None,
    user_id: int | None = None,
    dry_run: bool = False,
    now: datetime,
) -> SyncResult:
    """Bring the client's Upwork hours (its agreement's billing.upwork.contract)
    up to date from `since` (default: the start of the previous billing week,
    which Upwork keeps editable until Monday noon UTC) until `now`.

    Steps:
    1. Read the contract, then Upwork's time report for the period (which days
       have hours), then the work diary of each of those days.
    2. Group the diary's 10-minute cells into segments (one memo, manual or
       tracked, over the weekly limit or not); each is an entry with source
       `upwork_tracked` or `upwork_manual` and the external id
       `CONTRACT:yyyymmddTHHMMZ` (its start). Overtime is not billable: Upwork
       does not bill it.
    3. Compare with the entries synced before for the period: record the new
       segments, correct those that grew or whose memo changed, and delete
       those gone from Upwork. Approved or invoiced entries are never changed:
       each such difference is reported as a problem instead.
    Running it twice changes nothing the second time; a dry run keeps nothing.
    """
    active_user(session, principal)
    require_provider(principal, "sync Upwork hours")
    client = visible_client(session, principal, client_id)
    contract_id = upwork_contract(session, principal, client.id, now)
    if contract_id is None:
        raise InvalidInput(
            f"the agreement in force with {client.name} names no Upwork contract;"
            " add billing.upwork.contract to it",
            location="billing.upwork.contract",
        )
    start = since or datetime.combine(
        billing_week(now) - timedelta(days=7), datetime.min.time(), UTC
    )
    if start.utcoffset() is None:
        raise InvalidInput(f"{start.isoformat()} has no UTC offset", location="--since")
    start = start.astimezone(UTC)
    if start >= now:
        raise InvalidInput(
            f"{start.isoformat()} is not in the past (now is {now.isoformat()})",
            location="--since",
        )

    # 1. read
    contract = api.contract(contract_id)
    report = api.time_report(
        contract_id, (start - timedelta(days=1)).date(), now.date()
    )
    days = sorted({r.worked_on for r in report if r.seconds > 0})
    cells = [
        c
        for day in days
        for c in api.work_diary(contract_id, day)
        if start <= c.at and c.at + SEGMENT <= now
    ]

    # 2. segments
    wanted = {(s.source, s.external_id(contract_id)): s for s in segments(cells)}
    result = SyncResult(
        contract=contract,
        since=start,
        until=now,
        dry_run=dry_run,
        days=len(days),
        report_seconds=sum(r.seconds for r in report if r.worked_on >= start.date()),
    )

    # 3. compare and write
    outer = session.begin_nested()
    unchanged = 0
    stored = time_entries.entries_worked(
        session,
        principal,
        client.id,
        since=start,
        until=now,
        sources=UPWORK_SOURCES,
        external_prefix=f"{contract_id}:",
    )
    for entry in stored:
        key = (entry.source, entry.external_id or "")
        seg = wanted.pop(key, None)
        locked = time_entries.entry_status(entry) is not time_entries.EntryStatus.OPEN
        if seg is not None and (entry.seconds, entry.note, entry.billable) == (
            seg.seconds,
            seg.memo,
            not seg.overtime,
        ):
            unchanged += 1
            continue
        what = f"entry {entry.id} ({entry.worked_at:%Y-%m-%d %H:%M} UTC)"
        if locked:
            change = "changed" if seg is not None else "was removed"
            status = time_entries.entry_status(entry).value
            result.problems.append(
                f"{what} {change} in Upwork but is {status}; it was left as it is"
            )
            continue
        try:
            with session.begin_nested():
                if seg is None:
                    gone = (entry.worked_at, entry.seconds)
                    time_entries.delete_entry(session, principal, entry.id, now=now)
                    result.removed.append(gone)
                else:
                    time_entries.edit_entry(
                        session,
                        principal,
                        entry.id,
                        ended_at=seg.ended_at,
                        note=seg.memo,
                        billable=not seg.overtime,
                        now=now,
                    )
                    result.updated.append(seg)
        except AppError as exc:
            result.problems.append(f"{what}: {exc.message}")
    fresh = sorted(wanted.items(), key=lambda i: i[1].started_at)
    added = time_entries.add_entries(
        session,
        principal,
        client_id=client.id,
        entries=[
            time_entries.NewEntry(
                started_at=seg.started_at,
                ended_at=seg.ended_at,
                note=seg.memo,
                billable=not seg.overtime,
                user_id=user_id,
                source=source,
                external_id=ext,
            )
            for (source, ext), seg in fresh
        ],
        now=now,
    )
    for ((_, ext), seg), answer in zip(fresh, added, strict=True):
        if isinstance(answer, AppError):
            result.problems.append(f"segment {ext}: {answer.message}")
        else:
            result.new.append(seg)
    if dry_run:
        outer.rollback()
    else:
        outer.commit()
    return SyncResult(
        contract=result.contract,
        since=result.since,
        until=result.until,
        dry_run=dry_run,
        days=result.days,
        report_seconds=result.report_seconds,
        new=result.new,
        updated=result.updated,
        removed=result.removed,
        unchanged=unchanged,
        problems=result.problems,
    )
