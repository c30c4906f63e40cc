"""The README's quick start for agreements, through the real command line, on
both backends: init, client and contact, import, submit, comment, approve by
both parties, amend, history, show, render of a stored version, audit verify."""

import json
import re
from pathlib import Path

import pytest

from slakeeper.settings import Settings
from tests.cli.helpers import Cli, use_workspace
from tests.factories import EXAMPLE

ACME = ["--client", "Acme GmbH"]


@pytest.fixture
def env(db_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    # PostgreSQL databases are shared by the tests of a worker: name ours
    workspace = f"Jane Doe Web {tmp_path.name}"
    use_workspace(monkeypatch, db_settings, workspace)
    return workspace


run = Cli(user=None)


def test_an_agreement_from_import_to_approval_and_amendment(env, tmp_path):
    run(
        "init",
        "--workspace",
        env,
        "--email",
        "jane@janedoe.example",
        "--name",
        "Jane Doe",
        "--password",
        "correct horse",
    )
    run("client", "add", "Acme GmbH")
    run(
        "user",
        "add",
        "max@acme.example",
        "--name",
        "Max Mustermann",
        "--role",
        "client",
        "--client",
        "Acme GmbH",
    )
    out = run("agreement", "import", str(EXAMPLE), *ACME)
    sha = re.search(r"sha256 ([0-9a-f]{64})", out)
    assert sha is not None
    run("agreement", "submit", *ACME)
    # a stale hash and an approver who is not one are refused, changing nothing
    assert "is not the hash of version 1" in run(
        "agreement",
        "approve",
        *ACME,
        "--sha256",
        "0" * 64,
        user="max@acme.example",
        code=2,
    )
    run(
        "agreement",
        "comment",
        *ACME,
        "--on",
        "priorities.critical.response",
        "Can we get 30 minutes?",
        user="max@acme.example",
    )
    run("agreement", "approve", *ACME, "--sha256", sha.group(1))
    assert "now approved" in run(
        "agreement", "approve", *ACME, "--sha256", sha.group(1), user="max@acme.example"
    )
    amended = tmp_path / "v2.yaml"
    amended.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("response: 1h", "response: 30m"),
        encoding="utf-8",
    )
    run("agreement", "amend", str(amended), *ACME)
    history = run("agreement", "history", *ACME)
    assert "Version 1: approved" in history
    assert "approved by max@acme.example (client)" in history
    assert "Critical response time: 1 working hour -> 30 working minutes" in history
    # --json: the versions as GET /agreements/{id}/versions answers them
    versions = json.loads(run("agreement", "history", *ACME, "--json"))
    assert [(v["number"], v["status"]) for v in versions] == [
        (1, "approved"),
        (2, "draft"),
    ]
    assert [(a["user_email"], a["party"]) for a in versions[0]["approvals"]] == [
        ("jane@janedoe.example", "provider"),
        ("max@acme.example", "client"),
    ]
    assert versions[0]["changes"] == []
    assert (
        "Critical response time: 1 working hour -> 30 working minutes"
        in (versions[1]["changes"])
    )
    assert "source_text" not in versions[0]
    shown = run("agreement", "show", *ACME, "--version", "1")
    assert sha.group(1) in shown
    assert "Can we get 30" in shown
    contract = run("agreement", "render", *ACME, "--version", "1")
    assert f"SHA-256 `{sha.group(1)}`" in contract
    assert "approved by jane@janedoe.example, max@acme.example" in contract
    head = re.search(r"audit log #\d+ ([0-9a-f]{64})", contract)
    assert head is not None
    verified = run("audit", "verify", "--anchor", head.group(1))
    assert verified.startswith("chain OK")
    # the client contact may not read the audit log
    run("audit", "verify", user="max@acme.example", code=2)
