"""A real IMAP server (pymap) on loopback: one per test module (starting one
takes a second or more), its mailbox emptied before each test that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.helpers import ImapServer, running_pymap


@pytest.fixture(scope="module")
def imap_server() -> Iterator[ImapServer]:
    with running_pymap() as server:
        yield server


@pytest.fixture
def imap(imap_server: ImapServer) -> ImapServer:
    """The module's server with an empty INBOX and no other folder."""
    imap_server.reset()
    return imap_server
