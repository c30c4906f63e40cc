"""The IMAP side of inbound e-mail, with imap-tools: connect as the settings say
(TLS from the start, STARTTLS, or plain on loopback), list a folder's messages
by UID with their Message-IDs (headers only, nothing marked seen), read one
message's raw bytes, and tidy up a message once it has been taken: move it to
the processed folder, or else flag it seen.

Whatever the server does wrong (unreachable, login refused, no such folder, the
connection lost) comes out as `MailboxUnavailable`, one line that names the
server. Which messages were taken is never decided here: the Message-ID
ledger (`services/mail.py`) is the guarantee.
"""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Literal

from imap_tools import (
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessage,
)
from imap_tools.errors import (
    ImapToolsError,
    MailboxFlagError,
    MailboxFolderSelectError,
    MailboxLoginError,
    MailboxStarttlsError,
)
from imap_tools.utils import check_command_status

from slakeeper.errors import AppError, InvalidInput
from slakeeper.mail.message import header_message_id
from slakeeper.settings import Settings

__all__ = [
    "DEFAULT_PORTS",
    "Envelope",
    "ImapConfig",
    "Inbox",
    "MailboxUnavailable",
    "open_inbox",
]

Security = Literal["ssl", "starttls", "none"]
DEFAULT_PORTS: dict[str, int] = {"ssl": 993, "starttls": 143, "none": 143}
HEADER_BATCH = 200  # messages whose headers are fetched in one command


class MailboxUnavailable(AppError):
    """The IMAP server cannot be reached, refuses the login, has no such
    folder, or dropped the connection."""

    code = "mailbox_unavailable"
    status_code = 502


@dataclass(frozen=True, slots=True)
class ImapConfig:
    """Where the inbound mailbox is and how to log in to it."""

    host: str
    user: str
    password: str = field(repr=False)
    port: int | None = None  # None: the usual port for `security`
    folder: str = "INBOX"
    security: Security = "ssl"
    processed_folder: str | None = None  # None: flag taken messages seen
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"

    @classmethod
    def from_settings(cls, settings: Settings) -> ImapConfig:
        """The mailbox the settings name; InvalidInput naming the variables
        that are missing."""
        password = settings.imap_password
        given = {
            "SLAKEEPER_IMAP_HOST": settings.imap_host,
            "SLAKEEPER_IMAP_USER": settings.imap_user,
            "SLAKEEPER_IMAP_PASSWORD": None
            if password is None
            else password.get_secret_value(),
        }
        missing = [name for name, value in given.items() if not (value or "").strip()]
        if missing:
            raise InvalidInput(
                f"inbound e-mail is not set up: set {', '.join(missing)}"
                " (see docs/mail.md)",
                location=missing[0],
            )
        folder = settings.imap_folder.strip()
        if not folder:
            raise InvalidInput("must not be empty", location="SLAKEEPER_IMAP_FOLDER")
        processed = (settings.imap_processed_folder or "").strip() or None
        if processed == folder:
            raise InvalidInput(
                "must differ from SLAKEEPER_IMAP_FOLDER",
                location="SLAKEEPER_IMAP_PROCESSED_FOLDER",
            )
        assert settings.imap_host is not None
        assert settings.imap_user is not None
        assert password is not None
        return cls(
            host=settings.imap_host.strip(),
            user=settings.imap_user.strip(),
            password=password.get_secret_value(),
            port=settings.imap_port,
            folder=folder,
            security=settings.imap_security,
            processed_folder=processed,
        )


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message of the folder, as listed: its UID, its Message-ID (None
    when its headers have none) and whether it is flagged seen."""

    uid: str
    message_id: str | None
    seen: bool


class _RawMessage(MailMessage):
    """imap-tools' message, keeping the bytes as the server sent them."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        raw = b""
        for item in fetch_data:
            if isinstance(item, tuple) and len(item) > 1:
                raw = item[1]
        self.raw: bytes = raw


@contextmanager
def _speaking(config: ImapConfig, doing: str) -> Iterator[None]:
    """Turn what the server or the network does wrong into one line."""
    try:
        yield
    except MailboxUnavailable:
        raise
    except (ImapToolsError, imaplib.IMAP4.error, OSError, EOFError) as exc:
        detail = str(exc).strip() or type(exc).__name__
        raise MailboxUnavailable(
            f"IMAP server {config.address}: {doing} failed: {detail}"
        ) from None


