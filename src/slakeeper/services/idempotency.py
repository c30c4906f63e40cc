"""Idempotency keys of creating requests: a retry with the same key (per user)
gets the first answer back and creates nothing.

The first answer is stored with the key in the same transaction as what the
request created, so either both are kept or neither. A key sent again with a
different request (its fingerprint) is refused. Failed requests are not
stored: a retry runs again. The API's `Idempotency-Key` header is the HTTP side
of this (`api.idempotency`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import IdempotencyKey
from slakeeper.errors import InvalidInput
from slakeeper.services.access import Principal

__all__ = ["Answer", "IdempotencyKeyReused", "create_once"]


class IdempotencyKeyReused(InvalidInput):
    code: ClassVar[str] = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Answer:
    """What a creating request answers: its status, its JSON body, and whether it
    is the stored answer of an earlier request with the same key."""

    status_code: int
    body: str
    replayed: bool = False


def _replay(stored: IdempotencyKey, fingerprint: str) -> Answer:
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "was already used for a different request; use a new key",
            location="Idempotency-Key",
        )
    return Answer(stored.status_code, stored.response_body, replayed=True)


def create_once(
    sessions: sessionmaker[Session],
    principal: Principal,
    key: str | None,
    fingerprint: str,
    now: datetime,
    create: Callable[[Session], str],
    status_code: int = 201,
) -> Answer:
    """Run `create` (which answers a JSON body) in one transaction, at most once
    per idempotency key.

    Steps:
    1. Without a key, just run it.
    2. With a key already stored, replay its answer (or refuse another request).
    3. Otherwise run it and store the key and answer in the same transaction.
    4. When a concurrent request with the same key committed first, our
       transaction rolls back (nothing created) and we replay the winner's.
    """
    if key is None:
        with sessions.begin() as session:
            return Answer(status_code, create(session))
    pk = (principal.workspace_id, principal.user_id, key)
    try:
        with sessions.begin() as session:
            stored = session.get(IdempotencyKey, pk)
            if stored is not None:
                return _replay(stored, fingerprint)
            body = create(session)
            session.add(
                IdempotencyKey(
                    workspace_id=principal.workspace_id,
                    user_id=principal.user_id,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=status_code,
                    response_body=body,
                    created_at=now,
                )
            )
            session.flush()
    except IntegrityError:
        with sessions.begin() as session:
            stored = session.get(IdempotencyKey, pk)
            if stored is None:
                raise
            return _replay(stored, fingerprint)
    return Answer(status_code, body)
