"""`slakeeper import ...` and `slakeeper upwork ...` through the real command
line on both backends: the summary, re-imports that change nothing, bad rows
with their line (exit 2, or 1 with --partial), dry runs, unknown columns,
ambiguous dates, a long import with its progress bar, and Upwork sync (respx,
never the network) and reconciliation with their exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import respx
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.settings import Settings
from tests.cli.helpers import NOW, Cli, in_force_workspace, use_workspace
from tests.importers.upwork_fake import TOKEN, URL, FakeUpwork

FIXTURES = Path(__file__).parent / "fixtures"
ACME = "Acme GmbH"

run = Cli(user=None)


@pytest.fixture
def env(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """A workspace whose agreement with Acme (Europe/Berlin, Upwork contract
    38123456) is in force now."""
    _cast, name = in_force_workspace(sessions, approved=NOW - timedelta(days=30))
    use_workspace(monkeypatch, db_settings, name)
    monkeypatch.delenv("SLAKEEPER_UPWORK_TOKEN", raising=False)
    monkeypatch.setenv("SLAKEEPER_UPWORK_API_URL", URL)
    return name


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def entries() -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads(
        run("time", "list", "--client", ACME, "--json")
    )
    return listed


def test_a_toggl_export_is_imported_once(env):
    out = run("import", "toggl", fixture("toggl_detailed.csv"), "--client", ACME)
    assert out.startswith("Toggl Track detailed report: 3 rows\n")
    assert "Imported 3 entries." in out
    assert [e["source"] for e in entries()] == ["import:toggl"] * 3
    again = run("import", "toggl", fixture("toggl_detailed.csv"), "--client", ACME)
    assert "already imported" in again
    assert "Nothing new to import." in again
    assert len(entries()) == 3


def test_bad_rows_stop_the_import_unless_partial(env):
    file = fixture("toggl_bad_rows.csv")
    out = run("import", "toggl", file, "-c", ACME, code=2)
    assert "line 3: Start time: '25:00:00' is not a time of day" in out
    assert "line 5: Duration: 'an hour' is not a duration" in out
    assert "2 rows are bad: nothing was imported" in out
    assert entries() == []
    partial = run("import", "toggl", file, "-c", ACME, "--partial", code=1)
    assert "Imported 2 entries." in partial
    assert len(entries()) == 2


def test_a_dry_run_shows_every_row_and_writes_nothing(env):
    out = run(
        "import", "clockify", fixture("clockify_day_first.csv"), "-c", ACME, "--dry-run"
    )
    assert "Unknown columns (ignored): Deal ID" in out
    assert "a break, not work" in out
    assert "new (not written)" in out
    assert "Dry run: nothing was written." in out
    assert entries() == []


def test_unknown_columns_are_reported(env):
    out = run("import", "toggl", fixture("toggl_member.csv"), "-c", ACME)
    assert "Unknown columns (ignored): Workspace" in out


def test_dates_that_could_be_either_order_must_be_told(
    env: str, tmp_path: Path
) -> None:
    text = Path(fixture("clockify_detailed.csv")).read_text(encoding="utf-8")
    file = tmp_path / "ambiguous.csv"
    file.write_text(text.replace("11/13/2026", "11/12/2026"), encoding="utf-8")
    out = run("import", "clockify", str(file), "-c", ACME, code=2)
    assert "error: --date-order: every date like 03/04/2027 could be" in out
    run("import", "clockify", str(file), "-c", ACME, "--date-order", "mdy")
    assert [e["started_at"][:10] for e in entries()] == ["2026-11-05", "2026-11-12"]
    out = run(
        "import", "clockify", str(file), "-c", ACME, "--date-order", "ymd", code=2
    )
    assert "error: --date-order: 'ymd' is neither dmy nor mdy" in out


def test_files_that_cannot_be_read_are_bad_input(env: str, tmp_path: Path) -> None:
    out = run("import", "toggl", str(tmp_path / "missing.csv"), "-c", ACME, code=2)
    assert "missing.csv: cannot be read" in out
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Day,Hours\n2026-11-02,3\n", encoding="utf-8")
    out = run("import", "toggl", str(wrong), "-c", ACME, code=2)
    assert "error: line 1: the header is not a toggl export slakeeper knows" in out
    latin = tmp_path / "latin.csv"
    latin.write_bytes("User,Description\nJ\xfcrgen,x\n".encode("latin-1"))
    assert "is not UTF-8" in run("import", "toggl", str(latin), "-c", ACME, code=2)
    run("import", "toggl", fixture("toggl_detailed.csv"), "-c", "Nobody", code=2)


def test_upwork_hours_are_marked_as_billed_through_upwork(env):
    out = run("import", "upwork", fixture("upwork_timesheet.csv"), "-c", ACME)
    assert "Skipped 1: Upwork contract 35695275, not Acme GmbH's (38123456)" in out
    assert "Skipped 1: a Bonus payment, not hours" in out
    assert {e["source"] for e in entries()} == {"upwork_tracked"}


def test_a_long_import_runs_with_a_progress_bar(env: str, tmp_path: Path) -> None:
    lines = ["User,Email,Description,Start date,Start time,Duration"]
    start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # written as local times
    for i in range(240):
        at = start + timedelta(hours=i)
        lines.append(
            f"Jane,jane@janedoe.example,Task {i},{at:%Y-%m-%d},{at:%H:%M:%S},00:30:00"
        )
    file = tmp_path / "long.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run("import", "toggl", str(file), "-c", ACME)
    assert "Imported 240 entries." in out


def test_upwork_sync_needs_a_token(env):
    out = run("upwork", "sync", "-c", ACME, code=2)
    assert "error: SLAKEEPER_UPWORK_TOKEN: no Upwork token is set" in out


def test_upwork_sync_brings_the_contracts_hours_up_to_date(env):
    upwork = FakeUpwork()
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(URL).mock(side_effect=upwork)
        dry = run(
            "upwork",
            "sync",
            "-c",
            ACME,
            "--since",
            "2026-11-02",
            "--dry-run",
            UPWORK_TOKEN=TOKEN,
        )
        assert "5 new, 0 updated, 0 removed, 0 unchanged." in dry
        assert "Dry run: nothing was written." in dry
        assert "new: 2026-11-02 09:30 UTC, 10m, upwork_manual: Checkout bug" in dry
        assert entries() == []
        out = run(
            "upwork", "sync", "-c", ACME, "--since", "2026-11-02", UPWORK_TOKEN=TOKEN
        )
        assert out.startswith(
            "Upwork contract 38123456 (Acme web care), 2026-11-02 00:00 UTC"
        )
        assert "5 new, 0 updated, 0 removed, 0 unchanged." in out
        again = run(
            "upwork", "sync", "-c", ACME, "--since", "2026-11-02", UPWORK_TOKEN=TOKEN
        )
        assert "0 new, 0 updated, 0 removed, 5 unchanged." in again
    assert [e["source"] for e in entries()].count("upwork_manual") == 1


def test_upwork_sync_reports_a_refused_token(env):
    with respx.mock() as mock:
        mock.post(URL).respond(401)
        out = run("upwork", "sync", "-c", ACME, UPWORK_TOKEN="expired", code=2)
    assert "error: Upwork refused the token (HTTP 401)" in out


def test_upwork_reconcile_compares_weeks_and_exits_1_on_a_difference(env):
    run("import", "upwork", fixture("upwork_work_diary.csv"), "-c", ACME)
    out = run(
        "upwork",
        "reconcile",
        "-c",
        ACME,
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-15",
        code=1,
    )
    assert "Acme GmbH, Upwork contract 38123456:" in out
    assert "2026-11-02 to 2026-11-08" in out
    body = json.loads(
        run(
            "upwork",
            "reconcile",
            "-c",
            ACME,
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-15",
            "--json",
            code=1,
        )
    )
    assert [
        (w["week_start"], w["upwork_seconds"], w["difference_seconds"])
        for w in body["weeks"]
    ] == [("2026-11-02", 1200, -1200), ("2026-11-09", 600, -600)]
    quiet = run(
        "upwork", "reconcile", "-c", ACME, "--from", "2026-10-05", "--to", "2026-10-11"
    )
    assert "total" in quiet
