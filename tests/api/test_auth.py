"""Signing in with an API token: 401 without a usable one, 403 when it is revoked
or its user disabled."""

import re

import pytest
from fastapi.testclient import TestClient

from slakeeper.db.models import ApiToken
from tests.api.conftest import Api
from tests.factories import NOW


def test_it_answers_401_with_a_bearer_challenge_without_a_token(
    anonymous: TestClient,
) -> None:
    response = anonymous.get("/clients")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer slk_nobody-issued-this", "Basic amFuZTpzZWNyZXQ=", "Bearer "],
)
def test_it_answers_401_to_a_token_nobody_issued(
    anonymous: TestClient, authorization: str
) -> None:
    response = anonymous.get("/clients", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_revoked_token_is_refused_with_403(api: Api) -> None:
    response = api.get("/clients", as_="revoked")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert "revoked" in error["message"]


def test_a_disabled_users_token_is_refused_with_403(api: Api) -> None:
    response = api.get("/agreements", as_="dora")
    assert response.status_code == 403
    assert "disabled" in response.json()["error"]["message"]


def test_every_route_needs_a_token(anonymous: TestClient) -> None:
    for path, methods in anonymous.get("/openapi.json").json()["paths"].items():
        if path == "/clients/{client_id}/deadlines.ics":
            continue  # the feed's token is in its URL (tests/api/test_feeds.py)
        url = re.sub(r"\{[^}]+\}", "1", path)  # every path parameter
        for method in methods:
            response = anonymous.request(method, url, json={})
            assert response.status_code == 401, (method, path)


def test_a_used_token_records_when(api: Api) -> None:
    api.get("/clients", as_="sam")
    with api.sessions() as s:
        rows = s.query(ApiToken).filter_by(user_id=api.world.cast.sam.user_id).all()
        used = {row.name: row.last_used_at for row in rows}
    assert used == {"test": NOW, "old": None}
