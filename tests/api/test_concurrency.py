"""The API really served (uvicorn on 127.0.0.1, a free port) over SQLite, the
embedded default, with 8 users at once mixing reads and writes: every request
answers as it would alone (no `database is locked`, no reset connection), and
the tickets opened meanwhile get distinct keys."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2 as httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.api.app import create_app
from slakeeper.api.deps import get_now
from slakeeper.db.models import Ticket
from slakeeper.services import workspaces
from slakeeper.settings import Settings
from tests.factories import NOW, World, activate, make_world

THREADS = 8
REQUESTS = 100
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # the example agreement is in force


@dataclass
class Served:
    url: str
    world: World
    tokens: dict[str, str]


@pytest.fixture
def served(db_settings: Settings, sessions: sessionmaker[Session]) -> Iterator[Served]:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        tokens = {
            name: workspaces.create_token(s, who, name="load", now=NOW)[1]
            for name, who in (("jane", world.cast.jane), ("erika", world.cast.erika))
        }
    app = create_app(db_settings)
    app.dependency_overrides[get_now] = lambda: T0
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", world, tokens)
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_eight_users_at_once_get_no_error(
    served: Served, sessions: sessionmaker[Session]
) -> None:
    acme = served.world.cast.acme_id
    barrier = threading.Barrier(THREADS)
    answers: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        jane = {"Authorization": f"Bearer {served.tokens['jane']}"}
        erika = {"Authorization": f"Bearer {served.tokens['erika']}"}
        with httpx.Client(base_url=served.url, timeout=60) as client:
            barrier.wait(timeout=30)
            for i in range(REQUESTS):
                kind = (n + i) % 4
                try:
                    if kind == 0:
                        what = "POST /tickets"
                        body = {"client_id": acme, "title": f"Load {n}-{i}"}
                        response = client.post("/tickets", json=body, headers=erika)
                    elif kind == 1:
                        what = "GET /clients"
                        response = client.get("/clients", headers=jane)
                    elif kind == 2:
                        what = "GET /status"
                        response = client.get("/status", headers=jane)
                    else:
                        what = "GET /agreements"
                        response = client.get("/agreements", headers=erika)
                except httpx.HTTPError as exc:  # e.g. a reset connection
                    with lock:
                        failures.append(f"{what}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    answers[what, response.status_code] += 1
                    if response.status_code >= 300:
                        failures.append(f"{what}: {response.text}")

    threads = [threading.Thread(target=user, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert sum(answers.values()) == THREADS * REQUESTS
    opened = answers["POST /tickets", 201]
    assert opened == THREADS * REQUESTS // 4
    with sessions() as s:
        keys = s.scalars(select(Ticket.key).where(Ticket.client_id == acme)).all()
    assert len(keys) == len(set(keys)) == opened
