"""What the calendar-feed API reads and writes: a new feed, a feed as listed,
and the one answer that carries its token, each with an example for the OpenAPI
document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from slakeeper.api.schemas import _examples
from slakeeper.db.models import FeedToken
from slakeeper.services.feeds import feed_path

__all__ = ["FeedCreate", "FeedCreatedRead", "FeedList", "FeedRead"]

AT = "2026-12-01T09:00:00Z"
TOKEN = "slkf_Jq3x0cYw9dK2mV7tLbR4nE8sH1uPzA6gF5iT0oWqXyM"

_FEED_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "client_id": 1,
    "name": "Jane's phone",
    "prefix": TOKEN[:12],
    "created_by_id": 1,
    "created_at": AT,
    "last_used_at": None,
    "revoked_at": None,
}


class FeedCreate(BaseModel):
    """A new calendar feed of a client's deadlines (the provider's people for any
    client, a client contact for their own)."""

    model_config = _examples({"client_id": 1, "name": "Jane's phone"})
    client_id: int
    name: str = Field(
        default="calendar",
        min_length=1,
        max_length=200,
        description="What the feed is for, to tell feeds apart.",
    )


class FeedRead(BaseModel):
    """A feed as listed: never its token (only its hash is stored)."""

    model_config = _examples(_FEED_EXAMPLE)
    id: int
    client_id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell it apart.")
    created_by_id: int
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="When a calendar app last read the feed."
    )
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: FeedToken) -> FeedRead:
        return cls(
            id=row.id,
            client_id=row.client_id,
            name=row.name,
            prefix=row.prefix,
            created_by_id=row.created_by_id,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


class FeedCreatedRead(FeedRead):
    """A new feed with its token and the path to subscribe to, shown in this
    answer only: put the path after the API's address in a calendar app."""

    model_config = _examples(
        {**_FEED_EXAMPLE, "token": TOKEN, "path": feed_path(1, TOKEN)}
    )
    token: str = Field(description="The feed's token (shown once).")
    path: str = Field(description="The feed's path with its token.")

    @classmethod
    def issued(cls, row: FeedToken, token: str) -> FeedCreatedRead:
        return cls(
            **FeedRead.of(row).model_dump(),
            token=token,
            path=feed_path(row.client_id, token),
        )


class FeedList(BaseModel):
    items: list[FeedRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
