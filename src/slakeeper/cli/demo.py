"""`slakeeper demo`: seed the demo workspace into the configured database."""

from __future__ import annotations

from typing import Annotated

import typer

from slakeeper.cli.context import current_instant
from slakeeper.db.migrate import current_revision, ensure_current, upgrade
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.services.demo import DEMO_PASSWORD, seed_demo
from slakeeper.settings import load_settings

__all__ = ["demo"]


def demo(
    workspace: Annotated[
        str, typer.Option("--workspace", help="The demo workspace's name.")
    ] = "Jane Doe Web Consulting",
) -> None:
    """Seed a demo workspace: the example agreement with Acme in force for six
    weeks, tickets, milestones with a client-caused delay, a change request and
    weekly updates. Creates the schema on an empty database."""
    settings = load_settings()
    engine = make_engine(settings)
    try:
        if current_revision(engine) is None:
            upgrade(engine)
        ensure_current(engine)
        with make_sessionmaker(engine).begin() as session:
            seeded = seed_demo(session, current_instant(settings), workspace=workspace)
    finally:
        engine.dispose()
    typer.echo(f"Seeded the demo workspace {seeded.workspace!r}.")
    typer.echo(
        "People (password "
        f"{DEMO_PASSWORD!r}): jane@janedoe.example (owner), sam@janedoe.example,"
        " max@acme.example and erika@acme.example (Acme)."
    )
    typer.echo(f"API token of {seeded.owner_email}: {seeded.token}")
    typer.echo(
        f"Try: SLAKEEPER_DATABASE_URL={settings.database_url}"
        f" SLAKEEPER_WORKSPACE={seeded.workspace!r} .venv/bin/slakeeper status"
    )
