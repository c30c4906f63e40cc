"""`slakeeper feed ...` through the real command line, on both backends: a feed
created for Acme prints its token, path and URL once, and that token opens the
feed; lists (table and JSON) never show tokens; revoking closes the feed; bad
input is a one-line error with exit code 2 that stores nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Client, FeedToken
from slakeeper.errors import NotFound
from slakeeper.services import feeds
from slakeeper.settings import Settings
from tests.cli.helpers import ERIKA, JANE, SAM, Cli, use_workspace, workspace_name
from tests.factories import activate, make_cast

READ_AT = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Env:
    sessions: sessionmaker[Session]
    workspace_id: int
    acme_id: int


@pytest.fixture
def env(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> Env:
    """Jane's workspace with the example agreement with Acme active, and a
    second client, Globex."""
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
        s.add(
            Client(
                workspace_id=cast.workspace_id,
                name="Globex",
                key="GLOBEX",
                created_at=READ_AT,
            )
        )
        name = workspace_name(s, cast)
    use_workspace(monkeypatch, db_settings, name)
    return Env(sessions, cast.workspace_id, cast.acme_id)


run = Cli("feed")


def printed(output: str) -> dict[str, str]:
    """The `token:`, `path:` and `url:` lines of `feed create`."""
    lines = [line.split(":", 1) for line in output.splitlines() if ":" in line]
    return {k: v.strip() for k, v in lines if k in ("token", "path", "url")}


def listed(user: str = JANE) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(run("list", "--json", user=user))
    return rows


def feed_count(env: Env) -> int:
    with env.sessions() as s:
        where = FeedToken.workspace_id == env.workspace_id
        return int(s.scalar(select(func.count(FeedToken.id)).where(where)) or 0)


def test_create_prints_the_token_path_and_url_and_the_token_opens_the_feed(env):
    out = printed(run("create", "--client", "Acme GmbH", "--name", "Jane's phone"))
    token = out["token"]
    assert token.startswith("slkf_")
    assert out["path"] == f"/clients/{env.acme_id}/deadlines.ics?token={token}"
    assert out["url"] == f"http://127.0.0.1:8000{out['path']}"
    with env.sessions.begin() as s:
        document = feeds.deadlines_calendar(s, env.acme_id, token, READ_AT)
    calendar = Calendar.from_ical(document)
    assert str(calendar["x-wr-calname"]) == "Acme GmbH deadlines"
    assert len(calendar.walk("VEVENT")) == 3
    (row,) = listed()
    assert (
        row["client_name"],
        row["client_id"],
        row["name"],
        row["created_by_email"],
    ) == ("Acme GmbH", env.acme_id, "Jane's phone", JANE)
    assert row["prefix"] == token[:12]
    assert row["last_used_at"] is not None
    assert row["revoked_at"] is None


def test_create_with_a_base_url_prints_the_full_url(env):
    out = printed(
        run(
            "create",
            "-c",
            "Acme GmbH",
            "--base-url",
            "https://sla.janedoe.example/",
            user=ERIKA,
        )
    )
    assert out["url"] == f"https://sla.janedoe.example{out['path']}"
    assert listed(user=ERIKA)[0]["name"] == "calendar"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "Initech"], "no client named 'Initech'"),
        (["--client", "Acme GmbH", "--name", " "], "name: must not be empty"),
        (["--client", "Acme GmbH", "--base-url", "ftp://x"], "--base-url: 'ftp://x'"),
        (["--client", "Acme GmbH", "--base-url", "https://x/?a=1"], "query"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(env, args, message):
    result = run.invoke("create", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert [line for line in result.output.splitlines() if line][-1].startswith(
        "error: "
    )
    assert feed_count(env) == 0


def test_a_client_contact_creates_feeds_only_for_their_own_client(env):
    out = run("create", "--client", "Globex", user=ERIKA, code=2)
    assert "no client named 'Globex'" in out
    assert feed_count(env) == 0
    run("create", "--client", "Acme GmbH", user=ERIKA)
    assert feed_count(env) == 1


def test_the_list_shows_no_tokens_and_owners_see_every_feed(env):
    jane = printed(run("create", "--client", "Acme GmbH", "--name", "jane"))
    run("create", "--client", "Globex", "--name", "sam", user=SAM)
    assert [r["name"] for r in listed()] == ["jane", "sam"]
    assert [r["name"] for r in listed(user=SAM)] == ["sam"]
    table = run("list")
    assert "jane" in table
    assert "Globex" in table
    assert jane["token"] not in table
    assert jane["token"] not in run("list", "--json")


def test_revoke_closes_the_feed(env):
    out = printed(run("create", "--client", "Acme GmbH", "--name", "phone"))
    (row,) = listed()
    assert run("revoke", str(row["id"]), user=SAM, code=2).startswith("error: ")
    assert run("revoke", str(row["id"])).strip() == f"Revoked feed {row['id']} (phone)."
    assert "already revoked" in run("revoke", str(row["id"]), code=2)
    assert listed()[0]["revoked_at"] is not None
    with env.sessions.begin() as s, pytest.raises(NotFound):
        feeds.deadlines_calendar(s, env.acme_id, out["token"], READ_AT)
