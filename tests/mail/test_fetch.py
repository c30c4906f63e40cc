"""Fetch runs end to end against a real IMAP server (pymap on loopback) on both
backends: messages appended with IMAP APPEND become tickets, client replies
and quarantined mail; each is taken exactly once across repeated and
interrupted runs; the mailbox is tidied up after each commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import InboundMail, MailQuarantine, Ticket, TicketEvent
from slakeeper.db.session import make_engine, make_sessionmaker
from slakeeper.mail.imap import MailboxUnavailable, open_inbox
from slakeeper.mail.message import parse_message, synthetic_message_id
from slakeeper.services import mail as mail_svc
from slakeeper.services import mail_fetch
from slakeeper.services import tickets as ticket_svc
from slakeeper.services.mail_fetch import FetchSummary, fetch_mail
from slakeeper.settings import Settings
from tests.factories import Cast, activate, make_cast
from tests.mail.helpers import ImapServer, free_port, mail

RUN = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def cast(active_cast: Cast) -> Cast:
    return active_cast


def fetch(
    sessions: sessionmaker[Session],
    cast: Cast,
    imap: ImapServer,
    at: datetime = RUN,
    **config: object,
) -> FetchSummary:
    return fetch_mail(sessions, cast.jane, imap.config(**config), now=at)


def counts(sessions: sessionmaker[Session], cast: Cast) -> tuple[int, int, int, int]:
    """(ledger rows, tickets, ticket events, quarantined) of the cast's workspace."""
    out = []
    with sessions() as s:
        for model in (InboundMail, Ticket, TicketEvent, MailQuarantine):
            out.append(
                int(
                    s.scalar(
                        select(func.count())
                        .select_from(model)
                        .where(model.workspace_id == cast.workspace_id)
                    )
                    or 0
                )
            )
    return out[0], out[1], out[2], out[3]


def the_day(imap: ImapServer) -> list[bytes]:
    """A new request, its follow-up naming the key, a stranger, and a message
    without a Message-ID."""
    return [
        mail(),
        mail(
            sender="max@acme.example",
            subject="Re: [ACME-1] Checkout fails",
            text="Also on mobile.\n\nOn Mon, Jane wrote:\n> Which device?\n",
            message_id="<follow-up@acme.example>",
        ),
        mail(sender="eve@evil.example", subject="Win!", message_id="<spam@evil>"),
        mail(subject="Logo upload broken", text="No id here.", message_id=None),
    ]


def test_a_fetch_takes_each_kind_of_message_and_a_second_takes_nothing(
    sessions, cast, imap
):
    day = the_day(imap)
    imap.append(*day)
    summary = fetch(sessions, cast, imap)
    assert summary.messages == 4
    assert [t.ticket_key for t in summary.tickets] == ["ACME-1", "ACME-2"]
    assert [t.ticket_key for t in summary.replies] == ["ACME-1"]
    [stranger] = summary.quarantined
    assert stranger.reason == "unknown sender"
    assert (summary.seen, summary.vanished) == (0, 0)
    assert counts(sessions, cast) == (4, 2, 3, 1)
    with sessions() as s:
        logo = ticket_svc.find_ticket(s, cast.jane, "ACME-2")
        assert logo.title == "Logo upload broken"
        ids = set(
            s.scalars(
                select(InboundMail.message_id).where(
                    InboundMail.workspace_id == cast.workspace_id
                )
            )
        )
        assert synthetic_message_id(imap_raw(imap, 3)) in ids
        reply = s.scalars(
            select(TicketEvent).where(
                TicketEvent.workspace_id == cast.workspace_id,
                TicketEvent.kind == "client_reply",
            )
        ).one()
        assert (reply.text, reply.at) == ("Also on mobile.", RUN)
    # taken messages stay in the folder, flagged seen
    assert all("\\Seen" in flags for _, flags in imap.folder())

    again = fetch(sessions, cast, imap, LATER)
    assert (again.messages, again.seen, again.taken) == (4, 4, [])
    assert counts(sessions, cast) == (4, 2, 3, 1)


def imap_raw(imap: ImapServer, index: int) -> bytes:
    with imap.client() as box:
        uid = box.uids("ALL")[index]
        with open_inbox(imap.config()) as inbox:
            raw = inbox.fetch(uid)
    assert raw is not None
    return raw


def test_mail_read_by_a_person_before_the_fetch_is_still_taken(sessions, cast, imap):
    imap.append(mail(), seen=True)
    summary = fetch(sessions, cast, imap)
    assert [t.ticket_key for t in summary.tickets] == ["ACME-1"]


