"""Importing CSV exports on both backends: rows become entries with their
source and external id, importing the same file again changes nothing, a bad
row (unreadable, or refused by the time-entry rules) stops the import unless
`partial`, a dry run writes nothing, rows are booked to the person their e-mail
names, and Upwork rows are upwork_tracked or upwork_manual."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import AuditEntry, TimeEntry, User
from slakeeper.errors import InvalidInput, PermissionDenied
from slakeeper.importers.importer import ImportResult, RowStatus, import_csv
from slakeeper.services.access import Principal
from tests.factories import Cast, activate, example_text, make_cast

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SAM = "sam@janedoe.example"


def in_force_body() -> str:
    return example_text().replace("effective: 2027-01-01", "effective: 2026-01-01")


@pytest.fixture
def cast(sessions: sessionmaker[Session]) -> Cast:
    """Acme's agreement (Europe/Berlin, Upwork contract 38123456) in force."""
    with sessions.begin() as s:
        cast = make_cast(s, now=datetime(2025, 12, 1, tzinfo=UTC))
        activate(
            s,
            cast,
            in_force_body(),
            at=datetime(2026, 10, 1, tzinfo=UTC),
            approved=datetime(2026, 9, 1, tzinfo=UTC),
        )
        return cast


def text_of(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def run(
    sessions: sessionmaker[Session],
    cast: Cast,
    tool: str,
    text: str,
    who: Principal | None = None,
    **options: Any,
) -> ImportResult:
    with sessions.begin() as s:
        return import_csv(
            s,
            who or cast.jane,
            tool=tool,
            text=text,
            client_id=cast.acme_id,
            now=NOW,
            **options,
        )


def stored(sessions: sessionmaker[Session], cast: Cast) -> list[TimeEntry]:
    with sessions() as s:
        return list(
            s.scalars(
                select(TimeEntry)
                .where(TimeEntry.workspace_id == cast.workspace_id)
                .order_by(TimeEntry.worked_at, TimeEntry.id)
            ).all()
        )


def emails(sessions: sessionmaker[Session], entries: list[TimeEntry]) -> list[str]:
    with sessions() as s:
        return [s.get_one(User, e.user_id).email for e in entries]


def test_a_toggl_export_is_imported_and_importing_it_again_changes_nothing(
    sessions, cast
):
    first = run(sessions, cast, "toggl", text_of("toggl_detailed.csv"))
    assert (first.count(RowStatus.NEW), first.written, first.stopped) == (
        3,
        True,
        False,
    )
    assert first.new_seconds == 5400 + 2700 + 3600
    entries = stored(sessions, cast)
    assert [(e.source, e.seconds, e.billable) for e in entries] == [
        ("import:toggl", 5400, True),
        ("import:toggl", 2700, False),
        ("import:toggl", 3600, True),
    ]
    assert emails(sessions, entries) == [
        "jane@janedoe.example",
        SAM,
        "jane@janedoe.example",
    ]
    assert entries[0].started_at is not None
    assert entries[0].started_at.isoformat() == "2026-11-02T08:00:00+00:00"
    assert all(e.external_id and e.external_id.startswith("sha256:") for e in entries)
    with sessions() as s:
        audited = s.scalars(
            select(AuditEntry.action).where(
                AuditEntry.workspace_id == cast.workspace_id,
                AuditEntry.action == "time_entry.added",
            )
        ).all()
    assert len(audited) == 3

    again = run(sessions, cast, "toggl", text_of("toggl_detailed.csv"))
    assert (again.count(RowStatus.NEW), again.count(RowStatus.EXISTING)) == (0, 3)
    assert again.written is False
    assert len(stored(sessions, cast)) == 3


def test_identical_rows_of_one_file_are_two_entries_and_stay_two(sessions, cast):
    row = "Jane,jane@janedoe.example,Website,Call,2026-11-02,09:00:00,00:30:00\n"
    text = "User,Email,Project,Description,Start date,Start time,Duration\n" + row * 2
    assert run(sessions, cast, "toggl", text).count(RowStatus.NEW) == 2
    again = run(sessions, cast, "toggl", text)
    assert again.count(RowStatus.EXISTING) == 2
    ids = {e.external_id for e in stored(sessions, cast)}
    assert len(ids) == 2


def test_a_bad_row_stops_the_import_and_nothing_is_written(sessions, cast):
    result = run(sessions, cast, "toggl", text_of("toggl_bad_rows.csv"))
    assert result.stopped
    assert [(o.line, o.message) for o in result.bad] == [
        (3, "Start time: '25:00:00' is not a time of day"),
        (5, "Duration: 'an hour' is not a duration (write 1:30:00 or 1.5)"),
    ]
    assert result.count(RowStatus.NEW) == 2  # would be, once the file is fixed
    assert all(o.entry_id is None for o in result.outcomes)
    assert stored(sessions, cast) == []


def test_with_partial_the_good_rows_are_imported_and_the_bad_reported(sessions, cast):
    result = run(sessions, cast, "toggl", text_of("toggl_bad_rows.csv"), partial=True)
    assert (result.written, result.stopped, len(result.bad)) == (True, False, 2)
    assert [e.note for e in stored(sessions, cast)] == [
        "Website / Good one",
        "Website / Good two",
    ]
    again = run(sessions, cast, "toggl", text_of("toggl_bad_rows.csv"), partial=True)
    assert (again.count(RowStatus.EXISTING), len(again.bad)) == (2, 2)


def test_a_dry_run_writes_nothing_and_says_what_would_happen(sessions, cast):
    result = run(sessions, cast, "toggl", text_of("toggl_detailed.csv"), dry_run=True)
    assert (result.count(RowStatus.NEW), result.written) == (3, False)
    assert [o.line for o in result.outcomes] == [2, 3, 4]
    assert all(o.entry_id is None for o in result.outcomes)
    assert stored(sessions, cast) == []
    with sessions() as s:
        assert not s.scalars(
            select(AuditEntry.id)
            .where(AuditEntry.workspace_id == cast.workspace_id)
            .where(AuditEntry.action == "time_entry.added")
        ).all()


def test_a_row_the_time_entry_rules_refuse_is_bad_with_its_line(sessions, cast):
    text = (
        "User,Email,Description,Start date,Start time,Duration\n"
        "Jane,jane@janedoe.example,Fine,2026-11-02,09:00:00,01:00:00\n"
        "Jane,jane@janedoe.example,Next month,2026-12-01,09:00:00,01:00:00\n"
    )
    result = run(sessions, cast, "toggl", text)
    (bad,) = result.bad
    assert bad.line == 3
    assert "is in the future" in bad.message
    assert stored(sessions, cast) == []


def test_rows_are_booked_by_e_mail_and_unknown_people_are_bad(sessions, cast):
    text = (
        "User,Email,Description,Start date,Start time,Duration\n"
        "Sam,SAM@janedoe.example,Sam's,2026-11-02,09:00:00,01:00:00\n"
        "Olga,olga@elsewhere.example,Olga's,2026-11-02,10:00:00,01:00:00\n"
        "Max,max@acme.example,Max's,2026-11-02,11:00:00,01:00:00\n"
    )
    result = run(sessions, cast, "toggl", text, partial=True)
    assert [(o.line, o.message) for o in result.bad] == [
        (
            3,
            "no user olga@elsewhere.example in the workspace (add them, or book"
            " every row to one person with --user)",
        ),
        (4, "max@acme.example is not an active member of the provider's team"),
    ]
    assert emails(sessions, stored(sessions, cast)) == [SAM]


def test_user_books_every_row_to_one_person(sessions, cast):
    run(
        sessions, cast, "toggl", text_of("toggl_detailed.csv"), user_id=cast.sam.user_id
    )
    assert set(emails(sessions, stored(sessions, cast))) == {SAM}


def test_staff_import_their_own_time_only_and_clients_none(sessions, cast):
    text = text_of("toggl_member.csv")
    with pytest.raises(PermissionDenied):
        run(sessions, cast, "toggl", text, who=cast.sam, user_id=cast.jane.user_id)
    with pytest.raises(PermissionDenied):
        run(sessions, cast, "toggl", text, who=cast.max)
    assert stored(sessions, cast) == []


def test_the_time_zone_can_be_given_and_a_wrong_one_is_refused(sessions, cast):
    run(sessions, cast, "clockify", text_of("clockify_detailed.csv"), timezone="UTC")
    first = stored(sessions, cast)[0]
    assert first.started_at is not None
    assert first.started_at.isoformat() == "2026-11-05T09:00:00+00:00"
    with pytest.raises(InvalidInput, match="Mars/Olympus"):
        run(sessions, cast, "clockify", "x", timezone="Mars/Olympus")


def test_upwork_timesheet_rows_of_other_contracts_and_money_are_skipped(sessions, cast):
    result = run(sessions, cast, "upwork", text_of("upwork_timesheet.csv"))
    assert [(o.line, o.status, o.message) for o in result.outcomes] == [
        (2, RowStatus.NEW, ""),
        (3, RowStatus.NEW, ""),
        (
            4,
            RowStatus.SKIPPED,
            "Upwork contract 35695275, not Acme GmbH's (38123456)",
        ),
        (5, RowStatus.SKIPPED, "a Bonus payment, not hours"),
    ]
    entries = stored(sessions, cast)
    assert [(e.source, e.seconds, e.started_at) for e in entries] == [
        ("upwork_tracked", 5400, None),
        ("upwork_tracked", 1200, None),
    ]
    assert entries[0].worked_at.isoformat() == "2026-11-02T00:00:00+00:00"
    again = run(sessions, cast, "upwork", text_of("upwork_timesheet.csv"))
    assert again.count(RowStatus.EXISTING) == 2


def test_upwork_transactions_use_the_ref_id_as_the_external_id(sessions, cast):
    result = run(sessions, cast, "upwork", text_of("upwork_transactions.csv"))
    assert (result.count(RowStatus.NEW), result.count(RowStatus.SKIPPED)) == (1, 2)
    (entry,) = stored(sessions, cast)
    assert (entry.external_id, entry.source, entry.seconds) == (
        "880001",
        "upwork_tracked",
        45000,
    )


def test_upwork_diary_segments_keep_tracked_and_manual_apart(sessions, cast):
    run(sessions, cast, "upwork", text_of("upwork_work_diary.csv"))
    assert [(e.source, e.note) for e in stored(sessions, cast)] == [
        ("upwork_tracked", "Hotfix deploy"),
        ("upwork_tracked", "Hotfix deploy"),
        ("upwork_manual", "Client call notes"),
    ]


def test_several_upwork_contracts_without_one_named_are_refused(sessions):
    with sessions.begin() as s:
        cast = make_cast(s, now=datetime(2025, 12, 1, tzinfo=UTC))
        activate(
            s,
            cast,
            in_force_body().replace('  upwork: {contract: "38123456"}\n', ""),
            at=datetime(2026, 10, 1, tzinfo=UTC),
            approved=datetime(2026, 9, 1, tzinfo=UTC),
        )
    with pytest.raises(InvalidInput, match="several Upwork contracts"):
        run(sessions, cast, "upwork", text_of("upwork_timesheet.csv"))
    assert stored(sessions, cast) == []


def test_an_unknown_tool_is_refused(sessions, cast):
    with pytest.raises(InvalidInput, match="unknown tool 'harvest'"):
        run(sessions, cast, "harvest", "a,b\n")
