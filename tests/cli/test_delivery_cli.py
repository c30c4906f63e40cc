"""`slakeeper milestone|obligation|adjustment|change|commitment|status|worker|demo`
through the real command line, on both backends, over the demo data (seeded
relative to the CLI's fixed now, which these commands read)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.services.demo import seed_demo
from slakeeper.services.views.delivery import (
    ChangeRequestRead,
    CommitmentsRead,
    MilestoneRead,
    ObligationRead,
)
from slakeeper.settings import Settings
from tests.cli.helpers import ERIKA, MAX, NOW, Cli, use_fixed_now, use_workspace

run = Cli()


@pytest.fixture
def demo(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    name = f"Demo {uuid.uuid4().hex[:8]}"
    with sessions.begin() as s:
        seed_demo(s, NOW, workspace=name)
    use_workspace(monkeypatch, db_settings, name)
    return name


def test_status_shows_the_morning_screen_and_exits_1_on_problems(demo):
    out = run("status", code=1)
    for part in (
        "Open tickets",
        "breached",
        "Milestones",
        "redesign-mockups",
        "Decision on ACME-CR-1",
        "Progress update by e-mail",
    ):
        assert part in out, part
    board = json.loads(run("status", "--json", "--client", "Acme GmbH", code=1))
    assert {t["state"] for t in board["tickets"]} >= {"breached", "on_track"}
    (redesign, _launch) = board["milestones"]
    assert redesign["key"] == "redesign-mockups"
    assert redesign["adjustments"][0]["cause"] == "client"
    assert board["problems"] >= 3
    assert [o["kind"] for o in board["obligations"]] == ["decision"]
    assert board["commitments"][0]["missed"]
    # a client contact sees the same board for their own client
    assert json.loads(run("status", "--json", user=MAX, code=1))["tickets"]


def test_a_milestone_submitted_reviewed_and_delayed(demo):
    listed = json.loads(run("milestone", "list", "--json"))
    # the items of GET /milestones
    assert all(set(m) == set(MilestoneRead.model_fields) for m in listed)
    assert [m["key"] for m in listed] == ["redesign-mockups", "launch"]
    assert listed[0]["due_at"] != listed[0]["base_due_at"]  # the client delay
    assert "client-caused delay, accepted" in run(
        "milestone", "show", "redesign-mockups"
    )
    assert "submitted; feedback due" in run(
        "milestone", "submit", "redesign-mockups", "--note", "Figma link sent"
    )
    assert "changes requested" in run(
        "milestone",
        "review",
        "redesign-mockups",
        "changes",
        "--note",
        "Bigger logo",
        user=MAX,
    )
    out = run(
        "milestone",
        "delay",
        "launch",
        "--cause",
        "third_party",
        "--by",
        "2 days",
        "--reason",
        "Hosting migration",
    )
    adjustment = out.split("adjustment ")[1].split()[0]
    assert "proposed" in out
    assert "accepted" in run("adjustment", "accept", adjustment, user=MAX)
    out = run(
        "milestone",
        "delay",
        "launch",
        "--cause",
        "provider",
        "--by",
        "1bd",
        "--reason",
        "Illness",
    )
    assert "rejected" in run(
        "adjustment", "reject", out.split("adjustment ")[1].split()[0], user=MAX
    )
    listed = json.loads(run("milestone", "list", "--json"))
    assert listed[0]["status"] == "changes_requested"
    assert "redesign-mockups" in run("milestone", "list")
    # errors are one line with exit 2
    assert "milestone nope not found" in run("milestone", "show", "nope", code=2)
    assert "neither working time" in run(
        "milestone",
        "delay",
        "launch",
        "--cause",
        "client",
        "--by",
        "soon",
        "--reason",
        "x",
        code=2,
    )
    assert "provider's people" in run("milestone", "submit", "launch", user=MAX, code=2)


def test_obligations_added_met_and_waived(demo):
    out = run(
        "obligation",
        "add",
        "--client",
        "Acme GmbH",
        "--title",
        "DNS access",
        "--due",
        "2030-01-15",
        "--milestone",
        "launch",
    )
    oid = out.split("obligation ")[1].split(":")[0]
    assert "2030-01-15T23:00:00+00:00" in out
    assert "DNS access" in run("obligation", "list")
    assert f"obligation {oid}: met" in run("obligation", "met", oid, "--note", "Got it")
    listed = json.loads(run("obligation", "list", "--status", "met", "--json"))
    assert all(set(o) == set(ObligationRead.model_fields) for o in listed)
    (dns,) = [o for o in listed if o["title"] == "DNS access"]
    assert dns["status"] == "met"
    assert 0 in (dns["lateness_seconds"], dns["lateness_days"])
    out = run(
        "obligation",
        "add",
        "--client",
        "Acme GmbH",
        "--title",
        "Texts",
        "--due",
        "2030-01-15T12:00",
    )
    oid = out.split("obligation ")[1].split(":")[0]
    assert "waived" in run("obligation", "waive", oid, "--reason", "We write them")
    assert "not an ISO 8601 instant" in run(
        "obligation",
        "add",
        "--client",
        "Acme GmbH",
        "--title",
        "x",
        "--due",
        "soon",
        code=2,
    )
    assert "No obligations." in run("obligation", "list", "--status", "lapsed")
    out = run(
        "obligation",
        "add",
        "--client",
        "Acme GmbH",
        "--title",
        "Deposit",
        "--due",
        "2030-01-01",
        "--kind",
        "payment",
    )
    assert "Deposit" in out
    listed = json.loads(run("obligation", "list", "--json"))
    assert any(o["title"] == "Deposit" and o["kind"] == "payment" for o in listed)
    assert "unknown kind 'gift'" in run(
        "obligation",
        "add",
        "--client",
        "Acme GmbH",
        "--title",
        "x",
        "--due",
        "2030-01-01",
        "--kind",
        "gift",
        code=2,
    )


def test_a_change_request_from_request_to_decision(demo):
    assert "ACME-CR-2: Dark mode (requested)" in run(
        "change", "request", "--client", "Acme GmbH", "--title", "Dark mode", user=ERIKA
    )
    assert "estimated" in run(
        "change",
        "estimate",
        "acme-cr-2",
        "--effort",
        "6h",
        "--cost",
        "570.00",
        "--moves",
        "launch=1bd",
    )
    assert "approved" in run("change", "decide", "ACME-CR-2", "approve", user=MAX)
    listed = json.loads(run("change", "list", "--json"))
    assert [(c["key"], c["status"]) for c in listed] == [
        ("ACME-CR-1", "estimated"),
        ("ACME-CR-2", "approved"),
    ]
    assert all(set(c) == set(ChangeRequestRead.model_fields) for c in listed)
    assert listed[1]["effects"] == [
        {
            "milestone": "launch",
            "mode": "working_time",
            "amount_seconds": 27000,
            "days": None,
        }
    ]
    assert listed[1]["cost"] == "570.00"
    assert "ACME-CR-2" in run("change", "list")
    assert "write approve or reject" in run(
        "change", "decide", "ACME-CR-1", "maybe", user=MAX, code=2
    )
    assert "not MILESTONE=BY" in run(
        "change", "estimate", "ACME-CR-1", "--effort", "1h", "--moves", "launch", code=2
    )
    assert "not found" in run(
        "change", "decide", "ACME-CR-9", "approve", user=MAX, code=2
    )


def test_commitments_recorded_and_listed(demo):
    assert "update recorded" in run(
        "commitment",
        "update",
        "--client",
        "Acme GmbH",
        "--commitment",
        "progress",
        "--text",
        "Week 7",
    )
    out = run("commitment", "status", "--client", "Acme GmbH")
    assert "Progress update by e-mail (every 1 week): 1 missed" in out
    data = json.loads(run("commitment", "status", "--client", "Acme GmbH", "--json"))
    # what GET /clients/{id}/commitments answers
    assert set(data) == set(CommitmentsRead.model_fields)
    assert data["commitments"][0]["missed"] == 1
    assert data["commitments"][0]["periods"][-1]["state"] == "met"


def test_the_worker_rechecks_once(demo):
    out = run("worker", "run", "--once")
    assert "agreement versions activated" in out


def test_demo_seeds_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    use_fixed_now(monkeypatch)
    out = run("demo")
    assert "Seeded the demo workspace 'Jane Doe Web Consulting'" in out
    assert "API token of jane@janedoe.example: slk_" in out
    monkeypatch.setenv("SLAKEEPER_WORKSPACE", "Jane Doe Web Consulting")
    assert "ACME-1" not in run("ticket", "list", "--state", "active")
    assert "entries:" in run("time", "list", "--client", "Acme GmbH")
    invoices = json.loads(run("invoice", "list", "--json"))
    # issued on the 1st at 09:00 (Berlin), before the CLI's now
    assert invoices[0]["kind"] == "invoice"
    assert invoices[0]["status"] in ("issued", "paid", "overdue")
    assert "a workspace named" in run("demo", code=2)
