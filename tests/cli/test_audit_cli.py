"""`slakeeper audit verify | anchor | show` on both backends, and how the CLI finds
its database and workspace.

The sub-app is mounted on a throwaway root with the real error handling
(`SlakeeperGroup`: AppError -> exit 2). The database comes from
SLAKEEPER_DATABASE_URL and the workspace from SLAKEEPER_WORKSPACE, as for a user.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import typer
from sqlalchemy import Connection, Engine, delete, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from slakeeper.cli import SlakeeperGroup
from slakeeper.cli.audit import app as audit_app
from slakeeper.cli.audit import parse_instant
from slakeeper.cli.context import open_database, resolve_workspace
from slakeeper.db.models import AuditEntry, Workspace
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.errors import Conflict, InvalidInput, NotFound
from slakeeper.settings import Settings
from tests.cli.helpers import use_workspace
from tests.services.test_audit import T0, TABLE, new_workspace, write_chain

root = typer.Typer(cls=SlakeeperGroup, add_completion=False)


@root.callback()
def _root() -> None:
    """Throwaway root for the audit sub-app."""


root.add_typer(audit_app, name="audit")


@pytest.fixture
def workspace(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str]:
    """A workspace of its own with a chain of 20 entries; the CLI points at it."""
    ws, user = new_workspace(sessions)
    write_chain(sessions, ws, user)
    with sessions() as s:
        found = s.get(Workspace, ws)
        assert found is not None
        name = found.name
    use_workspace(monkeypatch, db_settings, name)
    monkeypatch.setenv("COLUMNS", "200")
    return ws, name


@pytest.fixture
def empty_workspace(sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """A workspace without entries in an SQLite file: for refusals of bad input,
    which no backend plays a part in."""
    engine = make_engine(sqlite_settings)
    try:
        sessions = make_sessionmaker(engine)
        ws, _ = new_workspace(sessions)
        with sessions() as s:
            found = s.get(Workspace, ws)
            assert found is not None
            name = found.name
    finally:
        engine.dispose()
    use_workspace(monkeypatch, sqlite_settings, name)
    return name


def run(*args: str) -> Result:
    return CliRunner().invoke(root, ["audit", *args], prog_name="slakeeper")


def head_hash(sessions: sessionmaker[Session], ws: int) -> str:
    with sessions() as s:
        entry = s.query(AuditEntry).filter_by(workspace_id=ws, seq=20).one()
        return entry.hash


def tamper(engine: Engine, change: Callable[[Connection], Any]) -> None:
    """Commit a change past the triggers; on PostgreSQL they are disabled and
    enabled again in the same transaction, so nobody else sees them off."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # a file of this test's own
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")
            change(conn)
        else:
            conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            change(conn)
            conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE TRIGGER USER")


# -- verify -----------------------------------------------------------------------


def test_verify_prints_the_head_and_exits_0(sessions, workspace):
    ws, _ = workspace
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert (
        result.output == f"chain OK: 20 entries, head #20 {head_hash(sessions, ws)}\n"
    )


def test_verify_json(sessions, workspace):
    ws, name = workspace
    result = run("verify", "--json")
    assert result.exit_code == 0
    body = json.loads(result.output)
    assert body["workspace"] == name
    assert body["ok"] is True
    assert (body["entries"], body["head_seq"]) == (20, 20)
    assert body["head_hash"] == head_hash(sessions, ws)
    assert body["first_broken"] is None


def test_verify_names_the_first_broken_link_and_exits_1(engine, workspace):
    ws, _ = workspace
    tamper(
        engine,
        lambda conn: conn.execute(
            update(TABLE)
            .where(AuditEntry.workspace_id == ws, AuditEntry.seq.in_([7, 12]))
            .values(action="agreement.withdraw")
        ),
    )
    result = run("verify")
    assert result.exit_code == 1
    first, second = result.output.splitlines()
    assert first.startswith("chain BROKEN at #7: entry #7 was altered: ")
    assert second.startswith("20 entries as stored, head #20 ")
    body = json.loads(run("verify", "--json").output)
    assert (body["ok"], body["first_broken"]) == (False, 7)


def test_verify_against_an_anchor(sessions, engine, workspace):
    ws, _ = workspace
    anchor = head_hash(sessions, ws)
    result = run("verify", "--anchor", anchor)
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == f"anchor found at #20: {anchor}"
    tamper(
        engine,
        lambda conn: conn.execute(
            delete(TABLE).where(AuditEntry.workspace_id == ws, AuditEntry.seq > 17)
        ),
    )
    assert run("verify").exit_code == 0  # a cut-off chain looks fine alone
    result = run("verify", "--anchor", anchor)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"chain BROKEN: anchor {anchor} is not in the chain: entries were cut off"
    )
    assert "17 entries as stored, head #17" in result.output


def test_verify_refuses_an_anchor_that_is_no_hash(workspace):
    result = run("verify", "--anchor", "12ab")
    assert result.exit_code == 2
    assert "error: anchor: '12ab' is not an audit hash" in result.output


# -- anchor -----------------------------------------------------------------------


def test_anchor_prints_seq_time_and_hash(sessions, workspace):
    ws, name = workspace
    digest = head_hash(sessions, ws)
    result = run("anchor")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"workspace: {name}",
        "head:      #20",
        "time:      2027-01-04T11:20:00.123456+00:00",
        f"hash:      {digest}",
        "Keep this outside the database; check it later with "
        f"`slakeeper audit verify --anchor {digest}`.",
    ]
    body = json.loads(run("anchor", "--json").output)
    assert body == {
        "workspace": name,
        "seq": 20,
        "hash": digest,
        "at": "2027-01-04T11:20:00.123456+00:00",
    }


