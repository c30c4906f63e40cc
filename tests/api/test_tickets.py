"""`/tickets` on both backends: opening, events and clocks through every route,
access by role, client and workspace, bad input that changes nothing, retries
with an `Idempotency-Key`, pages, and the OpenAPI document of each route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any, get_args

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select

from slakeeper.api import ticket_schemas
from slakeeper.api.ticket_schemas import EventKindIn
from slakeeper.core.tickets import EventKind
from slakeeper.db.models import Ticket, TicketEvent
from slakeeper.services import agreements
from slakeeper.services.views import status as status_views
from slakeeper.services.views import tickets as ticket_views
from tests.api.conftest import Api
from tests.factories import NOW, activate, example_text

# Monday 4 January 2027, 10:00 in Berlin: the on-call calendar (critical) is
# open 07:00-22:00 every day, so the arithmetic below is plain hours
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
Z = "%Y-%m-%dT%H:%M:%SZ"


def iso(delta: timedelta = timedelta(0)) -> str:
    return (T0 + delta).strftime(Z)


@pytest.fixture
def desk(api: Api) -> Api:
    """The API on Monday 4 January 2027, 10:00 in Berlin, with the example
    agreement in force with Acme and Globex (approved by Olga) and with the
    foreign workspace's Acme."""
    return open_desk(api)


def open_desk(api: Api) -> Api:
    world = api.world
    globex = (
        example_text()
        .replace("Acme GmbH", "Globex")
        .replace("max@acme.example", "olga@globex.example")
    )
    with api.sessions.begin() as s:
        activate(s, world.cast)
        activate(s, world.foreign)
    with api.sessions.begin() as s:
        version = agreements.import_agreement(
            s,
            world.cast.jane,
            client_id=world.globex_id,
            text=globex,
            source_name="globex.yaml",
            now=NOW,
        )
        agreements.submit(s, world.cast.jane, version.id, NOW)
        for who in (world.cast.jane, world.olga):
            agreements.approve(s, who, version.id, version.sha256, NOW)
        agreements.activate_due(s, world.cast.jane, T0)
    api.now[0] = T0
    return api


def open_ticket(
    api: Api,
    as_: str = "erika",
    client: int | None = None,
    key: str | None = None,
    **body: Any,
) -> dict[str, Any]:
    data = {
        "client_id": api.world.cast.acme_id if client is None else client,
        "title": "Checkout fails",
        "body": "Every order ends in an error page.",
        **body,
    }
    response = api.post("/tickets", data, as_=as_, key=key)
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def add(
    api: Api, ticket_id: int, as_: str = "jane", key: str | None = None, **body: Any
) -> httpx.Response:
    return api.post(f"/tickets/{ticket_id}/events", body, as_=as_, key=key)


def count(api: Api, row: type[Ticket] | type[TicketEvent]) -> int:
    with api.sessions() as s:
        where = row.workspace_id == api.world.cast.workspace_id
        return int(s.scalar(select(func.count()).select_from(row).where(where)) or 0)


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    return body


# -- opening and reading -----------------------------------------------------------


def test_a_client_contact_opens_a_ticket_with_its_clocks_running(desk: Api) -> None:
    ticket = open_ticket(desk)
    assert (ticket["key"], ticket["priority"], ticket["status"]) == (
        "ACME-1",
        "normal",
        "open",
    )
    assert ticket["requester_id"] == desk.world.cast.erika.user_id
    assert ticket["body"] == "Every order ends in an error page."
    assert ticket["created_at"] == ticket["computed_at"] == iso()
    clocks = ticket["clocks"]
    assert clocks["at"] == iso()
    assert clocks["response"]["state"] == "running"
    assert clocks["response"]["elapsed_seconds"] == 0
    assert clocks["response"]["target_seconds"] == int(7.5 * 3600)  # 1bd
    assert clocks["update"] is None  # normal has no update target
    assert ticket["response_due_at"] == clocks["response"]["due_at"]


def test_a_critical_ticket_is_due_on_the_on_call_calendar(desk: Api) -> None:
    ticket = open_ticket(desk, as_="jane", priority="critical")
    assert ticket["priority"] == "critical"
    response = ticket["clocks"]["response"]
    assert (response["target_seconds"], response["due_at"]) == (3600, iso(H))
    assert response["next_check_at"] == iso(45 * M)  # 75 % of the target
    assert ticket["clocks"]["resolution"]["due_at"] == iso(8 * H)
    assert (ticket["due_at"], ticket["next_check_at"]) == (iso(H), iso(45 * M))
    assert ticket["at_risk"] is ticket["breached"] is False


