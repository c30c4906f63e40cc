"""Read models of calendar feeds: a feed as listed, and the one answer that
carries its token (`POST /feeds`, `slakeeper feed list --json`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from slakeeper.db.models import FeedToken
from slakeeper.services.views.base import AT, ReadModel, examples

__all__ = ["FeedCreatedRead", "FeedRead", "feed_path"]

TOKEN = "slkf_Jq3x0cYw9dK2mV7tLbR4nE8sH1uPzA6gF5iT0oWqXyM"


def feed_path(client_id: int, token: str) -> str:
    """The path of a client's deadlines feed with its token (put the API's
    address before it)."""
    return f"/clients/{client_id}/deadlines.ics?token={token}"


_FEED_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "client_id": 1,
    "client_name": "Acme GmbH",
    "name": "Jane's phone",
    "prefix": TOKEN[:12],
    "created_by_id": 1,
    "created_by_email": "jane@provider.example",
    "created_at": AT,
    "last_used_at": None,
    "revoked_at": None,
}


class FeedRead(ReadModel):
    """A feed as listed: never its token (only its hash is stored)."""

    model_config = examples(_FEED_EXAMPLE)
    id: int
    client_id: int
    client_name: str = Field(description="The client whose deadlines it reads.")
    name: str
    prefix: str = Field(description="The token's first characters, to tell it apart.")
    created_by_id: int
    created_by_email: str = Field(description="The e-mail of who created it.")
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="When a calendar app last read the feed."
    )
    revoked_at: datetime | None

    @classmethod
    def of(
        cls, row: FeedToken, clients: Mapping[int, str], emails: Mapping[int, str]
    ) -> FeedRead:
        """`clients`: the name of each client id; `emails`: the e-mail of each
        user id (`access.emails_of`)."""
        return cls(
            id=row.id,
            client_id=row.client_id,
            client_name=clients[row.client_id],
            name=row.name,
            prefix=row.prefix,
            created_by_id=row.created_by_id,
            created_by_email=emails[row.created_by_id],
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


class FeedCreatedRead(FeedRead):
    """A new feed with its token and the path to subscribe to, shown in this
    answer only: put the path after the API's address in a calendar app."""

    model_config = examples(
        {**_FEED_EXAMPLE, "token": TOKEN, "path": feed_path(1, TOKEN)}
    )
    token: str = Field(description="The feed's token (shown once).")
    path: str = Field(description="The feed's path with its token.")
