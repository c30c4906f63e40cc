"""`slakeeper feed create|list|revoke`: calendar feeds of a client's milestone
and obligation deadlines, for calendar apps to subscribe to (docs/api.md,
"Deadlines in your calendar app").

A feed's URL carries its token (`/clients/<id>/deadlines.ics?token=...`): it is
shown once, when the feed is created, and reads that client's deadlines and
nothing else. The command acts in the workspace and as the user the settings
name (SLAKEEPER_WORKSPACE, SLAKEEPER_USER).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table

from slakeeper.cli.context import acting, client_named
from slakeeper.cli.output import echo_json
from slakeeper.errors import InvalidInput
from slakeeper.services import feeds as svc
from slakeeper.services.views.feeds import FeedRead

__all__ = ["app"]

app = typer.Typer(
    help="Calendar feeds of a client's deadlines: create, list, revoke.",
    no_args_is_help=True,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
COLUMNS = (
    "id",
    "client",
    "name",
    "prefix",
    "created_by",
    "created_at",
    "last_used_at",
    "revoked_at",
)

ClientOpt = Annotated[
    str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
]
NameOpt = Annotated[
    str, typer.Option("--name", "-n", help="What the feed is for, e.g. Jane's phone.")
]
BaseUrlOpt = Annotated[
    str,
    typer.Option(
        "--base-url",
        metavar="URL",
        help="Where `slakeeper serve` is reached, to print the feed's full URL.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
IdArg = Annotated[
    int, typer.Argument(metavar="ID", help="The feed's id (see feed list).")
]


def _base_url(value: str) -> str:
    """An http(s) address with no query, without its trailing slash."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            f"{value!r} is not an http(s) address such as {DEFAULT_BASE_URL}",
            location="--base-url",
        )
    if parts.query or parts.fragment:
        raise InvalidInput(
            f"{value!r} has a query or fragment; give only the address",
            location="--base-url",
        )
    return url


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _row(feed: FeedRead) -> dict[str, str | int | None]:
    return {
        "id": feed.id,
        "client": feed.client_name,
        "name": feed.name,
        "prefix": feed.prefix,
        "created_by": feed.created_by_email,
        "created_at": _when(feed.created_at),
        "last_used_at": _when(feed.last_used_at),
        "revoked_at": _when(feed.revoked_at),
    }


@app.command("create")
def create_command(
    client: ClientOpt,
    name: NameOpt = "calendar",
    base_url: BaseUrlOpt = DEFAULT_BASE_URL,
) -> None:
    """Create a calendar feed of a client's deadlines; prints its URL once.

    Subscribe to the URL in your calendar app. It carries the feed's token,
    which reads this client's deadlines and nothing else; it is shown only now.
    """
    base = _base_url(base_url)
    with acting() as (session, principal, now):
        client_row = client_named(session, principal, client)
        feed = svc.create_feed_token(
            session, principal, client_id=client_row.id, name=name, now=now
        )
    typer.echo(f"token: {feed.token}")
    typer.echo(f"path:  {feed.path}")
    typer.echo(f"url:   {base}{feed.path}")
    typer.echo(
        f"Feed {feed.id} ({feed.name}) of {feed.client_name}'s deadlines created. Copy"
        " the URL now: its token is shown only once and cannot be recovered.",
        err=True,
    )


@app.command("list")
def list_command(as_json: JsonOpt = False) -> None:
    """List your calendar feeds (an owner: the whole workspace's).

    Tokens are never shown again: only their first characters (prefix).
    """
    with acting(write=False) as (session, principal, _now):
        feeds = svc.list_feed_tokens(session, principal)
    if as_json:
        echo_json(feeds)
        return
    rows = [_row(f) for f in feeds]
    table = Table(*(c.replace("_", " ") for c in COLUMNS))
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in COLUMNS))
    console = Console(highlight=False)
    if not console.is_terminal:  # piped: whole rows, for grep
        console.width = 1000
    console.print(table)


@app.command("revoke")
def revoke_command(feed_id: IdArg) -> None:
    """Revoke a calendar feed at once: its URL answers 404 from then on."""
    with acting() as (session, principal, now):
        feed = svc.revoke_feed_token(session, principal, feed_id, now)
        typer.echo(f"Revoked feed {feed.id} ({feed.name}).")
