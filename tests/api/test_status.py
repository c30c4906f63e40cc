"""`GET /status`: the morning screen as JSON, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slakeeper.services.delivery import obligations
from tests.api.conftest import Api
from tests.factories import activate

# Monday 4 January 2027, 10:00 in Berlin
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def board_api(api: Api) -> Api:
    with api.sessions.begin() as s:
        activate(s, api.world.cast)
        activate(s, api.world.foreign)
    api.now[0] = T0
    return api


def test_the_board_of_a_workspace(board_api: Api) -> None:
    api = board_api
    opened = api.post(
        "/tickets",
        {
            "client_id": api.world.cast.acme_id,
            "title": "Shop down",
            "priority": "critical",
        },
        as_="erika",
    )
    assert opened.status_code == 201, opened.text
    response = api.get("/status")
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["now"] == "2027-01-04T09:00:00Z"
    (ticket,) = board["tickets"]
    assert (ticket["key"], ticket["state"], ticket["clock"], ticket["left"]) == (
        "ACME-1",
        "on_track",
        "response",
        3600,
    )
    assert [m["key"] for m in board["milestones"]] == ["redesign-mockups", "launch"]
    assert board["milestones"][0]["agreed_due_at"] == "2027-02-15T23:00:00Z"
    (need,) = board["obligations"]
    assert (need["party"], need["kind"], need["overdue"]) == ("client", "input", False)
    (weekly,) = board["commitments"]
    assert weekly["commitment"] == "Progress update by e-mail"
    assert weekly["current_due"] == "2027-01-08T23:00:00Z"
    # the first Friday (1 January) passed without an update
    assert weekly["missed"] == ["2027-01-01T23:00:00Z"]
    assert board["problems"] == 1
    later = api.get("/status", params={"at": "2027-01-20T09:00:00+01:00"}).json()
    assert later["tickets"][0]["state"] == "breached"
    assert later["obligations"][0]["overdue"] is True


def test_the_board_follows_the_principal(board_api: Api) -> None:
    api = board_api
    with api.sessions.begin() as s:
        (need,) = obligations.list_obligations(s, api.world.cast.jane)
        need_id = need.id
    mine = api.get("/status", as_="max").json()
    assert [o["id"] for o in mine["obligations"]] == [need_id]
    assert api.get("/status", as_="olga").json()["milestones"] == []
    stranger = api.get("/status", as_="stranger").json()
    assert need_id not in [o["id"] for o in stranger["obligations"]]
    acme = api.world.cast.acme_id
    assert api.get("/status", params={"client_id": acme}, as_="olga").status_code == 404
    assert (
        api.get("/status", params={"client_id": acme}, as_="stranger").status_code
        == 404
    )
    assert api.get("/status", params={"client_id": acme}, as_="max").status_code == 200
    assert api.get("/status", as_=None).status_code == 401
    bad = api.get("/status", params={"at": "2027-01-04T09:00"})
    assert bad.status_code == 422
