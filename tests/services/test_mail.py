"""Inbound mail through the service on both backends: a contact's mail opens a
ticket as them, a reply naming the key (or answering a mail taken before)
adds a client reply, anything else is quarantined whole; each Message-ID is
taken once; release and discard; who may do it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import (
    AuditEntry,
    InboundMail,
    MailOutcome,
    MailQuarantine,
    Ticket,
    TicketEvent,
    User,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.mail.message import InboundMessage, parse_message
from slakeeper.services import mail as svc
from slakeeper.services import tickets
from slakeeper.services.access import Principal
from slakeeper.services.views.mail import QuarantinedMailRead
from tests.factories import ACTIVE_AT, Cast, World, activate, make_world
from tests.mail.helpers import mail

RUN = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a fetch run, the agreement in force
LATER = RUN + timedelta(hours=1)
ERIKA = "erika@acme.example"
REPLY = (
    "Firefox, on every page.\n\n"
    "On Mon, 4 Jan 2027 at 10:00, Jane Doe <jane@janedoe.example> wrote:\n"
    "> Which browser?\n"
)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world


@pytest.fixture
def cast(world: World) -> Cast:
    return world.cast


def take(
    sessions: sessionmaker[Session],
    who: Principal,
    raw: bytes | InboundMessage,
    at: datetime = RUN,
) -> svc.Taken:
    message = raw if isinstance(raw, InboundMessage) else parse_message(raw)
    with sessions.begin() as s:
        return svc.take_message(s, who, message, now=at)


Counted = type[InboundMail] | type[MailQuarantine] | type[Ticket]


def count(sessions: sessionmaker[Session], model: Counted, workspace_id: int) -> int:
    with sessions() as s:
        query = select(func.count()).where(model.workspace_id == workspace_id)
        return int(s.scalar(query.select_from(model)) or 0)


def ticket(sessions: sessionmaker[Session], key: str, cast: Cast) -> Ticket:
    with sessions() as s:
        found = tickets.find_ticket(s, cast.jane, key)
        s.expunge(found)
        return found


def events(sessions: sessionmaker[Session], ticket_id: int) -> list[TicketEvent]:
    with sessions() as s:
        rows = list(
            s.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.seq)
            )
        )
        s.expunge_all()
        return rows


def held(sessions: sessionmaker[Session], who: Principal) -> list[QuarantinedMailRead]:
    with sessions() as s:
        return svc.list_quarantine(s, who)


def raw_of(
    sessions: sessionmaker[Session], who: Principal, quarantine_id: int
) -> bytes:
    with sessions() as s:
        return svc.quarantined_raw(s, who, quarantine_id)


# -- taking mail ----------------------------------------------------------------------


def test_a_mail_from_a_known_contact_opens_a_ticket_as_them(sessions, cast):
    taken = take(sessions, cast.jane, mail(sender="Erika <ERIKA@Acme.Example>"))
    assert taken == svc.Taken(
        message_id="order-1@acme.example",
        outcome=MailOutcome.TICKET,
        ticket_key="ACME-1",
    )
    opened = ticket(sessions, "ACME-1", cast)
    assert opened.requester_id == cast.erika.user_id
    assert opened.title == "Checkout fails"
    assert opened.body == "Every order ends in an error page."
    assert opened.created_at == RUN
    with sessions() as s:
        row = s.scalars(
            select(InboundMail).where(InboundMail.workspace_id == cast.workspace_id)
        ).one()
        assert (row.workspace_id, row.sender, row.ticket_id) == (
            cast.workspace_id,
            "ERIKA@Acme.Example",
            opened.id,
        )
        assert row.received_at == RUN
        assert row.sent_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_reply_naming_the_key_adds_a_client_reply_without_the_quote(sessions, cast):
    take(sessions, cast.jane, mail())
    first = ticket(sessions, "ACME-1", cast)
    with sessions.begin() as s:
        tickets.add_event(
            s,
            cast.jane,
            first.id,
            "provider_reply",
            RUN + timedelta(minutes=5),
            text="Which browser?",
            status="waiting_on_client",
        )
    reply = mail(
        sender="max@acme.example",
        subject="Re: [ACME-1] Checkout fails",
        text=REPLY,
        message_id="<answer-1@acme.example>",
    )
    taken = take(sessions, cast.jane, reply, LATER)
    assert (taken.outcome, taken.ticket_key) == (MailOutcome.REPLY, "ACME-1")
    last = events(sessions, first.id)[-1]
    assert (last.kind, last.text, last.at) == (
        "client_reply",
        "Firefox, on every page.",
        LATER,
    )
    assert last.actor_id == cast.max.user_id
    assert ticket(sessions, "ACME-1", cast).status == "open"  # no longer waiting
    with sessions() as s:
        row = s.scalars(
            select(InboundMail).where(
                InboundMail.workspace_id == cast.workspace_id,
                InboundMail.message_id == "answer-1@acme.example",
            )
        ).one()
        assert row.event_id == last.id


def test_a_reply_to_a_resolved_ticket_is_recorded_without_reopening_it(sessions, cast):
    take(sessions, cast.jane, mail())
    acme_1 = ticket(sessions, "ACME-1", cast)
    with sessions.begin() as s:
        tickets.add_event(s, cast.jane, acme_1.id, "resolved", RUN)
    thanks = mail(subject="Re: ACME-1", text="Thanks!", message_id="<t@acme.example>")
    assert take(sessions, cast.jane, thanks, LATER).outcome is MailOutcome.REPLY
    assert ticket(sessions, "ACME-1", cast).status == "resolved"
    assert events(sessions, acme_1.id)[-1].text == "Thanks!"


def test_a_reply_to_a_mail_taken_before_threads_onto_its_ticket(sessions, cast):
    take(sessions, cast.jane, mail())
    answer = mail(
        subject="Re: Checkout fails",
        text="It also fails on the cart page.",
        message_id="<more-1@acme.example>",
        references="<order-1@acme.example>",
    )
    taken = take(sessions, cast.jane, answer, LATER)
    assert (taken.outcome, taken.ticket_key) == (MailOutcome.REPLY, "ACME-1")
    assert count(sessions, Ticket, cast.workspace_id) == 1


def test_a_reply_whose_quote_is_all_it_has_keeps_the_whole_text(sessions, cast):
    take(sessions, cast.jane, mail())
    bare = mail(
        subject="Re: ACME-1", text="> quoted only\n", message_id="<q@acme.example>"
    )
    take(sessions, cast.jane, bare, LATER)
    assert events(sessions, ticket(sessions, "ACME-1", cast).id)[-1].text == (
        "> quoted only"
    )


def test_the_same_message_is_taken_once_however_often_it_comes(sessions, cast):
    first = take(sessions, cast.jane, mail())
    again = take(sessions, cast.jane, mail(), LATER)
    assert again == svc.Taken(
        message_id=first.message_id,
        outcome=MailOutcome.TICKET,
        ticket_key="ACME-1",
        seen=True,
    )
    unknown = mail(sender="eve@evil.example", message_id="<x@evil.example>")
    held_first = take(sessions, cast.jane, unknown)
    held_again = take(sessions, cast.jane, unknown, LATER)
    assert held_again.seen
    assert held_again.quarantine_id == held_first.quarantine_id
    assert held_again.reason == "unknown sender"
    assert count(sessions, Ticket, cast.workspace_id) == 1
    assert count(sessions, InboundMail, cast.workspace_id) == 2
    assert count(sessions, MailQuarantine, cast.workspace_id) == 1
    with sessions() as s:
        assert svc.known_message_ids(
            s, cast.jane, ["order-1@acme.example", "x@evil.example", "new@x"]
        ) == {"order-1@acme.example", "x@evil.example"}


def test_the_database_refuses_a_second_row_for_a_message_id(sessions, cast):
    take(sessions, cast.jane, mail())
    twin = InboundMail(
        workspace_id=cast.workspace_id,
        message_id="order-1@acme.example",
        sender="erika@acme.example",
        subject="again",
        received_at=LATER,
        outcome=MailOutcome.TICKET,
    )
    with pytest.raises(IntegrityError), sessions.begin() as s:
        s.add(twin)


def test_each_workspace_takes_a_message_id_for_itself(sessions, world):
    raw = mail(sender="erika@acme.example")
    with sessions.begin() as s:
        activate(s, world.foreign)
    assert take(sessions, world.cast.jane, raw).ticket_key == "ACME-1"
    theirs = take(sessions, world.foreign.jane, raw)
    assert (theirs.outcome, theirs.seen) == (MailOutcome.TICKET, False)


# -- the quarantine ---------------------------------------------------------------


def test_an_unknown_sender_is_quarantined_whole_and_listed(sessions, cast):
    raw = mail(sender="Eve <eve@evil.example>", subject="Invoice", text="Pay me")
    taken = take(sessions, cast.jane, raw)
    assert (taken.outcome, taken.reason) == (MailOutcome.QUARANTINED, "unknown sender")
    [row] = held(sessions, cast.jane)
    assert row.id == taken.quarantine_id
    assert (row.sender, row.subject, row.reason) == (
        "eve@evil.example",
        "Invoice",
        "unknown sender",
    )
    assert raw_of(sessions, cast.jane, row.id) == raw  # every byte, as received
    assert row.text.strip() == "Pay me"
    assert row.received_at == RUN
    assert count(sessions, Ticket, cast.workspace_id) == 0


def test_each_refusal_is_quarantined_with_its_reason(sessions, world):
    cast = world.cast
    take(sessions, cast.jane, mail())  # ACME-1
    with sessions.begin() as s:
        acme_1 = tickets.find_ticket(s, cast.jane, "ACME-1").id
        tickets.add_event(s, cast.jane, acme_1, "resolved", RUN)
        tickets.add_event(s, cast.jane, acme_1, "status_changed", RUN, status="closed")
    cases = {
        "dora@janedoe.example": (
            "Hi",
            "sender is one of the provider's people, not a client contact",
        ),
        "sam@janedoe.example": (
            "Hi",
            "sender is one of the provider's people, not a client contact",
        ),
        "olga@globex.example": ("New", "no agreement in force with Globex"),
        "max@acme.example": ("Re: ACME-9", "ticket ACME-9 not found"),
        "erika@acme.example": (
            "Re: GLOBEX-1",
            "ticket GLOBEX-1 is not a ticket of Acme GmbH",
        ),
        "Erika@acme.example": (
            "Re: ACME-1 again",
            "ticket ACME-1 is closed; it takes no more events",
        ),
        "": ("Hi", "no sender address"),
    }
    for n, (sender, (subject, reason)) in enumerate(cases.items()):
        raw = mail(
            sender=sender or "undisclosed-recipients:;",
            subject=subject,
            message_id=f"<case-{n}@x.example>",
        )
        taken = take(sessions, cast.jane, raw, LATER)
        assert (taken.outcome, taken.reason) == (MailOutcome.QUARANTINED, reason), (
            sender
        )
    assert len(held(sessions, cast.jane)) == len(cases)
    assert len(events(sessions, ticket(sessions, "ACME-1", cast).id)) == 3
    assert count(sessions, Ticket, cast.workspace_id) == 1


def test_a_disabled_contact_is_quarantined(sessions, cast):
    with sessions.begin() as s:
        user = s.get(User, cast.erika.user_id)
        assert user is not None
        user.disabled_at = RUN
    taken = take(sessions, cast.jane, mail())
    assert taken.reason == "sender is a disabled client contact"


def test_release_takes_a_quarantined_mail_as_the_chosen_contact(sessions, cast):
    raw = mail(sender="erika.private@mailbox.example", subject="Shop down")
    quarantined = take(sessions, cast.jane, raw)
    assert quarantined.quarantine_id is not None
    with sessions.begin() as s:
        taken = svc.release_mail(
            s,
            cast.sam,
            quarantined.quarantine_id,
            as_email=" Erika@acme.example ",
            now=LATER,
        )
    assert (taken.outcome, taken.ticket_key) == (MailOutcome.TICKET, "ACME-1")
    opened = ticket(sessions, "ACME-1", cast)
    assert (opened.requester_id, opened.title, opened.created_at) == (
        cast.erika.user_id,
        "Shop down",
        LATER,
    )
    assert held(sessions, cast.jane) == []
    with sessions() as s:
        row = s.get(MailQuarantine, quarantined.quarantine_id)
        assert row is not None
        assert (row.released_at, row.released_by_id, row.released_as_id) == (
            LATER,
            cast.sam.user_id,
            cast.erika.user_id,
        )
        assert row.ticket_id == opened.id
        ledger = s.get(InboundMail, row.inbound_mail_id)
        assert ledger is not None
        assert (ledger.outcome, ledger.ticket_id) == (
            MailOutcome.QUARANTINED,
            opened.id,
        )
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.workspace_id == cast.workspace_id,
                AuditEntry.action == "mail.release",
            )
        ).one()
        assert entry.object_id == str(row.id)
        assert '"as":"erika@acme.example"' in entry.payload
    # replies to the released mail now thread onto its ticket
    answer = mail(
        subject="Re: Shop down",
        message_id="<a2@acme.example>",
        references=f"<{quarantined.message_id}>",
    )
    assert take(sessions, cast.jane, answer, LATER).ticket_key == "ACME-1"


def test_release_of_a_reply_adds_it_to_the_named_ticket(sessions, cast):
    take(sessions, cast.jane, mail())
    raw = mail(
        sender="max.home@mailbox.example",
        subject="AW: ACME-1",
        text="Works again.\n\nAm 04.01.2027 schrieb Jane:\n> Try now\n",
        message_id="<r@mailbox.example>",
    )
    quarantined = take(sessions, cast.jane, raw)
    assert quarantined.quarantine_id is not None
    with sessions.begin() as s:
        taken = svc.release_mail(
            s, cast.jane, quarantined.quarantine_id, as_email=ERIKA, now=LATER
        )
    assert (taken.outcome, taken.ticket_key) == (MailOutcome.REPLY, "ACME-1")
    last = events(sessions, ticket(sessions, "ACME-1", cast).id)[-1]
    assert (last.kind, last.text, last.actor_id) == (
        "client_reply",
        "Works again.",
        cast.erika.user_id,
    )


def test_release_is_refused_and_changes_nothing_when_it_cannot_be_done(sessions, world):
    cast = world.cast
    quarantined = take(sessions, cast.jane, mail(sender="eve@evil.example"))
    qid = quarantined.quarantine_id
    assert qid is not None
    refusals: list[tuple[type[Exception], str, str]] = [
        (InvalidInput, "jane@janedoe.example", "as: 'jane@janedoe.example' is not"),
        (InvalidInput, "nobody@acme.example", "is not an active client contact"),
        (InvalidInput, "  ", "is not an active client contact"),
        (Conflict, "olga@globex.example", "no agreement in force with Globex"),
    ]
    for error, email, words in refusals:
        with pytest.raises(error, match=words), sessions.begin() as s:
            svc.release_mail(s, cast.jane, qid, as_email=email, now=LATER)
    with pytest.raises(NotFound), sessions.begin() as s:
        svc.release_mail(s, cast.jane, 10**9, as_email=ERIKA, now=LATER)
    assert [r.id for r in held(sessions, cast.jane)] == [qid]
    assert count(sessions, Ticket, cast.workspace_id) == 0
    with sessions.begin() as s:
        svc.release_mail(s, cast.jane, qid, as_email=ERIKA, now=LATER)
    with pytest.raises(Conflict, match="released already"), sessions.begin() as s:
        svc.release_mail(s, cast.jane, qid, as_email=ERIKA, now=LATER)
    with pytest.raises(Conflict, match="released already"), sessions.begin() as s:
        svc.discard_mail(s, cast.jane, qid, reason="spam", now=LATER)


def test_discard_keeps_the_mail_with_its_reason(sessions, cast):
    quarantined = take(sessions, cast.jane, mail(sender="eve@evil.example"))
    qid = quarantined.quarantine_id
    assert qid is not None
    empty = pytest.raises(InvalidInput, match="reason: must not be empty")
    with empty, sessions.begin() as s:
        svc.discard_mail(s, cast.jane, qid, reason="  ", now=LATER)
    with sessions.begin() as s:
        svc.discard_mail(s, cast.sam, qid, reason=" phishing ", now=LATER)
    assert held(sessions, cast.jane) == []
    with sessions() as s:
        [row] = svc.list_quarantine(s, cast.jane, include_done=True)
        assert (row.discarded_at, row.discarded_by_id, row.discard_reason) == (
            LATER,
            cast.sam.user_id,
            "phishing",
        )
        assert svc.quarantined_raw(s, cast.jane, qid) == mail(sender="eve@evil.example")
        assert row.state == "discarded"
        assert svc.quarantined_mail(s, cast.jane, qid).id == qid
    with pytest.raises(Conflict, match="discarded already"), sessions.begin() as s:
        svc.discard_mail(s, cast.jane, qid, reason="again", now=LATER)
    with pytest.raises(Conflict, match="discarded already"), sessions.begin() as s:
        svc.release_mail(s, cast.jane, qid, as_email=ERIKA, now=LATER)


# -- who may do it ----------------------------------------------------------------


def test_only_the_providers_people_handle_mail(sessions, world):
    cast = world.cast
    quarantined = take(sessions, cast.jane, mail(sender="eve@evil.example"))
    qid = quarantined.quarantine_id
    assert qid is not None
    for who in (cast.erika, world.olga):
        with pytest.raises(PermissionDenied), sessions.begin() as s:
            svc.take_message(s, who, parse_message(mail()), now=RUN)
        with pytest.raises(PermissionDenied), sessions() as s:
            svc.list_quarantine(s, who)
        with pytest.raises(PermissionDenied), sessions.begin() as s:
            svc.release_mail(s, who, qid, as_email=ERIKA, now=LATER)
        with pytest.raises(PermissionDenied), sessions.begin() as s:
            svc.discard_mail(s, who, qid, reason="x", now=LATER)
    with pytest.raises(PermissionDenied, match="disabled"), sessions() as s:
        svc.list_quarantine(s, world.dora)
    # another workspace's quarantine is not found, nor listed
    with sessions() as s:
        assert svc.list_quarantine(s, world.foreign.jane) == []
    with pytest.raises(NotFound), sessions.begin() as s:
        svc.release_mail(s, world.foreign.jane, qid, as_email=ERIKA, now=LATER)
    with pytest.raises(NotFound), sessions.begin() as s:
        svc.discard_mail(s, world.foreign.jane, qid, reason="x", now=LATER)


def test_bad_input_is_refused_and_nothing_is_stored(sessions, cast):
    good = parse_message(mail())
    bad = [
        (InboundMessage("", "erika@acme.example", "s", "t", b"raw"), RUN, "message_id"),
        (InboundMessage("x" * 251, "e@x", "s", "t", b"raw"), RUN, "message_id"),
        (good, RUN.replace(tzinfo=None), "now"),
    ]
    for message, at, where in bad:
        with pytest.raises(InvalidInput, match=f"^{where}: "), sessions.begin() as s:
            svc.take_message(s, cast.jane, message, now=at)
    assert count(sessions, InboundMail, cast.workspace_id) == 0


def test_before_the_agreement_is_in_force_mail_is_quarantined(sessions, cast):
    early = ACTIVE_AT - timedelta(days=7)  # the agreement takes effect on 1 January
    taken = take(sessions, cast.jane, mail(), early)
    assert taken.reason == "no agreement in force with Acme GmbH"
