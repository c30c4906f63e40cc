"""Time tracking: entries of time worked for a client, one running timer per
user, and the approval of a client's entries for a period.

Time is kept as tracked, to the second: an entry's `seconds` is the raw
duration (`ended_at - started_at`, or the duration given), and instants are
truncated to whole seconds. Rounding and rates are applied when an invoice is
built (`core/billing.py`), never here. An entry counts in periods at its
`worked_at`: its start, or for an entry given as a duration the instant given
with it (by default when it was recorded). Periods are half-open `[from, to)`.

Who may do what: owners and staff record their own time and run their own
timer; an owner may also record, change and delete other people's entries.
Everyone of the provider sees the workspace's entries; a client contact sees
their own client's. The agreement in force when an entry was worked decides who
approves it (`billing.timesheets.approved_by`, e.g. `client.approver`: the
client's contacts holding that role in the agreement, matched by e-mail as for
approving agreement versions; a `provider.ROLE` also lets the owner approve);
without that section the provider's owner approves. Approved or invoiced
entries are locked. Another workspace's entries are not found.

Every function runs inside the caller's transaction. Input is checked before
anything is written, and every change of an entry writes an audit entry
(`time_entry.added`, `.edited`, `.deleted`, `.approved`) with the fields before
and after, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slakeeper.core.states import Role
from slakeeper.db.models import (
    AgreementVersion,
    Client,
    RunningTimer,
    Ticket,
    TimeEntry,
    User,
)
from slakeeper.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    normal_email,
    require_owner,
    require_provider,
    scoped,
    visible,
    visible_client,
)
from slakeeper.services.locks import rowcount, write_lock
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import (
    agreement_in_force,
    version_terms,
    versions_during,
)
from slakeeper.services.views.time import (
    EntryStatus,
    TimeApprovalRead,
    TimeEntryRead,
    TimerCurrentRead,
    TimerRead,
    TimeTotalsRead,
)

__all__ = [
    "SOURCES",
    "EntryList",
    "EntryStatus",
    "NewEntry",
    "add_entries",
    "add_entry",
    "approve_period",
    "check_worker",
    "client_timezone",
    "current_timer",
    "delete_entry",
    "edit_entry",
    "entries_worked",
    "entry_read",
    "entry_reads",
    "entry_status",
    "get_entry",
    "list_entries",
    "running_timer",
    "start_timer",
    "stop_timer",
    "stored_external_ids",
    "timer_read",
    "user_named",
]

SOURCES = ("timer", "manual", "upwork_tracked", "upwork_manual", "import:<tool>")
_IMPORT = re.compile(r"^import:[a-z0-9][a-z0-9_.-]{0,32}$")
MAX_NOTE = 2000
MAX_EXTERNAL_ID = 200
MAX_MILESTONE = 100
SECOND = timedelta(seconds=1)


def entry_status(entry: TimeEntry) -> EntryStatus:
    if entry.invoice_id is not None:
        return EntryStatus.INVOICED
    if entry.approved_at is not None:
        return EntryStatus.APPROVED
    return EntryStatus.OPEN


@dataclass(frozen=True, slots=True)
class EntryList:
    """A list's entries (by `worked_at`, then id; or a page of them, by id) and
    the totals of every entry that matches."""

    entries: list[TimeEntryRead]
    totals: TimeTotalsRead


def _labelled(query: Select[TimeEntry]) -> Select[TimeEntry, str, str, str | None]:
    """The entries `query` reads with the e-mail of whose time each is, its
    client's name and its ticket's key, in the same query."""
    return (
        query.add_columns(User.email, Client.name, Ticket.key)
        .join(User, User.id == TimeEntry.user_id)
        .join(Client, Client.id == TimeEntry.client_id)
        .outerjoin(Ticket, Ticket.id == TimeEntry.ticket_id)
    )


def _reads(
    rows: Iterable[tuple[TimeEntry, str, str, str | None]],
) -> list[TimeEntryRead]:
    return [
        TimeEntryRead.of(
            entry,
            status=entry_status(entry),
            user_email=email,
            client_name=client,
            ticket_key=ticket,
        )
        for entry, email, client, ticket in rows
    ]


def entry_reads(session: Session, entries: Sequence[TimeEntry]) -> list[TimeEntryRead]:
    """Entries (read or written through this service) as read models, in their
    order, with their labels read in one query."""
    if not entries:
        return []
    found = {
        r[0].id: r
        for r in session.execute(
            _labelled(
                select(TimeEntry).where(TimeEntry.id.in_([e.id for e in entries]))
            )
        )
    }
    return _reads(found[e.id] for e in entries)


def entry_read(session: Session, entry: TimeEntry) -> TimeEntryRead:
    """One entry (read or written through this service) as its read model."""
    (found,) = entry_reads(session, [entry])
    return found


def user_named(session: Session, principal: Principal, email: str) -> int:
    """The id of the user with this e-mail (any case) among those the principal
    may see (a client contact: their client's); NotFound otherwise."""
    active_user(session, principal)
    found = session.scalars(
        scoped(select(User.id), User, principal).where(
            User.email == normal_email(email)
        )
    ).first()
    if found is None:
        raise NotFound(f"no user {email!r}; see `slakeeper user list`")
    return found


def client_timezone(
    session: Session, principal: Principal, client_id: int, at: datetime
) -> ZoneInfo | None:
    """The time zone of the client's agreement in force at `at` (None: none)."""
    version = agreement_in_force(session, principal, client_id, at)
    return None if version is None else version_terms(version).zone


# -- checking input ------------------------------------------------------------------


def _second(at: datetime) -> datetime:
    return at.replace(microsecond=0)


def _aware(value: datetime, location: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{value.isoformat()} has no UTC offset; give one, e.g. +01:00 or Z",
            location=location,
        )
    return value


def _not_future(at: datetime, now: datetime, location: str) -> None:
    if at > now:
        raise InvalidInput(
            f"{at.isoformat()} is in the future (now is {now.isoformat()});"
            " time is recorded once it is worked",
            location=location,
        )


@dataclass(frozen=True, slots=True)
class _Span:
    worked_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    seconds: int


def _span(
    started_at: datetime | None,
    ended_at: datetime | None,
    duration: timedelta | None,
    worked_at: datetime | None,
    now: datetime,
) -> _Span:
    """An entry's time from its start and end, or from a duration (dated by
    `worked_at`, default `now`); never in the future, never empty."""
    if started_at is not None or ended_at is not None:
        if duration is not None:
            raise InvalidInput(
                "give a start and an end, or a duration, not both",
                location="duration",
            )
        if worked_at is not None:
            raise InvalidInput(
                "an entry with a start and an end counts at its start",
                location="worked_at",
            )
        if started_at is None or ended_at is None:
            missing = "started_at" if started_at is None else "ended_at"
            raise InvalidInput("give both the start and the end", location=missing)
        start = _aware(started_at, "started_at")
        end = _aware(ended_at, "ended_at")
        _not_future(end, now, "ended_at")
        start, end = _second(start), _second(end)
        if end <= start:
            raise InvalidInput(
                f"the end {end.isoformat()} is not after the start {start.isoformat()}",
                location="ended_at",
            )
        return _Span(start, start, end, int((end - start).total_seconds()))
    if duration is None:
        raise InvalidInput(
            "give a start and an end, or a duration", location="duration"
        )
    if duration < SECOND:
        raise InvalidInput(
            f"a duration must be at least one second, not {duration}",
            location="duration",
        )
    when = now if worked_at is None else _aware(worked_at, "worked_at")
    _not_future(when, now, "worked_at")
    return _Span(_second(when), None, None, int(duration.total_seconds()))


def _note(text: str | None) -> str:
    clean = (text or "").strip()
    if len(clean) > MAX_NOTE:
        raise InvalidInput(f"a note has at most {MAX_NOTE} characters", location="note")
    return clean


def _source(text: str) -> str:
    clean = text.strip()
    if clean in SOURCES[:-1] or _IMPORT.match(clean):
        return clean
    raise InvalidInput(
        f"unknown source {text!r}; expected one of {', '.join(SOURCES)}",
        location="source",
    )


def _external_id(text: str | None) -> str | None:
    if text is None:
        return None
    clean = text.strip()
    if not clean or len(clean) > MAX_EXTERNAL_ID:
        raise InvalidInput(
            f"an external id has 1 to {MAX_EXTERNAL_ID} characters",
            location="external_id",
        )
    return clean


def _ticket(session: Session, client: Client, ticket_id: int | None) -> int | None:
    if ticket_id is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.workspace_id != client.workspace_id:
        raise NotFound(f"ticket {ticket_id} not found")
    if ticket.client_id != client.id:
        raise InvalidInput(
            f"ticket {ticket.key} is not a ticket of {client.name}", location="ticket"
        )
    return ticket.id


def _milestone(
    session: Session,
    principal: Principal,
    client: Client,
    key: str | None,
    at: datetime,
) -> str | None:
    """A milestone id the agreement in force at `at` names."""
    if key is None:
        return None
    clean = key.strip()
    version = agreement_in_force(session, principal, client.id, at)
    known = frozenset() if version is None else version_terms(version).time.milestones
    if clean not in known or len(clean) > MAX_MILESTONE:
        listed = ", ".join(sorted(known)) or "none"
        raise InvalidInput(
            f"the agreement in force with {client.name} at {at.isoformat()} names"
            f" no milestone {key!r} (it names {listed})",
            location="milestone",
        )
    return clean


def _worker(session: Session, principal: Principal, user_id: int | None) -> User:
    """Whose time it is: the principal's own, or (for an owner) another active
    provider user's."""
    me = active_user(session, principal)
    require_provider(principal, "record time")
    if user_id is None or user_id == me.id:
        return me
    require_owner(principal, "record time for someone else")
    user = session.get(User, user_id)
    if user is None or user.workspace_id != principal.workspace_id:
        raise NotFound(f"user {user_id} not found")
    if user.role is Role.CLIENT or user.disabled_at is not None:
        raise InvalidInput(
            f"{user.email} is not an active member of the provider's team",
            location="user",
        )
    return user


def _snapshot(entry: TimeEntry) -> dict[str, Any]:
    """An entry's fields as the audit log keeps them."""

    def iso(at: datetime | None) -> str | None:
        return None if at is None else at.isoformat()

    return {
        "user_id": entry.user_id,
        "client_id": entry.client_id,
        "ticket_id": entry.ticket_id,
        "milestone_key": entry.milestone_key,
        "worked_at": iso(entry.worked_at),
        "started_at": iso(entry.started_at),
        "ended_at": iso(entry.ended_at),
        "seconds": entry.seconds,
        "note": entry.note,
        "billable": entry.billable,
        "source": entry.source,
        "external_id": entry.external_id,
    }


def _audit(
    session: Session,
    principal: Principal,
    entry: TimeEntry,
    action: str,
    now: datetime,
    payload: dict[str, Any],
) -> None:
    audit.record(
        session,
        workspace_id=entry.workspace_id,
        actor_id=principal.user_id,
        now=now,
        action=f"time_entry.{action}",
        object_type="time_entry",
        object_id=entry.id,
        payload=payload,
    )


# -- timers ------------------------------------------------------------------------


def running_timer(session: Session, principal: Principal) -> RunningTimer | None:
    """The principal's running timer (None when none runs)."""
    active_user(session, principal)
    return session.scalars(
        select(RunningTimer).where(
            RunningTimer.workspace_id == principal.workspace_id,
            RunningTimer.user_id == principal.user_id,
        )
    ).first()


def timer_read(session: Session, timer: RunningTimer, now: datetime) -> TimerRead:
    """A running timer as its read model: how long it has run at `now`."""
    client = session.get(Client, timer.client_id)
    ticket = None if timer.ticket_id is None else session.get(Ticket, timer.ticket_id)
    return TimerRead.of(
        timer,
        now,
        client_name="?" if client is None else client.name,
        ticket_key=None if ticket is None else ticket.key,
    )


def current_timer(
    session: Session, principal: Principal, now: datetime
) -> TimerCurrentRead:
    """The principal's running timer (`timer` None when none runs)."""
    timer = running_timer(session, principal)
    return TimerCurrentRead(
        timer=None if timer is None else timer_read(session, timer, now)
    )


def start_timer(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    ticket_id: int | None = None,
    milestone_key: str | None = None,
    note: str = "",
    billable: bool = True,
    now: datetime,
) -> RunningTimer:
    """Start the principal's timer for a client; a second running timer is
    refused (Conflict), by the database too (`running_timer.user_id` is unique)."""
    write_lock(session, principal.workspace_id)
    user = _worker(session, principal, None)
    client = visible_client(session, principal, client_id)
    ticket = _ticket(session, client, ticket_id)
    milestone = _milestone(session, principal, client, milestone_key, now)
    clean_note = _note(note)
    running = running_timer(session, principal)
    if running is not None:
        raise Conflict(_already_running(session, running))
    timer = RunningTimer(
        workspace_id=client.workspace_id,
        user_id=user.id,
        client_id=client.id,
        ticket_id=ticket,
        milestone_key=milestone,
        note=clean_note,
        billable=billable,
        started_at=_second(now),
    )
    try:
        with session.begin_nested():
            session.add(timer)
    except IntegrityError:  # another start committed first
        raise Conflict(
            f"a timer is already running for {user.email}; stop it first"
            " (`slakeeper time stop`)"
        ) from None
    return timer


def _already_running(session: Session, timer: RunningTimer) -> str:
    client = session.get(Client, timer.client_id)
    name = "a client" if client is None else client.name
    return (
        f"a timer is already running for {name} since"
        f" {timer.started_at.isoformat()}; stop it first (`slakeeper time stop`)"
    )


def stop_timer(
    session: Session,
    principal: Principal,
    *,
    note: str | None = None,
    now: datetime,
) -> TimeEntry:
    """Stop the principal's timer: its time becomes an entry (source `timer`,
    raw seconds, which may be 0). Stopping when no timer runs (stopping twice)
    is a Conflict. A `note` given here replaces the one given at the start."""
    write_lock(session, principal.workspace_id)
    user = active_user(session, principal)
    timer = running_timer(session, principal)
    if timer is None:
        raise Conflict(
            f"no timer is running for {user.email}: it was never started or has"
            " been stopped already (see `slakeeper time list`)"
        )
    end = _second(now)
    if end < timer.started_at:
        raise InvalidInput(
            f"the timer started at {timer.started_at.isoformat()}, after"
            f" {end.isoformat()}",
            location="now",
        )
    clean_note = timer.note if note is None or not note.strip() else _note(note)
    gone = session.execute(
        delete(RunningTimer)
        .where(RunningTimer.id == timer.id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(gone) != 1:  # a concurrent stop won
        raise Conflict(f"the timer of {user.email} has been stopped already")
    session.expunge(timer)
    entry = TimeEntry(
        workspace_id=timer.workspace_id,
        client_id=timer.client_id,
        user_id=timer.user_id,
        ticket_id=timer.ticket_id,
        milestone_key=timer.milestone_key,
        worked_at=timer.started_at,
        started_at=timer.started_at,
        ended_at=end,
        seconds=int((end - timer.started_at).total_seconds()),
        note=clean_note,
        billable=timer.billable,
        source="timer",
        external_id=None,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    _audit(session, principal, entry, "added", now, {"after": _snapshot(entry)})
    return entry


# -- entries -----------------------------------------------------------------------


def add_entry(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    duration: timedelta | None = None,
    worked_at: datetime | None = None,
    note: str = "",
    billable: bool = True,
    ticket_id: int | None = None,
    milestone_key: str | None = None,
    user_id: int | None = None,
    source: str = "manual",
    external_id: str | None = None,
    now: datetime,
) -> TimeEntry:
    """Record time worked for a client: from `started_at` to `ended_at`, or a
    `duration` dated by `worked_at` (default `now`).

    Refused (InvalidInput): an end not after the start, a duration under one
    second, time in the future, a ticket of another client, a milestone the
    agreement in force does not name, an unknown source (`timer` entries come
    from stopping a timer). An `external_id` already recorded from the same
    source is a Conflict (imports run twice create nothing twice).
    """
    user = _worker(session, principal, user_id)
    client = visible_client(session, principal, client_id)
    src = _source(source)
    if src == "timer":
        raise InvalidInput(
            "timer entries come from starting and stopping a timer",
            location="source",
        )
    span = _span(started_at, ended_at, duration, worked_at, now)
    clean_note = _note(note)
    ticket = _ticket(session, client, ticket_id)
    milestone = _milestone(session, principal, client, milestone_key, span.worked_at)
    ext = _external_id(external_id)
    if ext is not None:
        _refuse_duplicate(session, client.workspace_id, src, ext)
    entry = _row(client, user.id, span, clean_note, billable, src, ext, now)
    entry.ticket_id, entry.milestone_key = ticket, milestone
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # the same external id, committed meanwhile
        if ext is not None:
            _refuse_duplicate(session, client.workspace_id, src, ext)
        raise
    _audit(session, principal, entry, "added", now, {"after": _snapshot(entry)})
    return entry


def _refuse_duplicate(
    session: Session, workspace_id: int, source: str, ext: str
) -> None:
    found = _stored_ids(session, workspace_id, [(source, ext)])
    if found:
        raise _duplicate(found[source, ext], source, ext)


def _duplicate(entry_id: int, source: str, ext: str) -> Conflict:
    return Conflict(
        f"time entry {entry_id} from {source} already has the external id {ext!r}"
    )


def _stored_ids(
    session: Session, workspace_id: int, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The entries (by id) already recorded in the workspace with these (source,
    external id) pairs: one query per source and 500 ids."""
    wanted: dict[str, set[str]] = {}
    for source, ext in pairs:
        wanted.setdefault(source, set()).add(ext)
    found: dict[tuple[str, str], int] = {}
    for source, ids in wanted.items():
        ordered = sorted(ids)
        for i in range(0, len(ordered), 500):
            rows = session.execute(
                select(TimeEntry.external_id, TimeEntry.id).where(
                    TimeEntry.workspace_id == workspace_id,
                    TimeEntry.source == source,
                    TimeEntry.external_id.in_(ordered[i : i + 500]),
                )
            )
            found.update(((source, ext), entry_id) for ext, entry_id in rows if ext)
    return found


def stored_external_ids(
    session: Session, principal: Principal, pairs: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The (source, external id) pairs already recorded in the principal's
    workspace (what an import has imported before)."""
    active_user(session, principal)
    require_provider(principal, "import time")
    return set(_stored_ids(session, principal.workspace_id, pairs))


def entries_worked(
    session: Session,
    principal: Principal,
    client_id: int,
    *,
    since: datetime,
    until: datetime,
    sources: Iterable[str] | None = None,
    external_prefix: str | None = None,
    billable_only: bool = False,
) -> list[TimeEntry]:
    """A client's entries worked in `[since, until)` (by `worked_at`, then id),
    as the principal may see them: only these `sources`, only external ids that
    start with `external_prefix`, only billable ones when asked (what the Upwork
    sync compares and the reconciliation adds up)."""
    active_user(session, principal)
    visible_client(session, principal, client_id)
    query = scoped(select(TimeEntry), TimeEntry, principal).where(
        TimeEntry.client_id == client_id,
        TimeEntry.worked_at >= since,
        TimeEntry.worked_at < until,
    )
    if sources is not None:
        query = query.where(TimeEntry.source.in_(list(sources)))
    if external_prefix is not None:
        query = query.where(TimeEntry.external_id.startswith(external_prefix))
    if billable_only:
        query = query.where(TimeEntry.billable.is_(True))
    return list(session.scalars(query.order_by(TimeEntry.worked_at, TimeEntry.id)))


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One entry of a batch (`add_entries`), as `add_entry` takes it."""

    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration: timedelta | None = None
    worked_at: datetime | None = None
    note: str = ""
    billable: bool = True
    user_id: int | None = None
    source: str = "manual"
    external_id: str | None = None


def add_entries(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    entries: Sequence[NewEntry],
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> list[TimeEntry | AppError]:
    """Record a batch of entries of one client (an import) in the caller's
    transaction, under the workspace's write lock: each is checked as
    `add_entry` checks it, and one that is refused is answered by its error in
    its place while the others are recorded. An external id already recorded
    from the same source, or given twice in the batch, is a Conflict, checked
    for the whole batch at once. The entries are written in one flush, each
    with its audit entry; `progress(done, total)` follows the audit entries."""
    write_lock(session, principal.workspace_id)
    active_user(session, principal)
    require_provider(principal, "record time")
    client = visible_client(session, principal, client_id)
    workers: dict[int | None, int | AppError] = {}
    answers: list[TimeEntry | AppError] = []
    for new in entries:
        try:
            answers.append(_new_entry(session, principal, client, new, workers, now))
        except AppError as exc:
            answers.append(exc)
    fresh = [e for e in answers if isinstance(e, TimeEntry)]
    stored = _stored_ids(
        session,
        client.workspace_id,
        ((e.source, e.external_id) for e in fresh if e.external_id is not None),
    )
    first: dict[tuple[str, str], TimeEntry] = {}
    for i, entry in enumerate(answers):
        if not isinstance(entry, TimeEntry) or entry.external_id is None:
            continue
        key = (entry.source, entry.external_id)
        if key in stored:
            answers[i] = _duplicate(stored[key], *key)
        elif key in first:
            answers[i] = Conflict(
                f"the external id {key[1]!r} from {key[0]} is given twice"
            )
        else:
            first[key] = entry
    written = [e for e in answers if isinstance(e, TimeEntry)]
    try:
        with session.begin_nested():
            session.add_all(written)
    except IntegrityError:  # the same external id, committed meanwhile
        raise Conflict(
            "some of these entries were recorded meanwhile; run the import again"
        ) from None
    for done, entry in enumerate(written, start=1):
        _audit(session, principal, entry, "added", now, {"after": _snapshot(entry)})
        if progress is not None:
            progress(done, len(written))
    return answers


def _new_entry(
    session: Session,
    principal: Principal,
    client: Client,
    new: NewEntry,
    workers: dict[int | None, int | AppError],
    now: datetime,
) -> TimeEntry:
    """An entry of a batch, checked as `add_entry` checks one (whose time it
    is: looked up once per person)."""
    if new.user_id not in workers:
        try:
            workers[new.user_id] = _worker(session, principal, new.user_id).id
        except AppError as exc:
            workers[new.user_id] = exc
    worker = workers[new.user_id]
    if isinstance(worker, AppError):
        raise worker
    src = _source(new.source)
    if src == "timer":
        raise InvalidInput(
            "timer entries come from starting and stopping a timer",
            location="source",
        )
    span = _span(new.started_at, new.ended_at, new.duration, new.worked_at, now)
    ext = _external_id(new.external_id)
    return _row(client, worker, span, _note(new.note), new.billable, src, ext, now)


def _row(
    client: Client,
    user_id: int,
    span: _Span,
    note: str,
    billable: bool,
    source: str,
    external_id: str | None,
    now: datetime,
) -> TimeEntry:
    """A new entry of checked values (no ticket, no milestone yet)."""
    return TimeEntry(
        workspace_id=client.workspace_id,
        client_id=client.id,
        user_id=user_id,
        ticket_id=None,
        milestone_key=None,
        worked_at=span.worked_at,
        started_at=span.started_at,
        ended_at=span.ended_at,
        seconds=span.seconds,
        note=note,
        billable=billable,
        source=source,
        external_id=external_id,
        created_at=now,
        updated_at=now,
    )


def check_worker(session: Session, principal: Principal, user_id: int) -> None:
    """Refuse (as `add_entry` would) time booked to this user by the principal:
    PermissionDenied, NotFound or InvalidInput."""
    _worker(session, principal, user_id)


def get_entry(session: Session, principal: Principal, entry_id: int) -> TimeEntry:
    active_user(session, principal)
    return visible(session, principal, TimeEntry, entry_id, "time entry")


def list_entries(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    user_id: int | None = None,
    ticket_id: int | None = None,
    from_at: datetime | None = None,
    to_at: datetime | None = None,
    billable: bool | None = None,
    approved: bool | None = None,
    source: str | None = None,
    page: Page | None = None,
) -> EntryList:
    """The entries the principal may see that match every filter given, by
    `worked_at`, with their totals (raw seconds, and the billable ones). The
    period is `[from_at, to_at)` on `worked_at`. With a `page`, the entries are
    only its rows, by id (`services.pages`); the totals still cover every
    matching entry."""
    active_user(session, principal)
    where: list[Any] = [scoped(select(TimeEntry), TimeEntry, principal).whereclause]
    if client_id is not None:
        where.append(
            TimeEntry.client_id == visible_client(session, principal, client_id).id
        )
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or user.workspace_id != principal.workspace_id:
            raise NotFound(f"user {user_id} not found")
        where.append(TimeEntry.user_id == user_id)
    if ticket_id is not None:
        where.append(TimeEntry.ticket_id == ticket_id)
    if from_at is not None:
        where.append(TimeEntry.worked_at >= _aware(from_at, "from"))
    if to_at is not None:
        where.append(TimeEntry.worked_at < _aware(to_at, "to"))
    if from_at is not None and to_at is not None and to_at <= from_at:
        raise InvalidInput("the period ends before it starts", location="to")
    if billable is not None:
        where.append(TimeEntry.billable.is_(billable))
    if approved is not None:
        where.append(
            TimeEntry.approved_at.is_not(None)
            if approved
            else TimeEntry.approved_at.is_(None)
        )
    if source is not None:
        where.append(TimeEntry.source == _source(source))
    query = in_page(
        select(TimeEntry).where(*where),
        page,
        TimeEntry.id,
        TimeEntry.worked_at,
        TimeEntry.id,
    )
    entries = _reads(session.execute(_labelled(query)))
    return EntryList(entries, _totals(session, where))


def _totals(session: Session, where: Sequence[Any]) -> TimeTotalsRead:
    billable = func.sum(
        case((TimeEntry.billable.is_(True), TimeEntry.seconds), else_=0)
    )
    count, seconds, billable_seconds = session.execute(
        select(func.count(TimeEntry.id), func.sum(TimeEntry.seconds), billable).where(
            *where
        )
    ).one()
    return TimeTotalsRead(
        count=int(count),
        seconds=int(seconds or 0),
        billable_seconds=int(billable_seconds or 0),
    )


def _editable(session: Session, principal: Principal, entry_id: int) -> TimeEntry:
    """An entry the principal may change: their own (an owner: anyone's), and
    not locked by approval or an invoice."""
    entry = get_entry(session, principal, entry_id)
    require_provider(principal, "change time entries")
    if entry.user_id != principal.user_id:
        require_owner(principal, "change another person's time")
    status = entry_status(entry)
    if status is EntryStatus.INVOICED:
        raise Conflict(
            f"time entry {entry.id} is on invoice {entry.invoice_id}; invoiced"
            " entries are locked (cancel the invoice by credit note first)"
        )
    if status is EntryStatus.APPROVED:
        assert entry.approved_at is not None
        raise Conflict(
            f"time entry {entry.id} was approved at {entry.approved_at.isoformat()};"
            " approved entries are locked"
        )
    return entry


_UNLOCKED = (TimeEntry.approved_at.is_(None), TimeEntry.invoice_id.is_(None))


def edit_entry(
    session: Session,
    principal: Principal,
    entry_id: int,
    *,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    duration: timedelta | None = None,
    worked_at: datetime | None = None,
    note: str | None = None,
    billable: bool | None = None,
    now: datetime,
) -> TimeEntry:
    """Change an entry's time, note or billable flag (None: unchanged); refused
    (Conflict) once it is approved or invoiced.

    Time: a new start or end replaces that end of a timed entry; a `duration`
    sets the end after the start (a timed entry) or the duration (an entry given
    as a duration, which may also be re-dated with `worked_at`). Giving both the
    end and a duration is refused.
    """
    entry = _editable(session, principal, entry_id)
    if all(v is None for v in (started_at, ended_at, duration, worked_at)):
        span = _Span(entry.worked_at, entry.started_at, entry.ended_at, entry.seconds)
    elif duration is not None and ended_at is not None:
        raise InvalidInput(
            "give the end or the duration, not both", location="duration"
        )
    elif entry.started_at is not None or started_at is not None:
        start = started_at or entry.started_at
        if duration is not None:
            if duration < SECOND:
                raise InvalidInput(
                    f"a duration must be at least one second, not {duration}",
                    location="duration",
                )
            assert start is not None
            end: datetime | None = _aware(start, "started_at") + duration
        else:
            end = ended_at or entry.ended_at
        span = _span(start, end, None, worked_at, now)
    elif ended_at is not None:
        span = _span(None, ended_at, None, None, now)  # says: give both
    else:
        seconds = timedelta(seconds=entry.seconds) if duration is None else duration
        span = _span(None, None, seconds, worked_at or entry.worked_at, now)
    changes: dict[str, Any] = {
        "worked_at": span.worked_at,
        "started_at": span.started_at,
        "ended_at": span.ended_at,
        "seconds": span.seconds,
    }
    if note is not None:
        changes["note"] = _note(note)
    if billable is not None:
        changes["billable"] = billable
    before = _snapshot(entry)
    changed = {k: v for k, v in changes.items() if getattr(entry, k) != v}
    if not changed:
        return entry
    result = session.execute(
        update(TimeEntry)
        .where(TimeEntry.id == entry.id, *_UNLOCKED)
        .values(**changed, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise Conflict(f"time entry {entry.id} was approved or invoiced meanwhile")
    session.refresh(entry)
    after = _snapshot(entry)
    _audit(
        session,
        principal,
        entry,
        "edited",
        now,
        {
            "before": {k: before[k] for k in changed},
            "after": {k: after[k] for k in changed},
        },
    )
    return entry


def delete_entry(
    session: Session, principal: Principal, entry_id: int, *, now: datetime
) -> None:
    """Delete an entry; refused (Conflict) once it is approved or invoiced. The
    audit log keeps what it was."""
    entry = _editable(session, principal, entry_id)
    before = _snapshot(entry)
    result = session.execute(
        delete(TimeEntry)
        .where(TimeEntry.id == entry.id, *_UNLOCKED)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise Conflict(f"time entry {entry.id} was approved or invoiced meanwhile")
    session.expunge(entry)
    _audit(session, principal, entry, "deleted", now, {"before": before})


# -- approval ----------------------------------------------------------------------


def _refusal(
    principal: Principal, email: str, version: AgreementVersion | None
) -> str | None:
    """Why the principal may not approve time under `version` (None: they may)."""
    role = None if version is None else version_terms(version).time.approved_by
    if role is None:
        if principal.role is Role.OWNER:
            return None
        return (
            "the provider's owner approves it (the agreement in force names no"
            " billing.timesheets.approved_by)"
        )
    assert version is not None
    holders = version_terms(version).holders(role)
    if role.startswith("provider."):
        if principal.role is Role.OWNER or (principal.is_provider and email in holders):
            return None
    elif principal.role is Role.CLIENT and email in holders:
        return None
    named = ", ".join(sorted(holders)) or "nobody holds that role"
    owner = " or the provider's owner" if role.startswith("provider.") else ""
    return (
        f"version {version.number} of the agreement has time approved by {role}"
        f" ({named}){owner}"
    )


def approve_period(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    from_at: datetime,
    to_at: datetime,
    now: datetime,
) -> TimeApprovalRead:
    """Approve every unapproved entry of a client worked in `[from_at, to_at)`;
    approved entries are locked.

    Steps:
    1. The period must be over (`to_at <= now`) and not empty.
    2. Each entry is governed by the agreement version in force at its
       `worked_at`; the principal must be allowed to approve by every version
       involved (by the version in force at the period's end when there is
       nothing to approve).
    3. The entries are approved with a compare-and-set update: an entry approved
       meanwhile by someone else makes the whole approval a Conflict.
    """
    user = active_user(session, principal)
    client = visible_client(session, principal, client_id)
    start = _aware(from_at, "from").astimezone(UTC)
    end = _aware(to_at, "to").astimezone(UTC)
    if end <= start:
        raise InvalidInput("the period ends before it starts", location="to")
    _not_future(end, now, "to")
    entries = list(
        session.scalars(
            select(TimeEntry)
            .where(
                TimeEntry.workspace_id == client.workspace_id,
                TimeEntry.client_id == client.id,
                TimeEntry.worked_at >= start,
                TimeEntry.worked_at < end,
                TimeEntry.approved_at.is_(None),
            )
            .order_by(TimeEntry.worked_at, TimeEntry.id)
        ).all()
    )
    versions = versions_during(session, client.id, start, end)
    governing = {versions.at(e.worked_at) for e in entries} or {
        versions.at(end - timedelta(microseconds=1))
    }
    email = user.email.lower()
    for version in sorted(governing, key=lambda v: -1 if v is None else v.number):
        reason = _refusal(principal, email, version)
        if reason is not None:
            raise PermissionDenied(
                f"{user.email} may not approve the time of {client.name}: {reason}"
            )
    ids = [e.id for e in entries]
    if ids:
        result = session.execute(
            update(TimeEntry)
            .where(TimeEntry.id.in_(ids), TimeEntry.approved_at.is_(None))
            .values(approved_at=now, approved_by_id=user.id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) != len(ids):
            raise Conflict("some of these entries were approved meanwhile; try again")
    seconds = sum(e.seconds for e in entries)
    billable = sum(e.seconds for e in entries if e.billable)
    totals = TimeTotalsRead(
        count=len(entries), seconds=seconds, billable_seconds=billable
    )
    if ids:  # nothing approved, nothing changed
        audit.record(
            session,
            workspace_id=client.workspace_id,
            actor_id=user.id,
            now=now,
            action="time_entry.approved",
            object_type="client",
            object_id=client.id,
            payload={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "entry_ids": ids,
                "seconds": seconds,
                "billable_seconds": billable,
            },
        )
    return TimeApprovalRead(
        client_id=client.id,
        from_=start,
        to=end,
        approved_at=now,
        approved_by_id=user.id,
        entry_ids=ids,
        totals=totals,
    )
