"""Every error is `{"error": {"code", "message", "location"?, "details",
"request_id"}}` with its status, and carries the request's `X-Request-ID`."""

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from slakeeper.api.deps import SessionDep
from slakeeper.core.errors import CalendarSpecError, SpecProblem
from slakeeper.db.models import Workspace
from slakeeper.db.session import begin_without_waiting
from slakeeper.yamlsource import SourceError, SourceProblem
from tests.api.conftest import Api
from tests.factories import example_text


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    e = dict(body["error"])
    assert e.pop("request_id") == response.headers["X-Request-ID"]
    assert set(e) - {"location"} == {"code", "message", "details"}
    return e


def test_not_found(api: Api) -> None:
    e = error(api.get("/agreements/999999/versions"), 404)
    assert e == {
        "code": "not_found",
        "message": "agreement 999999 not found",
        "details": [],
    }


def test_conflict(api: Api) -> None:
    version = api.import_example()
    submit = f"/agreements/{version['agreement_id']}/versions/1/submit"
    api.post(submit)
    e = error(api.post(submit), 409)
    assert e["code"] == "conflict"
    assert "it is in_review, not draft" in e["message"]


def test_a_stale_hash_is_a_conflict(api: Api) -> None:
    version = api.import_example()
    base = f"/agreements/{version['agreement_id']}/versions/1"
    api.post(base + "/submit")
    e = error(api.post(base + "/approve", {"sha256": "0" * 64}), 409)
    assert "is not the hash of version 1" in e["message"]


def test_permission_denied(api: Api) -> None:
    body = {
        "client_id": api.world.cast.acme_id,
        "source_name": "a.yaml",
        "text": example_text(),
    }
    e = error(api.post("/agreements", body, as_="max"), 403)
    assert e["code"] == "permission_denied"


def test_invalid_input_names_the_field(api: Api) -> None:
    version = api.import_example()
    comments = f"/agreements/{version['agreement_id']}/versions/1/comments"
    e = error(api.post(comments, {"body": "x", "anchor": "no.such.field"}), 422)
    assert e["code"] == "invalid_input"
    assert e["details"] == [
        {
            "location": "anchor",
            "message": "'no.such.field' is not a field of version 1",
            "line": None,
            "column": None,
        }
    ]


def test_a_broken_file_lists_its_problems_with_positions(api: Api) -> None:
    text = example_text().replace("effective: 2027-01-01", "effective: someday")
    body = {"client_id": api.world.cast.acme_id, "source_name": "a.yaml", "text": text}
    e = error(api.post("/agreements", body), 422)
    assert e["code"] == "invalid_input"
    [problem] = e["details"]
    assert problem["location"] == "agreement.effective"
    assert problem["line"] == 16
    assert problem["column"] > 1


def test_an_invalid_body_is_a_validation_error_with_field_locations(api: Api) -> None:
    e = error(api.post("/agreements", {"client_id": "acme", "text": ""}), 422)
    assert e["code"] == "invalid_input"
    assert e["message"] == "the request is not valid"
    locations = {d["location"] for d in e["details"]}
    assert locations == {"body.client_id", "body.source_name", "body.text"}


def test_malformed_json_is_a_validation_error(api: Api) -> None:
    response = api.client.post(
        "/agreements",
        content=b"{not json",
        headers={**api.headers("jane"), "Content-Type": "application/json"},
    )
    assert error(response, 422)["code"] == "invalid_input"


def test_an_unknown_path_is_not_found_in_the_same_shape(api: Api) -> None:
    assert error(api.get("/nowhere"), 404)["code"] == "not_found"
    assert error(api.client.delete("/clients"), 405)["code"] == "method_not_allowed"


@pytest.fixture
def raising(api: Api) -> Api:
    """Routes that raise what services do not, to see the handler map them."""
    app = api.client.app
    assert isinstance(app, FastAPI)

    def calendar() -> None:
        raise CalendarSpecError([SpecProblem(("hours", "mon"), "is not a window")])

    def source() -> None:
        raise SourceError([SourceProblem("a.yaml", "bad", ("agreement",), 3, 5)])

    app.add_api_route("/test/calendar", calendar)
    app.add_api_route("/test/source", source)
    return api


def test_an_engine_error_is_422_with_its_problems(raising: Api) -> None:
    e = error(raising.client.get("/test/calendar"), 422)
    assert e["code"] == "calendar_spec_error"
    assert e["details"] == [
        {
            "location": "hours.mon",
            "message": "is not a window",
            "line": None,
            "column": None,
        }
    ]


def test_a_source_error_is_422_with_positioned_problems(raising: Api) -> None:
    e = error(raising.client.get("/test/source"), 422)
    assert e["code"] == "invalid_document"
    assert e["details"] == [
        {"location": "agreement", "message": "bad", "line": 3, "column": 5}
    ]


# -- the location, request ids, the catch-all and a busy database ------------------


def test_a_refused_field_is_named_as_the_location_too(api: Api) -> None:
    version = api.import_example()
    comments = f"/agreements/{version['agreement_id']}/versions/1/comments"
    e = error(api.post(comments, {"body": "x", "anchor": "no.such.field"}), 422)
    assert e["location"] == "anchor"
    assert e["message"] == "anchor: 'no.such.field' is not a field of version 1"


