"""`Idempotency-Key` on creating requests: a retry with the same key (per user)
gets the first response back and creates nothing (`services.idempotency` keeps
the keys). A key sent again with a different request (method, path or body) is
refused (422). Failed requests are not stored: a retry runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Header, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.services import idempotency
from slakeeper.services.access import Principal
from slakeeper.services.idempotency import IdempotencyKeyReused

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


def _fingerprint(request: Request, body: BaseModel) -> str:
    what = f"{request.method} {request.url.path}\n{body.model_dump_json()}"
    return hashlib.sha256(what.encode("utf-8")).hexdigest()


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
    once per idempotency key (`services.idempotency.create_once`); a replayed
    answer carries `Idempotent-Replayed: true`."""
    answer = idempotency.create_once(
        sessions,
        principal,
        key,
        _fingerprint(request, body) if key is not None else "",
        now,
        lambda session: create(session).model_dump_json(),
        status_code,
    )
    return Response(
        answer.body,
        answer.status_code,
        media_type="application/json",
        headers={REPLAYED: "true"} if answer.replayed else None,
    )
