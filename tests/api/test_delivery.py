"""`/milestones`, `/adjustments`, `/obligations`, `/change-requests` and
`/clients/{id}/commitments` on both backends: every route's flow, access by
role, client and workspace, bad input that changes nothing, retries with an
`Idempotency-Key`, pages, and the OpenAPI document of each route.

The example agreement is in force with Acme (and with the foreign workspace's
Acme) from Friday 1 January 2027 in Berlin: the office calendar is open Mon-Fri
09:00-12:30 and 13:30-17:30 (7.5 working hours a day)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select

from slakeeper.api import delivery_schemas
from slakeeper.db.models import (
    Adjustment,
    ChangeRequest,
    CommitmentUpdate,
    MilestoneEvent,
    Obligation,
)
from slakeeper.services.views import delivery as delivery_views
from tests.api.conftest import Api
from tests.factories import activate
from tests.services.test_milestones import LAUNCH_DUE, REDESIGN_DUE, berlin

H = 3600
Z = "%Y-%m-%dT%H:%M:%SZ"
Row = type[Adjustment | ChangeRequest | CommitmentUpdate | MilestoneEvent | Obligation]


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime(Z)


@pytest.fixture
def desk(api: Api) -> Api:
    """The API on Monday 4 January 2027, 10:00 in Berlin, with the example
    agreement in force with Acme in both workspaces."""
    return open_desk(api)


def open_desk(api: Api) -> Api:
    with api.sessions.begin() as s:
        activate(s, api.world.cast)
        activate(s, api.world.foreign)
    api.now[0] = berlin(4, 1, 10)
    return api


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def count(api: Api, row: Row) -> int:
    with api.sessions() as s:
        where = row.workspace_id == api.world.cast.workspace_id
        return int(s.scalar(select(func.count()).select_from(row).where(where)) or 0)


def milestone(api: Api, key: str, as_: str = "jane") -> dict[str, Any]:
    items = ok(api.get("/milestones", as_=as_))["items"]
    found: dict[str, Any] = next(m for m in items if m["key"] == key)
    return found


def obligations(api: Api, as_: str = "jane", **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(api.get("/obligations", as_=as_, params=params))[
        "items"
    ]
    return items


def assets(api: Api) -> dict[str, Any]:
    """The input the redesign needs: brand assets, due Fri 15 Jan 24:00."""
    (need,) = obligations(api, kind="input")
    return need


def delay(api: Api, key: str = "launch", **changes: Any) -> httpx.Response:
    body = {"cause": "third_party", "days": 2, "reason": "Hosting migration"}
    return api.post(f"/milestones/{milestone(api, key)['id']}/delays", body | changes)


def change(api: Api, as_: str = "erika", key: str | None = None) -> dict[str, Any]:
    body = {"client_id": api.world.cast.acme_id, "title": "Add a blog section"}
    out: dict[str, Any] = ok(api.post("/change-requests", body, as_=as_, key=key), 201)
    return out


ESTIMATE: dict[str, Any] = {
    "effort_seconds": 6 * H,
    "cost": "570.00",
    "effects": [{"milestone": "launch", "days": 2}],
}


# -- milestones --------------------------------------------------------------------


def test_milestones_come_from_the_agreement_a_page_at_a_time(desk: Api) -> None:
    body = ok(desk.get("/milestones"))
    assert [(m["key"], m["status"], m["due_at"]) for m in body["items"]] == [
        ("redesign-mockups", "planned", iso(REDESIGN_DUE)),
        ("launch", "planned", iso(LAUNCH_DUE)),
    ]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert (first["after"], first["base_due_at"], first["late"]) == (
        None,
        iso(REDESIGN_DUE),
        False,
    )
    assert body["items"][1]["after"] == "redesign-mockups"
    page = ok(desk.get("/milestones", params={"limit": 1}))
    assert [m["key"] for m in page["items"]] == ["redesign-mockups"]
    rest = ok(
        desk.get("/milestones", params={"limit": 1, "cursor": page["next_cursor"]})
    )
    assert [m["key"] for m in rest["items"]] == ["launch"]
    assert rest["next_cursor"] is None


def test_milestone_lists_are_scoped_and_filtered(desk: Api) -> None:
    def keys(as_: str, **params: Any) -> list[tuple[int, str]]:
        items = ok(desk.get("/milestones", as_=as_, params=params))["items"]
        return [(m["client_id"], m["key"]) for m in items]

    acme, globex = desk.world.cast.acme_id, desk.world.globex_id
    ours = [(acme, "redesign-mockups"), (acme, "launch")]
    assert keys("jane") == keys("erika") == keys("max") == ours
    assert keys("jane", client_id=acme) == ours
    assert keys("jane", client_id=globex) == []
    assert keys("olga") == []
    theirs = keys("stranger")
    assert theirs == [(desk.world.foreign.acme_id, k) for _, k in ours]
    for params, location in (
        ({"client_id": "acme"}, "query.client_id"),
        ({"limit": 0}, "query.limit"),
        ({"cursor": "nonsense"}, "cursor"),
    ):
        e = error(desk.get("/milestones", params=params), 422)
        assert e["details"][0]["location"] == location, params


def test_a_milestone_is_read_with_its_adjustments_and_events(desk: Api) -> None:
    m = milestone(desk, "redesign-mockups", as_="erika")
    detail = ok(desk.get(f"/milestones/{m['id']}", as_="erika"))
    assert detail == {**m, "adjustments": []}
    events = ok(desk.get(f"/milestones/{m['id']}/events", as_="erika"))
    assert [(e["seq"], e["kind"], e["actor_id"]) for e in events] == [
        (1, "created", None)
    ]
    assert events[0]["data"] == {"version": 1}


def test_a_milestone_is_started_submitted_and_accepted(desk: Api) -> None:
    m = milestone(desk, "redesign-mockups")
    started = ok(desk.post(f"/milestones/{m['id']}/start", as_="sam"))
    assert (started["status"], started["computed_at"]) == (
        "in_progress",
        iso(berlin(4, 1, 10)),
    )
    assert error(desk.post(f"/milestones/{m['id']}/start"), 409)["code"] == "conflict"
    desk.now[0] = berlin(10, 2, 16)
    step = ok(
        desk.post(f"/milestones/{m['id']}/submissions", {"note": "Figma link inside"}),
        201,
    )
    event, after = step["event"], step["milestone"]
    assert (event["seq"], event["kind"], event["text"], event["actor_id"]) == (
        3,
        "submitted",
        "Figma link inside",
        desk.world.cast.jane.user_id,
    )
    # the review window is 5bd on the office calendar: to Wed 17 Feb 16:00
    assert (after["status"], after["delivered_at"], after["review_due_at"]) == (
        "submitted",
        iso(berlin(10, 2, 16)),
        iso(berlin(17, 2, 16)),
    )
    (feedback,) = obligations(desk, as_="max", kind="feedback")
    assert (feedback["party"], feedback["status"], feedback["due_at"]) == (
        "client",
        "open",
        iso(berlin(17, 2, 16)),
    )
    desk.now[0] = berlin(12, 2, 9)
    review = ok(
        desk.post(f"/milestones/{m['id']}/reviews", {"answer": "accept"}, as_="max"),
        201,
    )
    assert (review["event"]["kind"], review["event"]["actor_id"]) == (
        "accepted",
        desk.world.cast.max.user_id,
    )
    accepted = review["milestone"]
    assert (accepted["status"], accepted["late"], accepted["accepted_at"]) == (
        "accepted",
        False,
        iso(berlin(12, 2, 9)),
    )
    (met,) = obligations(desk, kind="feedback")
    assert (met["status"], met["lateness_seconds"], met["lateness_days"]) == (
        "met",
        0,
        None,
    )
    kinds = [e["kind"] for e in ok(desk.get(f"/milestones/{m['id']}/events"))]
    assert kinds == ["created", "started", "submitted", "accepted"]
    again = desk.post(f"/milestones/{m['id']}/reviews", {"answer": "accept"}, as_="max")
    assert "nothing to review" in error(again, 409)["message"]


def test_the_client_asks_for_changes_and_the_provider_submits_again(
    desk: Api,
) -> None:
    m = milestone(desk, "redesign-mockups")
    path = f"/milestones/{m['id']}"
    ok(desk.client.post(path + "/submissions", headers=desk.headers("jane")), 201)
    desk.now[0] = berlin(5, 1, 9)
    e = error(desk.post(path + "/reviews", {"answer": "changes"}, as_="max"), 422)
    assert [d["location"] for d in e["details"]] == ["note"]
    body = {"answer": "changes", "note": "Bigger logo"}
    step = ok(desk.post(path + "/reviews", body, as_="max"), 201)
    assert (step["event"]["kind"], step["event"]["text"]) == (
        "changes_requested",
        "Bigger logo",
    )
    assert (step["milestone"]["status"], step["milestone"]["delivered_at"]) == (
        "changes_requested",
        None,
    )
    desk.now[0] = berlin(6, 1, 9)
    again = ok(desk.post(path + "/submissions", {}), 201)
    assert (again["event"]["seq"], again["milestone"]["status"]) == (4, "submitted")


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({}, "body.answer"),
        ({"answer": "maybe"}, "body.answer"),
        ({"answer": "changes", "note": 5}, "body.note"),
        ({"answer": "changes", "note": "  "}, "note"),
    ],
)
def test_a_bad_review_is_refused_with_its_location(
    desk: Api, body: dict[str, Any], location: str
) -> None:
    m = milestone(desk, "redesign-mockups")
    ok(desk.post(f"/milestones/{m['id']}/submissions"), 201)
    events = count(desk, MilestoneEvent)
    e = error(desk.post(f"/milestones/{m['id']}/reviews", body, as_="max"), 422)
    assert location in [d["location"] for d in e["details"]]
    assert count(desk, MilestoneEvent) == events
    assert milestone(desk, "redesign-mockups")["status"] == "submitted"


def test_a_delay_moves_the_milestone_once_the_client_accepts(desk: Api) -> None:
    desk.now[0] = berlin(1, 3, 9)
    result = ok(delay(desk), 201)
    adj, before = result["adjustment"], result["milestone"]
    jane = desk.world.cast.jane.user_id
    assert (adj["cause"], adj["kind"], adj["mode"], adj["days"]) == (
        "third_party",
        "delay",
        "calendar_days",
        2,
    )
    assert (adj["amount_seconds"], adj["status"], adj["automatic"]) == (
        None,
        "proposed",
        False,
    )
    assert (adj["proposed_by_id"], adj["provider_accepted_by_id"]) == (jane, jane)
    assert (adj["reason"], before["due_at"]) == ("Hosting migration", iso(LAUNCH_DUE))
    desk.now[0] = berlin(1, 3, 10)
    accepted = ok(desk.post(f"/adjustments/{adj['id']}/accept", as_="max"))
    assert (accepted["adjustment"]["status"], accepted["milestone"]["due_at"]) == (
        "accepted",
        iso(LAUNCH_DUE + timedelta(days=2)),
    )
    assert accepted["adjustment"]["decided_at"] == iso(berlin(1, 3, 10))
    detail = ok(desk.get(f"/milestones/{before['id']}", as_="erika"))
    assert [a["id"] for a in detail["adjustments"]] == [adj["id"]]
    assert detail["due_at"] == iso(LAUNCH_DUE + timedelta(days=2))
    for action in ("accept", "reject"):
        e = error(desk.post(f"/adjustments/{adj['id']}/{action}", as_="max"), 409)
        assert "already accepted" in e["message"]


def test_a_delay_in_working_time_is_rejected_and_changes_nothing(desk: Api) -> None:
    result = ok(delay(desk, "redesign-mockups", days=None, amount_seconds=3 * H), 201)
    adj = result["adjustment"]
    assert (adj["mode"], adj["amount_seconds"], adj["days"]) == (
        "working_time",
        3 * H,
        None,
    )
    # only the client's approver (Max) decides on schedule changes
    refused = desk.post(f"/adjustments/{adj['id']}/reject", as_="erika")
    assert refused.status_code == 403
    rejected = ok(desk.post(f"/adjustments/{adj['id']}/reject", as_="max"))
    assert (rejected["adjustment"]["status"], rejected["milestone"]["due_at"]) == (
        "rejected",
        iso(REDESIGN_DUE),
    )
    assert rejected["adjustment"]["rejected_by_id"] == desk.world.cast.max.user_id


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"cause": None}, "body.cause"),
        ({"cause": "weather"}, "body.cause"),
        ({"days": None}, "body.amount_seconds"),
        ({"amount_seconds": 3600}, "body.days"),
        ({"days": 0}, "body.days"),
        ({"days": "two"}, "body.days"),
        ({"days": None, "amount_seconds": -5}, "body.amount_seconds"),
        ({"days": 3651}, "body.days"),
        ({"reason": ""}, "body.reason"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_a_bad_delay_is_refused_with_its_location(
    shared_desk: Api, changes: dict[str, Any], location: str
) -> None:
    e = error(delay(shared_desk, **changes), 422)
    assert e["code"] == "invalid_input"
    assert location in [d["location"] for d in e["details"]]
    assert count(shared_desk, Adjustment) == 0


def test_an_input_met_late_proposes_adjustments_of_what_depends_on_it(
    desk: Api,
) -> None:
    # due Fri 15 Jan 24:00; received Tue 19 Jan 12:00: Mon 7.5h + Tue 3h late
    need = assets(desk)
    assert (need["title"], need["due_at"], need["party"]) == (
        "Brand assets and logo files",
        "2027-01-15T23:00:00Z",
        "client",
    )
    desk.now[0] = berlin(19, 1, 12)
    met = ok(desk.post(f"/obligations/{need['id']}/met", {"note": "via mail"}))
    assert (met["status"], met["met_at"], met["note"]) == (
        "met",
        iso(berlin(19, 1, 12)),
        "via mail",
    )
    assert (met["shift_mode"], met["lateness_seconds"]) == ("working_time", 37800)
    assert met["met_by_id"] == desk.world.cast.jane.user_id
    redesign = ok(desk.get(f"/milestones/{milestone(desk, 'redesign-mockups')['id']}"))
    (adj,) = redesign["adjustments"]
    assert (adj["cause"], adj["status"], adj["amount_seconds"]) == (
        "client",
        "proposed",
        37800,
    )
    assert (adj["obligation_id"], adj["proposed_by_id"]) == (need["id"], None)
    ok(desk.post(f"/adjustments/{adj['id']}/accept"))
    desk.now[0] = berlin(19, 1, 14)
    moved = ok(desk.post(f"/adjustments/{adj['id']}/accept", as_="max"))["milestone"]
    # Tue 16 Feb 09:00 + 10.5h of office time: Wed 17 Feb 12:00 Berlin
    assert moved["due_at"] == iso(berlin(17, 2, 12))
    e = error(desk.post(f"/obligations/{need['id']}/met"), 409)
    assert "not open" in e["message"]


# -- obligations -------------------------------------------------------------------


def test_obligations_are_recorded_waived_and_filtered(desk: Api) -> None:
    need = assets(desk)
    launch = milestone(desk, "launch")
    body = {
        "client_id": desk.world.cast.acme_id,
        "title": "DNS access for the go-live",
        "due_at": "2027-03-15T17:00:00+01:00",
        "milestone_id": launch["id"],
    }
    created = ok(desk.post("/obligations", body, as_="sam"), 201)
    assert (created["kind"], created["party"], created["status"]) == (
        "input",
        "client",
        "open",
    )
    assert (created["due_at"], created["milestone_id"]) == (
        "2027-03-15T16:00:00Z",
        launch["id"],
    )
    assert (created["started_at"], created["lateness_seconds"]) == (
        iso(berlin(4, 1, 10)),
        None,
    )
    waived = ok(
        desk.post(f"/obligations/{need['id']}/waive", {"reason": "We had them"})
    )
    assert (waived["status"], waived["note"]) == ("waived", "We had them")
    e = error(desk.post(f"/obligations/{need['id']}/waive", {"reason": "x"}), 409)
    assert e["code"] == "conflict"
    ids = [o["id"] for o in obligations(desk)]
    assert ids == [need["id"], created["id"]]
    assert [o["id"] for o in obligations(desk, as_="erika", status="open")] == [
        created["id"]
    ]
    assert [o["id"] for o in obligations(desk, status="waived")] == [need["id"]]
    assert obligations(desk, party="provider") == []
    assert obligations(desk, kind="feedback") == []
    assert obligations(desk, client_id=desk.world.globex_id) == []
    assert obligations(desk, as_="olga") == []
    assert len(obligations(desk, as_="stranger")) == 1  # their own assets
    page = ok(desk.get("/obligations", params={"limit": 1}))
    assert [o["id"] for o in page["items"]] == [need["id"]]
    rest = ok(
        desk.get("/obligations", params={"limit": 1, "cursor": page["next_cursor"]})
    )
    assert ([o["id"] for o in rest["items"]], rest["next_cursor"]) == (
        [created["id"]],
        None,
    )


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"client_id": "acme"}, "body.client_id"),
        ({"title": ""}, "body.title"),
        ({"title": "x" * 301}, "body.title"),
        ({"title": "   "}, "title"),
        ({"due_at": "2027-03-15T17:00:00"}, "body.due_at"),
        ({"due_at": "soon"}, "body.due_at"),
        ({"due_at": None}, "body.due_at"),
        ({"milestone_id": "launch"}, "body.milestone_id"),
    ],
)
def test_a_bad_obligation_is_refused_with_its_location(
    shared_desk: Api, changes: dict[str, Any], location: str
) -> None:
    body = {
        "client_id": shared_desk.world.cast.acme_id,
        "title": "DNS access",
        "due_at": "2027-03-15T17:00:00Z",
        **changes,
    }
    e = error(shared_desk.post("/obligations", body), 422)
    assert location in [d["location"] for d in e["details"]]
    assert count(shared_desk, Obligation) == 1


def test_an_obligation_needs_a_known_milestone_and_an_agreement(desk: Api) -> None:
    body = {
        "client_id": desk.world.cast.acme_id,
        "title": "DNS access",
        "due_at": "2027-03-15T17:00:00Z",
    }
    e = error(desk.post("/obligations", {**body, "milestone_id": 999999}), 404)
    assert e["message"] == "milestone 999999 not found"
    e = error(desk.post("/obligations", {**body, "client_id": 999999}), 404)
    assert e["message"] == "client 999999 not found"
    globex = {**body, "client_id": desk.world.globex_id}
    assert (
        "no agreement in force"
        in error(desk.post("/obligations", globex), 409)["message"]
    )
    assert count(desk, Obligation) == 1


def test_feedback_is_met_by_the_review_not_recorded(desk: Api) -> None:
    m = milestone(desk, "redesign-mockups")
    ok(desk.post(f"/milestones/{m['id']}/submissions"), 201)
    (feedback,) = obligations(desk, kind="feedback")
    e = error(desk.post(f"/obligations/{feedback['id']}/met"), 409)
    assert "client's answer" in e["message"]


def test_a_waiver_needs_a_reason(desk: Api) -> None:
    need = assets(desk)
    for body, location in (({}, "body.reason"), ({"reason": ""}, "body.reason")):
        e = error(desk.post(f"/obligations/{need['id']}/waive", body), 422)
        assert [d["location"] for d in e["details"]] == [location]
    e = error(desk.post(f"/obligations/{need['id']}/waive", {"reason": " "}), 422)
    assert [d["location"] for d in e["details"]] == ["reason"]
    assert assets(desk)["status"] == "open"


# -- change requests ---------------------------------------------------------------


def test_a_change_is_requested_estimated_and_approved(desk: Api) -> None:
    desk.now[0] = berlin(1, 2, 10)
    cr = change(desk)
    assert (cr["key"], cr["number"], cr["status"], cr["requested_by_id"]) == (
        "ACME-CR-1",
        1,
        "requested",
        desk.world.cast.erika.user_id,
    )
    assert (cr["cost"], cr["effort_seconds"], cr["effects"]) == (None, None, [])
    (due,) = obligations(desk, kind="estimate")
    # 2bd of office time from Mon 1 Feb 10:00: Wed 3 Feb 10:00
    assert (due["party"], due["due_at"], due["change_request_id"]) == (
        "provider",
        iso(berlin(3, 2, 10)),
        cr["id"],
    )
    assert ok(desk.get(f"/change-requests/{cr['id']}", as_="max")) == cr
    desk.now[0] = berlin(2, 2, 9)
    path = f"/change-requests/{cr['id']}"
    estimated = ok(desk.post(path + "/estimate", {**ESTIMATE, "note": "6h"}, as_="sam"))
    assert (estimated["status"], estimated["cost"], estimated["currency"]) == (
        "estimated",
        "570.00",
        "EUR",
    )
    assert (estimated["effort_seconds"], estimated["decision_note"]) == (6 * H, "6h")
    assert estimated["effects"] == [
        {
            "milestone": "launch",
            "mode": "calendar_days",
            "amount_seconds": None,
            "days": 2,
        }
    ]
    assert ok(desk.get(path)) == estimated
    assert error(desk.post(path + "/estimate", ESTIMATE), 409)["code"] == "conflict"
    desk.now[0] = berlin(3, 2, 9)
    decided = ok(
        desk.post(path + "/decision", {"approve": True, "note": "Go"}, as_="max")
    )
    assert (decided["status"], decided["decision_note"], decided["decided_by_id"]) == (
        "approved",
        "Go",
        desk.world.cast.max.user_id,
    )
    launch = ok(desk.get(f"/milestones/{milestone(desk, 'launch')['id']}"))
    assert launch["due_at"] == iso(LAUNCH_DUE + timedelta(days=2))
    (adj,) = launch["adjustments"]
    assert (adj["kind"], adj["status"], adj["change_request_id"]) == (
        "change",
        "accepted",
        cr["id"],
    )
    again = desk.post(path + "/decision", {"approve": False}, as_="max")
    assert "not estimated" in error(again, 409)["message"]


def test_change_requests_are_listed_a_page_at_a_time_and_scoped(desk: Api) -> None:
    ids = [change(desk)["id"], change(desk, as_="jane")["id"], change(desk)["id"]]
    ok(desk.post(f"/change-requests/{ids[1]}/estimate", ESTIMATE))

    def listed(as_: str = "jane", **params: Any) -> list[int]:
        body = ok(desk.get("/change-requests", as_=as_, params=params))
        return [c["id"] for c in body["items"]]

    assert listed() == listed("max") == ids
    assert listed(status="estimated") == [ids[1]]
    assert listed(client_id=desk.world.globex_id) == listed("olga") == []
    assert listed("stranger") == []
    page = ok(desk.get("/change-requests", params={"limit": 2}))
    assert [c["id"] for c in page["items"]] == ids[:2]
    rest = ok(
        desk.get("/change-requests", params={"limit": 2, "cursor": page["next_cursor"]})
    )
    assert ([c["id"] for c in rest["items"]], rest["next_cursor"]) == (ids[2:], None)
    keys = [c["key"] for c in ok(desk.get("/change-requests"))["items"]]
    assert keys == ["ACME-CR-1", "ACME-CR-2", "ACME-CR-3"]


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"effort_seconds": 0}, "body.effort_seconds"),
        ({"effort_seconds": None}, "body.effort_seconds"),
        ({"cost": "lots"}, "body.cost"),
        ({"cost": "-1"}, "body.cost"),
        ({"cost": "1.234"}, "body.cost"),
        ({"cost": 570}, "body.cost"),
        ({"effects": [{"milestone": "launch"}]}, "body.effects.0.amount_seconds"),
        (
            {"effects": [{"milestone": "launch", "days": 1, "amount_seconds": 60}]},
            "body.effects.0.days",
        ),
        ({"effects": [{"milestone": "launch", "days": 0}]}, "body.effects.0.days"),
        ({"effects": [{"days": 1}]}, "body.effects.0.milestone"),
        ({"effects": [{"milestone": "nope", "days": 1}]}, "effects[0]"),
    ],
)
def test_a_bad_estimate_is_refused_with_its_location_and_changes_nothing(
    shared_desk: Api, changes: dict[str, Any], location: str
) -> None:
    cr = change(shared_desk)
    path = f"/change-requests/{cr['id']}"
    e = error(shared_desk.post(path + "/estimate", {**ESTIMATE, **changes}), 422)
    assert location in [d["location"] for d in e["details"]]
    assert ok(shared_desk.get(path)) == cr
    assert obligations(shared_desk, kind="decision") == []


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"client_id": "acme", "title": "x"}, "body.client_id"),
        ({"client_id": 1}, "body.title"),
        ({"client_id": 1, "title": ""}, "body.title"),
        ({"client_id": 1, "title": "x" * 301}, "body.title"),
        ({"client_id": 1, "title": "x", "body": None}, "body.body"),
    ],
)
def test_a_bad_change_request_is_refused_with_its_location(
    shared_desk: Api, body: dict[str, Any], location: str
) -> None:
    before = count(shared_desk, ChangeRequest)
    e = error(shared_desk.post("/change-requests", body, as_="erika"), 422)
    assert location in [d["location"] for d in e["details"]]
    assert count(shared_desk, ChangeRequest) == before


def test_a_decision_is_a_strict_yes_or_no(desk: Api) -> None:
    cr = change(desk)
    path = f"/change-requests/{cr['id']}"
    ok(desk.post(path + "/estimate", ESTIMATE))
    for body in ({}, {"approve": "yes"}, {"approve": 1}):
        e = error(desk.post(path + "/decision", body, as_="max"), 422)
        assert [d["location"] for d in e["details"]] == ["body.approve"], body
    assert ok(desk.get(path))["status"] == "estimated"


def test_a_change_request_needs_an_agreement_in_force(desk: Api) -> None:
    body = {"client_id": desk.world.globex_id, "title": "x"}
    assert (
        "no agreement in force"
        in error(desk.post("/change-requests", body, as_="olga"), 409)["message"]
    )
    assert count(desk, ChangeRequest) == 0


# -- commitments -------------------------------------------------------------------


def test_commitment_updates_meet_their_weekly_periods(desk: Api) -> None:
    acme = desk.world.cast.acme_id
    path = f"/clients/{acme}/commitments"
    desk.now[0] = berlin(1, 1, 16)
    body = {"commitment": "progress", "text": "Week 1 notes"}
    first = ok(desk.post(path + "/updates", body), 201)
    assert (first["commitment"], first["at"], first["text"]) == (
        "Progress update by e-mail",
        iso(berlin(1, 1, 16)),
        "Week 1 notes",
    )
    assert (first["client_id"], first["actor_id"]) == (
        acme,
        desk.world.cast.jane.user_id,
    )
    desk.now[0] = berlin(15, 1, 17)
    body = {"commitment": "Progress update by e-mail", "text": "Week 3 notes"}
    ok(desk.post(path + "/updates", body, as_="sam"), 201)
    status = ok(desk.get(path, as_="max", params={"at": "2027-01-20T09:00:00+01:00"}))
    assert (status["client_id"], status["at"]) == (acme, iso(berlin(20, 1, 9)))
    (weekly,) = status["commitments"]
    assert (weekly["commitment"], weekly["every"], weekly["missed"]) == (
        "Progress update by e-mail",
        "1 week",
        1,
    )
    assert [(p["end"], p["state"], p["met_at"]) for p in weekly["periods"]] == [
        ("2027-01-01T23:00:00Z", "met", iso(berlin(1, 1, 16))),
        ("2027-01-08T23:00:00Z", "missed", None),
        ("2027-01-15T23:00:00Z", "met", iso(berlin(15, 1, 17))),
        ("2027-01-22T23:00:00Z", "open", None),
    ]
    assert weekly["periods"][0]["start"] == "2026-12-31T23:00:00Z"
    now = ok(desk.get(path, as_="erika"))  # at now: Fri 15 Jan 17:00
    assert now["at"] == iso(berlin(15, 1, 17))
    assert [p["state"] for p in now["commitments"][0]["periods"]] == [
        "met",
        "missed",
        "met",
    ]
    before = ok(desk.get(path, params={"at": "2026-06-01T00:00:00Z"}))
    assert before["commitments"] == []


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"text": "x"}, "body.commitment"),
        ({"commitment": "", "text": "x"}, "body.commitment"),
        ({"commitment": "tea", "text": "x"}, "commitment"),
        ({"commitment": "progress"}, "body.text"),
        ({"commitment": "progress", "text": ""}, "body.text"),
        ({"commitment": "progress", "text": "  "}, "text"),
    ],
)
def test_a_bad_commitment_update_is_refused_with_its_location(
    shared_desk: Api, body: dict[str, Any], location: str
) -> None:
    path = f"/clients/{shared_desk.world.cast.acme_id}/commitments/updates"
    e = error(shared_desk.post(path, body), 422)
    assert location in [d["location"] for d in e["details"]]
    assert count(shared_desk, CommitmentUpdate) == 0


@pytest.mark.parametrize(
    ("at", "message"),
    [("2027-01-20T09:00:00", "timezone"), ("monday", "datetime")],
)
def test_the_commitments_instant_must_be_aware(
    desk: Api, at: str, message: str
) -> None:
    path = f"/clients/{desk.world.cast.acme_id}/commitments"
    e = error(desk.get(path, params={"at": at}), 422)
    assert e["details"][0]["location"] == "query.at"
    assert message in e["details"][0]["message"]


# -- access ------------------------------------------------------------------------


@pytest.fixture
def things(desk: Api) -> dict[str, int]:
    """One of each object of Acme's: a milestone, an adjustment, an obligation
    and an estimated change request."""
    adj = ok(delay(desk), 201)["adjustment"]
    cr = change(desk)
    ok(desk.post(f"/change-requests/{cr['id']}/estimate", ESTIMATE))
    return {
        "milestone": milestone(desk, "redesign-mockups")["id"],
        "adjustment": adj["id"],
        "obligation": assets(desk)["id"],
        "change": cr["id"],
        "client": desk.world.cast.acme_id,
    }


def object_routes(ids: dict[str, int]) -> list[tuple[str, str, Any]]:
    """Every route about one of Acme's objects, with a valid body."""
    m, c = f"/milestones/{ids['milestone']}", f"/change-requests/{ids['change']}"
    o, a = f"/obligations/{ids['obligation']}", f"/adjustments/{ids['adjustment']}"
    cc = f"/clients/{ids['client']}/commitments"
    return [
        ("GET", m, None),
        ("GET", m + "/events", None),
        ("POST", m + "/start", None),
        ("POST", m + "/submissions", {"note": "x"}),
        ("POST", m + "/reviews", {"answer": "accept"}),
        ("POST", m + "/delays", {"cause": "provider", "days": 1, "reason": "x"}),
        ("POST", a + "/accept", None),
        ("POST", a + "/reject", None),
        ("POST", o + "/met", {"note": "x"}),
        ("POST", o + "/waive", {"reason": "x"}),
        ("GET", c, None),
        ("POST", c + "/estimate", ESTIMATE),
        ("POST", c + "/decision", {"approve": True}),
        ("GET", cc, None),
        ("POST", cc + "/updates", {"commitment": "progress", "text": "x"}),
    ]


