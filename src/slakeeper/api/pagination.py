"""Cursor pagination: `?cursor=&limit=` in, `{items, next_cursor}` out.

A cursor is opaque to clients (base64 of the last id of the page before), so a
page never repeats or skips an item when rows are added meanwhile. The route
hands the decoded `Page` to its list service, which reads only that page from
the database (`services.pages`: by id, `limit + 1` rows); `paginate` cuts the
extra row off and makes it the next cursor.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Query

from slakeeper.errors import InvalidInput
from slakeeper.services.pages import Page

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "PageDep", "paginate"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
T = TypeVar("T")


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "id" or not value.isdigit():
            raise ValueError(raw)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "is not a cursor this API gave out", location="cursor"
        ) from None


def page_params(
    cursor: Annotated[
        str | None,
        Query(description="`next_cursor` of the page before; omit for the first."),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")
    ] = DEFAULT_LIMIT,
) -> Page:
    return Page(None if cursor is None else _decode(cursor), limit)


PageDep = Annotated[Page, Depends(page_params)]


def paginate(
    rows: Sequence[T], page: Page, key: Callable[[T], int]
) -> tuple[list[T], str | None]:
    """The page's items from the rows a list service read for `page` (by `key`
    ascending, at most one more than the limit), and the cursor of the next page
    (None on the last)."""
    items = list(rows[: page.limit])
    more = len(rows) > page.limit
    return items, _encode(key(items[-1])) if more and items else None
