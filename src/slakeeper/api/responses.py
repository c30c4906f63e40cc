"""The error answers each route documents in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from slakeeper.api.schemas import ErrorResponse

__all__ = ["errors"]

_WHEN = {
    401: "No API token, or one nobody issued.",
    403: "The token is revoked, its user is disabled, or the user may not do this.",
    404: "Not found, or not yours to see.",
    409: "Not possible in the object's current state.",
    422: "The request, or the agreement file in it, is not valid.",
    503: "The database stayed busy past its timeout, or cannot be reached; nothing"
    " was changed: send the request again after `Retry-After` seconds.",
}
_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def errors(*statuses: int, document: bool = False) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: 401, 403, 422 and 503 always, plus `statuses`.

    A route answering with a document (HTML, PDF) still answers errors in JSON:
    `document=True` says so (FastAPI would file them under the document's type).
    """
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({401, 403, 422, 503, *statuses}):
        if document:
            content = {"application/json": {"schema": _REF}}
            out[status] = {"description": _WHEN[status], "content": content}
        else:
            out[status] = {"model": ErrorResponse, "description": _WHEN[status]}
    return out
