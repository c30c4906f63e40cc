"""The FastAPI application: `create_app(settings)` builds it, and every error
becomes `{"error": {"code", "message", "details"}}` here, in one place."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from slakeeper import __version__
from slakeeper.api.deps import Unauthenticated
from slakeeper.api.routes import agreements, clients, delivery, status, tickets
from slakeeper.api.routes import feeds as feed_routes
from slakeeper.api.routes import invoices as invoice_routes
from slakeeper.api.routes import time as time_routes
from slakeeper.api.schemas import ErrorDetail, ErrorRead, ErrorResponse
from slakeeper.core.errors import CalendarSpecError, CoreError
from slakeeper.db.migrate import ensure_current
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.errors import AppError, InvalidInput
from slakeeper.settings import Settings, load_settings
from slakeeper.yamlsource import SourceError, SourceProblem

__all__ = ["create_app", "error_response", "load_app"]

DESCRIPTION = """\
Write, agree, keep and prove bespoke Service-Level Agreements.

Every request carries an API token: `Authorization: Bearer slk_...`. Errors are
`{"error": {"code", "message", "details"}}`. Lists are paged by cursor
(`?cursor=&limit=`), and creating requests take an `Idempotency-Key` header.
See docs/api.md.
"""

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _source_details(problems: Sequence[SourceProblem]) -> list[ErrorDetail]:
    return [
        ErrorDetail(
            location=p.dotted_path or p.file,
            message=p.message,
            line=p.line,
            column=p.column,
        )
        for p in problems
    ]


def error_response(
    status: int,
    code: str,
    message: str,
    details: Sequence[ErrorDetail] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=ErrorRead(code=code, message=message, details=list(details))
    )
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers=headers
    )


def _app_error(exc: AppError) -> JSONResponse:
    details: list[ErrorDetail] = []
    if isinstance(exc, InvalidInput):
        # a service that refused an agreement file keeps its positioned problems
        # as the context of the InvalidInput it raised
        if isinstance(exc.__context__, SourceError):
            details = _source_details(exc.__context__.problems)
        elif exc.location is not None:
            message = exc.message.removeprefix(f"{exc.location}: ")
            details = [ErrorDetail(location=exc.location, message=message)]
    headers = (
        {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    )
    return error_response(exc.status_code, exc.code, exc.message, details, headers)


def _validation_error(exc: RequestValidationError) -> JSONResponse:
    details = [
        ErrorDetail(location=".".join(str(p) for p in e["loc"]), message=e["msg"])
        for e in exc.errors()
    ]
    return error_response(422, "invalid_input", "the request is not valid", details)


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    """The one exception handler: every expected error, in the same shape."""
    del request
    if isinstance(exc, AppError):
        return _app_error(exc)
    if isinstance(exc, RequestValidationError):
        return _validation_error(exc)
    if isinstance(exc, SourceError):
        details = _source_details(exc.problems)
        return error_response(422, "invalid_document", str(exc), details)
    if isinstance(exc, CoreError):
        details = (
            [
                ErrorDetail(location=p.dotted_path, message=p.message)
                for p in exc.problems
            ]
            if isinstance(exc, CalendarSpecError)
            else []
        )
        return error_response(422, _snake(type(exc).__name__), str(exc), details)
    if isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(
            exc.status_code, code, str(exc.detail), headers=exc.headers
        )
    raise exc


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
    for exc_class in (
        AppError,
        CoreError,
        SourceError,
        RequestValidationError,
        HTTPException,
    ):
        app.add_exception_handler(exc_class, _handle)
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
