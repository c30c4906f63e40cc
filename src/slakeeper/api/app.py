"""The FastAPI application: `create_app(settings)` builds it, and every error
becomes `{"error": {"code", "message", "location"?, "details", "request_id"}}`
here, in one place (the error tree is drawn in `slakeeper.errors`).

Every request has an id: the client's `X-Request-ID` when it sends a sane one,
else a new one; it comes back as the `X-Request-ID` header of every answer and
as `request_id` in every error. An exception nothing expects is answered as a
500 `internal_error` without its details, and its traceback is logged once,
with the request id, on the `slakeeper.api` logger.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slakeeper import __version__
from slakeeper.api.routes import agreements, clients, delivery, status, tickets
from slakeeper.api.routes import feeds as feed_routes
from slakeeper.api.routes import invoices as invoice_routes
from slakeeper.api.routes import time as time_routes
from slakeeper.api.schemas import ErrorDetail, ErrorRead, ErrorResponse
from slakeeper.core.errors import CalendarSpecError, CoreError
from slakeeper.db.migrate import ensure_current
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.errors import (
    AppError,
    Detail,
    InvalidInput,
    Unauthenticated,
    Unavailable,
)
from slakeeper.settings import Settings, load_settings

__all__ = ["REQUEST_ID", "create_app", "error_response", "load_app"]

DESCRIPTION = """\
Write, agree, keep and prove bespoke Service-Level Agreements.

Every request carries an API token: `Authorization: Bearer slk_...`. Errors are
`{"error": {"code", "message", "location", "details", "request_id"}}`. Lists are
paged by cursor (`?cursor=&limit=`), and creating requests take an
`Idempotency-Key` header. See docs/api.md.
"""

REQUEST_ID = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
_log = logging.getLogger("slakeeper.api")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _details(details: Sequence[Detail]) -> list[ErrorDetail]:
    return [
        ErrorDetail(
            location=d.location, message=d.message, line=d.line, column=d.column
        )
        for d in details
    ]


def error_response(
    request_id: str,
    status: int,
    code: str,
    message: str,
    details: Sequence[ErrorDetail] = (),
    *,
    location: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The one shape of every error answer (`location` only when there is one)."""
    error = ErrorRead(
        code=code,
        message=message,
        location=location,
        details=list(details),
        request_id=request_id,
    )
    body = ErrorResponse(error=error).model_dump(
        mode="json", exclude={"error": {"location"}} if location is None else None
    )
    return JSONResponse(body, status_code=status, headers=headers)


def _request_id(request: Request) -> str:
    request_id: str = request.state.request_id
    return request_id


def _app_error(request_id: str, exc: AppError) -> JSONResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, Unavailable):
        headers["Retry-After"] = str(exc.retry_after)
        _log.warning(
            "request %s: %s", request_id, exc.message, extra={"request_id": request_id}
        )
    elif exc.status_code >= 500:
        _log.error(
            "request %s failed: %s",
            request_id,
            exc.message,
            exc_info=exc,
            extra={"request_id": request_id},
        )
    location = exc.location if isinstance(exc, InvalidInput) else None
    details = _details(exc.details) if isinstance(exc, InvalidInput) else []
    return error_response(
        request_id,
        exc.status_code,
        exc.code,
        exc.message,
        details,
        location=location,
        headers=headers,
    )


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    """The one exception handler: every expected error, in the same shape."""
    request_id = _request_id(request)
    if isinstance(exc, AppError):
        return _app_error(request_id, exc)
    if isinstance(exc, RequestValidationError):
        details = [
            ErrorDetail(location=".".join(str(p) for p in e["loc"]), message=e["msg"])
            for e in exc.errors()
        ]
        message = "the request is not valid"
        return error_response(request_id, 422, "invalid_input", message, details)
    if isinstance(exc, CoreError):  # the engine imports nothing of ours: see errors
        problems = exc.problems if isinstance(exc, CalendarSpecError) else ()
        details = [
            ErrorDetail(location=p.dotted_path, message=p.message) for p in problems
        ]
        code = _snake(type(exc).__name__)
        return error_response(request_id, 422, code, str(exc), details)
    if isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(
            request_id, exc.status_code, code, str(exc.detail), headers=exc.headers
        )
    raise exc


class _RequestIds:
    """Gives every request its id (in `request.state.request_id` and the
    answer's `X-Request-ID`), and answers what no handler took, any unexpected
    exception, with a 500 `internal_error`, logging its traceback once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID, "")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            _log.error(
                "request %s (%s %s) failed with an unexpected %s",
                request_id,
                scope.get("method"),
                scope.get("path"),
                type(exc).__name__,
                exc_info=exc,
                extra={"request_id": request_id},
            )
            if started:  # too late for an answer: the connection is closed
                return
            response = error_response(
                request_id,
                500,
                "internal_error",
                "an unexpected error occurred; it is logged under this request id",
            )
            await response(scope, receive, send_with_id)


def create_app(settings: Settings) -> FastAPI:
    """The API over the database the settings name (which must be migrated)."""
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ensure_current(engine)
        yield
        engine.dispose()

    app = FastAPI(
        title="slakeeper",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sessions = make_sessionmaker(engine)
    for exc_class in (AppError, CoreError, RequestValidationError, HTTPException):
        app.add_exception_handler(exc_class, _handle)
    app.add_middleware(_RequestIds)
    app.include_router(clients.router)
    app.include_router(agreements.router)
    app.include_router(agreements.comments_router)
    app.include_router(tickets.router)
    app.include_router(status.router)
    app.include_router(delivery.milestones_router)
    app.include_router(delivery.adjustments_router)
    app.include_router(delivery.obligations_router)
    app.include_router(delivery.changes_router)
    app.include_router(delivery.commitments_router)
    app.include_router(time_routes.router)
    app.include_router(invoice_routes.router)
    app.include_router(feed_routes.calendar_router)
    app.include_router(feed_routes.feeds_router)
    return app


def load_app() -> FastAPI:
    """The app over the settings in the environment (uvicorn's factory)."""
    return create_app(load_settings())
