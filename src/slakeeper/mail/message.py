"""An inbound e-mail as slakeeper needs it (sender, Message-ID, subject, date,
text, the ids it answers), read from its raw RFC 5322 bytes with the standard
library, and the quoted text of a reply taken off.

Reading never fails: a malformed header reads as empty, an unknown charset as
UTF-8, and a message without a Message-ID gets a stable synthetic one
(`sha256:` and the hash of its bytes), so the same bytes are always the same
message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

__all__ = [
    "MAX_MESSAGE_ID",
    "InboundMessage",
    "header_message_id",
    "html_to_text",
    "parse_message",
    "strip_quoted",
    "synthetic_message_id",
]

MAX_MESSAGE_ID = 250  # longer ids are stored by their hash
MAX_ADDRESS = 320
_ANGLED = re.compile(r"<([^<>]+)>")
_QUOTED = re.compile(r"^\s*>")
# "On Mon, 4 Jan 2027 at 10:00, Jane <jane@x> wrote:", "Am ... schrieb Jane:"
_ATTRIBUTION = re.compile(r"^\s*(on|am)\s.*\b(wrote|schrieb)\b.*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{3,}\s*(original message|urspr\u00fcngliche nachricht)\s*-{3,}\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """What slakeeper reads of one e-mail; `raw` is the message as received."""

    message_id: str  # without <>; `sha256:...` when the message has none
    sender: str  # the From address, '' when there is none
    subject: str
    text: str  # the text/plain parts (else the HTML parts as text)
    raw: bytes
    sent_at: datetime | None = None  # its Date header, when readable
    references: tuple[str, ...] = ()  # In-Reply-To, then References, without <>


def synthetic_message_id(raw: bytes) -> str:
    """The id of a message that has no Message-ID: the hash of its bytes."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def header_message_id(value: str | None) -> str | None:
    """A Message-ID header's id without the angle brackets (None when the
    header is missing or empty); a very long id is replaced by its hash."""
    text = _clean(" ".join(str(value or "").split()))
    found = _ANGLED.search(text)
    ident = (found.group(1) if found else text).strip()
    if not ident:
        return None
    if len(ident) > MAX_MESSAGE_ID:
        return "id-sha256:" + hashlib.sha256(ident.encode()).hexdigest()
    return ident


def parse_message(raw: bytes) -> InboundMessage:
    """Read a raw RFC 5322 message."""
    msg = message_from_bytes(raw)
    ident = header_message_id(msg.get("Message-ID"))
    references: list[str] = []
    for name in ("In-Reply-To", "References"):
        for found in _ANGLED.findall(_clean(str(msg.get(name) or ""))):
            ref = header_message_id(f"<{found}>")
            if ref and ref not in references:
                references.append(ref)
    return InboundMessage(
        message_id=ident or synthetic_message_id(raw),
        sender=_sender(msg),
        subject=_header(msg, "Subject"),
        text=_body(msg),
        raw=raw,
        sent_at=_date(msg),
        references=tuple(references),
    )


def _clean(text: str) -> str:
    """Text any database stores: undecodable bytes replaced, no NUL."""
    return (
        text.encode("utf-8", "surrogateescape")
        .decode("utf-8", "replace")
        .replace("\x00", "")
    )


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    try:
        text = str(make_header(decode_header(str(value))))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        text = str(value)
    return _clean(" ".join(text.split()))


def _sender(msg: Message) -> str:
    for _name, address in getaddresses([str(msg.get("From") or "")]):
        address = _clean(address.strip())
        if "@" in address and len(address) <= MAX_ADDRESS:
            return address
    return ""


def _date(msg: Message) -> datetime | None:
    value = msg.get("Date")
    if value is None:
        return None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        text = payload.decode("utf-8", "replace")
    return _clean(text.replace("\r\n", "\n").replace("\r", "\n"))


def _body(msg: Message) -> str:
    plain: list[str] = []
    html: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_filename() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            plain.append(_decoded(part))
        elif kind == "text/html":
            html.append(html_to_text(_decoded(part)))
    if any(p.strip() for p in plain):
        return "\n".join(plain).strip()
    return "\n".join(html).strip()


class _TextOf(HTMLParser):
    BLOCKS = frozenset(
        {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
    )
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML body: tags dropped, blocks on their own
    lines, scripts and styles left out."""
    parser = _TextOf()
    parser.feed(markup)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """A reply without the text it quotes: lines starting with `>`, an
    attribution line ("On ... wrote:", "Am ... schrieb ...:", up to three lines
    long) that ends the text or introduces quoted lines, and everything from an
    "-----Original Message-----" line on. When nothing is left, the whole text
    (stripped) is kept."""
    lines = text.replace("\r\n", "\n").split("\n")
    keep = [True] * len(lines)
    for i, line in enumerate(lines):
        if _ORIGINAL.match(line):
            keep[i:] = [False] * (len(lines) - i)
            break
        if _QUOTED.match(line):
            keep[i] = False
    for end, line in enumerate(lines):
        if not keep[end] or not line.rstrip().endswith(":"):
            continue
        following = next((x for x in lines[end + 1 :] if x.strip()), None)
        kept_after = any(
            keep[j] and lines[j].strip() for j in range(end + 1, len(lines))
        )
        if following is not None and not _QUOTED.match(following) and kept_after:
            continue  # it introduces the writer's own text, not a quote
        for span in (1, 2, 3):
            start = end - span + 1
            if start < 0 or not all(keep[start : end + 1]):
                break
            if _ATTRIBUTION.match(" ".join(lines[start : end + 1])):
                keep[start : end + 1] = [False] * span
                break
    left = "\n".join(line for line, k in zip(lines, keep, strict=True) if k)
    return left.strip() or text.strip()
