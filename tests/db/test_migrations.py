"""The migrations build exactly the tables the models describe, on both backends,
and every migration can be undone and done again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from slakeeper.db.base import Base
from slakeeper.db.migrate import alembic_config, head_revision, upgrade
from slakeeper.db.models import Counter
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.services import tickets
from slakeeper.services.delivery import change_requests
from slakeeper.settings import Settings
from tests.factories import activate, make_cast

LATER = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def test_the_migrated_schema_is_the_models_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the round trip drops every table)."""
    if request.param == "sqlite":
        engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'e.db'}"))
        yield engine
        engine.dispose()
        return
    base = request.getfixturevalue("postgres_url")
    name = f"slakeeper_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        Settings(
            database_url=make_url(base)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    )
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_migration_can_be_undone_and_redone(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    _, after = upgrade(empty_engine)
    assert after == head_revision()
    with empty_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_the_counters_migration_numbers_on_after_the_existing_rows(
    empty_engine: Engine,
) -> None:
    """Tickets and change requests numbered before the counters existed: their
    series go on after each client's highest number; invoice series keep their
    next value, there and back."""
    upgrade(empty_engine)
    sessions = make_sessionmaker(empty_engine)
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    for title in ("One", "Two"):
        with sessions.begin() as s:
            tickets.open_ticket(
                s, cast.erika, client_id=cast.acme_id, title=title, now=LATER
            )
    with sessions.begin() as s:
        change_requests.request_change(
            s, cast.erika, client_id=cast.acme_id, title="CR", now=LATER
        )
        s.add(
            Counter(
                workspace_id=cast.workspace_id,
                series="invoice/2027-{seq}",
                next_value=5,
            )
        )
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "20261207_agreement_roles")
    with empty_engine.connect() as conn:
        assert conn.execute(
            text("SELECT series, next_value FROM invoice_counter")
        ).all() == [("2027-{seq}", 5)]
    upgrade(empty_engine)
    with sessions() as s:
        counters = s.execute(select(Counter.series, Counter.next_value)).all()
        assert sorted(counters) == [
            (f"change_request/{cast.acme_id}", 2),
            ("invoice/2027-{seq}", 5),
            (f"ticket/{cast.acme_id}", 3),
        ]
    with sessions.begin() as s:
        assert (
            tickets.open_ticket(
                s, cast.erika, client_id=cast.acme_id, title="Three", now=LATER
            ).key
            == "ACME-3"
        )
        assert (
            change_requests.request_change(
                s, cast.erika, client_id=cast.acme_id, title="CR 2", now=LATER
            ).key
            == "ACME-CR-2"
        )