class Inbox:
    """The folder of an open connection (see `open_inbox`)."""

    def __init__(self, box: BaseMailBox, config: ImapConfig) -> None:
        self._box = box
        self.config = config

    def envelopes(self) -> list[Envelope]:
        """The folder's messages in UID order (read without marking them)."""
        with _speaking(self.config, "listing the messages"):
            uids = self._box.uids("ALL")
            found: dict[str, Envelope] = {}
            for at in range(0, len(uids), HEADER_BATCH):
                batch = uids[at : at + HEADER_BATCH]
                for msg in self._box.fetch(
                    uid_list=batch, headers_only=True, mark_seen=False, bulk=True
                ):
                    if msg.uid is None:
                        continue
                    found[msg.uid] = Envelope(
                        uid=msg.uid,
                        message_id=header_message_id(msg.obj.get("Message-ID")),
                        seen="\\Seen" in msg.flags,
                    )
        return [found[uid] for uid in uids if uid in found]

    def fetch(self, uid: str) -> bytes | None:
        """A message's raw bytes (None when it has gone meanwhile)."""
        with _speaking(self.config, f"reading message {uid}"):
            for msg in self._box.fetch(uid_list=[uid], mark_seen=False):
                assert isinstance(msg, _RawMessage)
                return msg.raw
        return None

    def done(self, envelope: Envelope) -> None:
        """Tidy up a message that has been taken: move it to the processed
        folder, or flag it seen (without expunging anything)."""
        with _speaking(self.config, f"tidying up message {envelope.uid}"):
            if self.config.processed_folder:
                self._box.move([envelope.uid], self.config.processed_folder)
            elif not envelope.seen:
                result = self._box.client.uid(
                    "STORE", envelope.uid, "+FLAGS", "(\\Seen)"
                )
                check_command_status(result, MailboxFlagError)


class _StartTls(MailBoxStartTls):
    """imap-tools' STARTTLS mailbox, closing its socket when STARTTLS fails."""

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self._host, self._port, self._timeout)
        try:
            check_command_status(
                client.starttls(self._ssl_context), MailboxStarttlsError
            )
        except BaseException:
            client.shutdown()
            raise
        return client


def _mailbox(config: ImapConfig) -> BaseMailBox:
    port = config.port or DEFAULT_PORTS[config.security]
    if config.security == "ssl":
        context = config.ssl_context or ssl.create_default_context()
        return MailBox(config.host, port, timeout=config.timeout, ssl_context=context)
    if config.security == "starttls":
        context = config.ssl_context or ssl.create_default_context()
        return _StartTls(config.host, port, timeout=config.timeout, ssl_context=context)
    return MailBoxUnencrypted(config.host, port, timeout=config.timeout)


@contextmanager
def open_inbox(config: ImapConfig) -> Iterator[Inbox]:
    """Connect, log in and select the folder (creating the processed folder
    when it is missing); log out on the way out."""
    with _speaking(config, "connecting"):
        box = _mailbox(config)
    try:
        with _speaking(config, "logging in"):
            try:
                if (config.user + config.password).isascii():
                    box.login(config.user, config.password, initial_folder=None)
                else:  # LOGIN takes ASCII only; AUTHENTICATE PLAIN takes UTF-8
                    box.login_utf8(config.user, config.password, initial_folder=None)
            except imaplib.IMAP4.abort:
                raise  # the connection broke: not a refusal
            except (MailboxLoginError, imaplib.IMAP4.error):
                raise MailboxUnavailable(
                    f"IMAP server {config.address} refused the login of {config.user}"
                ) from None
        with _speaking(config, "opening the folder"):
            try:
                box.folder.set(config.folder)
            except MailboxFolderSelectError:
                raise MailboxUnavailable(
                    f"IMAP server {config.address} has no folder {config.folder!r}"
                ) from None
            processed = config.processed_folder
            if processed and not box.folder.exists(processed):
                box.folder.create(processed)
        box.email_message_class = _RawMessage
        yield Inbox(box, config)
    finally:
        with suppress(ImapToolsError, imaplib.IMAP4.error, OSError, EOFError):
            box.logout()  # closes the socket whatever the server answers
