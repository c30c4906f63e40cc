"""The errors slakeeper raises on purpose: one tree, each class with its HTTP
status and a stable code (`status_code`, `code`); what each means is in its
docstring.

```
AppError                      status  code                     defined in
├── InvalidInput              422     invalid_input
│   ├── SourceError           422     invalid_document         yamlsource
│   ├── RowError              422     invalid_input            importers.csv_formats
│   ├── FacturxError          422     invalid_input            invoicing.facturx
│   └── IdempotencyKeyReused  422     idempotency_key_reused   services.idempotency
├── PermissionDenied          403     permission_denied
│   └── Unauthenticated       401     unauthenticated
├── NotFound                  404     not_found
│   └── UnknownTemplateError  404     not_found                agreement.templates
├── Conflict                  409     conflict
│   └── _Refused              409     conflict                 services.mail
├── MailboxUnavailable        502     mailbox_unavailable      mail.imap
├── UpworkError               502     upwork_error             importers.upwork_api
├── Unavailable               503     unavailable
└── InternalError             500     internal_error
    └── PdfRenderError        500     render_failed            typesetting

CoreError(ValueError)         422     the class in snake case  core.errors
                                      (clock_error, calendar_spec_error, ...)
```

`CoreError` is the engine's: the engine imports nothing of ours, so it stays
outside the tree, and the adapters map it (and its subclasses) as bad input.
The classes that were built-in errors before the tree stay so as well (a
`SourceError` and a `RowError` are `ValueError`s, an `UnknownTemplateError` a
`LookupError`, a `PdfRenderError` a `RuntimeError`).
`Unauthenticated` is a `PermissionDenied`: code that refuses access catches both.
`Unavailable` is raised for the database by `db.session` (a lock past the busy
timeout, a serialization failure, a lost connection).

The adapters map every error in one place each:

- the CLI (`cli/__init__.py`): `error: MESSAGE` on stderr and exit 2 for bad
  input or usage, 75 (EX_TEMPFAIL) for `Unavailable`, 70 (EX_SOFTWARE) for an
  `InternalError` or any unexpected exception (a bug); 1 is a command's own
  "found problems".
- the API (`api/app.py`): `{"error": {"code", "message", "location"?, "details",
  "request_id"}}` with the class's status (`WWW-Authenticate: Bearer` for 401,
  `Retry-After` for 503); any other exception is a 500 `internal_error` whose
  traceback is logged with the request id, never sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "AppError",
    "Conflict",
    "Detail",
    "InternalError",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "Unauthenticated",
    "Unavailable",
]


@dataclass(frozen=True, slots=True)
class Detail:
    """One problem behind an error: what is wrong and where (a field path such
    as `body.client_id` or `agreement.effective`, or a file); problems in a
    file also carry their 1-based line and column."""

    message: str
    location: str | None = None
    line: int | None = None
    column: int | None = None


class AppError(Exception):
    """Base class of every error raised on purpose; `message` is what a person
    reads, `code` the stable slug a program matches, `status_code` the HTTP
    status the API answers with."""

    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AppError):
    """Bad input. `location` names the field or option at fault (the message
    then starts with it: `anchor: 'x' is not a field`); `details` lists every
    problem found (one per field, or per position in a file)."""

    code = "invalid_input"
    status_code = 422

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        details: Sequence[Detail] = (),
    ) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        if not details and location is not None:
            details = [Detail(message, location)]
        self.details: tuple[Detail, ...] = tuple(details)


class PermissionDenied(AppError):
    """The acting principal may not do this (a revoked token, a disabled user,
    a role that lacks the right)."""

    code = "permission_denied"
    status_code = 403


class Unauthenticated(PermissionDenied):
    """No credentials, or credentials nobody issued: the API answers 401 with
    `WWW-Authenticate: Bearer`."""

    code = "unauthenticated"
    status_code = 401


class NotFound(AppError):
    """The object does not exist, or is not the principal's to see."""

    code = "not_found"
    status_code = 404


class Conflict(AppError):
    """Not possible in the object's current state: an illegal transition, a
    stale hash, a duplicate."""

    code = "conflict"
    status_code = 409


class Unavailable(AppError):
    """Not now: the database stayed locked past the busy timeout, a
    serialization failure, a lost connection. Nothing was changed; trying
    again after `retry_after` seconds may succeed."""

    code = "unavailable"
    status_code = 503

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InternalError(AppError):
    """slakeeper failed where it should not have: a bug to report."""

    code = "internal_error"
    status_code = 500
