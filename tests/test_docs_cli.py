"""docs/cli.md is generated from --help and must match the command line."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_md_is_current():
    gen = _generator()
    current = gen.DOC.read_text(encoding="utf-8") if gen.DOC.exists() else ""
    assert current == gen.render(), (
        "docs/cli.md is out of date: run `python scripts/gen_cli_docs.py`"
    )


def test_docs_cli_md_covers_every_command():
    gen = _generator()
    text = gen.DOC.read_text(encoding="utf-8")
    for path in gen.command_paths():
        assert f"## `{' '.join(('slakeeper', *path))}`" in text
    assert ("calendar", "due") in gen.command_paths()