def test_anchor_of_an_empty_log_is_an_error(sessions, db_settings, monkeypatch):
    ws, _ = new_workspace(sessions)
    with sessions() as s:
        found = s.get(Workspace, ws)
        assert found is not None
    use_workspace(monkeypatch, db_settings, found.name)
    result = run("anchor")
    assert result.exit_code == 2
    assert "the audit log is empty" in result.output
    assert run("verify").output == "chain OK: the audit log is empty\n"


# -- show -------------------------------------------------------------------------


def test_show_prints_a_table(workspace):
    _, name = workspace
    result = run("show", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert f"Audit log of {name}" in result.output
    lines = [line for line in result.output.splitlines() if "2027-01-04" in line]
    assert len(lines) == 3
    assert "18" in lines[0]
    assert "user:198" in lines[0]
    assert "system" in lines[0]  # seq 18 has no actor
    assert "jane@example.com" in lines[1]
    assert '{"n":20,"note":"entry 20"' in result.output


def test_show_filters_as_json(workspace):
    def seqs(*args: str) -> list[int]:
        result = run("show", "--json", *args)
        assert result.exit_code == 0, result.output
        return [row["seq"] for row in json.loads(result.output)]

    assert seqs("--action", "agreement.approve") == [5, 11, 17]
    assert seqs("--object", "user") == [6, 12, 18]
    assert seqs("--object", "user:66") == [6]
    assert seqs("--since", "2027-01-05") == []
    assert seqs("--until", "2027-01-04", "--limit", "100") == list(range(1, 21))
    assert seqs("--since", "2027-01-04T10:00Z") == list(range(9, 21))
    assert seqs(
        "--since", "2027-01-04T11:00+01:00", "--until", "2027-01-04T10:10Z"
    ) == [9]
    row = json.loads(run("show", "--json", "--limit", "1").output)[0]
    assert row["payload"] == {"n": 20, "note": "entry 20", "sha256": "ab" * 32}
    assert row["at"] == "2027-01-04T11:20:00.123456Z"
    assert row["actor"] == "jane@example.com"
    assert set(row) >= {"prev_hash", "hash", "object_type", "object_id", "action"}


def test_show_with_nothing_matching(workspace):
    result = run("show", "--action", "invoice")
    assert (result.exit_code, result.output) == (0, "no audit entries match\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since: 'yesterday' is neither a date"),
        (["--until", "2027-01-04T10:00"], "--until: '2027-01-04T10:00' has no time"),
        (["--object", ":3"], "--object: ':3': expected TYPE or TYPE:ID"),
        (["--since", "2027-01-05", "--until", "2027-01-03"], "until: must be after"),
    ],
)
def test_show_refuses_bad_filters(empty_workspace, args, message):
    result = run("show", *args)
    assert result.exit_code == 2
    assert f"error: {message}" in result.output


def test_show_refuses_a_limit_below_one(empty_workspace):
    assert run("show", "--limit", "0").exit_code == 2


def test_parse_instant():
    assert parse_instant("2027-01-04", option="--since") == T0.replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    end = parse_instant("2027-01-04", option="--until", end_of_day=True)
    assert end.isoformat() == "2027-01-05T00:00:00+00:00"
    with pytest.raises(InvalidInput, match=r"^--since: "):
        parse_instant("2027-13-01", option="--since")


# -- finding the database and the workspace ---------------------------------------


def test_an_unknown_workspace_name_is_an_error(workspace, monkeypatch):
    monkeypatch.setenv("SLAKEEPER_WORKSPACE", "No Such Workspace")
    result = run("verify")
    assert result.exit_code == 2
    assert "error: no workspace named 'No Such Workspace' in the database" in (
        result.output
    )


def test_a_database_that_is_behind_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    result = run("verify")
    assert result.exit_code == 2
    assert "run `slakeeper db upgrade` first" in result.output


def test_resolve_workspace(sqlite_settings):
    with open_database(sqlite_settings) as sessions:
        with sessions() as s, pytest.raises(NotFound, match="slakeeper init"):
            resolve_workspace(s, sqlite_settings)
        for name in ("Zeta Web", "Acme Care"):
            with sessions.begin() as s:
                s.add(Workspace(name=name, created_at=T0))
                if name == "Zeta Web":
                    s.flush()
                    assert resolve_workspace(s, sqlite_settings).name == "Zeta Web"
        with sessions() as s:
            with pytest.raises(
                InvalidInput,
                match=r"^SLAKEEPER_WORKSPACE: the database holds several workspaces"
                r" \(it has 'Acme Care', 'Zeta Web'\); choose one",
            ):
                resolve_workspace(s, sqlite_settings)
            named = sqlite_settings.model_copy(update={"workspace": "Acme Care"})
            assert resolve_workspace(s, named).name == "Acme Care"
            unknown = sqlite_settings.model_copy(update={"workspace": "Acme"})
            with pytest.raises(NotFound, match="no workspace named 'Acme'"):
                resolve_workspace(s, unknown)


def test_open_database_refuses_a_database_that_is_behind(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(Conflict, match="db upgrade"), open_database(settings):
        pass
