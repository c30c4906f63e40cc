"""`/clients/{client_id}/deadlines.ics` and `/feeds`: a calendar app reads the
feed with the token in its URL (no bearer token), every bad token is a 404,
feeds are created (once per `Idempotency-Key`), listed and revoked with a bearer
token, and the feed route is documented as the one route without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from icalendar import Calendar

from tests.api.conftest import Api
from tests.factories import activate

REDESIGN_DUE = datetime(2027, 2, 15, 23, 0, tzinfo=UTC)  # 16 Feb 00:00 Berlin
LAUNCH_DUE = datetime(2027, 4, 1, 22, 0, tzinfo=UTC)  # 2 Apr 00:00 Berlin
ASSETS_DUE = datetime(2027, 1, 15, 23, 0, tzinfo=UTC)  # 16 Jan 00:00 Berlin
READ_AT = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
FEED = "/clients/{client_id}/deadlines.ics"


@pytest.fixture
def acme(api: Api) -> int:
    """Acme's id, with the example agreement active and the API's `now` after."""
    with api.sessions.begin() as s:
        activate(s, api.world.cast)
    api.now[0] = READ_AT
    return api.world.cast.acme_id


def create(
    api: Api, client_id: int, as_: str = "jane", name: str = "phone"
) -> dict[str, Any]:
    response = api.post("/feeds", {"client_id": client_id, "name": name}, as_=as_)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def read(api: Api, path: str) -> httpx.Response:
    return api.get(path, as_=None)  # a calendar app sends no bearer token


def test_a_calendar_app_reads_the_feed_with_the_token_in_the_url(api, acme):
    feed = create(api, acme, as_="max")
    assert feed["token"].startswith("slkf_")
    assert feed["path"] == f"/clients/{acme}/deadlines.ics?token={feed['token']}"
    assert feed["prefix"] == feed["token"][:12]
    response = read(api, feed["path"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Acme GmbH deadlines"
    starts = sorted(e.decoded("dtstart") for e in calendar.walk("VEVENT"))
    assert starts == [ASSETS_DUE, REDESIGN_DUE, LAUNCH_DUE]
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert summaries == {
        "Due: Redesign mock-ups (milestone)",
        "Due: New site live (milestone)",
        "Acme GmbH owes: Brand assets and logo files",
    }
    (listed,) = api.get("/feeds", as_="max").json()["items"]
    assert listed["last_used_at"] == "2027-01-04T08:00:00Z"
    assert "token" not in listed


def test_the_feed_answers_404_without_or_with_a_bad_token(api, acme):
    globex = create(api, api.world.globex_id, as_="olga")
    revoked = create(api, acme)
    assert api.post(f"/feeds/{revoked['id']}/revoke").status_code == 200
    url = FEED.format(client_id=acme)
    for path in (
        url,
        f"{url}?token=",
        f"{url}?token=slkf_nobody-issued-this",
        f"{url}?token={globex['token']}",
        f"{url}?token={api.tokens['jane']}",  # an API token opens no feed
        revoked["path"],
        FEED.format(client_id=999999) + f"?token={revoked['token']}",
    ):
        response = read(api, path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    # a bearer token does not open it either
    assert api.get(url, as_="jane").status_code == 404
    response = read(api, f"/clients/acme/deadlines.ics?token={globex['token']}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_the_feed_follows_the_deadlines_as_they_move(api, acme):
    feed = create(api, acme)
    milestones = api.get(f"/milestones?client_id={acme}").json()["items"]
    redesign = next(m for m in milestones if m["key"] == "redesign-mockups")
    api.now[0] = READ_AT + timedelta(days=1)
    response = api.post(
        f"/milestones/{redesign['id']}/delays",
        {
            "cause": "provider",
            "amount_seconds": 7200,
            "reason": "Designer out sick",
        },
    )
    assert response.status_code == 201, response.text
    proposal = response.json()["adjustment"]["id"]
    assert api.post(f"/adjustments/{proposal}/accept", as_="max").status_code == 200
    calendar = Calendar.from_ical(read(api, feed["path"]).content)
    (event,) = [
        e
        for e in calendar.walk("VEVENT")
        if str(e["uid"]) == f"milestone-{redesign['id']}@slakeeper"
    ]
    # Tue 16 Feb 09:00 Berlin + 2 working hours
    assert event.decoded("dtstart") == datetime(2027, 2, 16, 10, 0, tzinfo=UTC)
    assert "- Designer out sick (provider-caused delay, 2h of working time)" in str(
        event["description"]
    )


def test_feed_routes_need_a_bearer_token(anonymous):
    for method, path in (
        ("POST", "/feeds"),
        ("GET", "/feeds"),
        ("POST", "/feeds/1/revoke"),
    ):
        response = anonymous.request(method, path, json={"client_id": 1})
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_who_may_create_a_feed_and_what_is_refused(api, acme):
    assert create(api, acme, as_="sam")["created_by_id"] == api.world.cast.sam.user_id
    for who in ("stranger", "olga"):
        response = api.post("/feeds", {"client_id": acme}, as_=who)
        assert response.status_code == 404, who
    assert api.post("/feeds", {"client_id": acme}, as_="dora").status_code == 403
    response = api.post("/feeds", {"client_id": acme, "name": "  "})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == "name"
    response = api.post("/feeds", {"name": "phone"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == "body.client_id"
    assert create(api, acme)["name"] == "phone"
    assert api.post("/feeds", {"client_id": acme}).json()["name"] == "calendar"


def test_creating_a_feed_is_idempotent(api, acme):
    body = {"client_id": acme, "name": "phone"}
    first = api.post("/feeds", body, key="feed-1")
    retry = api.post("/feeds", body, key="feed-1")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/feeds").json()["items"]) == 1
    reused = api.post("/feeds", {**body, "name": "tablet"}, key="feed-1")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_feeds_are_listed_and_revoked_by_their_creator_or_an_owner(api, acme):
    jane = create(api, acme, name="jane")
    sam = create(api, acme, as_="sam", name="sam")
    olga = create(api, api.world.globex_id, as_="olga", name="olga")
    names = [f["name"] for f in api.get("/feeds").json()["items"]]
    assert names == ["jane", "sam", "olga"]
    only_globex = api.get(f"/feeds?client_id={api.world.globex_id}").json()
    assert [f["name"] for f in only_globex["items"]] == ["olga"]
    assert [f["name"] for f in api.get("/feeds", as_="sam").json()["items"]] == ["sam"]
    paged = api.get("/feeds?limit=2").json()
    assert len(paged["items"]) == 2
    assert paged["next_cursor"]
    assert api.post(f"/feeds/{jane['id']}/revoke", as_="sam").status_code == 404
    assert api.post(f"/feeds/{sam['id']}/revoke", as_="stranger").status_code == 404
    response = api.post(f"/feeds/{sam['id']}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] == "2027-01-04T08:00:00Z"
    assert api.post(f"/feeds/{sam['id']}/revoke").status_code == 409
    assert read(api, sam["path"]).status_code == 404
    assert read(api, jane["path"]).status_code == 200
    assert api.post(f"/feeds/{olga['id']}/revoke", as_="olga").status_code == 200


def test_the_feed_route_is_documented_as_opened_by_its_token(anonymous):
    schema = anonymous.get("/openapi.json").json()
    op = schema["paths"][FEED]["get"]
    assert op["security"] == [{"FeedToken": []}]
    assert schema["components"]["securitySchemes"]["FeedToken"] == {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": op_description(schema),
    }
    assert "text/calendar" in op["responses"]["200"]["content"]
    assert set(op["responses"]) == {"200", "404", "422"}
    for status in ("404", "422"):
        ref = op["responses"][status]["content"]["application/json"]["schema"]
        assert ref == {"$ref": "#/components/schemas/ErrorResponse"}


def op_description(schema: dict[str, Any]) -> str:
    description: str = schema["components"]["securitySchemes"]["FeedToken"][
        "description"
    ]
    assert "one client's deadlines" in description
    return description