def test_a_ticket_is_read_by_id_and_by_key_with_its_clocks_now(desk: Api) -> None:
    ticket = open_ticket(desk, priority="critical")
    desk.now[0] = T0 + 2 * H
    by_id = desk.get(f"/tickets/{ticket['id']}", as_="max")
    assert by_id.status_code == 200
    by_key = desk.get("/tickets/by-key/acme-1", as_="max")
    assert by_key.status_code == 200
    assert by_key.json() == by_id.json()
    body = by_id.json()
    response = body["clocks"]["response"]
    assert body["clocks"]["at"] == iso(2 * H)
    assert response["state"] == "breached"
    assert (response["breached_at"], response["overdue_by_seconds"]) == (iso(H), 3600)
    assert response["remaining_seconds"] == -3600
    # the stored state is as of the last event, until a worker refreshes it
    assert (body["computed_at"], body["response_state"]) == (iso(), "running")


def test_the_clocks_at_an_instant(desk: Api) -> None:
    ticket = open_ticket(desk, priority="critical")
    path = f"/tickets/{ticket['id']}/clocks"
    desk.now[0] = T0 + 3 * H
    body = desk.get(path, params={"at": "2027-01-04T10:30:00+01:00"}).json()
    assert (body["ticket_id"], body["key"], body["at"]) == (
        ticket["id"],
        "ACME-1",
        iso(30 * M),
    )
    assert body["response"]["elapsed_seconds"] == 1800
    assert body["response"]["state"] == "running"
    now = desk.get(path, as_="erika").json()
    assert now["at"] == iso(3 * H)
    assert now["response"]["state"] == "breached"


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2027-01-04T09:00:00", "timezone"),
        ("2027-01-04T08:59:59Z", "was opened"),
        ("tomorrow", "datetime"),
    ],
)
def test_the_clocks_instant_must_be_aware_and_after_opening(
    desk: Api, at: str, message: str
) -> None:
    ticket = open_ticket(desk)
    e = error(desk.get(f"/tickets/{ticket['id']}/clocks", params={"at": at}), 422)
    assert e["details"][0]["location"] == "query.at"
    assert message in (e["message"] + e["details"][0]["message"])


# -- events ------------------------------------------------------------------------


def test_the_first_reply_stops_the_response_clock(desk: Api) -> None:
    ticket = open_ticket(desk, priority="critical")
    desk.now[0] = T0 + 30 * M
    response = add(desk, ticket["id"], as_="sam", kind="provider_reply", text="On it")
    assert response.status_code == 201, response.text
    event, after = response.json()["event"], response.json()["ticket"]
    assert (event["seq"], event["kind"], event["text"], event["at"]) == (
        2,
        "provider_reply",
        "On it",
        iso(30 * M),
    )
    assert event["actor_id"] == desk.world.cast.sam.user_id
    assert after["response_state"] == "met"
    assert after["clocks"]["response"]["elapsed_seconds"] == 1800
    # the first update is due two hours after the response
    assert after["update_due_at"] == after["clocks"]["update"]["due_at"] == iso(150 * M)
    assert after["computed_at"] == iso(30 * M)


def test_waiting_on_the_client_pauses_resolution_until_they_answer(desk: Api) -> None:
    ticket = open_ticket(desk, priority="critical")
    desk.now[0] = T0 + 30 * M
    waiting = add(
        desk,
        ticket["id"],
        kind="provider_reply",
        text="Can you send the log?",
        status="waiting_on_client",
    ).json()["ticket"]
    assert waiting["status"] == "waiting_on_client"
    assert waiting["clocks"]["resolution"]["state"] == "paused"
    assert waiting["clocks"]["resolution"]["due_at"] is None
    desk.now[0] = T0 + 3 * H
    answered = add(desk, ticket["id"], as_="max", kind="client_reply", text="Here")
    assert answered.status_code == 201
    resolution = answered.json()["ticket"]["clocks"]["resolution"]
    assert answered.json()["ticket"]["status"] == "open"
    assert resolution["paused_by_cause"] == {"waiting_on_client": 150 * 60}
    assert resolution["paused_total_seconds"] == 150 * 60
    assert resolution["due_at"] == iso(8 * H + 150 * M)


