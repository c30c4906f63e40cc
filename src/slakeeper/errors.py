"""The errors services raise on purpose, each with its HTTP status and a stable code.

```
AppError                       base (.code, .status_code, .message)
├── NotFound          404      the object does not exist (or is not yours to see)
├── Conflict          409      illegal state transition, stale hash, duplicate
├── InvalidInput      422      bad input; carries where (`location`)
└── PermissionDenied  403      the acting principal may not do this
```

Adapters map them in one place each: the CLI to a one-line message and exit 2
(`cli/__init__.py`), the API to `{"error": {"code", "message", "details"}}`.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["AppError", "Conflict", "InvalidInput", "NotFound", "PermissionDenied"]


class AppError(Exception):
    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AppError):
    code = "not_found"
    status_code = 404


class Conflict(AppError):
    code = "conflict"
    status_code = 409


class InvalidInput(AppError):
    code = "invalid_input"
    status_code = 422

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location


class PermissionDenied(AppError):
    code = "permission_denied"
    status_code = 403
