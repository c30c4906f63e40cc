"""The CLI's clock (`cli/context.current_instant`): the wall clock, or a fixed
`SLAKEEPER_NOW` that only `SLAKEEPER_ALLOW_FIXED_NOW` allows. The backend plays
no part: one SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from slakeeper.cli.context import current_instant
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.errors import InvalidInput
from slakeeper.settings import Settings
from tests.cli.helpers import NOW, SAM, Cli, in_force_workspace, use_workspace

run = Cli("time", user=SAM)
BERLIN_MORNING = "2026-12-02T10:00:00+01:00"  # NOW, written in Berlin's offset


def test_without_a_fixed_now_it_is_the_clock():
    before = datetime.now(UTC)
    now = current_instant(Settings(database_url="sqlite://"))
    assert before <= now <= datetime.now(UTC)
    assert now.tzinfo is UTC


def test_a_fixed_now_is_used_only_when_allowed():
    fixed = Settings(
        database_url="sqlite://", now=datetime.fromisoformat(BERLIN_MORNING)
    )
    with pytest.raises(InvalidInput) as refused:
        current_instant(fixed)
    assert refused.value.location == "SLAKEEPER_NOW"
    assert "SLAKEEPER_ALLOW_FIXED_NOW=1" in str(refused.value)
    allowed = fixed.model_copy(update={"allow_fixed_now": True})
    assert current_instant(allowed) == NOW
    assert current_instant(allowed).tzinfo is UTC


@pytest.fixture
def workspace(sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    engine = make_engine(sqlite_settings)
    try:
        _cast, name = in_force_workspace(make_sessionmaker(engine))
    finally:
        engine.dispose()
    use_workspace(monkeypatch, sqlite_settings, name)
    return name


def test_commands_act_at_the_fixed_now(workspace):
    run("start", "--client", "Acme GmbH", NOW=BERLIN_MORNING)
    later = (NOW + timedelta(minutes=90)).isoformat()
    timer = json.loads(run("status", "--json", NOW=later))["timer"]
    assert datetime.fromisoformat(timer["started_at"]) == NOW
    assert timer["elapsed_seconds"] == 90 * 60


def test_a_fixed_now_that_is_not_allowed_is_one_error_and_changes_nothing(
    workspace, monkeypatch
):
    monkeypatch.delenv("SLAKEEPER_ALLOW_FIXED_NOW")
    assert run.error("start", "--client", "Acme GmbH") == (
        f"error: SLAKEEPER_NOW: a fixed time ({NOW.isoformat()}) is for tests and"
        " demos; unset SLAKEEPER_NOW, or set SLAKEEPER_ALLOW_FIXED_NOW=1 to use it"
    )
    monkeypatch.delenv("SLAKEEPER_NOW")
    assert run("status") == "No timer runs.\n"


def test_a_fixed_now_without_an_offset_is_refused(workspace):
    line = run.error("status", NOW="2026-12-02T09:00:00")
    assert line.startswith("error: SLAKEEPER_NOW: ")
    assert "timezone" in line


def test_config_show_prints_the_fixed_now(workspace):
    shown = json.loads(Cli("config")("show", "--json"))
    by_name = {row["setting"]: row for row in shown}
    assert (by_name["now"]["value"], by_name["now"]["source"]) == (
        NOW.isoformat(),
        "env",
    )
    assert by_name["allow_fixed_now"]["value"] is True