def test_the_provider_assigns_reprioritises_resolves_and_closes(desk: Api) -> None:
    ticket = open_ticket(desk)
    sam = desk.world.cast.sam.user_id
    assigned = add(desk, ticket["id"], kind="assigned", assignee_id=sam)
    assert assigned.json()["ticket"]["assignee_id"] == sam
    desk.now[0] = T0 + 2 * H
    raised = add(
        desk,
        ticket["id"],
        kind="priority_changed",
        priority="critical",
        reason="the shop is down for everyone",
    ).json()
    assert raised["event"]["data"] == {
        "priority": "critical",
        "previous": "normal",
        "reason": "the shop is down for everyone",
    }
    assert raised["ticket"]["response_breached"] is raised["ticket"]["breached"] is True
    assert add(desk, ticket["id"], kind="resolved").json()["ticket"]["status"] == (
        "resolved"
    )
    closed = add(desk, ticket["id"], kind="status_changed", status="closed")
    assert closed.json()["ticket"]["status"] == "closed"
    e = error(add(desk, ticket["id"], kind="note", text="too late"), 409)
    assert e["code"] == "conflict"
    assert "closed" in e["message"]


def test_events_come_oldest_first_and_clients_never_see_notes(desk: Api) -> None:
    ticket = open_ticket(desk)
    path = f"/tickets/{ticket['id']}/events"
    desk.now[0] = T0 + M
    assert add(desk, ticket["id"], kind="note", text="internal only").status_code == 201
    desk.now[0] = T0 + 2 * M
    reply = add(desk, ticket["id"], as_="erika", kind="client_reply", text="news?")
    assert reply.status_code == 201
    provider = desk.get(path, as_="sam").json()
    assert [(e["seq"], e["kind"]) for e in provider] == [
        (1, "created"),
        (2, "note"),
        (3, "client_reply"),
    ]
    assert provider[0]["data"]["title"] == "Checkout fails"
    for who in ("max", "erika"):
        kinds = [e["kind"] for e in desk.get(path, as_=who).json()]
        assert kinds == ["created", "client_reply"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "note", "text": "psst"},
        {"kind": "provider_reply", "text": "we fixed it"},
        {"kind": "acknowledgement", "text": "got it"},
        {"kind": "status_changed", "status": "in_progress"},
        {"kind": "priority_changed", "priority": "critical", "reason": "urgent!"},
        {"kind": "assigned", "assignee_id": None},
        {"kind": "resolved"},
    ],
)
def test_client_contacts_may_only_reply_and_reopen(
    shared_desk: Api, body: dict[str, Any]
) -> None:
    ticket = open_ticket(shared_desk)
    before = count(shared_desk, TicketEvent)
    e = error(add(shared_desk, ticket["id"], as_="max", **body), 403)
    assert e["code"] == "permission_denied"
    assert count(shared_desk, TicketEvent) == before


def test_a_client_contact_replies_and_reopens(desk: Api) -> None:
    ticket = open_ticket(desk)
    replied = add(desk, ticket["id"], as_="erika", kind="client_reply", text="more")
    assert replied.status_code == 201
    assert add(desk, ticket["id"], kind="resolved").status_code == 201
    reopened = add(desk, ticket["id"], as_="max", kind="reopened", text="again")
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["event"]["kind"] == "reopened"
    assert reopened.json()["ticket"]["status"] == "open"


def test_the_event_kinds_are_the_services() -> None:
    kinds = {k.value for k in EventKind if k is not EventKind.CREATED}
    assert set(get_args(EventKindIn)) == kinds


# -- lists and pages ---------------------------------------------------------------


