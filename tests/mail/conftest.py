"""A real IMAP server (pymap) on loopback for every test that asks for one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.helpers import ImapServer, running_pymap


@pytest.fixture
def imap() -> Iterator[ImapServer]:
    with running_pymap() as server:
        yield server
