"""Shared test configuration: Hypothesis profiles and databases.

`ci` (the default, used by `make test`) keeps the suite fast; `extended` runs
many more examples, and the ticket replay at its full 10,000 events:
`pytest --hypothesis-profile=extended tests/core tests/services/test_tickets_replay.py`.

Storage tests run on SQLite and PostgreSQL (`backend`, `db_settings`,
`sessions`); tests that need a database but test no storage use
`sqlite_settings`; refusals that share an expensive setup use `module_sessions`.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.migrate import upgrade
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.settings import Settings
from tests.factories import Cast, activate, make_cast

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "extended",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("ci")


# -- databases: every storage test runs on SQLite and on PostgreSQL ---------------


POSTGRES_ENV = "SLAKEEPER_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this xdist worker and run."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} must be set in CI: PostgreSQL is not optional")
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL tests not run")
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"slakeeper_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a defect in CI: never skip silently
        pytest.fail(f"PostgreSQL at {url.render_as_string()} cannot be used: {exc}")
    test_url = url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(Settings(database_url=test_url))
    upgrade(engine)
    engine.dispose()
    yield test_url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sqlite_settings(sqlite_template: Path, tmp_path: Path) -> Settings:
    """Settings pointing at a migrated SQLite file of the test's own: for tests
    that need a database but test no storage behaviour (which `db_settings`
    runs on both backends)."""
    path = tmp_path / "slakeeper.db"
    shutil.copy(sqlite_template, path)
    return Settings(database_url=f"sqlite:///{path}")


@pytest.fixture
def db_settings(backend: str, request: pytest.FixtureRequest) -> Settings:
    """Settings pointing at a migrated database of the test's backend."""
    if backend == "sqlite":
        settings: Settings = request.getfixturevalue("sqlite_settings")
        return settings
    return Settings(database_url=request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_settings: Settings) -> Iterator[Engine]:
    eng = make_engine(db_settings)
    yield eng
    eng.dispose()


@pytest.fixture
def active_cast(sessions: sessionmaker[Session]) -> Cast:
    """The shared cast (tests/factories.py) with the example agreement approved
    by both sides and in force from 2 January 2027."""
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
        return cast


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """Each test works in its own new workspace, so tests sharing a PostgreSQL
    database never see each other's rows."""
    return make_sessionmaker(engine)


# -- a database per module: setup shared by tests that leave it as they found it --


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def module_db_settings(
    module_backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    """`db_settings` for one module's tests on each backend: for tests that
    share an expensive setup because each writes nothing that the others read
    (refusals that check they changed nothing)."""
    if module_backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("module") / "slakeeper.db"
        shutil.copy(template, path)
        return Settings(database_url=f"sqlite:///{path}")
    return Settings(database_url=request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="module")
def module_sessions(module_db_settings: Settings) -> Iterator[sessionmaker[Session]]:
    eng = make_engine(module_db_settings)
    yield make_sessionmaker(eng)
    eng.dispose()
