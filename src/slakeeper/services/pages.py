"""A page of a list: the rows after an id, by id (keyset pagination).

Every list service takes an optional `Page`. Without one it answers every row in
its own order (the CLI's lists); with one it answers, by id, the rows after
`after_id`, one more than `limit`: that extra row only tells the caller there is
a next page (`api.pagination` turns it into the opaque cursor). The database
reads the page, never the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select

from slakeeper.services.access import MAX_ID

__all__ = ["Page", "in_page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """The rows after `after_id` (None: from the first), `limit` of them."""

    after_id: int | None
    limit: int


def in_page(
    query: Select[T], page: Page | None, id_column: Any, *order: Any
) -> Select[T]:
    """`query` ordered by `order` (no page), or its page: the rows whose
    `id_column` is after the page's `after_id`, by id, `limit + 1` of them."""
    if page is None:
        return query.order_by(*order)
    if page.after_id is not None:
        # ids end at MAX_ID: a cursor beyond it is the end of every list
        query = query.where(id_column > min(page.after_id, MAX_ID))
    return query.order_by(id_column).limit(page.limit + 1)
