"""Read models of clients, agreements, their versions, approvals and comments:
what `services.workspaces` and `services.agreements` return, the API answers
and `slakeeper agreement history --json` prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import Field

from slakeeper.core.states import VersionStatus
from slakeeper.db.models import (
    Agreement,
    AgreementVersion,
    Approval,
    Client,
    Comment,
    VersionState,
)
from slakeeper.services.views.base import AT, ReadModel, examples

__all__ = [
    "AgreementInForceRead",
    "AgreementRead",
    "ApprovalRead",
    "ClientRead",
    "CommentRead",
    "VersionDetailRead",
    "VersionRead",
]

SHA = "9f2c6a1e0b7d4c3a8e5f1b2d6c9a0e4f7b3d8c1a5e2f6b9d0c4a7e1f3b8d2c5a"


# -- clients ----------------------------------------------------------------------


class ClientRead(ReadModel):
    model_config = examples(
        {"id": 1, "name": "Acme GmbH", "key": "ACME", "created_at": AT}
    )
    id: int
    name: str
    key: str = Field(description="The prefix of the client's ticket numbers (ACME-42).")
    created_at: datetime

    @classmethod
    def of(cls, row: Client) -> ClientRead:
        return cls(id=row.id, name=row.name, key=row.key, created_at=row.created_at)


# -- agreements -------------------------------------------------------------------


class AgreementRead(ReadModel):
    model_config = examples(
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


class ApprovalRead(ReadModel):
    user_id: int
    user_email: str = Field(description="The approver's e-mail.")
    party: str = Field(description="provider or client")
    sha256: str = Field(description="The hash of the content approved.")
    approved_at: datetime

    @classmethod
    def of(cls, row: Approval, emails: Mapping[int, str]) -> ApprovalRead:
        """`emails`: the e-mail of each user id (`access.emails_of`)."""
        return cls(
            user_id=row.user_id,
            user_email=emails[row.user_id],
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
        {
            "user_id": 1,
            "user_email": "jane@provider.example",
            "party": "provider",
            "sha256": SHA,
            "approved_at": AT,
        }
    ],
    "changes": ["Priority high: response 4 business hours -> 2 business hours"],
}


class VersionRead(ReadModel):
    """A version of an agreement: its hash, where it is in its lifecycle, who
    approved it and what changed from the version before (built as a
    `VersionDetailRead`, shown without its file by `summary()`)."""

    model_config = examples(_VERSION_EXAMPLE)
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
    changes: list[str] = Field(
        description="What changed from the version before (the number before"
        " it), in plain English and in the order of the contract; empty for"
        " version 1."
    )


class VersionDetailRead(VersionRead):
    """A version with the agreement file as it was stored."""

    model_config = examples(
        {**_VERSION_EXAMPLE, "source_text": "schema: slakeeper/agreement@1\n..."}
    )
    source_text: str

    @classmethod
    def of(
        cls,
        version: AgreementVersion,
        state: VersionState,
        approvals: Sequence[ApprovalRead],
        changes: Sequence[str],
    ) -> VersionDetailRead:
        """`approvals`: the version's, oldest first; `changes`: what changed
        from the version before (`agreements.changes_between`)."""
        return cls(
            id=version.id,
            agreement_id=version.agreement_id,
            number=version.number,
            status=state.status,
            sha256=version.sha256,
            source_name=version.source_name,
            effective_on=version.effective_on,
            amends_id=version.amends_id,
            created_by=version.created_by,
            created_at=version.created_at,
            changed_at=state.changed_at,
            active_from=state.active_from,
            active_until=state.active_until,
            approvals=list(approvals),
            changes=list(changes),
            source_text=version.source_text,
        )

    def summary(self) -> VersionRead:
        """The version without its file (what the lists and writes answer)."""
        return VersionRead(**self.model_dump(exclude={"source_text"}))


class AgreementInForceRead(ReadModel):
    model_config = examples(
        {"client_id": 1, "at": AT, "version": _VERSION_EXAMPLE},
        {"client_id": 1, "at": "2020-01-01T00:00:00Z", "version": None},
    )
    client_id: int
    at: datetime
    version: VersionRead | None = Field(
        description="The version that governed `at`; null before the first one."
    )


# -- comments ---------------------------------------------------------------------


class CommentRead(ReadModel):
    model_config = examples(
        {
            "id": 5,
            "version_id": 12,
            "author_id": 4,
            "author_email": "max@acme.example",
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
    author_email: str = Field(description="The author's e-mail.")
    parent_id: int | None
    anchor: str | None
    body: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None

    @classmethod
    def of(cls, row: Comment, emails: Mapping[int, str]) -> CommentRead:
        """`emails`: the e-mail of each user id (`access.emails_of`)."""
        return cls(
            id=row.id,
            version_id=row.version_id,
            author_id=row.author_id,
            author_email=emails[row.author_id],
            parent_id=row.parent_id,
            anchor=row.anchor,
            body=row.body,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
        )
