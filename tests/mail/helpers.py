"""Real mail for the tests: RFC 5322 messages, and a real IMAP server (pymap's
in-memory `dict` backend) started on loopback on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from imap_tools import MailBoxUnencrypted

from slakeeper.mail.imap import ImapConfig
from tests.factories import NOW

USER = "support@janedoe.example"
PASSWORD = "s3cret-imap"


def mail(
    sender: str = "Erika Muster <erika@acme.example>",
    subject: str = "Checkout fails",
    text: str = "Every order ends in an error page.",
    *,
    message_id: str | None = "<order-1@acme.example>",
    references: str | None = None,
    html: str | None = None,
) -> bytes:
    """A message as a mail client sends it (CRLF line ends)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = USER
    msg["Subject"] = subject
    msg["Date"] = format_datetime(NOW)
    if message_id is not None:
        msg["Message-ID"] = message_id
    if references is not None:
        msg["In-Reply-To"] = references.split()[-1]
        msg["References"] = references
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return bytes(msg).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ImapServer:
    """A running pymap server and a client's view of its mailbox."""

    host: str
    port: int

    def config(self, **overrides: Any) -> ImapConfig:
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": USER,
            "password": PASSWORD,
            "security": "none",
            "timeout": 10.0,
        }
        values.update(overrides)
        return ImapConfig(**values)

    @contextmanager
    def client(self, folder: str = "INBOX") -> Iterator[MailBoxUnencrypted]:
        with MailBoxUnencrypted(self.host, self.port, timeout=10).login(
            USER, PASSWORD, initial_folder=folder
        ) as box:
            yield box

    def append(self, *messages: bytes, seen: bool = False) -> None:
        """Deliver messages into the INBOX (IMAP APPEND)."""
        with self.client() as box:
            for raw in messages:
                box.append(raw, "INBOX", dt=NOW, flag_set=["\\Seen"] if seen else [])

    def folder(self, name: str = "INBOX") -> list[tuple[str, tuple[str, ...]]]:
        """The Message-ID and flags of each message in a folder."""
        with self.client(name) as box:
            return [
                (str(m.obj.get("Message-ID", "")), m.flags)
                for m in box.fetch(mark_seen=False)
            ]

    def folders(self) -> list[str]:
        with self.client() as box:
            return [f.name for f in box.folder.list()]

    def reset(self) -> None:
        """Back to an empty INBOX and no other folder (one server serves a
        module's tests)."""
        with self.client() as box:
            for name in [f.name for f in box.folder.list()]:
                if name != "INBOX":
                    box.folder.delete(name)
            box.folder.set("INBOX")
            uids = box.uids("ALL")
            if uids:
                box.delete(uids)
            assert box.uids("ALL") == []


@contextmanager
def running_pymap() -> Iterator[ImapServer]:
    """Start pymap on 127.0.0.1 on a free port; stop it on the way out."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from pymap.main import main; main()",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-tls",
        "dict",
        "--demo-user",
        USER,
        "--demo-password",
        PASSWORD,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    _, err = process.communicate(timeout=5)
                    raise RuntimeError(
                        f"pymap did not start: {err.decode(errors='replace')}"
                    ) from None
                time.sleep(0.05)
        yield ImapServer("127.0.0.1", port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
