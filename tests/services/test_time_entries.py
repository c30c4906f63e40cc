"""Time tracking on both backends: timers (one per user, by the database too),
entries from a start and an end or a duration, lists with filters and totals,
edits refused once approved or invoiced, who approves per the agreement in
force, other tenants' entries unseen, and bad input that changes nothing."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import (
    AgreementVersion,
    AuditEntry,
    RunningTimer,
    TimeEntry,
)
from slakeeper.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from slakeeper.services import agreements, tickets
from slakeeper.services import time_entries as svc
from slakeeper.services.access import Principal
from slakeeper.services.views.time import TimeApprovalRead, TimeTotalsRead
from tests.factories import Cast, World, activate, example_text, make_cast, make_world

# Monday 4 January 2027, 09:00 UTC (10:00 in Berlin); the agreement with Acme is
# in force from 2 January 2027
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)  # `now` of most calls
H = timedelta(hours=1)
M = timedelta(minutes=1)
JANUARY = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))

CLIENT_APPROVES = example_text().replace(
    "  invoice: {every: month",
    "  timesheets: {approved_by: client.approver}\n  invoice: {every: month",
)
ACCOUNTANT_APPROVES = (
    example_text()
    .replace(
        "      - {name: Jane Doe, email: jane@janedoe.example, role: lead}",
        "      - {name: Jane Doe, email: jane@janedoe.example, role: lead}\n"
        "      - {name: Sam, email: sam@janedoe.example, role: accountant}",
    )
    .replace(
        "  invoice: {every: month",
        "  timesheets: {approved_by: provider.accountant}\n  invoice: {every: month",
    )
)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world


@pytest.fixture
def cast(world: World) -> Cast:
    return world.cast


@pytest.fixture(scope="module")
def refusing(module_sessions: sessionmaker[Session]) -> Cast:
    """`cast` once per backend for the refused entries, which each check that
    the workspace still has no entry and no time audit entry."""
    with module_sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world.cast


def world_with(sessions: sessionmaker[Session], body: str) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast, body)
        return world


def add(
    sessions: sessionmaker[Session],
    who: Principal,
    cast: Cast,
    *,
    start: datetime = T0,
    minutes: int = 60,
    now: datetime = LATER,
    **kw: Any,
) -> int:
    with sessions.begin() as s:
        entry = svc.add_entry(
            s,
            who,
            client_id=kw.pop("client_id", cast.acme_id),
            started_at=start,
            ended_at=start + minutes * M,
            now=now,
            **kw,
        )
        return entry.id


def entry_row(sessions: sessionmaker[Session], entry_id: int) -> TimeEntry:
    with sessions() as s:
        entry = s.get(TimeEntry, entry_id)
        assert entry is not None
        s.expunge(entry)
        return entry


def count(sessions: sessionmaker[Session], cast: Cast, row: type[Any]) -> int:
    with sessions() as s:
        where = row.workspace_id == cast.workspace_id
        return int(s.scalar(select(func.count()).select_from(row).where(where)) or 0)


def audit_actions(sessions: sessionmaker[Session], cast: Cast) -> list[str]:
    with sessions() as s:
        return [
            a
            for a in s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.workspace_id == cast.workspace_id)
                .order_by(AuditEntry.seq)
            ).all()
            if a.startswith("time_entry.")
        ]


def totals(count: int, seconds: int, billable_seconds: int) -> TimeTotalsRead:
    return TimeTotalsRead(
        count=count, seconds=seconds, billable_seconds=billable_seconds
    )


def listed(sessions: sessionmaker[Session], who: Principal, **kw: Any) -> svc.EntryList:
    with sessions() as s:
        return svc.list_entries(s, who, **kw)


def approve(
    sessions: sessionmaker[Session],
    who: Principal,
    cast: Cast,
    period: tuple[datetime, datetime] = JANUARY,
    now: datetime = LATER,
) -> TimeApprovalRead:
    with sessions.begin() as s:
        return svc.approve_period(
            s,
            who,
            client_id=cast.acme_id,
            from_at=period[0],
            to_at=period[1],
            now=now,
        )


# -- timers --------------------------------------------------------------------------


def test_a_timer_runs_until_stopped_and_becomes_an_entry(sessions, cast):
    with sessions.begin() as s:
        timer = svc.start_timer(
            s, cast.sam, client_id=cast.acme_id, note="checkout bug", now=T0
        )
        assert timer.started_at == T0
    with sessions() as s:
        running = svc.running_timer(s, cast.sam)
        assert running is not None
        assert (running.client_id, running.note) == (cast.acme_id, "checkout bug")
        assert svc.running_timer(s, cast.jane) is None
    with sessions.begin() as s:
        entry = svc.stop_timer(s, cast.sam, now=T0 + 90 * M + timedelta(seconds=7.9))
        entry_id = entry.id
    got = entry_row(sessions, entry_id)
    assert (got.source, got.seconds, got.note, got.billable) == (
        "timer",
        90 * 60 + 7,
        "checkout bug",
        True,
    )
    assert (got.started_at, got.worked_at) == (T0, T0)
    assert got.ended_at == T0 + 90 * M + timedelta(seconds=7)
    assert got.user_id == cast.sam.user_id
    with sessions() as s:
        assert svc.running_timer(s, cast.sam) is None
    assert audit_actions(sessions, cast) == ["time_entry.added"]


def test_stopping_twice_is_a_clear_error(sessions, cast):
    with sessions.begin() as s:
        svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0)
    with sessions.begin() as s:
        svc.stop_timer(s, cast.jane, note="done", now=T0 + H)
    with (
        sessions.begin() as s,
        pytest.raises(Conflict, match=r"no timer is running for jane@janedoe\.example"),
    ):
        svc.stop_timer(s, cast.jane, now=T0 + 2 * H)
    assert count(sessions, cast, TimeEntry) == 1
    assert listed(sessions, cast.jane).entries[0].note == "done"


def test_one_running_timer_per_user(sessions, cast):
    with sessions.begin() as s:
        svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0)
    with (
        sessions.begin() as s,
        pytest.raises(Conflict, match="already running for Acme GmbH since"),
    ):
        svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0 + M)
    with sessions.begin() as s:  # another user runs their own
        svc.start_timer(s, cast.sam, client_id=cast.acme_id, now=T0 + M)
    assert count(sessions, cast, RunningTimer) == 2


def test_the_database_itself_allows_one_running_timer_per_user(sessions, cast):
    with sessions.begin() as s:
        svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0)
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(
            RunningTimer(
                workspace_id=cast.workspace_id,
                user_id=cast.jane.user_id,
                client_id=cast.acme_id,
                note="",
                billable=True,
                started_at=T0 + H,
            )
        )
    assert count(sessions, cast, RunningTimer) == 1


@pytest.mark.parametrize("action", ["start", "stop"])
def test_two_starts_or_stops_at_once_do_it_once(sessions, cast, action):
    if action == "stop":
        with sessions.begin() as s:
            svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run() -> None:
        barrier.wait()
        try:
            with sessions.begin() as s:
                if action == "start":
                    svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0)
                else:
                    svc.stop_timer(s, cast.jane, now=T0 + H)
                time.sleep(0.2)  # hold the transaction while the other waits
            results.append("done")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["conflict", "done"]
    assert count(sessions, cast, RunningTimer) == (1 if action == "start" else 0)
    assert count(sessions, cast, TimeEntry) == (0 if action == "start" else 1)


def test_a_timer_stopped_at_once_records_zero_seconds(sessions, cast):
    with sessions.begin() as s:
        svc.start_timer(s, cast.jane, client_id=cast.acme_id, now=T0)
        entry = svc.stop_timer(s, cast.jane, now=T0 + timedelta(microseconds=900))
        assert entry.seconds == 0


def test_clients_cannot_run_timers_and_tickets_must_be_the_clients(sessions, world):
    cast = world.cast
    with sessions.begin() as s, pytest.raises(PermissionDenied):
        svc.start_timer(s, cast.max, client_id=cast.acme_id, now=T0)
    with sessions.begin() as s:
        other = tickets.open_ticket(
            s, cast.jane, client_id=cast.acme_id, title="Shop down", now=T0
        )
        ticket_id = other.id
    with sessions.begin() as s, pytest.raises(InvalidInput, match="not a ticket of"):
        svc.start_timer(
            s, cast.jane, client_id=world.globex_id, ticket_id=ticket_id, now=T0
        )
    with sessions.begin() as s:
        timer = svc.start_timer(
            s, cast.jane, client_id=cast.acme_id, ticket_id=ticket_id, now=T0 + M
        )
        assert timer.ticket_id == ticket_id
        assert svc.stop_timer(s, cast.jane, now=T0 + H).ticket_id == ticket_id
    assert count(sessions, cast, RunningTimer) == 0


# -- adding and listing --------------------------------------------------------------


def test_an_entry_from_a_start_and_an_end_keeps_whole_seconds(sessions, cast):
    berlin = timezone(timedelta(hours=1))
    with sessions.begin() as s:
        entry = svc.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            started_at=datetime(2027, 1, 4, 10, 0, 0, 700_000, tzinfo=berlin),
            ended_at=datetime(2027, 1, 4, 11, 30, 15, 200_000, tzinfo=berlin),
            note="  Call with Max  ",
            milestone_key="launch",
            now=LATER,
        )
        entry_id = entry.id
    got = entry_row(sessions, entry_id)
    assert got.started_at == T0
    assert got.ended_at == T0 + 90 * M + timedelta(seconds=15)
    assert got.seconds == 90 * 60 + 15
    assert (got.note, got.source, got.milestone_key) == (
        "Call with Max",
        "manual",
        "launch",
    )
    assert (got.approved_at, got.invoice_id) == (None, None)


def test_an_entry_given_as_a_duration_is_dated_when_recorded(sessions, cast):
    with sessions.begin() as s:
        dated = svc.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            duration=timedelta(hours=1, minutes=30),
            worked_at=T0,
            billable=False,
            now=LATER,
        )
        undated = svc.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            duration=45 * M,
            source="import:harvest",
            external_id="h-1",
            now=LATER + timedelta(microseconds=5),
        )
        ids = dated.id, undated.id
    first, second = entry_row(sessions, ids[0]), entry_row(sessions, ids[1])
    assert (first.worked_at, first.started_at, first.ended_at) == (T0, None, None)
    assert (first.seconds, first.billable) == (5400, False)
    assert (second.worked_at, second.seconds) == (LATER, 2700)
    assert (second.source, second.external_id) == ("import:harvest", "h-1")


def test_lists_filter_and_total_raw_seconds(sessions, world):
    cast = world.cast
    day2 = T0 + 24 * H
    a = add(sessions, cast.jane, cast, minutes=60)
    b = add(sessions, cast.jane, cast, start=day2, minutes=30, billable=False)
    c = add(sessions, cast.sam, cast, start=day2 + H, minutes=45)
    g = add(sessions, cast.jane, cast, client_id=world.globex_id, minutes=20)
    add(sessions, world.foreign.jane, world.foreign, minutes=10)

    def ids(result: svc.EntryList) -> list[int]:
        return [e.id for e in result.entries]

    everything = listed(sessions, cast.jane)
    assert ids(everything) == [a, g, b, c]  # by the time worked
    assert everything.totals == totals(4, (60 + 30 + 45 + 20) * 60, 125 * 60)
    acme = listed(sessions, cast.sam, client_id=cast.acme_id)
    assert ids(acme) == [a, b, c]
    assert acme.totals == totals(3, 135 * 60, 105 * 60)
    assert ids(listed(sessions, cast.jane, user_id=cast.sam.user_id)) == [c]
    assert ids(listed(sessions, cast.jane, billable=False)) == [b]
    assert ids(listed(sessions, cast.jane, from_at=day2)) == [b, c]
    assert ids(listed(sessions, cast.jane, to_at=day2 + H)) == [a, g, b]
    assert ids(listed(sessions, cast.jane, source="timer")) == []
    assert ids(listed(sessions, cast.jane, approved=False)) == [a, g, b, c]
    assert ids(listed(sessions, cast.jane, approved=True)) == []
    nothing = listed(sessions, cast.jane, from_at=LATER)
    assert nothing.totals == totals(0, 0, 0)
    with sessions() as s, pytest.raises(InvalidInput, match="ends before it starts"):
        svc.list_entries(s, cast.jane, from_at=day2, to_at=T0)
    with sessions() as s, pytest.raises(InvalidInput, match="unknown source"):
        svc.list_entries(s, cast.jane, source="toggl")


def test_owners_record_for_others_staff_only_for_themselves(sessions, world):
    cast = world.cast
    entry = add(sessions, cast.jane, cast, user_id=cast.sam.user_id)
    assert entry_row(sessions, entry).user_id == cast.sam.user_id
    with sessions.begin() as s, pytest.raises(PermissionDenied, match="owner"):
        svc.add_entry(
            s,
            cast.sam,
            client_id=cast.acme_id,
            duration=H,
            user_id=cast.jane.user_id,
            now=LATER,
        )
    for user, error in (
        (cast.max.user_id, InvalidInput),
        (world.dora.user_id, InvalidInput),
        (world.foreign.sam.user_id, NotFound),
    ):
        with sessions.begin() as s, pytest.raises(error):
            svc.add_entry(
                s,
                cast.jane,
                client_id=cast.acme_id,
                duration=H,
                user_id=user,
                now=LATER,
            )
    assert count(sessions, cast, TimeEntry) == 1


def test_client_contacts_see_their_clients_entries_and_record_none(sessions, world):
    cast = world.cast
    acme = add(sessions, cast.sam, cast)
    add(sessions, cast.sam, cast, client_id=world.globex_id)
    assert [e.id for e in listed(sessions, cast.erika).entries] == [acme]
    with sessions() as s:
        assert svc.get_entry(s, cast.max, acme).id == acme
        for outsider in (world.olga, world.foreign.jane):
            with pytest.raises(NotFound):
                svc.get_entry(s, outsider, acme)
        with pytest.raises(NotFound):
            svc.list_entries(s, world.olga, client_id=cast.acme_id)
    with sessions.begin() as s, pytest.raises(PermissionDenied):
        svc.add_entry(s, cast.max, client_id=cast.acme_id, duration=H, now=LATER)
    for who in (cast.max, world.olga):
        with sessions.begin() as s, pytest.raises((PermissionDenied, NotFound)):
            svc.edit_entry(s, who, acme, note="cheaper", now=LATER)
    assert entry_row(sessions, acme).note == ""


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"started_at": T0, "ended_at": T0}, InvalidInput, "not after the start"),
        ({"started_at": T0, "ended_at": T0 - M}, InvalidInput, "not after the start"),
        ({"started_at": T0}, InvalidInput, "ended_at: give both"),
        ({"ended_at": T0}, InvalidInput, "started_at: give both"),
        ({}, InvalidInput, "or a duration"),
        ({"duration": timedelta(0)}, InvalidInput, "at least one second"),
        ({"duration": -H}, InvalidInput, "at least one second"),
        (
            {"started_at": T0, "ended_at": T0 + H, "duration": H},
            InvalidInput,
            "not both",
        ),
        ({"started_at": T0, "ended_at": LATER + M}, InvalidInput, "in the future"),
        ({"duration": H, "worked_at": LATER + M}, InvalidInput, "in the future"),
        (
            {"started_at": datetime(2027, 1, 4, 9), "ended_at": T0 + H},  # noqa: DTZ001
            InvalidInput,
            "no UTC offset",
        ),
        ({"duration": H, "source": "toggl"}, InvalidInput, "unknown source"),
        ({"duration": H, "source": "timer"}, InvalidInput, "stopping a timer"),
        ({"duration": H, "note": "x" * 2001}, InvalidInput, "at most 2000"),
        ({"duration": H, "external_id": " "}, InvalidInput, "external id"),
        ({"duration": H, "milestone_key": "moon"}, InvalidInput, "no milestone"),
        ({"duration": H, "ticket_id": -1}, NotFound, "ticket"),
        ({"duration": H, "client_id": -1}, NotFound, "client"),
    ],
)
def test_a_bad_entry_is_refused_and_changes_nothing(
    module_sessions, refusing, kw, error, match
):
    sessions, cast = module_sessions, refusing
    args = {"client_id": cast.acme_id, **kw}
    with sessions.begin() as s, pytest.raises(error, match=match):
        svc.add_entry(s, cast.jane, now=LATER, **args)
    assert count(sessions, cast, TimeEntry) == 0
    assert audit_actions(sessions, cast) == []


def test_an_external_id_is_recorded_once_per_source(sessions, cast, engine):
    add(sessions, cast.jane, cast, source="upwork_tracked", external_id="u-1")
    with sessions.begin() as s, pytest.raises(Conflict, match="external id 'u-1'"):
        svc.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            duration=H,
            source="upwork_tracked",
            external_id="u-1",
            now=LATER,
        )
    add(sessions, cast.jane, cast, source="upwork_manual", external_id="u-1")
    with sessions() as s:
        first = s.scalars(
            select(TimeEntry).where(TimeEntry.workspace_id == cast.workspace_id)
        ).first()
        assert first is not None
        columns = [c.name for c in TimeEntry.__table__.columns if c.name != "id"]
        copy = TimeEntry(**{c: getattr(first, c) for c in columns})
    with pytest.raises(IntegrityError), sessions.begin() as s:  # the database too
        s.add(copy)
    assert count(sessions, cast, TimeEntry) == 2


def test_a_batch_records_what_add_entry_would_and_answers_each_refusal(sessions, cast):
    """`add_entries` (imports): the rules of `add_entry` per entry, duplicates
    of stored and of batch ids refused at once, the rest recorded and audited."""
    first = add(sessions, cast.jane, cast, source="import:toggl", external_id="t-1")
    batch = [
        svc.NewEntry(
            duration=H, worked_at=T0, source="import:toggl", external_id="t-1"
        ),
        svc.NewEntry(
            duration=H, worked_at=T0, source="import:toggl", external_id="t-2"
        ),
        svc.NewEntry(
            duration=H, worked_at=T0, source="import:toggl", external_id="t-2"
        ),
        svc.NewEntry(duration=H, worked_at=LATER + H, source="import:toggl"),
        svc.NewEntry(duration=H, worked_at=T0, user_id=cast.max.user_id),
        svc.NewEntry(started_at=T0, ended_at=T0 + H, note=" Call ", source="manual"),
    ]
    with sessions.begin() as s:
        answers = svc.add_entries(
            s, cast.jane, client_id=cast.acme_id, entries=batch, now=LATER
        )
        messages = [a.message if isinstance(a, AppError) else None for a in answers]
        kept = [a for a in answers if isinstance(a, TimeEntry)]
        assert [(e.note, e.seconds, e.user_id) for e in kept] == [
            ("", 3600, cast.jane.user_id),
            ("Call", 3600, cast.jane.user_id),
        ]
    assert messages[:3] == [
        f"time entry {first} from import:toggl already has the external id 't-1'",
        None,
        "the external id 't-2' from import:toggl is given twice",
    ]
    assert "in the future" in str(messages[3])
    assert "not an active member" in str(messages[4])
    assert messages[5] is None
    assert count(sessions, cast, TimeEntry) == 3
    assert audit_actions(sessions, cast).count("time_entry.added") == 3
    with sessions.begin() as s, pytest.raises(PermissionDenied):
        svc.add_entries(s, cast.erika, client_id=cast.acme_id, entries=[], now=LATER)


@pytest.mark.parametrize(
    "bad",
    [
        {"seconds": -1},
        {"ended_at": None},
        {"ended_at": T0 - M},
    ],
)
def test_the_database_refuses_inconsistent_entries(sessions, cast, bad):
    fields: dict[str, Any] = {
        "workspace_id": cast.workspace_id,
        "client_id": cast.acme_id,
        "user_id": cast.jane.user_id,
        "worked_at": T0,
        "started_at": T0,
        "ended_at": T0 + H,
        "seconds": 3600,
        "note": "",
        "billable": True,
        "source": "manual",
        "created_at": T0,
        "updated_at": T0,
        **bad,
    }
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(TimeEntry(**fields))
    assert count(sessions, cast, TimeEntry) == 0


# -- editing and deleting -------------------------------------------------------------


def test_editing_an_entry_changes_it_and_is_audited(sessions, cast):
    entry = add(sessions, cast.sam, cast, minutes=60, note="first draft")
    with sessions.begin() as s:
        svc.edit_entry(
            s, cast.sam, entry, ended_at=T0 + 2 * H, note="mock-ups", now=LATER
        )
    got = entry_row(sessions, entry)
    assert (got.seconds, got.note, got.updated_at) == (7200, "mock-ups", LATER)
    with sessions.begin() as s:  # an owner edits anyone's
        svc.edit_entry(s, cast.jane, entry, duration=30 * M, billable=False, now=LATER)
    got = entry_row(sessions, entry)
    assert (got.ended_at, got.seconds, got.billable) == (T0 + 30 * M, 1800, False)
    with sessions.begin() as s:
        svc.edit_entry(s, cast.jane, entry, started_at=T0 - H, now=LATER)
    assert entry_row(sessions, entry).worked_at == T0 - H
    assert entry_row(sessions, entry).seconds == 5400
    with sessions() as s:
        edits = s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.workspace_id == cast.workspace_id,
                AuditEntry.action == "time_entry.edited",
            )
            .order_by(AuditEntry.seq)
        ).all()
    assert len(edits) == 3
    assert edits[0].actor_id == cast.sam.user_id
    assert '"before":{"ended_at":"2027-01-04T10:00:00+00:00"' in edits[0].payload
    assert '"note":"mock-ups"' in edits[0].payload
    assert edits[1].actor_id == cast.jane.user_id


def test_a_duration_entry_is_edited_as_a_duration(sessions, cast):
    with sessions.begin() as s:
        entry = svc.add_entry(
            s, cast.jane, client_id=cast.acme_id, duration=H, worked_at=T0, now=LATER
        ).id
    with sessions.begin() as s:
        svc.edit_entry(s, cast.jane, entry, duration=2 * H, worked_at=T0 + H, now=LATER)
    got = entry_row(sessions, entry)
    assert (got.seconds, got.worked_at, got.started_at) == (7200, T0 + H, None)
    with sessions.begin() as s, pytest.raises(InvalidInput, match="give both"):
        svc.edit_entry(s, cast.jane, entry, ended_at=T0 + 3 * H, now=LATER)
    with sessions.begin() as s:  # given a start and an end, it becomes timed
        svc.edit_entry(
            s, cast.jane, entry, started_at=T0, ended_at=T0 + 10 * M, now=LATER
        )
    got = entry_row(sessions, entry)
    assert (got.seconds, got.worked_at, got.ended_at) == (600, T0, T0 + 10 * M)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"ended_at": T0}, "not after the start"),
        ({"ended_at": T0 + H, "duration": H}, "not both"),
        ({"duration": timedelta(0)}, "at least one second"),
        ({"ended_at": LATER + H}, "in the future"),
        ({"worked_at": T0}, "counts at its start"),
        ({"note": "x" * 2001}, "at most 2000"),
    ],
)
def test_a_bad_edit_changes_nothing(sessions, cast, kw, match):
    entry = add(sessions, cast.jane, cast, note="as it was")
    with sessions.begin() as s, pytest.raises(InvalidInput, match=match):
        svc.edit_entry(s, cast.jane, entry, now=LATER, **kw)
    got = entry_row(sessions, entry)
    assert (got.seconds, got.note, got.updated_at) == (3600, "as it was", LATER)
    assert audit_actions(sessions, cast) == ["time_entry.added"]


def test_staff_change_only_their_own_entries(sessions, cast):
    janes = add(sessions, cast.jane, cast)
    with sessions.begin() as s, pytest.raises(PermissionDenied, match="owner"):
        svc.edit_entry(s, cast.sam, janes, note="mine now", now=LATER)
    with sessions.begin() as s, pytest.raises(PermissionDenied, match="owner"):
        svc.delete_entry(s, cast.sam, janes, now=LATER)
    assert entry_row(sessions, janes).note == ""


def test_deleting_an_entry_keeps_it_in_the_audit_log(sessions, cast):
    entry = add(sessions, cast.sam, cast, note="wrong client")
    with sessions.begin() as s:
        svc.delete_entry(s, cast.sam, entry, now=LATER)
    assert count(sessions, cast, TimeEntry) == 0
    assert audit_actions(sessions, cast) == ["time_entry.added", "time_entry.deleted"]
    with sessions() as s, pytest.raises(NotFound):
        svc.get_entry(s, cast.sam, entry)


def test_approved_and_invoiced_entries_are_locked(sessions, cast):
    approved = add(sessions, cast.jane, cast)
    approve(sessions, cast.jane, cast)
    invoiced = add(sessions, cast.jane, cast, start=LATER - H, minutes=30)
    with sessions.begin() as s:  # the invoice service (later) sets it
        row = s.get(TimeEntry, invoiced)
        assert row is not None
        row.invoice_id = 7
    for entry, match in (
        (approved, "approved entries are locked"),
        (invoiced, "invoice 7"),
    ):
        with sessions.begin() as s, pytest.raises(Conflict, match=match):
            svc.edit_entry(s, cast.jane, entry, note="later", now=LATER)
        with sessions.begin() as s, pytest.raises(Conflict, match=match):
            svc.delete_entry(s, cast.jane, entry, now=LATER)
    assert entry_row(sessions, approved).note == ""
    assert count(sessions, cast, TimeEntry) == 2


# -- approval --------------------------------------------------------------------


def test_without_timesheet_terms_the_owner_approves_a_period(sessions, world):
    cast = world.cast
    inside = add(sessions, cast.sam, cast, start=JANUARY[1] - H, minutes=30)
    add(sessions, cast.sam, cast, start=JANUARY[1], minutes=30, now=LATER)
    earlier = add(sessions, cast.sam, cast, start=JANUARY[0] - H, minutes=30)
    for who in (cast.sam, cast.max):
        with pytest.raises(PermissionDenied, match="the provider's owner approves"):
            approve(sessions, who, cast)
    done = approve(sessions, cast.jane, cast)
    assert done.entry_ids == [inside]
    assert done.totals == totals(1, 1800, 1800)
    got = entry_row(sessions, inside)
    assert (got.approved_at, got.approved_by_id) == (LATER, cast.jane.user_id)
    assert entry_row(sessions, earlier).approved_at is None
    again = approve(sessions, cast.jane, cast)  # nothing left to approve
    assert again.entry_ids == []
    assert [e.id for e in listed(sessions, cast.jane, approved=True).entries] == [
        inside
    ]
    assert audit_actions(sessions, cast).count("time_entry.approved") == 1


def test_the_client_approves_where_the_agreement_says_so(sessions):
    world = world_with(sessions, CLIENT_APPROVES)
    cast = world.cast
    entry = add(sessions, cast.sam, cast)
    for who in (cast.jane, cast.sam, cast.erika):
        with pytest.raises(PermissionDenied, match=r"client\.approver"):
            approve(sessions, who, cast)
    for who in (world.olga, world.foreign.max):
        with pytest.raises(NotFound):
            approve(sessions, who, cast)
    assert entry_row(sessions, entry).approved_at is None
    done = approve(sessions, cast.max, cast)
    assert done.entry_ids == [entry]
    assert entry_row(sessions, entry).approved_by_id == cast.max.user_id


def test_a_provider_role_lets_its_holders_and_the_owner_approve(sessions):
    world = world_with(sessions, ACCOUNTANT_APPROVES)
    cast = world.cast
    first = add(sessions, cast.jane, cast)
    with pytest.raises(PermissionDenied, match=r"provider\.accountant"):
        approve(sessions, cast.max, cast)
    assert approve(sessions, cast.sam, cast).entry_ids[0] == first
    second = add(sessions, cast.sam, cast, start=T0 + H)
    assert approve(sessions, cast.jane, cast).entry_ids[0] == second


def test_each_entry_is_approved_under_the_agreement_in_force_when_worked(sessions):
    """Version 1 (the owner approves) governs until an amendment in which the
    client approves takes effect on 11 January: a period across both needs
    both; each side approves its own part."""
    with sessions.begin() as s:
        cast = make_cast(s)
        v1 = activate(s, cast)
    amended_at = datetime(2027, 1, 11, tzinfo=UTC)
    with sessions.begin() as s:
        version = s.get(AgreementVersion, v1)
        assert version is not None
        v2 = agreements.amend(
            s,
            cast.jane,
            agreement_id=version.agreement_id,
            text=CLIENT_APPROVES,
            source_name="acme-v2.yaml",
            now=amended_at,
        )
        agreements.submit(s, cast.jane, v2.id, amended_at)
        agreements.approve(s, cast.jane, v2.id, v2.sha256, amended_at)
        agreements.approve(s, cast.max, v2.id, v2.sha256, amended_at)
    before = add(sessions, cast.sam, cast, start=T0)
    after = add(sessions, cast.sam, cast, start=T0 + 7 * 24 * H)
    for who in (cast.jane, cast.max):
        with pytest.raises(PermissionDenied):
            approve(sessions, who, cast)
    first_week = (JANUARY[0], amended_at)
    assert approve(sessions, cast.jane, cast, first_week).entry_ids == [before]
    assert approve(sessions, cast.max, cast).entry_ids == [after]


@pytest.mark.parametrize(
    ("period", "match"),
    [
        ((JANUARY[1], JANUARY[0]), "ends before it starts"),
        ((JANUARY[0], JANUARY[0]), "ends before it starts"),
        ((JANUARY[0], LATER + H), "in the future"),
    ],
)
def test_a_bad_period_approves_nothing(sessions, cast, period, match):
    entry = add(sessions, cast.jane, cast)
    with pytest.raises(InvalidInput, match=match):
        approve(sessions, cast.jane, cast, period)
    assert entry_row(sessions, entry).approved_at is None


def test_another_workspace_sees_and_changes_nothing(sessions, world):
    cast, foreign = world.cast, world.foreign
    entry = add(sessions, cast.jane, cast)
    stranger = foreign.jane
    with sessions() as s:
        with pytest.raises(NotFound):
            svc.get_entry(s, stranger, entry)
        with pytest.raises(NotFound):
            svc.list_entries(s, stranger, client_id=cast.acme_id)
        with pytest.raises(NotFound):
            svc.list_entries(s, stranger, user_id=cast.jane.user_id)
        assert svc.list_entries(s, stranger).entries == []
    for call in (
        lambda s: svc.edit_entry(s, stranger, entry, note="x", now=LATER),
        lambda s: svc.delete_entry(s, stranger, entry, now=LATER),
        lambda s: svc.start_timer(s, stranger, client_id=cast.acme_id, now=T0),
        lambda s: svc.add_entry(
            s, stranger, client_id=cast.acme_id, duration=H, now=LATER
        ),
        lambda s: svc.approve_period(
            s,
            stranger,
            client_id=cast.acme_id,
            from_at=JANUARY[0],
            to_at=JANUARY[1],
            now=LATER,
        ),
    ):
        with sessions.begin() as s, pytest.raises(NotFound):
            call(s)
    got = entry_row(sessions, entry)
    assert (got.note, got.approved_at) == ("", None)
    assert count(sessions, foreign, TimeEntry) == 0
