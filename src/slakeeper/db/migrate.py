"""Applying migrations, and refusing to run on a database that is behind."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError

from slakeeper.errors import Conflict, InvalidInput

__all__ = [
    "alembic_config",
    "current_revision",
    "ensure_current",
    "head_revision",
    "upgrade",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None: no slakeeper tables yet); a file that is
    not an SQLite database is `InvalidInput`."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DatabaseError as exc:
        if engine.url.get_backend_name() != "sqlite" or "not a database" not in str(
            exc
        ):
            raise
        raise InvalidInput(
            f"{engine.url.database} is not an SQLite database (damaged, or another"
            " kind of file); point SLAKEEPER_DATABASE_URL at a slakeeper database,"
            " or restore it from a backup",
            location="SLAKEEPER_DATABASE_URL",
        ) from None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest revision; return (before, after)."""
    before = current_revision(engine)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, head_revision()


def ensure_current(engine: Engine) -> None:
    """Raise when the database is behind the code (or not set up yet)."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = (
            "has no slakeeper tables yet (`slakeeper init` sets up a new workspace"
            " in it)"
            if current is None
            else (f"is at revision {current}, the code needs {head}")
        )
        raise Conflict(
            f"the database {engine.url.render_as_string(hide_password=True)} {state};"
            " run `slakeeper db upgrade` first"
        )
