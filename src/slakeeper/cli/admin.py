"""`slakeeper init`, `db`, `config`, `user`, `client` and `token`: setting up a
database and a workspace, and managing who may use it.

Commands act in the workspace named by `SLAKEEPER_WORKSPACE` (or the only one)
as the user named by `SLAKEEPER_USER` (or the workspace's first owner).
`init` prepares an empty database itself; a database that is behind needs
`slakeeper db upgrade` first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from slakeeper.cli.context import (
    acting_principal,
    current_instant,
    resolve_workspace,
)
from slakeeper.cli.output import echo_json
from slakeeper.core.states import Role
from slakeeper.db.migrate import current_revision, ensure_current, upgrade
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.services import workspaces
from slakeeper.services.access import Principal
from slakeeper.settings import Settings, load_settings

__all__ = ["client_app", "config_app", "db_app", "init", "token_app", "user_app"]

db_app = typer.Typer(name="db", help="Set up and upgrade the database.")
config_app = typer.Typer(name="config", help="Show the settings in effect.")
user_app = typer.Typer(
    name="user", help="Add, list and disable people.", no_args_is_help=True
)
client_app = typer.Typer(
    name="client", help="Add and list clients.", no_args_is_help=True
)
token_app = typer.Typer(
    name="token", help="Create, list and revoke API tokens.", no_args_is_help=True
)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
]

# -- plumbing ---------------------------------------------------------------------


def _now() -> datetime:
    return current_instant(load_settings())


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _engine(settings: Settings) -> Engine:
    """An engine; for an SQLite file, its folder is created first."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError as exc:
        raise typer.BadParameter(
            f"SLAKEEPER_DATABASE_URL is not a database URL: {exc}"
        ) from None
    if url.get_backend_name() == "sqlite" and url.database not in (
        None,
        "",
        ":memory:",
    ):
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return make_engine(settings)


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    """One transaction on a database that is up to date."""
    engine = _engine(settings)
    try:
        ensure_current(engine)
        with make_sessionmaker(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def _acting() -> Iterator[tuple[Session, Principal]]:
    """A transaction and the principal the CLI acts as."""
    settings = load_settings()
    with _transaction(settings) as session:
        workspace = resolve_workspace(session, settings)
        yield session, acting_principal(session, settings, workspace)


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _print(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], *, as_json: bool
) -> None:
    if as_json:
        typer.echo(json.dumps(list(rows), indent=2, ensure_ascii=False))
        return
    _table(rows, columns)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """The rows as a table of these columns (whole rows when piped, for grep)."""
    table = Table(*(c.replace("_", " ") for c in columns))
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    console = Console(highlight=False)
    if not console.is_terminal:  # piped: whole rows, for grep
        console.width = 1000
    console.print(table)


# -- db, config, init -------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest revision."""
    settings = load_settings()
    engine = _engine(settings)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    where = _safe_url(settings.database_url)
    if before == after:
        typer.echo(f"{where}: already at the newest revision {after}")
    else:
        typer.echo(f"{where}: {before or '(empty)'} -> {after}")


@config_app.command("show")
def config_show(as_json: JsonOption = False) -> None:
    """Show each setting, its value and where it came from (env or default)."""
    settings = load_settings()
    env = {k.upper() for k in os.environ}
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        variable = f"SLAKEEPER_{name.upper()}"
        if name == "database_url":
            value = _safe_url(value)
        elif isinstance(value, SecretStr):
            value = str(value)  # masked: **********
        elif isinstance(value, datetime):
            value = value.isoformat()
        rows.append(
            {
                "setting": name,
                "variable": variable,
                "value": value,
                "source": "env" if variable in env else "default",
                "description": field.description,
            }
        )
    _print(rows, ["variable", "value", "source"], as_json=as_json)


def init(
    workspace: Annotated[
        str | None, typer.Option("--workspace", help="The workspace's name.")
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="The owner's e-mail.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The owner's full name.")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", help="The owner's password (asked if missing)."),
    ] = None,
) -> None:
    """Create a workspace and its owner, asking for anything not given.

    On an empty database this first creates the schema; a database that is
    behind needs `slakeeper db upgrade`.
    """
    settings = load_settings()
    workspace = workspace or typer.prompt("Workspace name", default=settings.workspace)
    email = email or typer.prompt("Owner e-mail")
    name = name or typer.prompt("Owner name")
    if password is None:
        password = typer.prompt(
            "Owner password", hide_input=True, confirmation_prompt=True
        )
    engine = _engine(settings)
    try:
        if current_revision(engine) is None:
            _, after = upgrade(engine)
            typer.echo(f"Created the database schema ({after}).")
        ensure_current(engine)
        with make_sessionmaker(engine).begin() as session:
            ws, owner = workspaces.init_workspace(
                session,
                name=str(workspace),
                owner_email=email,
                owner_name=name,
                password=password,
                now=_now(),
            )
            typer.echo(f"Created workspace {ws.name!r} with owner {owner.email}.")
    finally:
        engine.dispose()


