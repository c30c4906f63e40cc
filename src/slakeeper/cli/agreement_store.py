"""`slakeeper agreement import|submit|comment|approve|reject|amend|history|show`:
agreements stored in the database, and their lifecycle.

The command acts in the workspace and as the user the settings name
(SLAKEEPER_WORKSPACE, SLAKEEPER_USER; see docs/configuration.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from slakeeper.agreement.document import ContractDocument
from slakeeper.cli.context import acting, client_named
from slakeeper.cli.output import echo_json
from slakeeper.errors import InvalidInput, NotFound
from slakeeper.services import agreements as svc
from slakeeper.services import contracts
from slakeeper.services.access import Principal
from slakeeper.services.views.agreements import AgreementRead, VersionRead

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


def _agreement_of(session: Session, principal: Principal, client: str) -> AgreementRead:
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


def _version_of(
    session: Session, principal: Principal, client: str, version: int | None
) -> VersionRead:
    agreement = _agreement_of(session, principal, client)
    return svc.get_version(session, principal, agreement.id, version)


def submit_command(client: ClientOpt, version: VersionOpt = None) -> None:
    """Send a draft version for review and approval by both parties."""
    with acting() as (session, principal, now):
        view = _version_of(session, principal, client, version)
        svc.submit(session, principal, view.id, now)
        typer.echo(f"Version {view.number} is in review; sha256 {view.sha256}")


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
        view = _version_of(session, principal, client, version)
        comment = svc.comment(
            session, principal, view.id, text, now, anchor=on, parent_id=reply_to
        )
        typer.echo(f"Comment #{comment.id} on version {view.number}")


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
        view = _version_of(session, principal, client, version)
        after = svc.approve(session, principal, view.id, sha256, now)
        typer.echo(f"Approved version {after.number}; it is now {after.status.value}")


def reject_command(
    client: ClientOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why, in a sentence.")],
    version: VersionOpt = None,
) -> None:
    """Send a version under review back to draft, saying why."""
    with acting() as (session, principal, now):
        view = _version_of(session, principal, client, version)
        svc.reject(session, principal, view.id, reason, now)
        typer.echo(f"Version {view.number} is back in draft")


def history_command(
    client: ClientOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every version with its state, approvals, and what changed from the one before.

    `--json` prints the versions as `GET /agreements/{id}/versions` answers them.
    """
    with acting(write=False) as (session, principal, _now):
        agreement = _agreement_of(session, principal, client)
        versions = svc.history(session, principal, agreement.id)
    if as_json:
        echo_json(versions)
        return
    for v in versions:
        typer.echo(f"Version {v.number}: {v.status.value}  sha256 {v.sha256}")
        for a in v.approvals:
            at = a.approved_at.isoformat()
            typer.echo(f"  approved by {a.user_email} ({a.party}) at {at}")
        for change in v.changes:
            typer.echo(f"  - {change}")


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
        view = svc.version_detail(session, principal, agreement.id, version)
        if text:
            typer.echo(view.source_text, nl=False)
            return
        comments = svc.comments(session, principal, view.id)
    console = Console()
    console.print(f"[bold]{agreement.title}[/bold] (agreement #{agreement.id})")
    console.print(f"Version {view.number}: {view.status.value}")
    console.print(f"sha256 {view.sha256}")
    for a in view.approvals:
        console.print(
            f"approved by {a.user_email} ({a.party})"
            f" at {a.approved_at:%Y-%m-%d %H:%M} UTC"
        )
    if comments:
        table = Table("#", "by", "on", "comment", "resolved")
        for c in comments:
            table.add_row(
                str(c.id) + (f" (re #{c.parent_id})" if c.parent_id else ""),
                c.author_email,
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
