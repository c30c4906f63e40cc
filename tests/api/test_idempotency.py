"""`Idempotency-Key`: a retried creating request returns the first response and
creates nothing; the key belongs to one user and one request."""

from typing import Any

from sqlalchemy import func, select

from slakeeper.db.models import Agreement, Comment
from tests.api.conftest import Api
from tests.factories import example_text


def count(api: Api, row: type[Any]) -> int:
    with api.sessions() as s:
        where = row.workspace_id == api.world.cast.workspace_id
        return int(s.scalar(select(func.count()).select_from(row).where(where)) or 0)


def body(api: Api, **changes: Any) -> dict[str, Any]:
    return {
        "client_id": api.world.cast.acme_id,
        "source_name": "acme.yaml",
        "text": example_text(),
        **changes,
    }


def test_a_retried_import_returns_the_first_response_and_creates_nothing(
    api: Api,
) -> None:
    first = api.post("/agreements", body(api), key="import-1")
    retry = api.post("/agreements", body(api), key="import-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(api, Agreement) == 1


def test_without_a_key_each_request_creates(api: Api) -> None:
    api.post("/agreements", body(api))
    api.post("/agreements", body(api))
    assert count(api, Agreement) == 2


def test_a_key_reused_for_another_request_is_refused(api: Api) -> None:
    api.post("/agreements", body(api), key="k")
    response = api.post("/agreements", body(api, source_name="other.yaml"), key="k")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["details"][0]["location"] == "Idempotency-Key"
    assert count(api, Agreement) == 1


def test_keys_belong_to_one_user(api: Api) -> None:
    api.post("/agreements", body(api), key="shared")
    response = api.post("/agreements", body(api), as_="sam", key="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert count(api, Agreement) == 2


def test_a_failed_request_is_not_remembered(api: Api) -> None:
    bad = api.post("/agreements", body(api, client_id=999999), key="retry-me")
    assert bad.status_code == 404
    good = api.post("/agreements", body(api, client_id=999999), key="retry-me")
    assert good.status_code == 404
    assert count(api, Agreement) == 0


def test_retried_comments_and_amendments_create_once(api: Api) -> None:
    version = api.import_example()
    versions = f"/agreements/{version['agreement_id']}/versions"
    amend = {"source_name": "v2.yaml", "text": example_text()}
    first = api.post(versions, amend, key="amend-1").json()
    assert api.post(versions, amend, key="amend-1").json() == first
    assert [v["number"] for v in api.get(versions).json()] == [1, 2]
    comments = f"{versions}/2/comments"
    said = api.post(comments, {"body": "ok"}, as_="max", key="c-1").json()
    assert api.post(comments, {"body": "ok"}, as_="max", key="c-1").json() == said
    assert count(api, Comment) == 1


def test_the_key_is_checked_like_any_header(api: Api) -> None:
    response = api.post("/agreements", body(api), key="x" * 201)
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert details[0]["location"] == "header.Idempotency-Key"
