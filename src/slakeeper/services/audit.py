"""The append-only, hash-chained audit log of a workspace.

Each entry's hash is the SHA-256 of the RFC 8785 encoding of its fields and the
previous entry's hash, so editing, deleting, reordering or inserting an entry
breaks the chain from that point on. See docs/audit.md for what this detects
and what it cannot.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.db.models import AuditEntry, Workspace

__all__ = ["GENESIS", "entry_hash", "record"]

GENESIS = "0" * 64


def entry_hash(
    *,
    workspace_id: int,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    payload: str,
    prev_hash: str,
) -> str:
    """The hash of one entry (a stable encoding of every field)."""
    body: dict[str, Any] = {
        "workspace_id": workspace_id,
        "seq": seq,
        "at": at.isoformat(),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def record(
    session: Session,
    *,
    workspace_id: int,
    actor_id: int | None,
    now: datetime,
    action: str,
    object_type: str,
    object_id: int | str,
    payload: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction.

    The workspace row is locked first (FOR UPDATE on PostgreSQL; SQLite's
    writers are serialised by BEGIN IMMEDIATE), so two writers never chain
    from the same head.
    """
    session.execute(
        select(Workspace.id).where(Workspace.id == workspace_id).with_for_update()
    )
    head = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == workspace_id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if head is None else head.seq + 1
    prev = GENESIS if head is None else head.hash
    text = rfc8785.dumps(payload or {}).decode("utf-8")
    at = now.astimezone(UTC)  # hashed as stored
    entry = AuditEntry(
        workspace_id=workspace_id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        payload=text,
        prev_hash=prev,
        hash=entry_hash(
            workspace_id=workspace_id,
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            payload=text,
            prev_hash=prev,
        ),
    )
    session.add(entry)
    session.flush()
    return entry
