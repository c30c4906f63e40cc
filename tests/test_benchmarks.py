"""The lists benchmark runs (`benchmarks/lists.py --quick` on SQLite), so it
cannot rot as the services change. Nothing here asserts on a timing: only that
every path ran and its row was printed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
PATHS = (
    "tickets.list_views, first page",
    "status.board",
    "worker.run_due_checks",
    "time_entries.list_entries, a month",
    "invoices.build_invoice, a month",
)


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"benchmarks_{name}", BENCHMARKS / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.bench
def test_the_lists_benchmark_prints_a_row_per_path_and_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lists = load("lists")
    assert lists.main(["--quick", "--backends", "sqlite"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ")][2:]
    printed = sorted(
        (path, n)
        for row in rows
        for path in PATHS
        for n in lists.QUICK_SIZES
        if row.startswith(f"| {path} | sqlite | {n:,} |")
    )
    assert len(rows) == len(printed)
    assert printed == sorted((p, n) for p in PATHS for n in lists.QUICK_SIZES)
    assert all(" | ok" in row or " | over" in row for row in rows)
    assert "statements" in out.split("goal (issue 10)")[1]
