"""The rows. Every row carries `workspace_id`, and every tenant index starts with it.

Agreement versions and approvals are immutable (database triggers refuse UPDATE
and DELETE, see the first migration); a version's lifecycle lives in
`VersionState`, which moves on.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from slakeeper.db.base import Base, UTCDateTime

__all__ = [
    "Agreement",
    "AgreementVersion",
    "ApiToken",
    "Approval",
    "AuditEntry",
    "Client",
    "Comment",
    "IdempotencyKey",
    "Role",
    "Ticket",
    "TicketEvent",
    "User",
    "VersionState",
    "VersionStatus",
    "Workspace",
]


class Role(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    CLIENT = "client"


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class Workspace(Base):
    __tablename__ = "workspace"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Client(Base):
    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(20))  # ticket prefix: ACME-42
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    agreement_role: Mapped[str | None] = mapped_column(String(50))  # approver, ...
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_workspace_user", "workspace_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    prefix: Mapped[str] = mapped_column(String(16))  # shown to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Agreement(Base):
    """One agreement with a client: a thread of versions."""

    __tablename__ = "agreement"
    __table_args__ = (
        Index("ix_agreement_workspace_client", "workspace_id", "client_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementVersion(Base):
    """Immutable content of one version: the file, its canonical bytes and hash."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        Index(
            "ix_agreement_version_workspace_agreement", "workspace_id", "agreement_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    number: Mapped[int] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    canonical_json: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    effective_on: Mapped[date] = mapped_column(Date)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_version.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VersionState(Base):
    """Where a version is in its lifecycle (the part of a version that moves on)."""

    __tablename__ = "version_state"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    status: Mapped[VersionStatus] = mapped_column(
        _enum(VersionStatus, "version_status")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Approval(Base):
    """Who approved which exact content (immutable)."""

    __tablename__ = "approval"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    party: Mapped[str] = mapped_column(String(10))  # provider | client
    sha256: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_workspace_version", "workspace_id", "version_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    anchor: Mapped[str | None] = mapped_column(String(300))  # e.g. priorities.high
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AuditEntry(Base):
    """One link of a workspace's hash-chained, append-only audit log."""

    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("workspace_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    """The first response to a creating API request sent with an `Idempotency-Key`:
    a retry with the same key (per user) gets it back and creates nothing."""

    __tablename__ = "idempotency_key"
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path, body
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)  # the JSON sent the first time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Ticket(Base):
    """A request from a client, governed for its whole life by the agreement version
    in force when it was opened. Everything after `created_at` is materialised
    from the ticket's events (services/tickets.py) and always equals a
    recomputation from them at `computed_at`."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("workspace_id", "client_id", "number"),
        UniqueConstraint("workspace_id", "key"),
        Index(
            "ix_ticket_workspace_client_status", "workspace_id", "client_id", "status"
        ),
        Index("ix_ticket_workspace_next_check", "workspace_id", "next_check_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    agreement_version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id")
    )
    number: Mapped[int] = mapped_column(Integer)  # per client
    key: Mapped[str] = mapped_column(String(40))  # ACME-42
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # -- materialised from the events --------------------------------------------
    priority: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(50))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_seq: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_state: Mapped[str | None] = mapped_column(String(10))
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_breached: Mapped[bool] = mapped_column(Boolean)
    resolution_state: Mapped[str | None] = mapped_column(String(10))
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_breached: Mapped[bool] = mapped_column(Boolean)
    update_state: Mapped[str | None] = mapped_column(String(10))
    update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    update_breaches: Mapped[int] = mapped_column(Integer)  # cycles past due
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # next running due
    at_risk: Mapped[bool] = mapped_column(Boolean)
    breached: Mapped[bool] = mapped_column(Boolean)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TicketEvent(Base):
    """One change of a ticket (append-only: the database refuses UPDATE and
    DELETE). `seq` counts a ticket's events from 1 (`created`)."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        UniqueConstraint("ticket_id", "seq"),
        Index("ix_ticket_event_workspace_ticket", "workspace_id", "ticket_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
