"""Signing in with a token reads; its last use is stored at most once a minute,
apart from the caller's transaction, and a busy database skips it instead of
failing the request. A token nobody issued is `Unauthenticated` (401), a kind of
`PermissionDenied`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import ApiToken
from slakeeper.errors import PermissionDenied, Unauthenticated
from slakeeper.services import workspaces as svc
from tests.factories import NOW, Cast, make_cast

S = timedelta(seconds=1)


@pytest.fixture
def cast(sessions: sessionmaker[Session]) -> Cast:
    with sessions.begin() as s:
        return make_cast(s)


@pytest.fixture
def token(sessions: sessionmaker[Session], cast: Cast) -> tuple[int, str]:
    with sessions.begin() as s:
        row, plaintext = svc.create_token(s, cast.sam, name="laptop", now=NOW)
    return row.id, plaintext


def last_use(sessions: sessionmaker[Session], token_id: int) -> datetime | None:
    with sessions() as s:
        row = s.get(ApiToken, token_id)
        assert row is not None
        return row.last_used_at


def test_a_use_is_stored_at_most_once_a_minute(sessions, cast, token):
    token_id, plaintext = token
    assert svc.sign_in(sessions, plaintext, NOW) == cast.sam
    assert last_use(sessions, token_id) == NOW
    svc.sign_in(sessions, plaintext, NOW + 59 * S)
    assert last_use(sessions, token_id) == NOW
    svc.sign_in(sessions, plaintext, NOW + 60 * S)
    assert last_use(sessions, token_id) == NOW + 60 * S
    with sessions.begin() as s:  # the same rule in the caller's transaction
        svc.authenticate_token(s, plaintext, NOW + 119 * S)
    assert last_use(sessions, token_id) == NOW + 60 * S
    with sessions.begin() as s:
        svc.authenticate_token(s, plaintext, NOW + 120 * S)
    assert last_use(sessions, token_id) == NOW + 120 * S


def test_a_use_stored_meanwhile_is_not_stored_again(sessions, token):
    token_id, plaintext = token
    with sessions() as s:
        _principal, use = svc.check_token(s, plaintext)
    svc.sign_in(sessions, plaintext, NOW + 30 * S)  # another request, first
    svc.record_use_apart(sessions, use, NOW + 40 * S)
    assert last_use(sessions, token_id) == NOW + 30 * S


def test_a_busy_database_skips_the_use_and_signs_in_all_the_same(
    sessions, cast, token, caplog
):
    token_id, plaintext = token
    holder = sessions()
    holder.execute(  # another writer holds the token's row (SQLite: the database)
        update(ApiToken).where(ApiToken.id == token_id).values(name="laptop")
    )
    try:
        with caplog.at_level(logging.DEBUG, logger="slakeeper.services.workspaces"):
            assert svc.sign_in(sessions, plaintext, NOW) == cast.sam
    finally:
        holder.rollback()
        holder.close()
    assert last_use(sessions, token_id) is None
    [record] = caplog.records
    assert record.levelno == logging.DEBUG
    assert f"api_token {token_id} was not stored" in record.getMessage()
    svc.sign_in(sessions, plaintext, NOW + S)  # the next use tries again
    assert last_use(sessions, token_id) == NOW + S


def test_a_token_nobody_issued_is_unauthenticated_and_a_revoked_one_denied(
    sessions, cast, token
):
    token_id, plaintext = token
    with pytest.raises(Unauthenticated, match="invalid API token") as caught:
        svc.sign_in(sessions, "slk_nobody-issued-this", NOW)
    assert (caught.value.status_code, caught.value.code) == (401, "unauthenticated")
    assert isinstance(caught.value, PermissionDenied)
    with sessions.begin() as s:
        svc.revoke_token(s, cast.sam, token_id, NOW)
    with pytest.raises(PermissionDenied, match="has been revoked") as denied:
        svc.sign_in(sessions, plaintext, NOW)
    assert not isinstance(denied.value, Unauthenticated)
    assert last_use(sessions, token_id) is None
