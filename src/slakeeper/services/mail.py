"""Inbound e-mail turned into tickets: each message taken once, by Message-ID.

A message from an active client contact (its From address matches theirs, in
any case) opens a ticket for their client, acting as them. When its subject
names a ticket of their client (`ACME-42`), or it answers a message taken
before (In-Reply-To / References), it is a client reply on that ticket, with
the quoted text taken off. Anything else is quarantined whole, with the
reason, never dropped: the provider lists it, then releases it (as sent by a
client contact of their choosing) or discards it (kept, marked discarded).

Every message taken leaves one `InboundMail` row, unique per (workspace,
Message-ID), written in the caller's transaction together with the ticket,
event or quarantine row it causes: a message is taken once however often the
mailbox is read, and an interrupted run never half-takes one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.core.tickets import EventKind
from slakeeper.db.models import (
    Client,
    InboundMail,
    MailOutcome,
    MailQuarantine,
    Role,
    Ticket,
    TicketEvent,
    User,
)
from slakeeper.errors import AppError, Conflict, InvalidInput, NotFound
from slakeeper.mail.message import (
    MAX_ADDRESS,
    MAX_MESSAGE_ID,
    InboundMessage,
    parse_message,
    strip_quoted,
)
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    emails_of,
    require_provider,
    user_by_email,
)
from slakeeper.services.tickets import MAX_TITLE, add_event, open_ticket
from slakeeper.services.versions import agreement_in_force
from slakeeper.services.views.mail import QuarantinedMailRead
from slakeeper.services.workspaces import principal_for

__all__ = [
    "Taken",
    "discard_mail",
    "known_message_ids",
    "list_quarantine",
    "quarantined_mail",
    "quarantined_raw",
    "release_mail",
    "take_message",
    "ticket_keys_in",
]

# a ticket key: a client key (a letter, then up to 19 letters or digits) and
# a number, standing alone: "Re: [ACME-42] Checkout fails"
_KEY = re.compile(r"(?<![A-Za-z0-9-])([A-Za-z][A-Za-z0-9]{0,19})-(\d{1,9})(?![0-9])")
NO_SUBJECT = "(no subject)"


@dataclass(frozen=True, slots=True)
class Taken:
    """What became of one message. `seen`: it had been taken before, and
    `outcome` is what became of it then."""

    message_id: str
    outcome: MailOutcome
    ticket_key: str | None = None
    quarantine_id: int | None = None
    reason: str | None = None  # why it was quarantined
    seen: bool = False


class _Refused(Conflict):
    """The message cannot be acted on; its reason goes to the quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ticket_keys_in(subject: str) -> list[str]:
    """The ticket keys a subject names, upper-cased, in order, once each."""
    keys: list[str] = []
    for prefix, number in _KEY.findall(subject):
        key = f"{prefix.upper()}-{int(number)}"
        if key not in keys:
            keys.append(key)
    return keys


def _aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("must be timezone-aware", location="now")


def _provider(session: Session, principal: Principal, action: str) -> None:
    active_user(session, principal)
    require_provider(principal, action)


def known_message_ids(
    session: Session, principal: Principal, message_ids: Iterable[str]
) -> set[str]:
    """Which of these Message-IDs the workspace has taken already."""
    _provider(session, principal, "read the inbound mail")
    wanted = sorted(set(message_ids))
    known: set[str] = set()
    for at in range(0, len(wanted), 500):
        known.update(
            session.scalars(
                select(InboundMail.message_id).where(
                    InboundMail.workspace_id == principal.workspace_id,
                    InboundMail.message_id.in_(wanted[at : at + 500]),
                )
            ).all()
        )
    return known


# -- taking one message ----------------------------------------------------------


def take_message(
    session: Session, principal: Principal, message: InboundMessage, *, now: datetime
) -> Taken:
    """Take one message in the caller's transaction (the provider's people
    only): open a ticket, add a client reply, or quarantine it; nothing when
    its Message-ID was taken before. `now` (the fetch run's time) is when
    the ticket is opened or the reply recorded."""
    _provider(session, principal, "take in e-mail")
    _aware(now)
    if not message.message_id.strip() or len(message.message_id) > MAX_MESSAGE_ID:
        raise InvalidInput(
            f"must be 1 to {MAX_MESSAGE_ID} characters", location="message_id"
        )
    before = session.scalars(
        select(InboundMail).where(
            InboundMail.workspace_id == principal.workspace_id,
            InboundMail.message_id == message.message_id,
        )
    ).first()
    if before is not None:
        return _taken(session, before, seen=True)
    row = InboundMail(
        workspace_id=principal.workspace_id,
        message_id=message.message_id,
        sender=message.sender[:MAX_ADDRESS],
        subject=message.subject,
        sent_at=message.sent_at,
        received_at=now,
        outcome=MailOutcome.QUARANTINED,
    )
    session.add(row)
    session.flush()  # a second fetcher taking the same message waits here, then fails
    try:
        with session.begin_nested():  # a refusal undoes any half-made ticket
            contact = _contact(session, principal.workspace_id, message.sender)
            outcome, ticket, event = _deliver(session, contact, message, now)
    except AppError as exc:  # a _Refused is one too
        reason = exc.reason if isinstance(exc, _Refused) else exc.message
        session.add(
            MailQuarantine(
                workspace_id=principal.workspace_id,
                inbound_mail_id=row.id,
                message_id=row.message_id,
                sender=row.sender,
                subject=row.subject,
                reason=reason,
                raw=message.raw,
                received_at=now,
            )
        )
    else:
        row.outcome = outcome
        row.ticket_id = ticket.id
        row.event_id = None if event is None else event.id
    session.flush()
    return _taken(session, row)


