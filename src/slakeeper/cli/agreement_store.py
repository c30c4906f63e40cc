"""`slakeeper agreement import|submit|comment|approve|reject|amend|history|show`:
agreements stored in the database, and their lifecycle.

The command acts in the workspace and as the user the settings name
(SLAKEEPER_WORKSPACE, SLAKEEPER_USER; see docs/configuration.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement import loads
from slakeeper.agreement.diff import diff_agreements
from slakeeper.agreement.document import ContractDocument
from slakeeper.cli.context import acting, client_named
from slakeeper.db.models import Agreement, User
from slakeeper.errors import InvalidInput, NotFound
from slakeeper.services import agreements as svc
from slakeeper.services import contracts
from slakeeper.services.access import Principal

__all__ = ["register", "stored_contract"]

ClientOpt = Annotated[
    str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
]
VersionOpt = Annotated[
    int | None,
    typer.Option(
        "--version", "-v", metavar="N", help="Version number (default: newest)."
    ),
]
FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE", exists=True, dir_okay=False, help="An agreement file."
    ),
]


def _agreement_of(session: Session, principal: Principal, client: str) -> Agreement:
    found = client_named(session, principal, client)
    rows = svc.list_agreements(session, principal, client_id=found.id)
    if not rows:
        raise NotFound(f"{client} has no agreement yet; import one first")
    return rows[-1]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot be read: {exc}", location=str(path)) from exc


def import_command(file: FileArg, client: ClientOpt) -> None:
    """Store an agreement file as version 1 (draft) of a new agreement with a client.

    The file must validate and pass `agreement check` without errors.
    """
    with acting() as (session, principal, now):
        found = client_named(session, principal, client)
        version = svc.import_agreement(
            session,
            principal,
            client_id=found.id,
            text=_read(file),
            source_name=file.name,
            now=now,
        )
        typer.echo(
            f"Imported agreement #{version.agreement_id} with {client}: version"
            f" {version.number} (draft), sha256 {version.sha256}"
        )


def amend_command(file: FileArg, client: ClientOpt) -> None:
    """Store a changed file as a new draft version (an open draft is withdrawn)."""
    with acting() as (session, principal, now):
        agreement = _agreement_of(session, principal, client)
        version = svc.amend(
            session,
            principal,
            agreement_id=agreement.id,
            text=_read(file),
            source_name=file.name,
            now=now,
        )
        typer.echo(
            f"Version {version.number} of agreement #{agreement.id} (draft),"
            f" sha256 {version.sha256}"
        )


def submit_command(client: ClientOpt, version: VersionOpt = None) -> None:
    """Send a draft version for review and approval by both parties."""
    with acting() as (session, principal, now):
        view = svc.get_version(
            session, principal, _agreement_of(session, principal, client).id, version
        )
        svc.submit(session, principal, view.version.id, now)
        typer.echo(
            f"Version {view.version.number} is in review; sha256 {view.version.sha256}"
        )


def comment_command(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The comment.")],
    client: ClientOpt,
    version: VersionOpt = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="FIELD",
            help="The field it is about, e.g. priorities.high.response.",
        ),
    ] = None,
    reply_to: Annotated[
        int | None,
        typer.Option("--reply-to", metavar="ID", help="The comment it answers."),
    ] = None,
) -> None:
    """Comment on a version, on a field of it, or in reply to a comment."""
    with acting() as (session, principal, now):
        view = svc.get_version(
            session, principal, _agreement_of(session, principal, client).id, version
        )
        row = svc.comment(
            session,
            principal,
            view.version.id,
            text,
            now,
            anchor=on,
            parent_id=reply_to,
        )
        typer.echo(f"Comment #{row.id} on version {view.version.number}")


def approve_command(
    client: ClientOpt,
    sha256: Annotated[
        str,
        typer.Option(
            "--sha256",
            metavar="HASH",
            help="The hash of the content you approve, as `agreement show` prints it.",
        ),
    ],
    version: VersionOpt = None,
) -> None:
    """Approve the exact content whose SHA-256 you give."""
    with acting() as (session, principal, now):
        view = svc.get_version(
            session, principal, _agreement_of(session, principal, client).id, version
        )
        svc.approve(session, principal, view.version.id, sha256, now)
        state = svc.get_version(
            session, principal, view.version.agreement_id, view.version.number
        ).state
        typer.echo(
            f"Approved version {view.version.number}; it is now {state.status.value}"
        )


def reject_command(
    client: ClientOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why, in a sentence.")],
    version: VersionOpt = None,
) -> None:
    """Send a version under review back to draft, saying why."""
    with acting() as (session, principal, now):
        view = svc.get_version(
            session, principal, _agreement_of(session, principal, client).id, version
        )
        svc.reject(session, principal, view.version.id, reason, now)
        typer.echo(f"Version {view.version.number} is back in draft")


def history_command(
    client: ClientOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every version with its state, approvals, and what changed from the one before."""
    with acting(write=False) as (session, principal, _now):
        agreement = _agreement_of(session, principal, client)
        views = svc.history(session, principal, agreement.id)
        emails = _emails(session, [a.user_id for v in views for a in v.approvals])
        rows: list[dict[str, Any]] = []
        previous = None
        for view in views:
            current = loads(view.version.source_text, view.version.source_name)
            changes: list[str] = (
                []
                if previous is None
                else [c.text for c in diff_agreements(previous, current)]
            )
            previous = current
            rows.append(
                {
                    "version": view.version.number,
                    "status": view.state.status.value,
                    "sha256": view.version.sha256,
                    "created_at": view.version.created_at.isoformat(),
                    "active_from": view.state.active_from.isoformat()
                    if view.state.active_from
                    else None,
                    "approvals": [
                        {
                            "by": emails[a.user_id],
                            "party": a.party,
                            "at": a.approved_at.isoformat(),
                        }
                        for a in view.approvals
                    ],
                    "changes": changes,
                }
            )
    if as_json:
        typer.echo(json.dumps({"agreement": agreement.id, "versions": rows}, indent=2))
        return
    for row in rows:
        typer.echo(f"Version {row['version']}: {row['status']}  sha256 {row['sha256']}")
        for a in row["approvals"]:
            typer.echo(f"  approved by {a['by']} ({a['party']}) at {a['at']}")
        for change in row["changes"]:
            typer.echo(f"  - {change}")