def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_sent(api: Api) -> None:
    ok = api.client.get(
        "/clients", headers={**api.headers("jane"), "X-Request-ID": "trace-42.a:b_c"}
    )
    assert ok.status_code == 200
    assert ok.headers["X-Request-ID"] == "trace-42.a:b_c"
    first, second = api.get("/clients"), api.get("/clients")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    for bad in ("two words", "x" * 129, "<script>"):
        response = api.client.get("/nowhere", headers={"X-Request-ID": bad})
        assert response.headers["X-Request-ID"] != bad
        assert error(response, 404)["code"] == "not_found"


@pytest.fixture
def failing(api: Api) -> Api:
    """Routes that fail as only a bug or a busy database would."""
    app = api.client.app
    assert isinstance(app, FastAPI)

    def duplicate() -> None:
        raise IntegrityError(
            "INSERT INTO ticket (key) VALUES (?)",
            ("ACME-7",),
            Exception("UNIQUE constraint failed: ticket.key"),
        )

    def busy(session: SessionDep) -> None:
        # a writer that does not wait, while the test holds the lock
        begin_without_waiting(session)
        session.execute(
            update(Workspace)
            .where(Workspace.id == api.world.cast.workspace_id)
            .values(name=Workspace.name)
        )

    app.add_api_route("/test/duplicate", duplicate)
    app.add_api_route("/test/busy", busy, methods=["POST"])
    return api


def test_an_unexpected_exception_is_a_json_500_and_its_traceback_is_logged_once(
    failing: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = failing.client.get("/test/duplicate")
    e = error(response, 500)
    assert e == {
        "code": "internal_error",
        "message": "an unexpected error occurred; it is logged under this request id",
        "details": [],
    }
    for leak in ("INSERT", "UNIQUE", "ticket", "Traceback", "IntegrityError"):
        assert leak not in response.text
    request_id = response.headers["X-Request-ID"]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "slakeeper.api"
    assert record.__dict__["request_id"] == request_id
    assert request_id in record.getMessage()
    assert record.exc_info is not None
    assert record.exc_info[0] is IntegrityError


def test_a_lock_that_is_not_released_in_time_is_a_503_with_retry_after(
    failing: Api, caplog: pytest.LogCaptureFixture
) -> None:
    holder = failing.sessions()
    try:
        holder.execute(
            update(Workspace)
            .where(Workspace.id == failing.world.cast.workspace_id)
            .values(name=Workspace.name)
        )
        with caplog.at_level(logging.WARNING):
            response = failing.client.post("/test/busy")
    finally:
        holder.rollback()
        holder.close()
    e = error(response, 503)
    assert e["code"] == "unavailable"
    assert "try again" in e["message"]
    assert response.headers["Retry-After"] == "1"
    [record] = [r for r in caplog.records if r.name == "slakeeper.api"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert failing.client.post("/test/busy").status_code == 200  # released: it works


def test_every_route_with_a_token_documents_the_busy_503(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if path == "/clients/{client_id}/deadlines.ics":
            continue  # a calendar app reads it; see tests/api/test_feeds.py
        for method, op in operations.items():
            answer = op["responses"]["503"]
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (
                method,
                path,
            )
            assert "Retry-After" in answer["description"]


HUGE = "99999999999999999999999"  # more than any id column holds


def test_an_id_the_database_cannot_hold_is_a_4xx_at_every_get(api: Api) -> None:
    """Every GET route: an integer path id out of range is a 404, an integer
    query filter out of range a 422, both in the JSON error shape (never a 500)."""
    paths = api.client.get("/openapi.json").json()["paths"]
    tried = 0
    for path, operations in paths.items():
        op = operations.get("get")
        if op is None:
            continue
        params = op.get("parameters", [])
        ints = [
            p
            for p in params
            if "integer"
            in {s.get("type") for s in p["schema"].get("anyOf", [])}
            | {p["schema"].get("type")}
        ]
        in_path = {p["name"] for p in params if p["in"] == "path"}
        filled = path
        for name in in_path:
            filled = filled.replace("{" + name + "}", "1")
        for p in ints:
            if p["in"] == "path":
                url = path
                for name in in_path:
                    value = HUGE if name == p["name"] else "1"
                    url = url.replace("{" + name + "}", value)
                assert error(api.get(url), 404)["code"] == "not_found", url
                tried += 1
            elif p["in"] == "query" and p["name"].endswith("_id"):
                e = error(api.get(f"{filled}?{p['name']}={HUGE}"), 422)
                assert p["name"] in str(e), (filled, e)
                tried += 1
    assert tried > 20


def test_a_body_that_names_an_id_the_database_cannot_hold_is_a_404(api: Api) -> None:
    e = error(
        api.post(
            "/tickets",
            {"client_id": int(HUGE), "title": "x", "body": "y", "priority": "high"},
        ),
        404,
    )
    assert e["message"] == f"client {HUGE} not found"