def _taken(session: Session, row: InboundMail, *, seen: bool = False) -> Taken:
    ticket = None if row.ticket_id is None else session.get(Ticket, row.ticket_id)
    held = None
    if row.outcome is MailOutcome.QUARANTINED:
        held = session.scalars(
            select(MailQuarantine).where(MailQuarantine.inbound_mail_id == row.id)
        ).first()
    return Taken(
        message_id=row.message_id,
        outcome=row.outcome,
        ticket_key=None if ticket is None else ticket.key,
        quarantine_id=None if held is None else held.id,
        reason=None if held is None else held.reason,
        seen=seen,
    )


def _contact(session: Session, workspace_id: int, sender: str) -> User:
    """The active client contact a message is from."""
    if not sender:
        raise _Refused("no sender address")
    user = user_by_email(session, workspace_id, sender)
    if user is None:
        raise _Refused("unknown sender")
    if user.role is not Role.CLIENT or user.client_id is None:
        raise _Refused("sender is one of the provider's people, not a client contact")
    if user.disabled_at is not None:
        raise _Refused("sender is a disabled client contact")
    return user


def _deliver(
    session: Session, contact: User, message: InboundMessage, now: datetime
) -> tuple[MailOutcome, Ticket, TicketEvent | None]:
    """Act on a message as the contact who sent it: a reply on the ticket it
    names or answers, else a new ticket."""
    client = session.get(Client, contact.client_id)
    assert client is not None
    acting = principal_for(contact)
    ticket = _answered(session, client, message)
    if ticket is not None:
        event = add_event(
            session,
            acting,
            ticket.id,
            EventKind.CLIENT_REPLY.value,
            now,
            text=_reply_text(message),
        )
        return MailOutcome.REPLY, ticket, event
    if agreement_in_force(session, acting, client.id, now) is None:
        raise _Refused(f"no agreement in force with {client.name}")
    ticket = open_ticket(
        session,
        acting,
        client_id=client.id,
        title=_title(message.subject),
        body=message.text,
        now=now,
    )
    return MailOutcome.TICKET, ticket, None


def _answered(
    session: Session, client: Client, message: InboundMessage
) -> Ticket | None:
    """The ticket a message answers: one its subject names (of the sender's
    client; a key of another client is refused), else the ticket of a message
    it replies to."""
    prefixes = set(
        session.scalars(
            select(Client.key).where(Client.workspace_id == client.workspace_id)
        ).all()
    )
    named = [k for k in ticket_keys_in(message.subject) if k.split("-")[0] in prefixes]
    own = [k for k in named if k.split("-")[0] == client.key.upper()]
    if own:
        ticket = session.scalars(
            select(Ticket).where(
                Ticket.workspace_id == client.workspace_id,
                Ticket.client_id == client.id,
                Ticket.key == own[0],
            )
        ).first()
        if ticket is None:
            raise _Refused(f"ticket {own[0]} not found")
        return ticket
    if named:
        raise _Refused(f"ticket {named[0]} is not a ticket of {client.name}")
    if message.references:
        earlier = session.scalars(
            select(Ticket)
            .join(InboundMail, InboundMail.ticket_id == Ticket.id)
            .where(
                InboundMail.workspace_id == client.workspace_id,
                InboundMail.message_id.in_(message.references),
                Ticket.client_id == client.id,
            )
            .order_by(InboundMail.id.desc())
        ).first()
        if earlier is not None:
            return earlier
    return None


def _title(subject: str) -> str:
    title = " ".join(subject.split()) or NO_SUBJECT
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "\u2026"


def _reply_text(message: InboundMessage) -> str:
    """The reply's own words; the whole text when it is all quote; the
    subject when there is no text at all."""
    return strip_quoted(message.text) or _title(message.subject)


# -- the quarantine --------------------------------------------------------------


def _quarantine_reads(
    session: Session, rows: Iterable[MailQuarantine]
) -> list[QuarantinedMailRead]:
    rows = list(rows)
    if not rows:
        return []
    workspace_id = rows[0].workspace_id
    emails = emails_of(session, workspace_id, (r.released_as_id for r in rows))
    ticket_ids = sorted({r.ticket_id for r in rows if r.ticket_id is not None})
    keys: dict[int, str] = {}
    if ticket_ids:
        query = select(Ticket.id, Ticket.key).where(Ticket.id.in_(ticket_ids))
        keys = {row.id: row.key for row in session.execute(query)}
    return [
        QuarantinedMailRead.of(r, parse_message(r.raw).text, emails, keys) for r in rows
    ]


