"""Reading raw messages and taking the quote off a reply (no database, no
server): what the mail services rely on."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slakeeper.mail.message import (
    header_message_id,
    html_to_text,
    parse_message,
    strip_quoted,
    synthetic_message_id,
)
from slakeeper.services.mail import ticket_keys_in
from tests.mail.helpers import mail


def test_it_reads_sender_subject_date_text_and_message_id():
    message = parse_message(mail())
    assert message.message_id == "order-1@acme.example"
    assert message.sender == "erika@acme.example"
    assert message.subject == "Checkout fails"
    assert message.text == "Every order ends in an error page."
    assert message.sent_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert message.references == ()


def test_it_decodes_encoded_words_and_charsets():
    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen?= <Juergen@Acme.example>\r\n"
        b"Subject: =?iso-8859-1?q?Gr=FC=DFe_aus_K=F6ln?=\r\n"
        b"Message-ID: <k1@acme.example>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Sch\xf6ne Gr\xfc\xdfe\r\n"
    )
    message = parse_message(raw)
    assert message.sender == "Juergen@Acme.example"
    assert message.subject == "Gr\u00fc\u00dfe aus K\u00f6ln"
    assert message.text == "Sch\u00f6ne Gr\u00fc\u00dfe"


def test_it_prefers_the_plain_part_and_falls_back_to_the_html_one():
    both = parse_message(mail(text="plain words", html="<p>html words</p>"))
    assert both.text == "plain words"
    raw = (
        b"From: erika@acme.example\r\nMessage-ID: <h@x>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p {color: red}</style></head><body>"
        b"<p>Shop is <b>down</b> &amp; out</p><p>Since 9:00<br>Erika</p>"
        b"<script>alert(1)</script></body></html>\r\n"
    )
    assert parse_message(raw).text == "Shop is down & out\n\nSince 9:00\nErika"


def test_a_message_without_message_id_gets_a_stable_synthetic_one():
    raw = mail(message_id=None)
    first, again = parse_message(raw), parse_message(raw)
    assert first.message_id == again.message_id == synthetic_message_id(raw)
    assert first.message_id.startswith("sha256:")
    other = mail(message_id=None, text="something else")
    assert parse_message(other).message_id != first.message_id


def test_message_ids_lose_their_brackets_and_a_huge_one_is_hashed():
    assert header_message_id("  <a.b@c.example> ") == "a.b@c.example"
    assert header_message_id("bare@c.example") == "bare@c.example"
    assert header_message_id("") is None
    assert header_message_id(None) is None
    huge = header_message_id("<" + "x" * 400 + "@c.example>")
    assert huge is not None
    assert huge.startswith("id-sha256:")
    assert len(huge) < 100


def test_it_reads_the_ids_a_reply_answers():
    raw = mail(references="<order-1@acme.example> <reply-2@janedoe.example>")
    assert parse_message(raw).references == (
        "reply-2@janedoe.example",
        "order-1@acme.example",
    )


def test_broken_headers_read_as_empty_never_as_an_error():
    raw = (
        b"From: not an address\r\nDate: yesterday-ish\r\n"
        b"Subject: =?x-unknown?q?abc?=\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\n"
        b"caf\xc3\xa9 \x00ok\r\n"
    )
    message = parse_message(raw)
    assert message.sender == ""
    assert message.sent_at is None
    assert message.text == "caf\u00e9 ok"
    assert message.message_id == synthetic_message_id(raw)


def test_attachments_are_not_read_as_text():
    raw = (
        b"From: erika@acme.example\r\nMessage-ID: <att@x>\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee the log\r\n"
        b"--b\r\nContent-Type: text/plain\r\n"
        b'Content-Disposition: attachment; filename="log.txt"\r\n\r\n'
        b"secret log\r\n--b--\r\n"
    )
    assert parse_message(raw).text == "see the log"


@pytest.mark.parametrize(
    ("text", "left"),
    [
        (  # top-posted, the attribution on one line
            "Thanks, that works now.\n\nOn Mon, 4 Jan 2027 at 10:00, Jane Doe"
            " <jane@janedoe.example> wrote:\n> Please try again.\n> Jane\n",
            "Thanks, that works now.",
        ),
        (  # the attribution wrapped over two lines
            "Still broken.\n\nOn Mon, 4 Jan 2027 at 10:00, Jane Doe <\n"
            "jane@janedoe.example> wrote:\n\n> Please try again.\n",
            "Still broken.",
        ),
        (  # German mail clients
            "Geht wieder.\n\nAm 04.01.2027 um 10:00 schrieb Jane Doe:\n> Bitte\n",
            "Geht wieder.",
        ),
        (  # an answer between quoted lines keeps its words
            "On Mon, Jane wrote:\n> Which browser?\nFirefox.\n> Which page?\n"
            "Checkout.\n",
            "Firefox.\nCheckout.",
        ),
        (  # Outlook's separator ends the reply
            "Done, thanks.\n\n-----Original Message-----\nFrom: Jane\nHello\n",
            "Done, thanks.",
        ),
        (  # a line of one's own that ends in a colon stays
            "These pages fail:\ncheckout, cart\n",
            "These pages fail:\ncheckout, cart",
        ),
        (  # nothing but quote: the whole text is kept
            "> only a quote\n> nothing else\n",
            "> only a quote\n> nothing else",
        ),
    ],
)
def test_it_strips_the_quoted_text_of_a_reply(text, left):
    assert strip_quoted(text) == left


def test_html_to_text_keeps_blocks_on_their_own_lines():
    assert html_to_text("<div>a</div><div>b&nbsp;c</div>") == "a\n\nb c"


def test_it_finds_ticket_keys_in_a_subject():
    assert ticket_keys_in("Re: [ACME-42] Checkout fails (acme-7, ACME-042)") == [
        "ACME-42",
        "ACME-7",
    ]
    assert ticket_keys_in("UTF-8 trouble in ISO-9001 docs") == ["UTF-8", "ISO-9001"]
    assert ticket_keys_in("ACME-CR-3 and X-ACME-4") == []


def test_the_examples_in_docs_mail_hold():
    page = Path(__file__).resolve().parents[2] / "docs" / "mail.md"
    result = doctest.testfile(
        str(page), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted >= 4
    assert result.failed == 0
