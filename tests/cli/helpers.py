"""What the CLI tests share: a runner, the cast's e-mails, a fixed "now" (the CLI
reads `SLAKEEPER_NOW`, so no test depends on today's date), pointing the CLI at a
test database, and a workspace whose agreement with Acme is in force.

```python
@pytest.fixture
def env(sessions, db_settings, monkeypatch) -> str:
    _cast, name = in_force_workspace(sessions)
    use_workspace(monkeypatch, db_settings, name)
    return name

run = Cli("ticket")  # run("show", "ACME-1", user=ERIKA, code=2) -> output
```
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from slakeeper.cli import app
from slakeeper.db.models import Workspace
from slakeeper.settings import Settings
from tests.factories import Cast, activate, example_text, make_cast

JANE = "jane@janedoe.example"
SAM = "sam@janedoe.example"
MAX = "max@acme.example"
ERIKA = "erika@acme.example"

# the CLI's "now" in every test that points it at a database: a Wednesday morning
# (10:00 in Berlin) the day after the shared cast's NOW
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
# the example agreement, in force since the start of 2026
IN_FORCE = example_text().replace("effective: 2027-01-01", "effective: 2026-01-01")

runner = CliRunner()


def use_fixed_now(monkeypatch: pytest.MonkeyPatch, now: datetime = NOW) -> None:
    """The CLI acts at `now` instead of the clock."""
    monkeypatch.setenv("SLAKEEPER_NOW", now.isoformat())
    monkeypatch.setenv("SLAKEEPER_ALLOW_FIXED_NOW", "1")


def use_workspace(
    monkeypatch: pytest.MonkeyPatch,
    db_settings: Settings,
    workspace: str,
    now: datetime = NOW,
) -> None:
    """Point the CLI at `workspace` in the test's database, acting at `now`, as
    the workspace's owner unless a command names SLAKEEPER_USER."""
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", db_settings.database_url)
    monkeypatch.setenv("SLAKEEPER_WORKSPACE", workspace)
    monkeypatch.delenv("SLAKEEPER_USER", raising=False)
    use_fixed_now(monkeypatch, now)


def workspace_name(session: Session, cast: Cast) -> str:
    workspace = session.get(Workspace, cast.workspace_id)
    assert workspace is not None
    return workspace.name


def in_force_workspace(
    sessions: sessionmaker[Session],
    body: str = IN_FORCE,
    *,
    active: datetime = NOW,
    approved: datetime = NOW - timedelta(days=1),
) -> tuple[Cast, str]:
    """The cast (created on 1 December 2025) with `body` (by default the example
    agreement effective since the start of 2026) approved at `approved` and
    active from `active`; returns the cast and its workspace's name."""
    with sessions.begin() as s:
        cast = make_cast(s, now=datetime(2025, 12, 1, tzinfo=UTC))
        activate(s, cast, body, at=active, approved=approved)
        return cast, workspace_name(s, cast)


class Cli:
    """Runs `slakeeper PREFIX... ARGS...` as `user` (None: as SLAKEEPER_USER is
    set), with extra settings as keywords (`IMAP_PORT="1"` sets
    SLAKEEPER_IMAP_PORT for the one command)."""

    def __init__(self, *prefix: str, user: str | None = JANE) -> None:
        self.prefix = list(prefix)
        self.user = user

    def invoke(self, *args: str, user: str | None = None, **settings: str) -> Result:
        env = {f"SLAKEEPER_{name}": value for name, value in settings.items()}
        who = user or self.user
        if who is not None:
            env["SLAKEEPER_USER"] = who
        return runner.invoke(app, [*self.prefix, *args], env=env or None)

    def __call__(
        self, *args: str, user: str | None = None, code: int = 0, **settings: str
    ) -> str:
        """The output, once the exit code is `code`."""
        result = self.invoke(*args, user=user, **settings)
        assert result.exit_code == code, result.output
        return result.output

    def error(self, *args: str, user: str | None = None, **settings: str) -> str:
        """The single `error: ...` line of a command that fails with exit code 2
        (and prints nothing on standard output)."""
        result = self.invoke(*args, user=user, **settings)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ")
        return line