def _emails(session: Session, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {row[0]: row[1] for row in rows}


def show_command(
    client: ClientOpt,
    version: VersionOpt = None,
    text: Annotated[
        bool, typer.Option("--text", help="Print the stored file.")
    ] = False,
) -> None:
    """A version's state, hash, approvals and comments (or its file, with --text)."""
    with acting(write=False) as (session, principal, _now):
        agreement = _agreement_of(session, principal, client)
        view = svc.get_version(session, principal, agreement.id, version)
        if text:
            typer.echo(view.version.source_text, nl=False)
            return
        console = Console()
        console.print(f"[bold]{agreement.title}[/bold] (agreement #{agreement.id})")
        console.print(f"Version {view.version.number}: {view.state.status.value}")
        console.print(f"sha256 {view.version.sha256}")
        emails = _emails(session, [a.user_id for a in view.approvals])
        for a in view.approvals:
            console.print(
                f"approved by {emails[a.user_id]} ({a.party})"
                f" at {a.approved_at:%Y-%m-%d %H:%M} UTC"
            )
        comments = svc.comments(session, principal, view.version.id)
        if comments:
            table = Table("#", "by", "on", "comment", "resolved")
            authors = _emails(session, [c.author_id for c in comments])
            for c in comments:
                table.add_row(
                    str(c.id) + (f" (re #{c.parent_id})" if c.parent_id else ""),
                    authors[c.author_id],
                    c.anchor or "",
                    c.body,
                    "yes" if c.resolved_at else "",
                )
            console.print(table)


def stored_contract(client: str, version: int | None) -> ContractDocument:
    """The contract of a stored version: its footer carries the stored hash, the
    approvers and the audit log's head (an anchor that leaves the database)."""
    with acting(write=False) as (session, principal, _now):
        agreement = _agreement_of(session, principal, client)
        return contracts.stored_contract(session, principal, agreement.id, version)


def register(app: typer.Typer) -> None:
    for name, command in (
        ("import", import_command),
        ("submit", submit_command),
        ("comment", comment_command),
        ("approve", approve_command),
        ("reject", reject_command),
        ("amend", amend_command),
        ("history", history_command),
        ("show", show_command),
    ):
        app.command(name)(command)