def test_taken_mail_moves_to_the_processed_folder(sessions, cast, imap):
    imap.append(*the_day(imap))
    summary = fetch(sessions, cast, imap, processed_folder="Processed")
    assert len(summary.taken) == 4
    assert "Processed" in imap.folders()
    assert imap.folder() == []
    assert len(imap.folder("Processed")) == 4
    # a message sent again later (same Message-ID) is moved on, not taken again
    imap.append(mail())
    again = fetch(sessions, cast, imap, LATER, processed_folder="Processed")
    assert (again.messages, again.seen, again.taken) == (1, 1, [])
    assert imap.folder() == []
    assert counts(sessions, cast) == (4, 2, 3, 1)


def test_an_interrupted_run_takes_each_message_exactly_once(sessions, cast, imap):
    """Stopped right after the first message committed, before the server
    heard of it: the next run takes the rest, and the first only once."""
    imap.append(*the_day(imap))

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_mail(sessions, cast.jane, imap.config(), now=RUN, progress=stop)
    assert counts(sessions, cast) == (1, 1, 1, 0)
    assert "\\Seen" not in imap.folder()[0][1]  # not tidied up yet
    summary = fetch(sessions, cast, imap, LATER)
    assert (summary.seen, len(summary.taken)) == (1, 3)
    assert counts(sessions, cast) == (4, 2, 3, 1)
    assert all("\\Seen" in flags for _, flags in imap.folder())


def test_a_failure_inside_a_message_leaves_nothing_half_taken(
    sessions, cast, imap, monkeypatch
):
    """The second message fails after its ticket was written but before its
    transaction committed: none of it stays, and a re-run takes it once."""
    imap.append(
        mail(),
        mail(subject="Second", message_id="<second@acme.example>"),
        mail(subject="Third", message_id="<third@acme.example>"),
    )
    real = mail_svc.take_message
    calls = []

    def failing(session, principal, message, *, now):
        taken = real(session, principal, message, now=now)
        calls.append(taken)
        if len(calls) == 2:
            session.flush()
            raise RuntimeError("the machine lost power")
        return taken

    monkeypatch.setattr(mail_fetch, "take_message", failing)
    with pytest.raises(RuntimeError):
        fetch(sessions, cast, imap)
    assert calls[1].ticket_key == "ACME-2"  # it had been written ...
    assert counts(sessions, cast) == (1, 1, 1, 0)  # ... and rolled back
    monkeypatch.setattr(mail_fetch, "take_message", real)
    summary = fetch(sessions, cast, imap, LATER)
    assert [t.ticket_key for t in summary.tickets] == ["ACME-2", "ACME-3"]
    assert summary.seen == 1
    assert counts(sessions, cast) == (3, 3, 3, 0)


@pytest.fixture
def pg_sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    """PostgreSQL only: concurrent writers (SQLite runs one fetch at a time)."""
    engine = make_engine(Settings(database_url=postgres_url))
    yield make_sessionmaker(engine)
    engine.dispose()


def test_two_runs_at_once_take_each_message_once(pg_sessions, imap):
    with pg_sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    imap.append(
        *[
            mail(subject=f"Request {n}", message_id=f"<r{n}@acme.example>")
            for n in range(12)
        ]
    )
    results: list[FetchSummary] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(fetch(pg_sessions, cast, imap))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(len(r.taken) for r in results) == 12
    assert sum(r.seen for r in results) == 12
    assert counts(pg_sessions, cast)[:2] == (12, 12)


def test_a_run_that_loses_the_race_for_a_message_counts_it_as_seen(pg_sessions):
    """Run B inserts the same Message-ID while run A's transaction is open: B
    waits for A, then finds the message taken."""
    with pg_sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
    message = parse_message(mail())
    outcome: list[object] = []
    with pg_sessions.begin() as s:
        mail_svc.take_message(s, cast.jane, message, now=RUN)
        other = threading.Thread(
            target=lambda: outcome.append(
                mail_fetch._take(pg_sessions, cast.jane, message, RUN)
            )
        )
        other.start()
        other.join(1.0)
        assert other.is_alive()  # B waits on the unique index
    other.join(30)
    [taken] = outcome
    assert isinstance(taken, mail_svc.Taken)
    assert (taken.seen, taken.ticket_key) == (True, "ACME-1")
    assert counts(pg_sessions, cast)[:2] == (1, 1)


def test_an_unreachable_server_or_a_bad_login_is_one_clear_error(sessions, cast, imap):
    port = free_port()
    with pytest.raises(MailboxUnavailable, match=f"127.0.0.1:{port}: connecting"):
        fetch(sessions, cast, imap, port=port)
    with pytest.raises(MailboxUnavailable, match="refused the login of"):
        fetch(sessions, cast, imap, password="wrong")
    with pytest.raises(MailboxUnavailable, match="has no folder 'Nope'"):
        fetch(sessions, cast, imap, folder="Nope")
    with pytest.raises(MailboxUnavailable, match="connecting failed"):
        fetch(sessions, cast, imap, security="starttls")
    with pytest.raises(MailboxUnavailable, match="connecting failed"):
        fetch(sessions, cast, imap, security="ssl")
    assert counts(sessions, cast) == (0, 0, 0, 0)
