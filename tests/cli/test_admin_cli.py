"""`slakeeper init`, `db`, `config`, `user`, `client` and `token` through CliRunner,
on a throwaway root app (the real one registers the same sub-apps)."""

import json
import uuid
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from slakeeper.cli import SlakeeperGroup, admin
from slakeeper.db.models import ApiToken, AuditEntry, Workspace
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.settings import Settings
from tests.cli.helpers import use_workspace

runner = CliRunner()
PASSWORD = "correct horse battery"

app = typer.Typer(cls=SlakeeperGroup, add_completion=False)
app.command("init")(admin.init)
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.config_app, name="config")
app.add_typer(admin.user_app, name="user")
app.add_typer(admin.client_app, name="client")
app.add_typer(admin.token_app, name="token")


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/data/slakeeper.db"
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", url)
    monkeypatch.delenv("SLAKEEPER_WORKSPACE", raising=False)
    monkeypatch.delenv("SLAKEEPER_USER", raising=False)
    return url


def init_args(workspace: str = "Jane Doe Web") -> list[str]:
    return [
        "init",
        "--workspace",
        workspace,
        "--email",
        "jane@janedoe.example",
        "--name",
        "Jane Doe",
        "--password",
        PASSWORD,
    ]


def ok(args: list[str], stdin: str | None = None) -> str:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def fails(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert message in result.stderr


def test_db_upgrade_creates_then_reports_the_revision(sqlite_url):
    first = ok(["db", "upgrade"])
    assert "(empty) -> " in first
    assert "already at the newest revision" in ok(["db", "upgrade"])


def test_commands_on_an_empty_database_say_what_to_run(sqlite_url):
    fails(["user", "list"], "run `slakeeper db upgrade` first")
    ok(["db", "upgrade"])
    fails(["user", "list"], "create one with `slakeeper init`")


def test_config_show_names_each_setting_and_its_source(sqlite_url, monkeypatch):
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", "postgresql://app:s3cret@db/sla")
    monkeypatch.setenv("SLAKEEPER_IMAP_PASSWORD", "imap-s3cret")
    rows = json.loads(ok(["config", "show", "--json"]))
    by_name = {row["setting"]: row for row in rows}
    assert set(by_name) == set(Settings.model_fields)
    url = by_name["database_url"]
    assert (url["source"], url["value"]) == ("env", "postgresql://app:***@db/sla")
    assert (by_name["user"]["source"], by_name["user"]["value"]) == ("default", None)
    assert by_name["imap_password"]["value"] == "**********"
    table = ok(["config", "show"])
    assert "SLAKEEPER_WORKSPACE" in table
    assert "s3cret" not in table


def test_init_asks_for_what_is_missing_with_a_hidden_confirmed_password(sqlite_url):
    answers = f"Jane Doe Web\njane@janedoe.example\nJane Doe\n{PASSWORD}\n{PASSWORD}\n"
    out = ok(["init"], stdin=answers)
    assert "Created the database schema" in out
    assert "Created workspace 'Jane Doe Web' with owner jane@janedoe.example." in out
    assert PASSWORD not in out
    assert "Repeat for confirmation" in out
    users = json.loads(ok(["user", "list", "--json"]))
    assert [(u["email"], u["role"]) for u in users] == [
        ("jane@janedoe.example", "owner")
    ]


def test_init_refuses_a_second_workspace_of_the_same_name(sqlite_url):
    ok(init_args())
    fails(init_args(), "a workspace named 'Jane Doe Web' already exists")
    fails([*init_args("Other")[:-1], "short"], "password: must be at least 8")


def test_people_clients_and_tokens_end_to_end(db_settings, monkeypatch):
    """The whole flow, on SQLite and PostgreSQL (a workspace of its own)."""
    workspace = f"Jane Doe Web {uuid.uuid4().hex[:8]}"
    use_workspace(monkeypatch, db_settings, workspace)
    ok(init_args(workspace))

    assert "Added client Acme GmbH (ACME, id" in ok(["client", "add", "Acme GmbH"])
    ok(["client", "add", "Globex", "--key", "gx"])
    clients = json.loads(ok(["client", "list", "--json"]))
    assert [(c["key"], c["name"]) for c in clients] == [
        ("ACME", "Acme GmbH"),
        ("GX", "Globex"),
    ]
    assert "Acme GmbH" in ok(["client", "list"])

    ok(["user", "add", "sam@janedoe.example", "--name", "Sam"])
    add_max = ["user", "add", "max@acme.example", "--name", "Max", "--role", "client"]
    ok([*add_max, "--client", "acme"])
    fails([*add_max, "--client", "Initech"], "client 'Initech' not found")
    fails(["user", "add", "x@y.example", "--name", "X", "--role", "boss"], "role")
    users = json.loads(ok(["user", "list", "--json"]))
    assert [(u["email"], u["client_name"]) for u in users] == [
        ("jane@janedoe.example", None),
        ("sam@janedoe.example", None),
        ("max@acme.example", "Acme GmbH"),
    ]
    assert users[2]["client_id"] == clients[0]["id"]  # as GET /clients names it
    assert "max@acme.example" in ok(["user", "list"])

    created = runner.invoke(app, ["token", "create", "deploy"])
    assert created.exit_code == 0, created.stderr
    plaintext = created.stdout.strip()
    assert plaintext.startswith("slk_")
    assert "shown only once" in created.stderr
    tokens = json.loads(ok(["token", "list", "--json"]))
    assert [(t["name"], t["user_email"], t["revoked_at"]) for t in tokens] == [
        ("deploy", "jane@janedoe.example", None)
    ]
    assert tokens[0]["user_id"] == users[0]["id"]
    assert plaintext not in ok(["token", "list"])
    assert f"Revoked token {tokens[0]['id']} (deploy)." in ok(
        ["token", "revoke", str(tokens[0]["id"])]
    )
    fails(["token", "revoke", str(tokens[0]["id"])], "already revoked")

    monkeypatch.setenv("SLAKEEPER_USER", "max@acme.example")
    assert [c["key"] for c in json.loads(ok(["client", "list", "--json"]))] == ["ACME"]
    fails(["user", "disable", "sam@janedoe.example"], "user 'sam@janedoe.example'")
    fails(["client", "add", "Initech"], "only the provider's people")
    monkeypatch.delenv("SLAKEEPER_USER")
    assert "Disabled max@acme.example." in ok(["user", "disable", "max@acme.example"])
    monkeypatch.setenv("SLAKEEPER_USER", "max@acme.example")
    fails(["client", "list"], "user max@acme.example is disabled")
    monkeypatch.setenv("SLAKEEPER_USER", "nobody@acme.example")
    fails(["client", "list"], "no user 'nobody@acme.example'")

    engine = make_engine(db_settings)
    with make_sessionmaker(engine)() as s:
        ws_id = s.scalar(select(Workspace.id).where(Workspace.name == workspace))
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.workspace_id == ws_id)
            .order_by(AuditEntry.seq)
        ).all()
        stored = s.scalars(select(ApiToken.token_hash)).all()
    engine.dispose()
    assert plaintext not in stored
    assert actions == [
        "workspace.created",
        "user.added",
        "client.added",
        "client.added",
        "user.added",
        "user.added",
        "token.created",
        "token.revoked",
        "user.disabled",
    ]


def test_several_workspaces_need_a_name(sqlite_url, monkeypatch):
    ok(init_args("One"))
    ok(init_args("Two"))
    fails(["client", "list"], "choose one with SLAKEEPER_WORKSPACE")
    monkeypatch.setenv("SLAKEEPER_WORKSPACE", "Two")
    ok(["client", "add", "Acme"])
    monkeypatch.setenv("SLAKEEPER_WORKSPACE", "One")
    assert json.loads(ok(["client", "list", "--json"])) == []
