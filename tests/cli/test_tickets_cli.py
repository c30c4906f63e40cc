"""`slakeeper ticket ...` through the real command line, on both backends: open,
reply by each side, note, status, priority with reason, resolve, reopen, list
(table and JSON), show; errors as one-line messages with exit code 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.settings import Settings
from tests.cli.helpers import ERIKA, Cli, in_force_workspace, use_workspace

run = Cli("ticket")


@pytest.fixture
def env(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """A workspace with an agreement with Acme in force now."""
    _cast, name = in_force_workspace(sessions)
    use_workspace(monkeypatch, db_settings, name)
    return name


def test_a_ticket_from_opening_to_reopening(env):
    out = run(
        "open",
        "--client",
        "Acme GmbH",
        "--title",
        "Checkout fails",
        "--body",
        "Every order ends in an error page.",
        user=ERIKA,
    )
    assert "Opened ACME-1 (normal): Checkout fails" in out
    run(
        "open",
        "--client",
        "Acme GmbH",
        "--title",
        "Shop down",
        "--priority",
        "critical",
    )
    assert "client reply recorded" in run("reply", "ACME-1", "Any news?", user=ERIKA)
    assert "provider reply recorded" in run("reply", "ACME-1", "Looking into it")
    run("note", "ACME-1", "probably the payment provider")
    assert "(waiting_on_client)" in run("status", "ACME-1", "waiting_on_client")
    run("priority", "acme-1", "high", "--reason", "many users affected")
    listed = json.loads(run("list", "--json"))
    first = {t["key"]: t for t in listed}["ACME-1"]
    assert (first["priority"], first["status"]) == ("high", "waiting_on_client")
    assert first["clocks"]["response"]["state"] == "met"
    assert first["clocks"]["resolution"]["state"] == "paused"
    assert set(first["clocks"]) == {"response", "resolution"}
    assert "resolved recorded (resolved)" in run("resolve", "ACME-1")
    assert "reopened recorded (open)" in run("reopen", "ACME-1", user=ERIKA)
    shown = run("show", "ACME-1")
    assert "priority high, status open" in shown
    assert "probably the payment provider" in shown
    assert "many users affected" in shown
    assert "resolution: running" in shown
    # the client never sees internal notes
    assert "payment provider" not in run("show", "ACME-1", user=ERIKA)
    table = run("list", "--client", "Acme GmbH")
    assert "ACME-1" in table
    assert "ACME-2" in table
    assert "ACME-2" in run("list", "--state", "open")


def test_refusals_are_one_line_errors(env):
    run("open", "--client", "Acme GmbH", "--title", "Checkout fails", user=ERIKA)
    assert "only the provider's people" in run(
        "note", "ACME-1", "secret", user=ERIKA, code=2
    )
    assert "unknown status" in run("status", "ACME-1", "on_hold", code=2)
    assert "unknown priority" in run(
        "priority", "ACME-1", "urgent", "--reason", "x", code=2
    )
    assert "ticket ACME-9 not found" in run("show", "ACME-9", code=2)
    assert "no client named 'Globex'" in run(
        "open", "--client", "Globex", "--title", "x", code=2
    )
    listed = json.loads(run("list", "--json"))
    assert [(t["key"], t["status"]) for t in listed] == [("ACME-1", "open")]
