"""Read models of inbound mail: a quarantined message and what became of it
(`slakeeper mail quarantine --json`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from slakeeper.db.models import MailQuarantine
from slakeeper.services.views.base import ReadModel

__all__ = ["QuarantinedMailRead"]


class QuarantinedMailRead(ReadModel):
    """A message held for the provider: who sent it, why it was held, its text,
    and whether it was released (as whom, to which ticket) or discarded."""

    id: int
    state: str = Field(description="waiting, released or discarded")
    received_at: datetime
    sender: str
    subject: str
    reason: str = Field(description="Why it was quarantined.")
    message_id: str
    text: str = Field(description="The message's text, as a ticket would take it.")
    released_at: datetime | None
    released_by_id: int | None = Field(description="Who released it.")
    released_as_id: int | None = Field(description="The contact it was taken as from.")
    released_as_email: str | None
    ticket_id: int | None = Field(description="The ticket it opened or replied on.")
    ticket_key: str | None
    discarded_at: datetime | None
    discarded_by_id: int | None = Field(description="Who discarded it.")
    discard_reason: str | None

    @classmethod
    def of(
        cls,
        row: MailQuarantine,
        text: str,
        emails: Mapping[int, str],
        ticket_keys: Mapping[int, str],
    ) -> QuarantinedMailRead:
        """`text`: the message's text; `emails`: the e-mail of each user id;
        `ticket_keys`: the key of each ticket id."""
        if row.discarded_at is not None:
            state = "discarded"
        else:
            state = "released" if row.released_at is not None else "waiting"
        return cls(
            id=row.id,
            state=state,
            received_at=row.received_at,
            sender=row.sender,
            subject=row.subject,
            reason=row.reason,
            message_id=row.message_id,
            text=text,
            released_at=row.released_at,
            released_by_id=row.released_by_id,
            released_as_id=row.released_as_id,
            released_as_email=None
            if row.released_as_id is None
            else emails.get(row.released_as_id),
            ticket_id=row.ticket_id,
            ticket_key=None
            if row.ticket_id is None
            else ticket_keys.get(row.ticket_id),
            discarded_at=row.discarded_at,
            discarded_by_id=row.discarded_by_id,
            discard_reason=row.discard_reason,
        )
