"""The API over a migrated database of each backend, with the shared cast holding
API tokens, and `now` frozen (overridable per test through `api.now`)."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.api.app import create_app
from slakeeper.api.deps import get_now
from slakeeper.db.models import ApiToken
from slakeeper.services import workspaces
from slakeeper.services.access import Principal
from slakeeper.settings import Settings
from tests.factories import NOW, World, example_text, make_world


@dataclass
class Api:
    """A test client that acts as one of the cast: `api.get(path, as_="max")`."""

    client: TestClient
    world: World
    tokens: dict[str, str]
    sessions: sessionmaker[Session]
    now: list[datetime] = field(default_factory=lambda: [NOW])

    def headers(self, who: str | None, key: str | None = None) -> dict[str, str]:
        out = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        if key is not None:
            out["Idempotency-Key"] = key
        return out

    def get(self, path: str, as_: str | None = "jane", **kw: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers(as_), **kw)

    def post(
        self,
        path: str,
        json: Any = None,
        as_: str | None = "jane",
        key: str | None = None,
    ) -> httpx.Response:
        return self.client.post(path, json=json, headers=self.headers(as_, key))

    def import_example(self, key: str | None = None) -> dict[str, Any]:
        body = {
            "client_id": self.world.cast.acme_id,
            "source_name": "acme.yaml",
            "text": example_text(),
        }
        response = self.post("/agreements", body, key=key)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


def _token(session: Session, who: Principal) -> str:
    _row, plaintext = workspaces.create_token(session, who, name="test", now=NOW)
    return plaintext


def _raw_token(session: Session, who: Principal, plaintext: str) -> str:
    """A token for a user the service would refuse to issue one to (disabled)."""
    session.add(
        ApiToken(
            workspace_id=who.workspace_id,
            user_id=who.user_id,
            name="old",
            token_hash=hashlib.sha256(plaintext.encode()).hexdigest(),
            prefix=plaintext[:12],
            created_at=NOW,
        )
    )
    return plaintext


@pytest.fixture(scope="module")
def anonymous(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """A client without a token, over the API on an empty migrated SQLite
    database, one per module: for what involves no stored data (the OpenAPI
    document, 401s), which the backend plays no part in."""
    path = tmp_path_factory.mktemp("anonymous") / "slakeeper.db"
    shutil.copy(sqlite_template, path)
    with TestClient(create_app(Settings(database_url=f"sqlite:///{path}"))) as client:
        yield client


@contextmanager
def serving(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[Api]:
    """The world with its tokens, and the API over the database."""
    with sessions.begin() as s:
        world = make_world(s)
        cast = world.cast
        tokens = {
            name: _token(s, who)
            for name, who in (
                ("jane", cast.jane),
                ("sam", cast.sam),
                ("max", cast.max),
                ("erika", cast.erika),
                ("olga", world.olga),
                ("stranger", world.foreign.jane),
            )
        }
        tokens["dora"] = _raw_token(s, world.dora, f"slk_dora-{uuid.uuid4().hex}")
        revoked, tokens["revoked"] = workspaces.create_token(
            s, cast.sam, name="old", now=NOW
        )
        workspaces.revoke_token(s, cast.sam, revoked.id, NOW)
    app = create_app(settings)
    holder = Api(None, world, tokens, sessions)  # type: ignore[arg-type]
    app.dependency_overrides[get_now] = lambda: holder.now[0]
    with TestClient(app) as client:
        holder.client = client
        yield holder


@pytest.fixture
def api(db_settings: Settings, sessions: sessionmaker[Session]) -> Iterator[Api]:
    with serving(db_settings, sessions) as holder:
        yield holder


@pytest.fixture(scope="module")
def module_api(
    module_db_settings: Settings, module_sessions: sessionmaker[Session]
) -> Iterator[Api]:
    """`api` once per module and backend: for refusals that share a setup
    because each writes nothing (and checks so)."""
    with serving(module_db_settings, module_sessions) as holder:
        yield holder


@pytest.fixture(scope="module")
def shared_desk(module_api: Api, request: pytest.FixtureRequest) -> Api:
    """The test module's `desk`, made by its `open_desk(api)`, once per backend:
    for its refusals, which share it because each checks that it wrote nothing."""
    open_desk: Callable[[Api], Api] = request.module.open_desk
    return open_desk(module_api)