def test_tickets_come_a_page_at_a_time_oldest_first(desk: Api) -> None:
    globex = desk.world.globex_id
    ids = [
        open_ticket(desk, as_="jane")["id"],
        open_ticket(desk, as_="olga", client=globex)["id"],
        open_ticket(desk, as_="jane")["id"],
        open_ticket(desk, as_="jane", client=globex)["id"],
        open_ticket(desk, as_="max")["id"],
    ]
    seen: list[int] = []
    pages, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = desk.get("/tickets", params=params).json()
        seen += [t["id"] for t in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (ids, 3)
    first = desk.get("/tickets", params={"limit": 2}).json()["items"][0]
    assert first["key"] == "ACME-1"
    assert first["response_state"] == "running"
    assert "body" not in first


def test_lists_are_scoped_and_filtered(desk: Api) -> None:
    acme = open_ticket(desk)["id"]
    globex = open_ticket(desk, as_="olga", client=desk.world.globex_id)["id"]
    late = open_ticket(desk, as_="jane", priority="critical")["id"]
    desk.now[0] = T0 + 2 * H
    add(desk, late, kind="note", text="still looking")  # recomputed: breached
    add(desk, acme, kind="resolved")

    def ids(as_: str = "jane", **params: Any) -> list[int]:
        response = desk.get("/tickets", as_=as_, params=params)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert ids() == [acme, globex, late]
    assert ids("max") == ids("erika") == [acme, late]
    assert ids("olga") == [globex]
    assert ids("stranger") == []
    assert ids(client_id=desk.world.globex_id) == [globex]
    assert ids("max", client_id=desk.world.globex_id) == []
    assert ids(state="active") == [globex, late]
    assert ids(state="breached") == [late]
    assert ids(state="resolved") == [acme]
    assert ids(state="at_risk") == []


def test_a_bad_list_query_is_refused_with_its_location(desk: Api) -> None:
    for params, location in (
        ({"client_id": "acme"}, "query.client_id"),
        ({"limit": 0}, "query.limit"),
        ({"state": "x" * 51}, "query.state"),
        ({"cursor": "nonsense"}, "cursor"),
    ):
        e = error(desk.get("/tickets", params=params), 422)
        assert e["details"][0]["location"] == location, params


# -- access ------------------------------------------------------------------------


def ticket_routes(ticket_id: int, key: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", "/tickets", None),
        ("POST", "/tickets", {"client_id": 1, "title": "x"}),
        ("GET", f"/tickets/{ticket_id}", None),
        ("GET", f"/tickets/by-key/{key}", None),
        ("GET", f"/tickets/{ticket_id}/events", None),
        ("POST", f"/tickets/{ticket_id}/events", {"kind": "note", "text": "x"}),
        ("GET", f"/tickets/{ticket_id}/clocks", None),
    ]


@pytest.mark.parametrize(
    "authorization", [None, "Bearer slk_nobody-issued-this", "Basic amFuZTpzZWNyZXQ="]
)
def test_every_ticket_route_needs_a_token(desk: Api, authorization: str | None) -> None:
    ticket = open_ticket(desk)
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path, body in ticket_routes(ticket["id"], ticket["key"]):
        response = desk.client.request(method, path, json=body, headers=headers)
        e = error(response, 401)
        assert e["code"] == "unauthenticated", (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert count(desk, TicketEvent) == 1


def test_a_disabled_user_is_refused(desk: Api) -> None:
    ticket = open_ticket(desk)
    for method, path, body in ticket_routes(ticket["id"], ticket["key"]):
        response = desk.client.request(
            method, path, json=body, headers=desk.headers("dora")
        )
        assert error(response, 403)["code"] == "permission_denied", (method, path)


def assert_unseen(api: Api, as_: str, ticket: dict[str, Any]) -> None:
    """Every route answers 404 for the ticket and writes nothing."""
    for method, path, body in ticket_routes(ticket["id"], ticket["key"])[2:]:
        response = api.client.request(method, path, json=body, headers=api.headers(as_))
        assert error(response, 404)["code"] == "not_found", (as_, method, path)
    reply = add(api, ticket["id"], as_=as_, kind="client_reply", text="hello?")
    assert error(reply, 404)["code"] == "not_found"


def test_a_client_contact_never_sees_another_clients_ticket(desk: Api) -> None:
    globex = open_ticket(desk, as_="olga", client=desk.world.globex_id)
    assert globex["key"] == "GLOBEX-1"
    events = count(desk, TicketEvent)
    for who in ("max", "erika"):
        assert_unseen(desk, who, globex)
    acme = open_ticket(desk)
    assert_unseen(desk, "olga", acme)
    e = error(
        desk.post(
            "/tickets",
            {"client_id": desk.world.globex_id, "title": "Let me in"},
            as_="max",
        ),
        404,
    )
    assert e["code"] == "not_found"
    assert count(desk, TicketEvent) == events + 1  # only Acme's ticket opened


def test_another_workspaces_ticket_is_not_found(desk: Api) -> None:
    ours = open_ticket(desk)
    assert_unseen(desk, "stranger", ours)
    foreign = desk.post(
        "/tickets",
        {"client_id": desk.world.foreign.acme_id, "title": "Ours"},
        as_="stranger",
    )
    assert foreign.status_code == 201, foreign.text
    theirs = foreign.json()
    assert theirs["key"] == "ACME-1"  # each workspace numbers its own
    # a key names a ticket within the caller's workspace only
    found = {
        who: desk.get("/tickets/by-key/ACME-1", as_=who).json()["id"]
        for who in ("stranger", "jane")
    }
    assert found == {"stranger": theirs["id"], "jane": ours["id"]}
    for who in ("jane", "max"):
        assert_unseen(desk, who, {**theirs, "key": "ACME-99"})
    e = error(
        desk.post(
            "/tickets", {"client_id": desk.world.foreign.acme_id, "title": "Sneaky"}
        ),
        404,
    )
    assert e["code"] == "not_found"
    assert count(desk, Ticket) == 1


def test_unknown_tickets_are_not_found(desk: Api) -> None:
    assert error(desk.get("/tickets/999999"), 404)["message"] == (
        "ticket 999999 not found"
    )
    assert error(desk.get("/tickets/by-key/ACME-99"), 404)["code"] == "not_found"


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"client_id": "acme"}, "body.client_id"),
        ({"client_id": None}, "body.client_id"),
        ({"title": ""}, "body.title"),
        ({"title": "x" * 301}, "body.title"),
        ({"title": None}, "body.title"),
        ({"priority": ""}, "body.priority"),
        ({"title": "   "}, "title"),
        ({"priority": "urgent"}, "priority"),
    ],
)
def test_a_bad_ticket_is_refused_with_its_location(
    shared_desk: Api, changes: dict[str, Any], location: str
) -> None:
    body = {"client_id": shared_desk.world.cast.acme_id, "title": "Checkout", **changes}
    before = count(shared_desk, Ticket)
    e = error(shared_desk.post("/tickets", body), 422)
    assert e["code"] == "invalid_input"
    assert location in [d["location"] for d in e["details"]]
    assert count(shared_desk, Ticket) == before