def all_routes(ids: dict[str, int]) -> list[tuple[str, str, Any]]:
    due = "2027-03-15T17:00:00Z"
    return [
        ("GET", "/milestones", None),
        ("GET", "/obligations", None),
        ("GET", "/change-requests", None),
        ("POST", "/obligations", {"client_id": 1, "title": "x", "due_at": due}),
        ("POST", "/change-requests", {"client_id": 1, "title": "x"}),
        *object_routes(ids),
    ]


def snapshot(api: Api) -> list[int]:
    return [
        count(api, row)
        for row in (Adjustment, ChangeRequest, CommitmentUpdate, MilestoneEvent)
    ] + [len(obligations(api, status="open"))]


@pytest.mark.parametrize(
    "authorization", [None, "Bearer slk_nobody-issued-this", "Basic amFuZTpzZWNyZXQ="]
)
def test_every_delivery_route_needs_a_token(
    desk: Api, things: dict[str, int], authorization: str | None
) -> None:
    before = snapshot(desk)
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, body in all_routes(things):
        response = desk.client.request(method, path, json=body, headers=headers)
        assert error(response, 401)["code"] == "unauthenticated", (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert snapshot(desk) == before


def test_a_disabled_user_is_refused(desk: Api, things: dict[str, int]) -> None:
    before = snapshot(desk)
    for method, path, body in all_routes(things):
        response = desk.client.request(
            method, path, json=body, headers=desk.headers("dora")
        )
        assert error(response, 403)["code"] == "permission_denied", (method, path)
    assert snapshot(desk) == before


@pytest.mark.parametrize("who", ["stranger", "olga"])
def test_another_workspace_or_client_finds_nothing(
    desk: Api, things: dict[str, int], who: str
) -> None:
    """Another workspace's provider, and a contact of another client (Globex),
    get 404 for every one of Acme's objects, and change nothing."""
    before = snapshot(desk)
    for method, path, body in object_routes(things):
        response = desk.client.request(
            method, path, json=body, headers=desk.headers(who)
        )
        assert error(response, 404)["code"] == "not_found", (who, method, path)
    acme = {"client_id": desk.world.cast.acme_id, "title": "Let me in"}
    assert error(desk.post("/change-requests", acme, as_=who), 404)
    if who == "stranger":
        due = {**acme, "due_at": "2027-03-15T17:00:00Z"}
        assert error(desk.post("/obligations", due, as_=who), 404)
    assert snapshot(desk) == before


def test_the_foreign_workspace_works_on_its_own(desk: Api) -> None:
    foreign = ok(desk.get("/milestones", as_="stranger"))["items"][0]
    ok(desk.post(f"/milestones/{foreign['id']}/start", as_="stranger"))
    for who in ("jane", "max"):
        e = error(desk.post(f"/milestones/{foreign['id']}/start", as_=who), 404)
        assert e["message"] == f"milestone {foreign['id']} not found"
    assert milestone(desk, "redesign-mockups")["status"] == "planned"


def test_unknown_objects_are_not_found(desk: Api) -> None:
    for path, message in (
        ("/milestones/999999", "milestone 999999 not found"),
        ("/milestones/999999/events", "milestone 999999 not found"),
        ("/change-requests/999999", "change request 999999 not found"),
        ("/clients/999999/commitments", "client 999999 not found"),
    ):
        assert error(desk.get(path), 404)["message"] == message
    for path, message in (
        ("/adjustments/999999/accept", "adjustment 999999 not found"),
        ("/obligations/999999/met", "obligation 999999 not found"),
    ):
        assert error(desk.post(path), 404)["message"] == message


def test_provider_steps_are_refused_to_client_contacts(
    desk: Api, things: dict[str, int]
) -> None:
    before = snapshot(desk)
    m, o = f"/milestones/{things['milestone']}", f"/obligations/{things['obligation']}"
    due = "2027-03-15T17:00:00Z"
    acme = desk.world.cast.acme_id
    for method, path, body in (
        ("POST", m + "/start", None),
        ("POST", m + "/submissions", None),
        ("POST", m + "/delays", {"cause": "client", "days": 1, "reason": "x"}),
        ("POST", "/obligations", {"client_id": acme, "title": "x", "due_at": due}),
        ("POST", o + "/met", None),
        ("POST", o + "/waive", {"reason": "x"}),
        ("POST", f"/change-requests/{things['change']}/estimate", ESTIMATE),
        (
            "POST",
            f"/clients/{acme}/commitments/updates",
            {"commitment": "progress", "text": "x"},
        ),
    ):
        for who in ("max", "erika"):
            response = desk.client.request(
                method, path, json=body, headers=desk.headers(who)
            )
            e = error(response, 403)
            assert e["code"] == "permission_denied", (who, method, path)
            assert "provider" in e["message"]
    assert snapshot(desk) == before


def test_client_steps_are_refused_to_the_provider(
    desk: Api, things: dict[str, int]
) -> None:
    m = f"/milestones/{things['milestone']}"
    ok(desk.post(m + "/submissions"), 201)
    before = snapshot(desk)
    for who in ("jane", "sam"):
        e = error(desk.post(m + "/reviews", {"answer": "accept"}, as_=who), 403)
        assert "client" in e["message"]
    decision = f"/change-requests/{things['change']}/decision"
    for who, message in (("jane", "client"), ("erika", "client.approver")):
        e = error(desk.post(decision, {"approve": True}, as_=who), 403)
        assert message in e["message"], who
    assert snapshot(desk) == before
    assert ok(desk.get(f"/change-requests/{things['change']}"))["status"] == "estimated"


# -- idempotency -------------------------------------------------------------------


def test_a_retried_submission_and_review_happen_once(desk: Api) -> None:
    m = milestone(desk, "redesign-mockups")
    path = f"/milestones/{m['id']}"
    first = desk.post(path + "/submissions", {"note": "v1"}, key="submit-1")
    desk.now[0] = berlin(4, 1, 11)  # the retry comes later: the answer is the first
    retry = desk.post(path + "/submissions", {"note": "v1"}, key="submit-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    review = {"answer": "changes", "note": "Bigger logo"}
    answers = [
        desk.post(path + "/reviews", review, as_="max", key="review-1") for _ in "12"
    ]
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    kinds = [e["kind"] for e in ok(desk.get(path + "/events"))]
    assert kinds == ["created", "submitted", "changes_requested"]
    assert len(obligations(desk, kind="feedback")) == 1


def test_retried_creations_create_once(desk: Api) -> None:
    acme = desk.world.cast.acme_id
    launch = milestone(desk, "launch")["id"]
    cases: list[tuple[str, dict[str, Any], str, Row, int]] = [
        (
            f"/milestones/{launch}/delays",
            {"cause": "provider", "amount_seconds": H, "reason": "Ill"},
            "reason",
            Adjustment,
            0,
        ),
        (
            "/obligations",
            {"client_id": acme, "title": "DNS", "due_at": "2027-03-15T17:00:00Z"},
            "title",
            Obligation,
            1,
        ),
        (
            "/change-requests",
            {"client_id": acme, "title": "Blog"},
            "title",
            ChangeRequest,
            0,
        ),
        (
            f"/clients/{acme}/commitments/updates",
            {"commitment": "progress", "text": "Week 1"},
            "text",
            CommitmentUpdate,
            0,
        ),
    ]
    for path, body, field, row, already in cases:
        first = desk.post(path, body, key=f"k-{path}")
        retry = desk.post(path, body, key=f"k-{path}")
        assert first.status_code == retry.status_code == 201, (path, first.text)
        assert retry.json() == first.json(), path
        assert retry.headers["Idempotent-Replayed"] == "true", path
        assert count(desk, row) == already + 1, path
        other = desk.post(path, {**body, field: "other"}, key=f"k-{path}")
        assert error(other, 422)["code"] == "idempotency_key_reused", path
        fresh = desk.post(path, body, key=f"new-{path}")
        assert fresh.status_code == 201, path
        assert count(desk, row) == already + 2, path


# -- the OpenAPI document ----------------------------------------------------------

DELIVERY_ROUTES = {
    ("GET", "/milestones"): "milestones",
    ("GET", "/milestones/{milestone_id}"): "milestones",
    ("GET", "/milestones/{milestone_id}/events"): "milestones",
    ("POST", "/milestones/{milestone_id}/start"): "milestones",
    ("POST", "/milestones/{milestone_id}/submissions"): "milestones",
    ("POST", "/milestones/{milestone_id}/reviews"): "milestones",
    ("POST", "/milestones/{milestone_id}/delays"): "milestones",
    ("POST", "/adjustments/{adjustment_id}/accept"): "milestones",
    ("POST", "/adjustments/{adjustment_id}/reject"): "milestones",
    ("GET", "/obligations"): "obligations",
    ("POST", "/obligations"): "obligations",
    ("POST", "/obligations/{obligation_id}/met"): "obligations",
    ("POST", "/obligations/{obligation_id}/waive"): "obligations",
    ("GET", "/change-requests"): "change requests",
    ("POST", "/change-requests"): "change requests",
    ("GET", "/change-requests/{change_id}"): "change requests",
    ("POST", "/change-requests/{change_id}/estimate"): "change requests",
    ("POST", "/change-requests/{change_id}/decision"): "change requests",
    ("GET", "/clients/{client_id}/commitments"): "commitments",
    ("POST", "/clients/{client_id}/commitments/updates"): "commitments",
}
CREATING = {
    ("POST", "/milestones/{milestone_id}/submissions"),
    ("POST", "/milestones/{milestone_id}/reviews"),
    ("POST", "/milestones/{milestone_id}/delays"),
    ("POST", "/obligations"),
    ("POST", "/change-requests"),
    ("POST", "/clients/{client_id}/commitments/updates"),
}
TAGS = {"milestones", "obligations", "change requests", "commitments"}


def test_every_delivery_route_is_documented(anonymous: TestClient) -> None:
    schema = anonymous.get("/openapi.json").json()
    ops = {
        (method.upper(), path): op
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if set(op.get("tags", [])) & TAGS
    }
    assert set(ops) == set(DELIVERY_ROUTES)
    for (method, path), op in ops.items():
        where = (method, path)
        assert op["tags"] == [DELIVERY_ROUTES[where]], where
        assert op["summary"], where
        assert op["description"], where
        ok_code = next(code for code in op["responses"] if code.startswith("2"))
        assert ok_code == ("201" if where in CREATING else "200"), where
        assert op["responses"][ok_code]["content"], where
        statuses = ["401", "403", "422"]
        if path not in ("/milestones", "/obligations", "/change-requests") or (
            method == "POST"
        ):
            statuses.append("404")
        for status in statuses:
            ref = op["responses"][status]["content"]["application/json"]["schema"]
            assert ref == {"$ref": "#/components/schemas/ErrorResponse"}, (
                where,
                status,
            )
        assert op["security"] == [{"HTTPBearer": []}], where
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == (where in CREATING), where


# the bodies (api.delivery_schemas) and the answers (the read models of
# services.views.delivery) by name
MODELS: dict[str, Any] = {
    **dict.fromkeys(delivery_schemas.__all__, delivery_schemas),
    **{
        name: delivery_views
        for name in delivery_views.__all__
        if isinstance(getattr(delivery_views, name), type)
    },
}


def test_delivery_bodies_and_answers_have_examples_and_field_docs(
    anonymous: TestClient,
) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    for name in MODELS:
        assert schemas[name]["examples"], name
        if name.endswith("Create"):
            for field, spec in schemas[name]["properties"].items():
                assert spec.get("description"), (name, field)
    cost = schemas["EstimateCreate"]["properties"]["cost"]
    assert {"type": "string", "pattern": delivery_schemas.MONEY} in cost["anyOf"]
    due = schemas["ObligationCreate"]["properties"]["due_at"]
    assert due["format"] == "date-time"


def test_the_examples_are_valid_bodies_and_answers() -> None:
    for name, module in MODELS.items():
        model = getattr(module, name)
        assert isinstance(model, type), name
        assert issubclass(model, BaseModel), name
        extra = model.model_config.get("json_schema_extra")
        assert isinstance(extra, dict), name
        examples = extra["examples"]
        assert isinstance(examples, list), name
        assert examples, name
        for example in examples:
            model.model_validate(example)
