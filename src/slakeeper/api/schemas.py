"""What the API reads and writes: `XCreate` bodies and `XList` pages, each with
an example for the OpenAPI document. The `XRead` answers are the services' read
models (`services.views`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from slakeeper.services.views.agreements import SHA, AgreementRead, ClientRead
from slakeeper.services.views.base import examples

__all__ = [
    "AgreementCreate",
    "AgreementList",
    "ApprovalCreate",
    "ClientList",
    "CommentCreate",
    "ErrorDetail",
    "ErrorRead",
    "ErrorResponse",
    "RejectionCreate",
    "VersionCreate",
]


# -- errors -----------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """One problem: where it is (a field path, `body.client_id`) and what is wrong;
    problems in an agreement file also carry its line and column."""

    location: str | None = None
    message: str
    line: int | None = None
    column: int | None = None


class ErrorRead(BaseModel):
    code: str = Field(description="A stable slug: not_found, conflict, ...")
    message: str
    location: str | None = Field(
        default=None,
        description="The field or header at fault, when one is (`anchor`,"
        " `Idempotency-Key`); absent otherwise.",
    )
    details: list[ErrorDetail] = Field(default_factory=list)
    request_id: str = Field(
        description="The request's `X-Request-ID` (also a header of the answer):"
        " quote it when reporting an error, the server's log names it."
    )


class ErrorResponse(BaseModel):
    """Every error the API answers with."""

    model_config = examples(
        {
            "error": {
                "code": "not_found",
                "message": "agreement 7 not found",
                "details": [],
                "request_id": "0b6f2c1e9d4a4f3e8a7c5b1d2e3f4a5b",
            }
        }
    )
    error: ErrorRead


# -- clients ----------------------------------------------------------------------


class ClientList(BaseModel):
    items: list[ClientRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


# -- agreements -------------------------------------------------------------------


class AgreementCreate(BaseModel):
    """A new agreement with a client: the agreement file, stored as version 1."""

    model_config = examples(
        {
            "client_id": 1,
            "source_name": "acme-sla.yaml",
            "text": "schema: slakeeper/agreement@1\nagreement:\n  title: ...\n",
        }
    )
    client_id: int
    source_name: str = Field(
        min_length=1, max_length=300, description="The file name errors refer to."
    )
    text: str = Field(min_length=1, description="The agreement file (YAML).")


class VersionCreate(BaseModel):
    """An amendment: the changed agreement file, stored as a new draft version."""

    model_config = examples(
        {
            "source_name": "acme-sla-v2.yaml",
            "text": "schema: slakeeper/agreement@1\nagreement:\n  title: ...\n",
        }
    )
    source_name: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)


class AgreementList(BaseModel):
    items: list[AgreementRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class ApprovalCreate(BaseModel):
    """Approve the exact content whose hash you reviewed."""

    model_config = examples({"sha256": SHA})
    sha256: str = Field(min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$")


class RejectionCreate(BaseModel):
    """Send a version under review back to draft."""

    model_config = examples({"reason": "The P1 response time should be 1 hour."})
    reason: str = Field(min_length=1, max_length=2000)


# -- comments ---------------------------------------------------------------------


class CommentCreate(BaseModel):
    model_config = examples(
        {"body": "Can we make this 2 hours?", "anchor": "priorities.high.response"},
        {"body": "Agreed.", "parent_id": 5},
    )
    body: str = Field(min_length=1, max_length=10000)
    anchor: str | None = Field(
        default=None,
        max_length=300,
        description="The field it is about, e.g. priorities.high.response.",
    )
    parent_id: int | None = Field(default=None, description="The comment it answers.")
