"""Commitments with a cadence (`{commitment: Progress update by e-mail, every:
1 week, on: friday}`): each period is met when the provider records an update
inside it, and missed otherwise (docs/sla-clock.md section 6).

Periods run from the instant the agreement first took effect; each ends at the
end of its due day in the agreement's time zone (`core.delivery`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement.schema import Commitment, Weekday
from slakeeper.core.delivery import CadencePeriod, cadence_periods
from slakeeper.db.models import (
    AgreementVersion,
    Client,
    CommitmentUpdate,
    VersionState,
)
from slakeeper.errors import InvalidInput
from slakeeper.services.access import (
    Principal,
    active_user,
    require_provider,
    visible,
    visible_client,
)
from slakeeper.services.versions import (
    agreement_in_force,
    required_in_force,
    version_terms,
)
from slakeeper.services.views.delivery import (
    CommitmentRead,
    CommitmentsRead,
    CommitmentUpdateRead,
)

__all__ = [
    "CommitmentStatus",
    "commitment_status",
    "record_update",
    "status_view",
    "update_of",
]

WEEKDAYS: tuple[str, ...] = get_args(Weekday)


@dataclass(frozen=True, slots=True)
class CommitmentStatus:
    """A commitment and its periods up to the one open at `now`."""

    client_id: int
    commitment: str
    every: str
    periods: list[CadencePeriod]

    def missed(self, now: datetime) -> list[CadencePeriod]:
        return [p for p in self.periods if p.state(now) == "missed"]


def _commitments(version: AgreementVersion) -> list[Commitment]:
    agreement = version_terms(version).agreement
    return [c for c in agreement.responsibilities.provider if isinstance(c, Commitment)]


def _client(session: Session, principal: Principal, client_id: int) -> Client:
    active_user(session, principal)
    return visible_client(session, principal, client_id)


def record_update(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    commitment: str,
    text: str,
    now: datetime,
) -> CommitmentUpdate:
    """Record that the provider kept a commitment at `now` (what was sent).
    `commitment` is its wording in the agreement or the start of it, any case."""
    client = _client(session, principal, client_id)
    require_provider(principal, "record commitment updates")
    version = required_in_force(session, principal, client, now)
    known = _commitments(version)
    wanted = commitment.strip().lower()
    matches = (
        [c for c in known if c.commitment.lower().startswith(wanted)] if wanted else []
    )
    if len(matches) != 1:
        names = "; ".join(c.commitment for c in known) or "none"
        what = "matches several" if matches else "is not one"
        raise InvalidInput(
            f"{commitment!r} {what} of the agreement's commitments: {names}",
            location="commitment",
        )
    body = text.strip()
    if not body:
        raise InvalidInput("say what was sent", location="text")
    row = CommitmentUpdate(
        workspace_id=client.workspace_id,
        client_id=client.id,
        agreement_id=version.agreement_id,
        commitment=matches[0].commitment,
        at=now,
        actor_id=principal.user_id,
        text=body,
    )
    session.add(row)
    session.flush()
    return row


def commitment_status(
    session: Session, principal: Principal, client_id: int, now: datetime
) -> list[CommitmentStatus]:
    """Every cadenced commitment of the agreement in force with its periods."""
    client = _client(session, principal, client_id)
    version = agreement_in_force(session, principal, client.id, now)
    if version is None:
        return []
    since = session.scalar(
        select(VersionState.active_from)
        .join(AgreementVersion, AgreementVersion.id == VersionState.version_id)
        .where(
            AgreementVersion.agreement_id == version.agreement_id,
            VersionState.active_from.is_not(None),
        )
        .order_by(VersionState.active_from)
        .limit(1)
    )
    assert since is not None
    zone = version_terms(version).zone
    out = []
    for c in _commitments(version):
        updates = list(
            session.scalars(
                select(CommitmentUpdate.at).where(
                    CommitmentUpdate.agreement_id == version.agreement_id,
                    CommitmentUpdate.commitment == c.commitment,
                )
            )
        )
        periods = cadence_periods(
            since,
            now,
            zone,
            every=c.every.amount,
            unit=c.every.unit,
            on=None if c.on is None else WEEKDAYS.index(c.on),
            updates=updates,
        )
        out.append(CommitmentStatus(client.id, c.commitment, str(c.every), periods))
    return out


def status_view(
    session: Session, principal: Principal, client_id: int, at: datetime
) -> CommitmentsRead:
    """`commitment_status` at `at` as the read model: each commitment with its
    periods judged at `at`."""
    rows = commitment_status(session, principal, client_id, at)
    return CommitmentsRead(
        client_id=client_id,
        at=at,
        commitments=[
            CommitmentRead.of(c.commitment, c.every, c.periods, at) for c in rows
        ],
    )


def update_of(
    session: Session, principal: Principal, update_id: int
) -> CommitmentUpdateRead:
    """A recorded commitment update."""
    active_user(session, principal)
    row = visible(session, principal, CommitmentUpdate, update_id, "update")
    return CommitmentUpdateRead.of(row)
