"""What the API reads and writes: `XCreate` bodies, `XRead` answers and `XList`
pages, each with an example for the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from slakeeper.db.models import (
    Agreement,
    AgreementVersion,
    Approval,
    Client,
    Comment,
    VersionStatus,
)
from slakeeper.services.agreements import VersionView

__all__ = [
    "AgreementCreate",
    "AgreementInForceRead",
    "AgreementList",
    "AgreementRead",
    "ApprovalCreate",
    "ApprovalRead",
    "ClientList",
    "ClientRead",
    "CommentCreate",
    "CommentRead",
    "ErrorDetail",
    "ErrorRead",
    "ErrorResponse",
    "RejectionCreate",
    "VersionCreate",
    "VersionDetailRead",
    "VersionRead",
]

SHA = "9f2c6a1e0b7d4c3a8e5f1b2d6c9a0e4f7b3d8c1a5e2f6b9d0c4a7e1f3b8d2c5a"
AT = "2026-12-01T09:00:00Z"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


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

    model_config = _examples(
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


class ClientRead(BaseModel):
    model_config = _examples(
        {"id": 1, "name": "Acme GmbH", "key": "ACME", "created_at": AT}
    )
    id: int
    name: str
    key: str = Field(description="The prefix of the client's ticket numbers (ACME-42).")
    created_at: datetime

    @classmethod
    def of(cls, row: Client) -> ClientRead:
        return cls(id=row.id, name=row.name, key=row.key, created_at=row.created_at)


class ClientList(BaseModel):
    items: list[ClientRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


# -- agreements -------------------------------------------------------------------


class AgreementCreate(BaseModel):
    """A new agreement with a client: the agreement file, stored as version 1."""

    model_config = _examples(
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

    model_config = _examples(
        {
            "source_name": "acme-sla-v2.yaml",
            "text": "schema: slakeeper/agreement@1\nagreement:\n  title: ...\n",
        }
    )
    source_name: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)


class AgreementRead(BaseModel):
    model_config = _examples(
        {
            "id": 3,
            "client_id": 1,
            "title": "Website care and support",
            "created_at": AT,
        }
    )
    id: int
    client_id: int
    title: str
    created_at: datetime

    @classmethod
    def of(cls, row: Agreement) -> AgreementRead:
        return cls(
            id=row.id,
            client_id=row.client_id,
            title=row.title,
            created_at=row.created_at,
        )


class AgreementList(BaseModel):
    items: list[AgreementRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class ApprovalRead(BaseModel):
    user_id: int
    party: str = Field(description="provider or client")
    sha256: str = Field(description="The hash of the content approved.")
    approved_at: datetime

    @classmethod
    def of(cls, row: Approval) -> ApprovalRead:
        return cls(
            user_id=row.user_id,
            party=row.party,
            sha256=row.sha256,
            approved_at=row.approved_at,
        )


_VERSION_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "agreement_id": 3,
    "number": 2,
    "status": "in_review",
    "sha256": SHA,
    "source_name": "acme-sla-v2.yaml",
    "effective_on": "2027-01-01",
    "amends_id": 11,
    "created_by": 1,
    "created_at": AT,
    "changed_at": AT,
    "active_from": None,
    "active_until": None,
    "approvals": [
        {"user_id": 1, "party": "provider", "sha256": SHA, "approved_at": AT}
    ],
}


class VersionRead(BaseModel):
    """A version of an agreement: its hash, where it is in its lifecycle and who
    approved it."""

    model_config = _examples(_VERSION_EXAMPLE)
    id: int
    agreement_id: int
    number: int
    status: VersionStatus
    sha256: str = Field(description="SHA-256 of the stored canonical JSON.")
    source_name: str
    effective_on: date
    amends_id: int | None = Field(description="The id of the version it amends.")
    created_by: int
    created_at: datetime
    changed_at: datetime = Field(description="When the status last changed.")
    active_from: datetime | None
    active_until: datetime | None
    approvals: list[ApprovalRead]

    @classmethod
    def fields_of(cls, view: VersionView) -> dict[str, Any]:
        v: AgreementVersion = view.version
        return {
            "id": v.id,
            "agreement_id": v.agreement_id,
            "number": v.number,
            "status": view.state.status,
            "sha256": v.sha256,
            "source_name": v.source_name,
            "effective_on": v.effective_on,
            "amends_id": v.amends_id,
            "created_by": v.created_by,
            "created_at": v.created_at,
            "changed_at": view.state.changed_at,
            "active_from": view.state.active_from,
            "active_until": view.state.active_until,
            "approvals": [ApprovalRead.of(a) for a in view.approvals],
        }

    @classmethod
    def of(cls, view: VersionView) -> VersionRead:
        return cls(**cls.fields_of(view))


class VersionDetailRead(VersionRead):
    """A version with the agreement file as it was stored."""

    model_config = _examples(
        {**_VERSION_EXAMPLE, "source_text": "schema: slakeeper/agreement@1\n..."}
    )
    source_text: str

    @classmethod
    def of(cls, view: VersionView) -> VersionDetailRead:
        return cls(**cls.fields_of(view), source_text=view.version.source_text)


class ApprovalCreate(BaseModel):
    """Approve the exact content whose hash you reviewed."""

    model_config = _examples({"sha256": SHA})
    sha256: str = Field(min_length=64, max_length=64, pattern="^[0-9a-fA-F]{64}$")


class RejectionCreate(BaseModel):
    """Send a version under review back to draft."""

    model_config = _examples({"reason": "The P1 response time should be 1 hour."})
    reason: str = Field(min_length=1, max_length=2000)


class AgreementInForceRead(BaseModel):
    model_config = _examples(
        {"client_id": 1, "at": AT, "version": _VERSION_EXAMPLE},
        {"client_id": 1, "at": "2020-01-01T00:00:00Z", "version": None},
    )
    client_id: int
    at: datetime
    version: VersionRead | None = Field(
        description="The version that governed `at`; null before the first one."
    )


# -- comments ---------------------------------------------------------------------


class CommentCreate(BaseModel):
    model_config = _examples(
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


class CommentRead(BaseModel):
    model_config = _examples(
        {
            "id": 5,
            "version_id": 12,
            "author_id": 4,
            "parent_id": None,
            "anchor": "priorities.high.response",
            "body": "Can we make this 2 hours?",
            "created_at": AT,
            "resolved_at": None,
            "resolved_by": None,
        }
    )
    id: int
    version_id: int
    author_id: int
    parent_id: int | None
    anchor: str | None
    body: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None

    @classmethod
    def of(cls, row: Comment) -> CommentRead:
        return cls(
            id=row.id,
            version_id=row.version_id,
            author_id=row.author_id,
            parent_id=row.parent_id,
            anchor=row.anchor,
            body=row.body,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
        )
