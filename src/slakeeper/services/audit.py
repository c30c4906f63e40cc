"""The append-only, hash-chained audit log of a workspace.

Each entry's hash is the SHA-256 of the RFC 8785 encoding of its fields and the
previous entry's hash, so editing, deleting, reordering or inserting an entry
breaks the chain from that point on. See docs/audit.md for what this detects
and what it cannot.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import rfc8785
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from slakeeper.db.models import AuditEntry, Workspace
from slakeeper.errors import InvalidInput, NotFound
from slakeeper.services.access import (
    Principal,
    active_user,
    emails_of,
    require_provider,
)
from slakeeper.services.views.admin import AuditEntryRead

__all__ = [
    "GENESIS",
    "Anchor",
    "Verification",
    "anchor",
    "entry_hash",
    "hash_of",
    "readable_log",
    "record",
    "show",
    "verify",
]

GENESIS = "0" * 64
_HASH = re.compile(r"[0-9a-f]{64}")


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


def hash_of(entry: AuditEntry) -> str:
    """The hash an entry's fields give (what `hash` must hold)."""
    return entry_hash(
        workspace_id=entry.workspace_id,
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        payload=entry.payload,
        prev_hash=entry.prev_hash,
    )


def _head(session: Session, workspace_id: int) -> AuditEntry | None:
    """The newest entry of a workspace's chain (None for an empty log)."""
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == workspace_id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()


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

    The workspace row is locked first, so two writers never chain from the same
    head; were they to, the unique (workspace_id, seq) would refuse the second.
    """
    # a no-op write: the workspace row's lock on PostgreSQL, the database's
    # write lock on SQLite; (workspace_id, seq) is unique besides
    session.execute(
        update(Workspace).where(Workspace.id == workspace_id).values(id=Workspace.id)
    )
    head = _head(session, workspace_id)
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
    )
    entry.hash = hash_of(entry)
    session.add(entry)
    session.flush()
    return entry


# -- reading the chain -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of `verify`: whether the chain holds, and where it first breaks.

    `head_seq`/`head_hash` describe the newest entry as stored (0 and GENESIS for
    an empty chain); `first_broken` is the lowest seq at which the chain can no
    longer be trusted (None when it holds); `anchor_seq` is where the anchor
    was found.
    """

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_broken: int | None
    reason: str
    anchor: str | None = None
    anchor_found: bool | None = None  # None: no anchor was asked about
    anchor_seq: int | None = None


class Anchor(NamedTuple):
    """The head of a chain, to be kept outside the database."""

    seq: int
    hash: str
    at: datetime


def _short(digest: str) -> str:
    return digest[:12] + "..."


def _normalise_anchor(value: str) -> str:
    digest = value.strip().lower()
    if not _HASH.fullmatch(digest):
        raise InvalidInput(
            f"{value!r} is not an audit hash (64 hexadecimal digits)",
            location="anchor",
        )
    return digest


def _require_workspace(session: Session, workspace_id: int) -> None:
    if session.get(Workspace, workspace_id) is None:
        raise NotFound(f"workspace {workspace_id} not found")


