"""Eight `slakeeper invoice issue` processes at once on SQLite, the embedded
default: each waits its turn for the write lock, so all eight succeed and the
numbers are 1..8 without a gap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Invoice, Workspace
from slakeeper.services import invoices, time_entries
from slakeeper.settings import Settings
from tests.factories import activate, example_text, make_cast

N = 8
NOW = datetime.now(UTC)  # the CLI issues at the wall clock's time


def drafts(sessions: sessionmaker[Session]) -> tuple[str, list[int]]:
    """A workspace with Acme's agreement in force and `N` drafts, one per day of
    an hour's work between 30 and 23 days ago; its name and the drafts' ids."""
    with sessions.begin() as s:
        cast = make_cast(s, now=NOW - timedelta(days=90))
        body = example_text().replace("effective: 2027-01-01", "effective: 2026-01-01")
        activate(
            s,
            cast,
            body,
            at=NOW - timedelta(days=60),
            approved=NOW - timedelta(days=70),
        )
        workspace = s.get(Workspace, cast.workspace_id)
        assert workspace is not None
        name = workspace.name
    ids = []
    for i in range(N):
        start = (NOW - timedelta(days=30 - i)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        with sessions.begin() as s:
            time_entries.add_entry(
                s,
                cast.jane,
                client_id=cast.acme_id,
                started_at=start,
                ended_at=start + timedelta(hours=1),
                now=NOW,
            )
            built = invoices.build_invoice(
                s,
                cast.jane,
                client_id=cast.acme_id,
                period_start=start.date(),
                period_end=start.date(),
                now=NOW,
            )
            ids.append(built.invoice.id)
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
        "SLAKEEPER_USER": "jane@janedoe.example",
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