def list_quarantine(
    session: Session, principal: Principal, *, include_done: bool = False
) -> list[QuarantinedMailRead]:
    """Quarantined messages waiting for a decision, oldest first (with
    `include_done`, also those released or discarded)."""
    _provider(session, principal, "see quarantined mail")
    query = select(MailQuarantine).where(
        MailQuarantine.workspace_id == principal.workspace_id
    )
    if not include_done:
        query = query.where(
            MailQuarantine.released_at.is_(None),
            MailQuarantine.discarded_at.is_(None),
        )
    rows = session.scalars(
        query.order_by(MailQuarantine.received_at, MailQuarantine.id)
    ).all()
    return _quarantine_reads(session, rows)


def _quarantined(
    session: Session, principal: Principal, quarantine_id: int
) -> MailQuarantine:
    _provider(session, principal, "see quarantined mail")
    row = session.get(MailQuarantine, quarantine_id)
    if row is None or row.workspace_id != principal.workspace_id:
        raise NotFound(f"quarantined mail {quarantine_id} not found")
    return row


def quarantined_mail(
    session: Session, principal: Principal, quarantine_id: int
) -> QuarantinedMailRead:
    """One quarantined message, whatever became of it."""
    row = _quarantined(session, principal, quarantine_id)
    return _quarantine_reads(session, [row])[0]


def quarantined_raw(
    session: Session, principal: Principal, quarantine_id: int
) -> bytes:
    """A quarantined message as it was received."""
    return _quarantined(session, principal, quarantine_id).raw


def _held(session: Session, principal: Principal, quarantine_id: int) -> MailQuarantine:
    """A quarantined message still waiting for a decision."""
    row = _quarantined(session, principal, quarantine_id)
    if row.released_at is not None:
        raise Conflict(f"quarantined mail {quarantine_id} was released already")
    if row.discarded_at is not None:
        raise Conflict(f"quarantined mail {quarantine_id} was discarded already")
    return row


def release_mail(
    session: Session,
    principal: Principal,
    quarantine_id: int,
    *,
    as_email: str,
    now: datetime,
) -> Taken:
    """Act on a quarantined message as if the client contact `as_email` had
    sent it (a new ticket or a reply, at `now`). Refused, changing nothing,
    when that still cannot be done (no agreement in force, a ticket not
    found)."""
    _provider(session, principal, "release quarantined mail")
    _aware(now)
    row = _held(session, principal, quarantine_id)
    email = as_email.strip()
    contact = user_by_email(session, principal.workspace_id, email)
    if (
        not email
        or contact is None
        or contact.role is not Role.CLIENT
        or contact.client_id is None
        or contact.disabled_at is not None
    ):
        raise InvalidInput(
            f"{as_email!r} is not an active client contact of the workspace",
            location="as",
        )
    message = parse_message(row.raw)
    try:
        outcome, ticket, event = _deliver(session, contact, message, now)
    except _Refused as exc:
        raise Conflict(f"cannot release mail {quarantine_id}: {exc.reason}") from None
    row.released_at = now
    row.released_by_id = principal.user_id
    row.released_as_id = contact.id
    row.ticket_id = ticket.id
    row.event_id = None if event is None else event.id
    taken = session.get(InboundMail, row.inbound_mail_id)
    assert taken is not None
    taken.ticket_id = ticket.id  # replies to it now thread onto the ticket
    taken.event_id = row.event_id
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor_id=principal.user_id,
        now=now,
        action="mail.release",
        object_type="mail_quarantine",
        object_id=row.id,
        payload={
            "message_id": row.message_id,
            "as": contact.email,
            "ticket": ticket.key,
            "outcome": outcome.value,
        },
    )
    session.flush()
    return Taken(
        message_id=row.message_id,
        outcome=outcome,
        ticket_key=ticket.key,
        quarantine_id=row.id,
    )


def discard_mail(
    session: Session,
    principal: Principal,
    quarantine_id: int,
    *,
    reason: str,
    now: datetime,
) -> MailQuarantine:
    """Set a quarantined message aside for good, with the reason; it is kept."""
    _provider(session, principal, "discard quarantined mail")
    _aware(now)
    why = reason.strip()
    if not why:
        raise InvalidInput("must not be empty", location="reason")
    row = _held(session, principal, quarantine_id)
    row.discarded_at = now
    row.discarded_by_id = principal.user_id
    row.discard_reason = why
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor_id=principal.user_id,
        now=now,
        action="mail.discard",
        object_type="mail_quarantine",
        object_id=row.id,
        payload={"message_id": row.message_id, "reason": why},
    )
    session.flush()
    return row
