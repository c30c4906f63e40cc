"""`slakeeper serve`: uvicorn with the app factory, on a migrated database only."""

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from slakeeper.api.app import load_app
from slakeeper.cli import serve as serve_module
from slakeeper.errors import Conflict


def test_it_runs_uvicorn_with_the_app_factory(
    monkeypatch: pytest.MonkeyPatch, sqlite_template: Path
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", f"sqlite:///{sqlite_template}")
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    serve_module.serve(host="0.0.0.0", port=9000, reload=True)
    assert calls == [
        (
            ("slakeeper.api.app:load_app",),
            {"factory": True, "host": "0.0.0.0", "port": 9000, "reload": True},
        )
    ]
    assert load_app().title == "slakeeper"


def test_it_refuses_a_database_that_is_not_migrated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SLAKEEPER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setattr(uvicorn, "run", pytest.fail)
    with pytest.raises(Conflict, match="slakeeper db upgrade"):
        serve_module.serve(host="127.0.0.1", port=8000, reload=False)
