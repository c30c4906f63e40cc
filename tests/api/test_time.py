"""`/time-entries` and `/timers`: every route's happy path, paging with totals,
approval rights per the agreement, locks, 401 without a token, other tenants'
entries as 404, and retries with an `Idempotency-Key` that create once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx
from sqlalchemy import func, select

from slakeeper.db.models import RunningTimer, TimeEntry
from slakeeper.services import agreements
from tests.api.conftest import Api
from tests.factories import example_text

# `now` of the API is 1 December 2026, 09:00 UTC (tests.factories.NOW)
NOV_2 = "2026-11-02T09:00:00Z"
NOVEMBER = {"from": "2026-11-01T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"}


def entry_body(api: Api, **changes: Any) -> dict[str, Any]:
    return {
        "client_id": api.world.cast.acme_id,
        "started_at": NOV_2,
        "ended_at": "2026-11-02T10:30:00Z",
        "note": "Checkout error",
        **changes,
    }


def add(api: Api, as_: str = "jane", **changes: Any) -> dict[str, Any]:
    response = api.post("/time-entries", entry_body(api, **changes), as_=as_)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def patch(api: Api, path: str, json: Any, as_: str = "jane") -> httpx.Response:
    return api.client.patch(path, json=json, headers=api.headers(as_))


def delete(api: Api, path: str, as_: str = "jane") -> httpx.Response:
    return api.client.delete(path, headers=api.headers(as_))


def count(api: Api, row: type[Any]) -> int:
    with api.sessions() as s:
        where = row.workspace_id == api.world.cast.workspace_id
        return int(s.scalar(select(func.count()).select_from(row).where(where)) or 0)


def approvals(
    api: Api, as_: str = "jane", key: str | None = None, **changes: Any
) -> httpx.Response:
    body = {"client_id": api.world.cast.acme_id, **NOVEMBER, **changes}
    return api.post("/time-entries/approvals", body, as_=as_, key=key)


def test_time_is_recorded_read_and_listed_a_page_at_a_time(api: Api) -> None:
    first = add(api)
    assert (first["seconds"], first["source"], first["status"]) == (
        5400,
        "manual",
        "open",
    )
    assert first["worked_at"] == first["started_at"] == NOV_2
    assert first["user_id"] == api.world.cast.jane.user_id
    second = add(
        api,
        started_at=None,
        ended_at=None,
        duration_seconds=2700,
        worked_at="2026-11-03T09:00:00Z",
        billable=False,
    )
    assert (second["started_at"], second["seconds"]) == (None, 2700)
    third = add(
        api,
        as_="sam",
        started_at="2026-11-04T09:00:00Z",
        ended_at="2026-11-04T09:15:00Z",
    )
    assert api.get(f"/time-entries/{third['id']}", as_="max").json() == third
    page = api.get("/time-entries", params={"limit": 2}).json()
    assert [e["id"] for e in page["items"]] == [first["id"], second["id"]]
    totals = {"count": 3, "seconds": 5400 + 2700 + 900, "billable_seconds": 6300}
    assert page["totals"] == totals  # of every match, not of the page
    rest = api.get(
        "/time-entries", params={"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [e["id"] for e in rest["items"]] == [third["id"]]
    assert rest["next_cursor"] is None

    def ids(**params: Any) -> list[int]:
        return [
            e["id"] for e in api.get("/time-entries", params=params).json()["items"]
        ]

    assert ids(user_id=api.world.cast.sam.user_id) == [third["id"]]
    assert ids(billable=False) == [second["id"]]
    assert ids(**{"from": "2026-11-03T00:00:00Z"}) == [second["id"], third["id"]]
    assert ids(to="2026-11-03T00:00:00Z") == [first["id"]]
    assert ids(client_id=api.world.globex_id) == []
    assert ids(approved=True) == []
    assert ids(source="manual") == [first["id"], second["id"], third["id"]]


def test_a_timer_starts_reports_and_stops_once(api: Api) -> None:
    assert api.get("/timers/current").json() == {"timer": None}
    body = {"client_id": api.world.cast.acme_id, "note": "Checkout error"}
    started = api.post("/timers/start", body)
    assert started.status_code == 201, started.text
    assert started.json()["started_at"] == "2026-12-01T09:00:00Z"
    again = api.post("/timers/start", body)
    assert again.status_code == 409
    assert "already running for Acme GmbH" in again.json()["error"]["message"]
    api.now[0] = datetime(2026, 12, 1, 9, 25, tzinfo=UTC)
    current = api.get("/timers/current").json()["timer"]
    assert (current["elapsed_seconds"], current["note"]) == (1500, "Checkout error")
    assert api.get("/timers/current", as_="sam").json() == {"timer": None}
    stopped = api.post("/timers/stop", {"note": "Fixed"})
    assert stopped.status_code == 201, stopped.text
    entry = stopped.json()
    assert (entry["source"], entry["seconds"], entry["note"]) == (
        "timer",
        1500,
        "Fixed",
    )
    twice = api.post("/timers/stop", {})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "conflict"
    assert "no timer is running" in twice.json()["error"]["message"]
    assert count(api, TimeEntry) == 1


def test_entries_change_until_they_are_approved(api: Api) -> None:
    entry = add(api, as_="sam")
    path = f"/time-entries/{entry['id']}"
    changed = patch(api, path, {"duration_seconds": 3600, "note": "Fix"}, as_="sam")
    assert changed.status_code == 200, changed.text
    assert (changed.json()["seconds"], changed.json()["note"]) == (3600, "Fix")
    assert changed.json()["ended_at"] == "2026-11-02T10:00:00Z"
    refused = patch(api, path, {"note": "cheaper"}, as_="max")
    assert refused.status_code == 403
    for who in ("sam", "max"):  # only the provider's owner approves here
        assert approvals(api, as_=who).status_code == 403
    done = approvals(api)
    assert done.status_code == 200, done.text
    assert done.json()["entry_ids"] == [entry["id"]]
    assert done.json()["from"] == "2026-10-31T23:00:00Z"
    assert done.json()["totals"] == {
        "count": 1,
        "seconds": 3600,
        "billable_seconds": 3600,
    }
    assert api.get(path).json()["status"] == "approved"
    for response in (patch(api, path, {"note": "later"}), delete(api, path)):
        assert response.status_code == 409
        assert "locked" in response.json()["error"]["message"]
    other = add(api, as_="sam", note="wrong client")
    gone = delete(api, f"/time-entries/{other['id']}", as_="sam")
    assert gone.status_code == 200
    assert gone.json()["note"] == "wrong client"
    assert api.get(f"/time-entries/{other['id']}").status_code == 404


def test_the_client_approves_where_the_agreement_says_so(api: Api) -> None:
    text = example_text().replace(
        "  invoice: {every: month",
        "  timesheets: {approved_by: client.approver}\n  invoice: {every: month",
    )
    response = api.post(
        "/agreements",
        {"client_id": api.world.cast.acme_id, "source_name": "a.yaml", "text": text},
    )
    version = response.json()
    base = f"/agreements/{version['agreement_id']}/versions/1"
    api.post(base + "/submit")
    for who in ("jane", "max"):
        answer = api.post(base + "/approve", {"sha256": version["sha256"]}, as_=who)
        assert answer.status_code == 200, answer.text
    with api.sessions.begin() as s:  # in force from its effective date
        agreements.activate_due(
            s, api.world.cast.jane, datetime(2027, 1, 2, tzinfo=UTC)
        )
    api.now[0] = datetime(2027, 2, 1, 12, tzinfo=UTC)
    entry = add(api, started_at="2027-01-04T09:00:00Z", ended_at="2027-01-04T10:00:00Z")
    january = {"from": "2027-01-01T00:00:00Z", "to": "2027-02-01T00:00:00Z"}
    refused = approvals(api, **january)
    assert refused.status_code == 403
    assert "client.approver" in refused.json()["error"]["message"]
    assert approvals(api, as_="erika", **january).status_code == 403
    assert approvals(api, as_="olga", **january).status_code == 404
    done = approvals(api, as_="max", **january)
    assert done.status_code == 200, done.text
    assert done.json()["entry_ids"] == [entry["id"]]
    assert done.json()["approved_by_id"] == api.world.cast.max.user_id


def test_client_contacts_read_their_clients_entries_and_record_none(api: Api) -> None:
    acme = add(api)
    add(api, client_id=api.world.globex_id)
    listed = api.get("/time-entries", as_="erika").json()
    assert [e["id"] for e in listed["items"]] == [acme["id"]]
    assert api.get(f"/time-entries/{acme['id']}", as_="olga").status_code == 404
    refused = api.post("/time-entries", entry_body(api), as_="max")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    start = api.post("/timers/start", {"client_id": acme["client_id"]}, as_="max")
    assert start.status_code == 403
    assert count(api, TimeEntry) == 2
    assert count(api, RunningTimer) == 0


def test_bad_input_is_refused_with_where_it_is(api: Api) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"ended_at": NOV_2}, "ended_at", "not after the start"),
        ({"ended_at": "2026-12-02T00:00:00Z"}, "ended_at", "in the future"),
        ({"ended_at": None}, "ended_at", "give both"),
        ({"source": "toggl"}, "source", "unknown source"),
        ({"milestone_key": "launch"}, "milestone", "no milestone"),
        ({"started_at": "2026-11-02T09:00:00"}, "body.started_at", "timezone"),
        ({"duration_seconds": 0}, "body.duration_seconds", "greater than or equal"),
    ]
    for changes, location, message in cases:
        response = api.post("/time-entries", entry_body(api, **changes))
        assert response.status_code == 422, (changes, response.text)
        detail = response.json()["error"]["details"][0]
        assert detail["location"] == location, changes
        assert message in detail["message"], (changes, detail)
    assert (
        api.post("/time-entries", entry_body(api, ticket_id=999999)).status_code == 404
    )
    assert count(api, TimeEntry) == 0


def test_every_time_route_needs_a_token(api: Api) -> None:
    entry = add(api)
    for method, path in (
        ("GET", "/time-entries"),
        ("POST", "/time-entries"),
        ("GET", f"/time-entries/{entry['id']}"),
        ("PATCH", f"/time-entries/{entry['id']}"),
        ("DELETE", f"/time-entries/{entry['id']}"),
        ("POST", "/time-entries/approvals"),
        ("POST", "/timers/start"),
        ("POST", "/timers/stop"),
        ("GET", "/timers/current"),
    ):
        response = api.client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthenticated"
    assert count(api, TimeEntry) == 1


def test_another_tenant_gets_not_found_and_changes_nothing(api: Api) -> None:
    entry = add(api)
    path = f"/time-entries/{entry['id']}"
    acme = api.world.cast.acme_id
    for response in (
        api.get(path, as_="stranger"),
        patch(api, path, {"note": "mine"}, as_="stranger"),
        delete(api, path, as_="stranger"),
        api.get("/time-entries", as_="stranger", params={"client_id": acme}),
        api.post("/time-entries", entry_body(api), as_="stranger"),
        api.post("/timers/start", {"client_id": acme}, as_="stranger"),
        approvals(api, as_="stranger"),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
    assert api.get("/time-entries", as_="stranger").json()["items"] == []
    assert api.get(path).json() == entry
    assert count(api, TimeEntry) == 1


def test_retried_creating_requests_create_once(api: Api) -> None:
    first = api.post("/time-entries", entry_body(api), key="entry-1")
    retry = api.post("/time-entries", entry_body(api), key="entry-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(api, TimeEntry) == 1
    reused = api.post("/time-entries", entry_body(api, note="x"), key="entry-1")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"

    start = {"client_id": api.world.cast.acme_id}
    started = api.post("/timers/start", start, key="start-1")
    assert api.post("/timers/start", start, key="start-1").json() == started.json()
    stopped = api.post("/timers/stop", {}, key="stop-1")
    replayed = api.post("/timers/stop", {}, key="stop-1")  # not 409: the answer
    assert (stopped.status_code, replayed.status_code) == (201, 201)
    assert replayed.json() == stopped.json()
    assert count(api, TimeEntry) == 2

    done = approvals(api, key="approve-1")
    again = approvals(api, key="approve-1")
    assert done.status_code == again.status_code == 200
    assert again.json() == done.json()
    assert len(done.json()["entry_ids"]) == 1  # the timer's entry is in December
