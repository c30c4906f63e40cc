"""`slakeeper time ...` through the real command line, on both backends: the
timer (start, status, stop, stopping twice), entries added from a start and an
end read in the agreement's time zone or as a duration, lists with filters and
totals (table and JSON), edit, delete, approval and the lock it sets; errors as
one-line messages with exit code 2."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Client
from slakeeper.settings import Settings
from tests.cli.helpers import (
    ERIKA,
    JANE,
    NOW,
    SAM,
    Cli,
    in_force_workspace,
    use_workspace,
)

BERLIN = ZoneInfo("Europe/Berlin")
# a day in the past of the CLI's fixed now (a Sunday)
DAY = (NOW - timedelta(days=10)).date()

run = Cli("time")


@pytest.fixture
def env(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """A workspace with an agreement with Acme in force now (Europe/Berlin), and a
    client without one (Globex)."""
    name = acme_and_globex(sessions)
    use_workspace(monkeypatch, db_settings, name)
    return name


@pytest.fixture(scope="module")
def refusing(module_sessions: sessionmaker[Session]) -> str:
    """`env`'s workspace once per backend, for the refusals: each checks that
    the workspace still has no entry."""
    return acme_and_globex(module_sessions)


def acme_and_globex(sessions: sessionmaker[Session]) -> str:
    cast, name = in_force_workspace(sessions, approved=NOW - timedelta(days=30))
    with sessions.begin() as s:
        s.add(
            Client(
                workspace_id=cast.workspace_id,
                name="Globex",
                key="GLOBEX",
                created_at=NOW,
            )
        )
    return name


def listed(*args: str, user: str = JANE) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = json.loads(run("list", "--json", *args, user=user))
    return body


def count(*args: str, user: str = JANE) -> int:
    return len(listed(*args, user=user))


def at(hour: int, minute: int = 0, day: date = DAY) -> str:
    return datetime.combine(day, time(hour, minute)).isoformat(timespec="minutes")


def utc(hour: int, minute: int = 0, day: date = DAY) -> str:
    """The instant as the read models write it (`2027-01-04T09:00:00Z`)."""
    local = datetime.combine(day, time(hour, minute), tzinfo=BERLIN)
    return local.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_timer_from_start_to_stop(env):
    assert run("status") == "No timer runs.\n"
    out = run("start", "--client", "Acme GmbH", "--note", "checkout bug", user=SAM)
    assert out.startswith("Timer started for Acme GmbH at ")
    assert "Running for Acme GmbH since" in run("status", user=SAM)
    timer = json.loads(run("status", "--json", user=SAM))["timer"]
    assert (timer["client_name"], timer["note"], timer["ticket_key"]) == (
        "Acme GmbH",
        "checkout bug",
        None,
    )
    assert "already running for Acme GmbH" in run(
        "start", "--client", "Acme GmbH", user=SAM, code=2
    )
    stopped = run("stop", user=SAM)
    assert stopped.startswith("Timer stopped: ")
    assert "for Acme GmbH (entry " in stopped
    assert "no timer is running for sam@janedoe.example" in run(
        "stop", user=SAM, code=2
    )
    assert json.loads(run("status", "--json", user=SAM)) == {"timer": None}
    entries = listed()
    assert [(e["source"], e["user_email"], e["note"]) for e in entries] == [
        ("timer", SAM, "checkout bug")
    ]


def test_entries_are_added_listed_edited_and_deleted(env):
    out = run(
        "add",
        "--client",
        "Acme GmbH",
        "--from",
        at(10),
        "--to",
        at(11, 30),
        "--note",
        "Call with Max",
    )
    assert out.startswith("Added entry ")
    assert f"1h 30m for Acme GmbH at {DAY.isoformat()} 10:00." in out
    run(
        "add",
        "-c",
        "Acme GmbH",
        "--duration",
        "45m",
        "--at",
        DAY.isoformat(),
        "--non-billable",
        "--user",
        SAM,
    )
    body = listed()
    first, second = body  # by the time worked: the day's start first
    assert (second["started_at"], second["ended_at"]) == (utc(10), utc(11, 30))
    assert (second["seconds"], second["note"], second["billable"]) == (
        5400,
        "Call with Max",
        True,
    )
    assert (first["started_at"], first["worked_at"]) == (None, utc(0))
    assert (first["user_email"], first["seconds"], first["billable"]) == (
        SAM,
        2700,
        False,
    )
    assert (first["client_name"], first["status"]) == ("Acme GmbH", "open")
    table = run("list", "--client", "Acme GmbH")
    assert "Call" in table  # (a narrow terminal wraps the note)
    assert table.endswith("2 entries: 2h 15m, billable 1h 30m\n")
    assert [e["user_email"] for e in listed("--user", SAM)] == [SAM]
    assert [e["seconds"] for e in listed("--non-billable")] == [2700]
    later = (DAY + timedelta(days=1)).isoformat()
    acme = ("--client", "Acme GmbH")
    assert count(*acme, "--from", later) == 0
    day = DAY.isoformat()
    assert count(*acme, "--from", day, "--to", day) == 2
    assert count("--from", f"{day}T00:01+01:00") == 1
    assert "no --client is named" in run("list", "--from", day, code=2)
    # the client sees their own client's entries
    assert count(user=ERIKA) == 2

    entry = str(second["id"])
    assert "1h, 'Call with Max and Erika'" in run(
        "edit", entry, "--duration", "1h", "--note", "Call with Max and Erika"
    )
    run("edit", entry, "--non-billable")
    edited = listed("--non-billable")
    assert [(e["id"], e["ended_at"]) for e in edited][-1] == (int(entry), utc(11))
    assert run("delete", str(first["id"])) == f"Deleted entry {first['id']}.\n"
    assert [(e["seconds"], e["billable"]) for e in listed()] == [(3600, False)]
    assert run("list").endswith("1 entry: 1h, billable 0m\n")
    assert run("list", "--client", "Globex") == "0 entries: 0m, billable 0m\n"


def test_approving_a_period_locks_its_entries(env):
    run("add", "-c", "Acme GmbH", "--from", at(9), "--to", at(10), user=SAM)
    run("add", "-c", "Acme GmbH", "--from", at(14), "--to", at(14, 20), user=SAM)
    day = DAY.isoformat()
    assert "may not approve the time of Acme GmbH" in run(
        "approve", "-c", "Acme GmbH", "--from", day, "--to", day, user=ERIKA, code=2
    )
    out = run("approve", "-c", "Acme GmbH", "--from", day, "--to", day)
    assert out.startswith("Approved 2 entries of Acme GmbH from ")
    assert out.endswith(": 1h 20m, billable 1h 20m.\n")
    assert "No unapproved entries of Acme GmbH" in run(
        "approve", "-c", "Acme GmbH", "--from", day, "--to", day
    )
    approved = listed("--approved")
    assert [e["status"] for e in approved] == ["approved", "approved"]
    assert listed("--unapproved") == []
    entry = str(approved[0]["id"])
    assert "approved entries are locked" in run("edit", entry, "--note", "x", code=2)
    assert "approved entries are locked" in run("delete", entry, code=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "-c", "Acme GmbH", "--duration", "1 hour"), "--duration: '1 hour'"),
        (("add", "-c", "Acme GmbH", "--duration", "2bd"), "need a calendar"),
        (
            ("add", "-c", "Acme GmbH", "--from", "yesterday", "--to", "x"),
            "--from: 'yesterday' is not an ISO 8601 instant or date",
        ),
        (
            ("add", "-c", "Globex", "--from", at(9), "--to", at(10)),
            "--from: '" + at(9) + "' has no UTC offset",
        ),
        (
            ("add", "-c", "Acme GmbH", "--from", at(10), "--to", at(9)),
            "is not after the start",
        ),
        (
            ("add", "-c", "Acme GmbH", "--duration", "1h", "--at", "2099-01-01"),
            "in the future",
        ),
        (
            ("add", "-c", "Acme GmbH", "--duration", "1h", "--ticket", "ACME-9"),
            "ACME-9",
        ),
        (("add", "-c", "Nobody", "--duration", "1h"), "no client named 'Nobody'"),
        (("add", "-c", "Acme GmbH", "--duration", "1h", "--user", "x@y.z"), "no user"),
        (("edit", "999999", "--note", "x"), "time entry 999999 not found"),
        (("list", "--source", "toggl"), "unknown source"),
    ],
)
def test_bad_input_is_a_one_line_error_and_changes_nothing(
    refusing, module_db_settings, monkeypatch, args, message
):
    use_workspace(monkeypatch, module_db_settings, refusing)
    out = run(*args, code=2)
    assert message in out
    assert out.startswith("error: ")
    assert out.count("\n") == 1
    assert count() == 0