def test_a_ticket_without_a_body_is_refused(desk: Api) -> None:
    e = error(desk.client.post("/tickets", headers=desk.headers("jane")), 422)
    assert [d["location"] for d in e["details"]] == ["body"]


def test_no_ticket_opens_without_an_agreement_in_force(desk: Api) -> None:
    desk.now[0] = NOW  # before the agreement takes effect
    e = error(
        desk.post("/tickets", {"client_id": desk.world.cast.acme_id, "title": "x"}), 409
    )
    assert "no agreement in force" in e["message"]
    assert count(desk, Ticket) == 0


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"kind": "bogus"}, "body.kind"),
        ({"kind": "created"}, "body.kind"),
        ({"text": "no kind"}, "body.kind"),
        ({"kind": "note", "text": 5}, "body.text"),
        ({"kind": "assigned", "assignee_id": "sam"}, "body.assignee_id"),
        ({"kind": "provider_reply"}, "text"),
        ({"kind": "note", "text": "  "}, "text"),
        ({"kind": "status_changed"}, "status"),
        ({"kind": "status_changed", "status": "nope"}, "status"),
        ({"kind": "priority_changed", "priority": "high"}, "reason"),
        ({"kind": "priority_changed", "priority": "p0", "reason": "x"}, "priority"),
        ({"kind": "assigned", "assignee_id": -1}, "assignee"),
    ],
)
def test_a_bad_event_is_refused_with_its_location_and_writes_nothing(
    shared_desk: Api, body: dict[str, Any], location: str
) -> None:
    ticket = open_ticket(shared_desk)
    before = count(shared_desk, TicketEvent)
    e = error(add(shared_desk, ticket["id"], **body), 422)
    assert e["code"] == "invalid_input"
    assert location in [d["location"] for d in e["details"]]
    assert count(shared_desk, TicketEvent) == before
    assert shared_desk.get(f"/tickets/{ticket['id']}").json() == ticket


def test_a_client_contact_cannot_be_assigned(desk: Api) -> None:
    ticket = open_ticket(desk)
    max_id = desk.world.cast.max.user_id
    e = error(add(desk, ticket["id"], kind="assigned", assignee_id=max_id), 422)
    assert e["details"][0]["location"] == "assignee"


