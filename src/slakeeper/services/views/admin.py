"""Read models of a workspace's set-up: the workspace, its people, their API
tokens and the audit log's entries (`slakeeper user|token list --json`,
`slakeeper audit show --json`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from slakeeper.core.states import Role
from slakeeper.db.models import ApiToken, AuditEntry, User, Workspace
from slakeeper.services.views.base import ReadModel

__all__ = ["AuditEntryRead", "TokenRead", "UserRead", "WorkspaceRead"]


class WorkspaceRead(ReadModel):
    id: int
    name: str

    @classmethod
    def of(cls, row: Workspace) -> WorkspaceRead:
        return cls(id=row.id, name=row.name)


class UserRead(ReadModel):
    """A person of the workspace; never their password."""

    id: int
    email: str
    name: str
    role: Role
    client_id: int | None = Field(description="A client contact's client.")
    client_name: str | None = Field(description="That client's name.")
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, row: User, clients: Mapping[int, str]) -> UserRead:
        """`clients`: the name of each client id."""
        return cls(
            id=row.id,
            email=row.email,
            name=row.name,
            role=row.role,
            client_id=row.client_id,
            client_name=None if row.client_id is None else clients[row.client_id],
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )


class TokenRead(ReadModel):
    """An API token as listed: never the token (only its hash is stored)."""

    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell it apart.")
    user_id: int
    user_email: str = Field(description="The e-mail of the user it acts as.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken, emails: Mapping[int, str]) -> TokenRead:
        """`emails`: the e-mail of each user id (`access.emails_of`)."""
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            user_id=row.user_id,
            user_email=emails[row.user_id],
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


class AuditEntryRead(ReadModel):
    """An entry of the hash-chained audit log (docs/audit.md)."""

    seq: int
    at: datetime
    actor_id: int | None
    actor: str = Field(
        description="The actor's e-mail; `system` for the worker, `user N` for a"
        " user no longer known."
    )
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: AuditEntry, emails: Mapping[int, str]) -> AuditEntryRead:
        """`emails`: the e-mail of each actor id (`access.emails_of`)."""
        actor = (
            "system"
            if row.actor_id is None
            else emails.get(row.actor_id, f"user {row.actor_id}")
        )
        return cls(
            seq=row.seq,
            at=row.at,
            actor_id=row.actor_id,
            actor=actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            payload=json.loads(row.payload),
            prev_hash=row.prev_hash,
            hash=row.hash,
        )
