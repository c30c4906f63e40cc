"""One run of `slakeeper mail fetch`: read the inbound mailbox and take each
message once.

1. Connect, open the folder and list its messages with their Message-IDs
   (headers only; nothing is marked seen).
2. A message whose Message-ID the workspace has taken already is not read
   again; it is only tidied up (step 4), which an earlier run may not have
   reached.
3. Every other message is read whole and taken (`services.mail.take_message`)
   in a transaction of its own, committed before the next one starts: the
   ledger row and the ticket, reply or quarantine it causes commit together.
4. Only then is it tidied up on the server: moved to the processed folder, or
   flagged seen.

A run stopped anywhere (a crash, Ctrl-C, a lost connection) leaves every message
either taken with all its effects or not taken at all; the next run takes the
rest, each exactly once, since the ledger, not the server's flags, decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import MailOutcome
from slakeeper.mail.imap import ImapConfig, open_inbox
from slakeeper.mail.message import InboundMessage, parse_message
from slakeeper.services.access import Principal
from slakeeper.services.mail import Taken, known_message_ids, take_message

__all__ = ["FetchSummary", "Progress", "fetch_mail"]

# called after each message is dealt with (committed, not yet tidied up on the
# server) with (messages done, messages in the folder)
Progress = Callable[[int, int], None]


@dataclass
class FetchSummary:
    """What one run did."""

    address: str
    folder: str
    messages: int = 0  # in the folder when the run began
    taken: list[Taken] = field(default_factory=list)  # new this run, in order
    seen: int = 0  # taken by an earlier run
    vanished: int = 0  # gone from the folder before they could be read

    def _of(self, outcome: MailOutcome) -> list[Taken]:
        return [t for t in self.taken if t.outcome is outcome]

    @property
    def tickets(self) -> list[Taken]:
        return self._of(MailOutcome.TICKET)

    @property
    def replies(self) -> list[Taken]:
        return self._of(MailOutcome.REPLY)

    @property
    def quarantined(self) -> list[Taken]:
        return self._of(MailOutcome.QUARANTINED)


def fetch_mail(
    sessions: sessionmaker[Session],
    principal: Principal,
    config: ImapConfig,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> FetchSummary:
    """Take the folder's new messages as `principal` (one of the provider's
    people); `now` is the run's time, given to every ticket and reply."""
    summary = FetchSummary(address=config.address, folder=config.folder)
    with open_inbox(config) as inbox:
        envelopes = inbox.envelopes()
        summary.messages = len(envelopes)
        with sessions() as session:
            known = known_message_ids(
                session, principal, [e.message_id for e in envelopes if e.message_id]
            )
        for done, envelope in enumerate(envelopes, 1):
            if envelope.message_id in known:
                summary.seen += 1
            else:
                raw = inbox.fetch(envelope.uid)
                if raw is None:
                    summary.vanished += 1
                    if progress is not None:
                        progress(done, len(envelopes))
                    continue
                taken = _take(sessions, principal, parse_message(raw), now)
                if taken.seen:
                    summary.seen += 1
                else:
                    summary.taken.append(taken)
            if progress is not None:
                progress(done, len(envelopes))
            inbox.done(envelope)
    return summary


def _take(
    sessions: sessionmaker[Session],
    principal: Principal,
    message: InboundMessage,
    now: datetime,
) -> Taken:
    """Take one message in a transaction of its own."""
    try:
        with sessions.begin() as session:
            return take_message(session, principal, message, now=now)
    except IntegrityError:
        # another run took it between our look and our insert: it is seen now
        with sessions() as session:
            ids = [message.message_id]
            if known_message_ids(session, principal, ids):
                return take_message(session, principal, message, now=now)
        raise  # pragma: no cover - a conflict of another kind
