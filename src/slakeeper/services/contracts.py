"""The contract of a stored agreement version, as the CLI and the API render it:
its footer carries the stored hash, the approvers and the audit log's head (an
anchor that leaves the database)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement import loads_document
from slakeeper.agreement.document import ContractDocument
from slakeeper.agreement.render import build_contract
from slakeeper.db.models import User
from slakeeper.services import agreements, audit
from slakeeper.services.access import Principal

__all__ = ["stored_contract"]


def stored_contract(
    session: Session, principal: Principal, agreement_id: int, number: int | None
) -> ContractDocument:
    """The contract of version `number` (the newest when None) of an agreement."""
    view = agreements.get_version(session, principal, agreement_id, number)
    loaded = loads_document(view.version.source_text, view.version.source_name)
    user_ids = [a.user_id for a in view.approvals]
    rows = session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    emails = {row[0]: row[1] for row in rows}
    approvers = ", ".join(emails[a.user_id] for a in view.approvals) or "nobody yet"
    head = audit.anchor(session, principal.workspace_id)
    label = (
        f"{view.version.number} ({view.state.status.value});"
        f" approved by {approvers};"
        f" audit log #{head.seq} {head.hash}"
    )
    doc = build_contract(loaded)
    return dataclasses.replace(doc, sha256=view.version.sha256, version=label)
