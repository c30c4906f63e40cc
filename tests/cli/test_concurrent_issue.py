"""Eight `slakeeper invoice issue` processes at once on SQLite, the embedded
default: each waits its turn for the write lock, so all eight succeed and the
numbers are 1..8 without a gap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Invoice, Workspace
from slakeeper.settings import Settings
from tests.cli.helpers import IN_FORCE, JANE, NOW
from tests.factories import activate, make_cast
from tests.services.test_invoice_numbers import draft_for_day

N = 8


def drafts(sessions: sessionmaker[Session]) -> tuple[str, list[int]]:
    """A workspace with Acme's agreement in force and `N` drafts, one per day of
    an hour's work from 30 to 23 days ago; its name and the drafts' ids."""
    with sessions.begin() as s:
        cast = make_cast(s, now=NOW - timedelta(days=90))
        activate(
            s,
            cast,
            IN_FORCE,
            at=NOW - timedelta(days=60),
            approved=NOW - timedelta(days=70),
        )
        workspace = s.get(Workspace, cast.workspace_id)
        assert workspace is not None
        name = workspace.name
    days = [(NOW - timedelta(days=30 - i)).date() for i in range(N)]
    ids = [draft_for_day(sessions, cast, day, NOW) for day in days]
    return name, ids


@pytest.mark.parametrize("backend", ["sqlite"])
def test_eight_parallel_issues_all_succeed_with_gap_free_numbers(
    db_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    workspace, ids = drafts(sessions)
    env = {
        **os.environ,
        "SLAKEEPER_DATABASE_URL": db_settings.database_url,
        "SLAKEEPER_WORKSPACE": workspace,
        "SLAKEEPER_USER": JANE,
        "SLAKEEPER_NOW": NOW.isoformat(),  # the CLI issues at the tests' now
        "SLAKEEPER_ALLOW_FIXED_NOW": "1",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "slakeeper", "invoice", "issue", str(draft)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for draft in ids
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        outcomes.append((process.returncode, out, err))
    assert [code for code, _out, _err in outcomes] == [0] * N, outcomes
    year = NOW.year  # the default pattern: the issue year and a 4-digit sequence
    printed = sorted(
        m.group(1)
        for _code, out, _err in outcomes
        if (m := re.search(r"Issued invoice (\S+)", out))
    )
    expected = [f"{year}-{n:04d}" for n in range(1, N + 1)]
    assert printed == expected
    with sessions() as s:
        stored = s.scalars(select(Invoice.number).where(Invoice.id.in_(ids))).all()
    assert sorted(n for n in stored if n is not None) == expected
