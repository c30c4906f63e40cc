"""`slakeeper ticket ...` through the real command line, on both backends: open,
reply by each side, note, status, priority with reason, resolve, reopen, list
(table and JSON), show; errors as one-line messages with exit code 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.services import tickets
from slakeeper.settings import Settings
from tests.cli.helpers import ERIKA, NOW, Cli, in_force_workspace, use_workspace
from tests.querycount import count_queries

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
    # the API's page items (`TicketRead`): the clock state stored after the
    # last event
    assert first["response_state"] == "met"
    assert first["resolution_state"] == "paused"
    assert first["update_state"] is None
    assert "resolved recorded (resolved)" in run("resolve", "ACME-1")
    assert "reopened recorded (open)" in run("reopen", "ACME-1", user=ERIKA)
    shown = run("show", "ACME-1")
    assert "priority high, status open" in shown
    assert "probably the payment provider" in shown
    assert "many users affected" in shown
    assert "resolution: running" in shown
    detail = json.loads(run("show", "ACME-1", "--json"))
    assert (detail["key"], detail["status"]) == ("ACME-1", "open")
    assert detail["clocks"]["resolution"]["state"] == "running"
    assert detail["clocks"]["at"] == "2026-12-02T09:00:00Z"
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


def test_list_costs_as_many_queries_for_30_tickets_as_for_3(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`ticket list` (table and JSON) reads a page in a constant number of
    queries: no query per ticket."""
    cast, name = in_force_workspace(sessions)
    use_workspace(monkeypatch, db_settings, name)

    def open_tickets(count: int) -> None:
        with sessions.begin() as s:
            for i in range(count):
                ticket = tickets.open_ticket(
                    s, cast.erika, client_id=cast.acme_id, title=f"Request {i}", now=NOW
                )
                if i % 2:
                    tickets.add_event(
                        s, cast.jane, ticket.id, "provider_reply", NOW, text="On it."
                    )

    def queries() -> tuple[int, int]:
        with count_queries() as sent:
            listed = json.loads(run("list", "--json"))
            run("list")
        return sent.count, len(listed)

    open_tickets(3)
    few, shown = queries()
    assert shown == 3
    open_tickets(27)
    many, shown = queries()
    assert shown == 30
    assert many == few, (few, many)