# -- users ------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="Their e-mail (they sign in with it).")],
    name: Annotated[str, typer.Option("--name", help="Their full name.")],
    role: Annotated[
        str, typer.Option("--role", help="owner, staff or client (a client contact).")
    ] = "staff",
    client: Annotated[
        str | None,
        typer.Option(
            "--client", help="For a client contact: the client's name or key."
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="A password to sign in with.")
    ] = None,
) -> None:
    """Add a person to the workspace (owners only). What a client contact may
    approve or decide follows from the agreement's contacts (by e-mail)."""
    with _acting() as (session, principal):
        client_id = (
            workspaces.find_client(session, principal, client).id if client else None
        )
        user = workspaces.add_user(
            session,
            principal,
            email=email,
            name=name,
            role=role,
            client_id=client_id,
            password=password,
            now=_now(),
        )
        label = "client contact" if user.role is Role.CLIENT else user.role.value
        typer.echo(f"Added {label} {user.email} (id {user.id}).")


@user_app.command("list")
def user_list(as_json: JsonOption = False) -> None:
    """List the people you can see."""
    with _acting() as (session, principal):
        users = workspaces.list_users(session, principal)
    if as_json:
        echo_json(users)
        return
    rows = [
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "role": u.role.value,
            "client": u.client_name,
            "disabled_at": _when(u.disabled_at),
        }
        for u in users
    ]
    _table(rows, ["id", "email", "name", "role", "client", "disabled_at"])


@user_app.command("disable")
def user_disable(
    user: Annotated[str, typer.Argument(help="The user's e-mail or id.")],
) -> None:
    """Disable a person: they can no longer sign in or use their tokens."""
    with _acting() as (session, principal):
        target = workspaces.find_user(session, principal, user)
        workspaces.disable_user(session, principal, target.id, _now())
        typer.echo(f"Disabled {target.email}.")


# -- clients ----------------------------------------------------------------------


@client_app.command("add")
def client_add(
    name: Annotated[str, typer.Argument(help="The client's name.")],
    key: Annotated[
        str | None,
        typer.Option("--key", help="Ticket prefix such as ACME (default: from name)."),
    ] = None,
) -> None:
    """Add a client."""
    with _acting() as (session, principal):
        client = workspaces.add_client(
            session, principal, name=name, key=key, now=_now()
        )
        typer.echo(f"Added client {client.name} ({client.key}, id {client.id}).")


@client_app.command("list")
def client_list(as_json: JsonOption = False) -> None:
    """List the clients you can see."""
    with _acting() as (session, principal):
        clients = workspaces.list_clients(session, principal)
    if as_json:
        echo_json(clients)
        return
    rows = [
        {"id": c.id, "key": c.key, "name": c.name, "created_at": _when(c.created_at)}
        for c in clients
    ]
    _table(rows, ["id", "key", "name", "created_at"])


# -- tokens -----------------------------------------------------------------------


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="What the token is for.")],
) -> None:
    """Create an API token for yourself; it is shown once."""
    with _acting() as (session, principal):
        token, plaintext = workspaces.create_token(
            session, principal, name=name, now=_now()
        )
        token_id = token.id
    typer.echo(plaintext)
    typer.echo(
        f"Token {token_id} ({name}) created. Copy it now: it is shown only once"
        " and cannot be recovered.",
        err=True,
    )


@token_app.command("list")
def token_list(as_json: JsonOption = False) -> None:
    """List API tokens (owners see all of the workspace's)."""
    with _acting() as (session, principal):
        tokens = workspaces.list_tokens(session, principal)
    if as_json:
        echo_json(tokens)
        return
    rows = [
        {
            "id": t.id,
            "name": t.name,
            "prefix": t.prefix,
            "user": t.user_email,
            "created_at": _when(t.created_at),
            "last_used_at": _when(t.last_used_at),
            "revoked_at": _when(t.revoked_at),
        }
        for t in tokens
    ]
    columns = ["id", "name", "prefix", "user", "created_at", "last_used_at"]
    _table(rows, [*columns, "revoked_at"])


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see token list).")],
) -> None:
    """Revoke an API token at once."""
    with _acting() as (session, principal):
        token = workspaces.revoke_token(session, principal, token_id, _now())
        typer.echo(f"Revoked token {token.id} ({token.name}).")