# -- idempotency -------------------------------------------------------------------


def test_a_retried_opening_returns_the_same_ticket_and_opens_one(desk: Api) -> None:
    first = desk.post(
        "/tickets",
        {"client_id": desk.world.cast.acme_id, "title": "Checkout fails"},
        as_="erika",
        key="open-1",
    )
    desk.now[0] = T0 + 5 * M  # the retry comes later: the answer is the first one
    retry = desk.post(
        "/tickets",
        {"client_id": desk.world.cast.acme_id, "title": "Checkout fails"},
        as_="erika",
        key="open-1",
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(desk, Ticket) == 1
    other = desk.post(
        "/tickets",
        {"client_id": desk.world.cast.acme_id, "title": "Something else"},
        as_="erika",
        key="open-1",
    )
    assert error(other, 422)["code"] == "idempotency_key_reused"
    assert count(desk, Ticket) == 1


def test_a_retried_event_is_appended_once(desk: Api) -> None:
    ticket = open_ticket(desk)
    body = {"kind": "provider_reply", "text": "On it"}
    first = add(desk, ticket["id"], key="reply-1", **body)
    retry = add(desk, ticket["id"], key="reply-1", **body)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(desk, TicketEvent) == 2
    # the same key on another ticket is another request
    second = open_ticket(desk)
    refused = add(desk, second["id"], key="reply-1", **body)
    assert error(refused, 422)["code"] == "idempotency_key_reused"
    assert count(desk, TicketEvent) == 3


# -- the OpenAPI document ----------------------------------------------------------


def ticket_operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    schema = client.get("/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/tickets")
        for method, operation in methods.items()
    ]


def test_every_ticket_route_is_documented(anonymous: TestClient) -> None:
    ops = ticket_operations(anonymous)
    assert {(m, p) for m, p, _ in ops} == {
        ("GET", "/tickets"),
        ("POST", "/tickets"),
        ("GET", "/tickets/by-key/{key}"),
        ("GET", "/tickets/{ticket_id}"),
        ("GET", "/tickets/{ticket_id}/events"),
        ("POST", "/tickets/{ticket_id}/events"),
        ("GET", "/tickets/{ticket_id}/clocks"),
    }
    for method, path, op in ops:
        assert op["tags"] == ["tickets"], (method, path)
        assert op["summary"], (method, path)
        assert op["description"], (method, path)
        ok = next(code for code in op["responses"] if code.startswith("2"))
        assert op["responses"][ok]["content"], (method, path)
        assert ok == ("201" if method == "POST" else "200"), (method, path)
        for status in ("401", "403", "404", "422"):
            if status == "404" and path == "/tickets":
                continue
            ref = op["responses"][status]["content"]["application/json"]["schema"]
            assert ref == {"$ref": "#/components/schemas/ErrorResponse"}
        assert op["security"] == [{"HTTPBearer": []}]
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == (method == "POST"), (method, path)


def test_ticket_bodies_and_answers_have_examples_and_field_docs(
    anonymous: TestClient,
) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    for name in (
        "TicketCreate",
        "EventCreate",
        "TicketRead",
        "TicketDetailRead",
        "ClockRead",
        "ClocksRead",
        "TicketClocksRead",
        "EventRead",
        "EventCreatedRead",
    ):
        assert schemas[name]["examples"], name
    for name in ("TicketCreate", "EventCreate"):
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), (name, field)
    assert set(schemas["EventCreate"]["properties"]["kind"]["enum"]) == set(
        get_args(EventKindIn)
    )


@pytest.mark.parametrize(
    ("module", "every"),
    [(ticket_schemas, True), (ticket_views, True), (status_views, False)],
)
def test_the_examples_are_valid_bodies_and_answers(
    module: ModuleType, every: bool
) -> None:
    """Every ticket body and answer has examples (the board's lines are shown
    in the board's), and each example is valid."""
    for name in module.__all__:
        model = getattr(module, name)
        if not isinstance(model, type) or not issubclass(model, BaseModel):
            continue
        extra = model.model_config.get("json_schema_extra")
        if extra is None and not every:
            continue
        assert isinstance(extra, dict), name
        examples = extra["examples"]
        assert isinstance(examples, list), name
        for example in examples:
            model.model_validate(example)
