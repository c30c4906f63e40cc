"""The contract of a stored agreement version, as the CLI and the API render it:
its footer carries the stored hash, the approvers and the audit log's head (an
anchor that leaves the database)."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from slakeeper.agreement import loads_document
from slakeeper.agreement.document import ContractDocument
from slakeeper.agreement.render import build_contract
from slakeeper.services import agreements, audit
from slakeeper.services.access import Principal

__all__ = ["stored_contract"]


def stored_contract(
    session: Session, principal: Principal, agreement_id: int, number: int | None
) -> ContractDocument:
    """The contract of version `number` (the newest when None) of an agreement."""
    view = agreements.version_detail(session, principal, agreement_id, number)
    loaded = loads_document(view.source_text, view.source_name)
    approvers = ", ".join(a.user_email for a in view.approvals) or "nobody yet"
    head = audit.anchor(session, principal.workspace_id)
    label = (
        f"{view.number} ({view.status.value});"
        f" approved by {approvers};"
        f" audit log #{head.seq} {head.hash}"
    )
    doc = build_contract(loaded)
    return dataclasses.replace(doc, sha256=view.sha256, version=label)
