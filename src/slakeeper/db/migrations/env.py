"""Alembic environment: the metadata of `slakeeper.db.models`, the URL from the
connection passed in by `slakeeper.db.migrate` (or from Settings)."""

from __future__ import annotations

from alembic import context

from slakeeper.db import models  # noqa: F401  (registers the tables)
from slakeeper.db.base import Base
from slakeeper.db.session import make_engine
from slakeeper.settings import load_settings

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(load_settings())
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
