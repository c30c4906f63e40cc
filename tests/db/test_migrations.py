"""The migrations build exactly the tables the models describe, on both backends,
and every migration can be undone and done again."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    CheckConstraint,
    Engine,
    Enum,
    create_engine,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from slakeeper.db.base import Base
from slakeeper.db.migrate import alembic_config, head_revision, upgrade
from slakeeper.db.models import Counter
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.services import tickets
from slakeeper.services.delivery import change_requests
from slakeeper.settings import Settings
from tests.factories import activate, make_cast

LATER = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
STATE_CHECKS = "20261208_state_checks"


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


# -- the state sets: a CHECK per column (compare_metadata does not see them) --------


def _model_state_sets() -> dict[tuple[str, str], tuple[str, ...]]:
    """(table, column) -> the values the models allow: their `_enum` columns and
    their `column IN (...)` CHECK constraints."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Enum) and column.type.create_constraint:
                found[(table.name, column.name)] = tuple(column.type.enums)
        for c in table.constraints:
            if not isinstance(c, CheckConstraint):
                continue
            listed = re.fullmatch(r"(\w+) IN \((.*)\)", str(c.sqltext))
            if listed:
                found[(table.name, listed[1])] = tuple(
                    re.findall(r"'([^']*)'", listed[2])
                )
    return found


def _migration_state_sets(revision: str) -> dict[tuple[str, str], tuple[str, ...]]:
    module = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    assert module is not None
    return {(t, c): tuple(v) for t, c, v in module.module.CHECKS}


def test_the_migrations_check_the_state_sets_the_models_declare() -> None:
    assert _migration_state_sets(STATE_CHECKS) == _model_state_sets()


def _checks_in(engine: Engine) -> set[str]:
    """The names of the state checks the database has: CHECK constraints on
    PostgreSQL, pairs of triggers on SQLite."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            triggers = set(
                conn.scalars(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                )
            )
        return {
            name.removesuffix("_insert")
            for name in triggers
            if name.startswith("ck_")
            and name.endswith("_insert")
            and name.removesuffix("_insert") + "_update" in triggers
        }
    inspector = inspect(engine)
    return {
        str(c["name"])
        for table in inspector.get_table_names()
        for c in inspector.get_check_constraints(table)
    }


def test_every_state_column_is_checked_in_the_migrated_database(
    engine: Engine,
) -> None:
    wanted = {f"ck_{t}_{c}" for t, c in _model_state_sets()}
    assert wanted <= _checks_in(engine)


def _refuses(engine: Engine, sql: str, **params: object) -> None:
    with (
        pytest.raises(IntegrityError, match=r"ck_user_account_role|one of"),
        engine.begin() as conn,
    ):
        conn.execute(text(sql), params)


def _workspace_with_user(engine: Engine) -> tuple[int, int]:
    with engine.begin() as conn:
        ws = conn.execute(
            text(
                "INSERT INTO workspace (name, created_at) VALUES (:n, :at) RETURNING id"
            ),
            {"n": f"checks {uuid.uuid4().hex}", "at": LATER},
        ).scalar_one()
        user = conn.execute(
            text(
                "INSERT INTO user_account (workspace_id, email, name, role, created_at)"
                " VALUES (:ws, 'jane@example.com', 'Jane', 'owner', :at) RETURNING id"
            ),
            {"ws": ws, "at": LATER},
        ).scalar_one()
    return ws, user


def _bad_role_refused(engine: Engine) -> None:
    ws, user = _workspace_with_user(engine)
    _refuses(
        engine,
        "INSERT INTO user_account (workspace_id, email, name, role, created_at)"
        " VALUES (:ws, 'sam@example.com', 'Sam', 'boss', :at)",
        ws=ws,
        at=LATER,
    )
    _refuses(engine, "UPDATE user_account SET role = 'boss' WHERE id = :id", id=user)
    with engine.begin() as conn:  # a value of the set still goes in
        conn.execute(
            text("UPDATE user_account SET role = 'staff' WHERE id = :id"), {"id": user}
        )


def test_a_value_outside_its_set_is_refused_on_insert_and_update(
    engine: Engine,
) -> None:
    _bad_role_refused(engine)


def test_the_state_checks_can_be_undone_and_redone(empty_engine: Engine) -> None:
    """Down: other values go in again (and out, before going back up); up: they
    are refused again. The append-only tables keep their triggers throughout."""
    upgrade(empty_engine)
    immutable = _immutability_triggers(empty_engine)
    assert len(immutable) >= 6
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "-1")
    wanted = {f"ck_{t}_{c}" for t, c in _model_state_sets()}
    assert not wanted & _checks_in(empty_engine)
    _, user = _workspace_with_user(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(
            text("UPDATE user_account SET role = 'boss' WHERE id = :id"), {"id": user}
        )
        conn.execute(
            text("UPDATE user_account SET role = 'owner' WHERE id = :id"), {"id": user}
        )
    upgrade(empty_engine)
    assert wanted <= _checks_in(empty_engine)
    _bad_role_refused(empty_engine)
    assert _immutability_triggers(empty_engine) == immutable


def _immutability_triggers(engine: Engine) -> set[str]:
    """The triggers of `ddl.refuse_changes` (append-only tables)."""
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if engine.dialect.name == "sqlite"
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    with engine.connect() as conn:
        names = set(conn.scalars(text(sql)))
    return {n for n in names if not n.startswith("ck_")}