def _check(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str | None:
    """Why `entry`, expected at `expected_seq` after an entry hashed `prev_hash`,
    breaks the chain (None when it does not)."""
    seq = entry.seq
    if seq > expected_seq:
        if expected_seq == 1:
            return f"entry #1 is missing: the chain starts at #{seq}"
        missing = (
            f"entry #{expected_seq} is"
            if seq == expected_seq + 1
            else f"entries #{expected_seq}-#{seq - 1} are"
        )
        return f"{missing} missing: #{expected_seq - 1} is followed by #{seq}"
    if seq < expected_seq:  # only a seq below 1 can sort before its place
        return f"entry #{seq} is out of sequence: expected #{expected_seq}"
    recomputed = hash_of(entry)
    if recomputed != entry.hash:
        return (
            f"entry #{seq} was altered: its contents hash to "
            f"{_short(recomputed)}, the stored hash is {_short(entry.hash)}"
        )
    if entry.prev_hash != prev_hash:
        if seq == 1:
            return (
                "entry #1 does not start the chain: its previous hash is "
                f"{_short(entry.prev_hash)}, not the genesis value"
            )
        return (
            f"entry #{seq} does not follow #{seq - 1}: it names "
            f"{_short(entry.prev_hash)} as the previous hash, "
            f"#{seq - 1} is {_short(prev_hash)}"
        )
    return None


def verify(
    session: Session, workspace_id: int, *, anchor: str | None = None
) -> Verification:
    """Recompute a workspace's chain and report the first broken link.

    Every entry's hash is recomputed from its fields; seqs must run 1..n without
    gaps, the first entry must follow GENESIS and each other entry the one
    before it. With `anchor` (a hash kept outside the database), the chain must
    also still contain an entry with that hash; a missing anchor means entries
    were cut off the end or the chain was rewritten.
    """
    wanted = None if anchor is None else _normalise_anchor(anchor)
    _require_workspace(session, workspace_id)
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.workspace_id == workspace_id)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=1000)
    )
    count, expected, prev = 0, 1, GENESIS
    head_seq, head_hash = 0, GENESIS
    first_broken: int | None = None
    reason = ""
    anchor_seq: int | None = None
    for entry in rows:
        count += 1
        if first_broken is None:
            problem = _check(entry, expected, prev)
            if problem is not None:
                first_broken = min(entry.seq, expected)
                reason = problem
        if wanted is not None and anchor_seq is None and entry.hash == wanted:
            anchor_seq = entry.seq
        expected, prev = entry.seq + 1, entry.hash
        head_seq, head_hash = entry.seq, entry.hash
    ok = first_broken is None
    if ok:
        reason = (
            f"chain OK: {count} entries, head #{head_seq} {head_hash}"
            if count
            else "chain OK: the log is empty"
        )
    if wanted is not None:
        if anchor_seq is None:
            ok = False
            missing = (
                f"anchor {wanted} is not in the chain: entries were cut off the "
                "end or the chain was rewritten"
            )
            reason = missing if first_broken is None else f"{reason}; {missing}"
        elif ok:
            reason += f"; anchor found at #{anchor_seq}"
    return Verification(
        ok=ok,
        entries=count,
        head_seq=head_seq,
        head_hash=head_hash,
        first_broken=first_broken,
        reason=reason,
        anchor=wanted,
        anchor_found=None if wanted is None else anchor_seq is not None,
        anchor_seq=anchor_seq,
    )


def readable_log(session: Session, principal: Principal) -> int:
    """The workspace whose log the principal may read: their own, and only for
    the provider's people (a client contact sees their agreements' history, not
    the workspace's log)."""
    active_user(session, principal)
    require_provider(principal, "read the audit log")
    return principal.workspace_id


def anchor(session: Session, workspace_id: int) -> Anchor:
    """The head of the chain: its seq, hash and time, to keep outside the database."""
    _require_workspace(session, workspace_id)
    head = _head(session, workspace_id)
    if head is None:
        raise NotFound("the audit log is empty: there is no head to anchor yet")
    return Anchor(head.seq, head.hash, head.at)


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("needs a time zone (an aware instant)", location=name)
    return value.astimezone(UTC)


def show(
    session: Session,
    workspace_id: int,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 50,
) -> list[AuditEntryRead]:
    """The newest `limit` entries that match every filter given, oldest first,
    each with its actor's e-mail.

    `action` matches itself and the actions below it (`agreement` matches
    `agreement.approve`); `since` is inclusive and `until` exclusive; `limit`
    None lists them all.
    """
    if limit is not None and limit < 1:
        raise InvalidInput("must be at least 1", location="limit")
    start, end = _aware(since, "since"), _aware(until, "until")
    if start is not None and end is not None and end <= start:
        raise InvalidInput("must be after since", location="until")
    _require_workspace(session, workspace_id)
    query = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if action:
        query = query.where(
            or_(
                AuditEntry.action == action,
                AuditEntry.action.startswith(action + ".", autoescape=True),
            )
        )
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        query = query.where(AuditEntry.at < end)
    query = query.order_by(AuditEntry.seq.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = list(reversed(session.scalars(query).all()))
    emails = emails_of(session, workspace_id, (e.actor_id for e in rows))
    return [AuditEntryRead.of(e, emails) for e in rows]
