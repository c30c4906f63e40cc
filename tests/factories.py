"""The shared cast: Jane Doe Web Consulting (the provider) and its client Acme
GmbH, as in examples/agreement.yaml. Plain functions with sensible defaults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from slakeeper.db.models import Client, Role, User, Workspace
from slakeeper.services import agreements
from slakeeper.services.access import Principal

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "agreement.yaml"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Cast:
    workspace_id: int
    acme_id: int
    jane: Principal  # provider lead, owner
    sam: Principal  # provider staff, not an approver
    max: Principal  # Acme's approver
    erika: Principal  # Acme's requester


def principal(user: User) -> Principal:
    return Principal(user.id, user.workspace_id, user.role, user.client_id, user.email)


def make_cast(session: Session, now: datetime = NOW) -> Cast:
    """A workspace of its own (tests sharing a database never meet)."""
    ws = Workspace(name=f"Jane Doe Web {uuid.uuid4().hex[:8]}", created_at=now)
    session.add(ws)
    session.flush()
    acme = Client(workspace_id=ws.id, name="Acme GmbH", key="ACME", created_at=now)
    session.add(acme)
    session.flush()

    def user(
        email: str,
        name: str,
        role: Role,
        client: int | None = None,
    ) -> Principal:
        row = User(
            workspace_id=ws.id,
            email=email,
            name=name,
            role=role,
            client_id=client,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return principal(row)

    return Cast(
        workspace_id=ws.id,
        acme_id=acme.id,
        jane=user("jane@janedoe.example", "Jane Doe", Role.OWNER),
        sam=user("sam@janedoe.example", "Sam", Role.STAFF),
        max=user("max@acme.example", "Max Mustermann", Role.CLIENT, acme.id),
        erika=user("erika@acme.example", "Erika Muster", Role.CLIENT, acme.id),
    )


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@dataclass(frozen=True)
class World:
    """Jane's workspace (with a second client, Globex, and a disabled staff
    member) and a foreign workspace of its own: the actors of access tests."""

    cast: Cast
    globex_id: int
    olga: Principal  # Globex's approver
    dora: Principal  # disabled staff
    foreign: Cast


def make_world(session: Session, now: datetime = NOW) -> World:
    cast, foreign = make_cast(session, now), make_cast(session, now)
    globex = Client(
        workspace_id=cast.workspace_id, name="Globex", key="GLOBEX", created_at=now
    )
    session.add(globex)
    session.flush()
    olga = User(
        workspace_id=cast.workspace_id,
        email="olga@globex.example",
        name="Olga",
        role=Role.CLIENT,
        client_id=globex.id,
        created_at=now,
    )
    dora = User(
        workspace_id=cast.workspace_id,
        email="dora@janedoe.example",
        name="Dora",
        role=Role.STAFF,
        created_at=now,
        disabled_at=now,
    )
    session.add_all([olga, dora])
    session.flush()
    return World(cast, globex.id, principal(olga), principal(dora), foreign)


ACTIVE_AT = datetime(2027, 1, 2, 0, 0, tzinfo=UTC)


def approve(
    session: Session, cast: Cast, body: str | None = None, approved: datetime = NOW
) -> int:
    """Import, submit and approve by both sides at `approved` an agreement with
    Acme (the example takes effect on 1 January 2027); returns the version's id."""
    version = agreements.import_agreement(
        session,
        cast.jane,
        client_id=cast.acme_id,
        text=body or example_text(),
        source_name="acme.yaml",
        now=approved,
    )
    agreements.submit(session, cast.jane, version.id, approved)
    agreements.approve(session, cast.jane, version.id, version.sha256, approved)
    agreements.approve(session, cast.max, version.id, version.sha256, approved)
    return version.id


def activate(
    session: Session,
    cast: Cast,
    body: str | None = None,
    at: datetime = ACTIVE_AT,
    approved: datetime = NOW,
) -> int:
    """`approve`, and activate at `at`; returns the version's id."""
    version_id = approve(session, cast, body, approved)
    agreements.activate_due(session, cast.jane, at)
    return version_id
