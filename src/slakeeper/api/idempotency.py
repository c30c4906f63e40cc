"""`Idempotency-Key` on creating requests: a retry with the same key (per user)
gets the first response back and creates nothing.

The first response is stored with the key in the same transaction as what the
request created, so either both are kept or neither. A key sent again with a
different request (method, path or body) is refused (422). Failed requests are
not stored: a retry runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, ClassVar

from fastapi import Header, Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import IdempotencyKey
from slakeeper.errors import InvalidInput
from slakeeper.services.access import Principal

__all__ = ["IdempotencyKeyHeader", "IdempotencyKeyReused", "create_once"]

REPLAYED = "Idempotent-Replayed"

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string (a UUID); a retry with the same key returns"
        " the first response and creates nothing.",
    ),
]


class IdempotencyKeyReused(InvalidInput):
    code: ClassVar[str] = "idempotency_key_reused"


def _fingerprint(request: Request, body: BaseModel) -> str:
    what = f"{request.method} {request.url.path}\n{body.model_dump_json()}"
    return hashlib.sha256(what.encode("utf-8")).hexdigest()


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "was already used for a different request; use a new key",
            location="Idempotency-Key",
        )
    return Response(
        stored.response_body,
        stored.status_code,
        media_type="application/json",
        headers={REPLAYED: "true"},
    )


def create_once(
    sessions: sessionmaker[Session],
    principal: Principal,
    request: Request,
    body: BaseModel,
    key: str | None,
    now: datetime,
    create: Callable[[Session], BaseModel],
    status_code: int = 201,
) -> Response:
    """Run `create` in one transaction and answer with what it returns, at most
    once per idempotency key.

    Steps:
    1. Without a key, just run it.
    2. With a key already stored, replay its response (or refuse another request).
    3. Otherwise run it and store the key and response in the same transaction.
    4. When a concurrent request with the same key committed first, our
       transaction rolls back (nothing created) and we replay the winner's.
    """
    if key is None:
        with sessions.begin() as session:
            content = create(session).model_dump_json()
        return Response(content, status_code, media_type="application/json")
    fingerprint = _fingerprint(request, body)
    pk = (principal.workspace_id, principal.user_id, key)
    try:
        with sessions.begin() as session:
            stored = session.get(IdempotencyKey, pk)
            if stored is not None:
                return _replay(stored, fingerprint)
            content = create(session).model_dump_json()
            session.add(
                IdempotencyKey(
                    workspace_id=principal.workspace_id,
                    user_id=principal.user_id,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=status_code,
                    response_body=content,
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
    return Response(content, status_code, media_type="application/json")
