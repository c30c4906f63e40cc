"""What the calendar-feed API reads and writes: a new feed and a page of feeds,
each with an example for the OpenAPI document (a feed itself is the services'
read model, `services.views.feeds`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from slakeeper.services.views.base import examples
from slakeeper.services.views.feeds import FeedRead

__all__ = ["FeedCreate", "FeedList"]


class FeedCreate(BaseModel):
    """A new calendar feed of a client's deadlines (the provider's people for any
    client, a client contact for their own)."""

    model_config = examples({"client_id": 1, "name": "Jane's phone"})
    client_id: int
    name: str = Field(
        default="calendar",
        min_length=1,
        max_length=200,
        description="What the feed is for, to tell feeds apart.",
    )


class FeedList(BaseModel):
    items: list[FeedRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
