"""`/agreements`: every route's happy path, and other tenants' objects unseen."""

from typing import Any

import pytest

from tests.api.conftest import Api
from tests.factories import example_text


def version_path(version: dict[str, Any], tail: str = "") -> str:
    return f"/agreements/{version['agreement_id']}/versions/{version['number']}{tail}"


def in_review(api: Api) -> dict[str, Any]:
    version = api.import_example()
    assert api.post(version_path(version, "/submit")).status_code == 200
    return version


def test_importing_a_file_stores_version_1_as_a_draft(api: Api) -> None:
    version = api.import_example()
    assert version["number"] == 1
    assert version["status"] == "draft"
    assert len(version["sha256"]) == 64
    assert version["approvals"] == []
    listed = api.get("/agreements").json()
    assert [a["id"] for a in listed["items"]] == [version["agreement_id"]]
    assert listed["items"][0]["client_id"] == api.world.cast.acme_id


def test_agreements_come_a_page_at_a_time(api: Api) -> None:
    ids = [api.import_example()["agreement_id"] for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/agreements", params=params).json()
        seen += [a["id"] for a in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3


def test_agreements_can_be_narrowed_to_one_client(api: Api) -> None:
    api.import_example()
    body = api.get("/agreements", params={"client_id": api.world.globex_id}).json()
    assert body == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("cursor", ["nonsense", "aWQ6eA", "!!"])
def test_a_cursor_the_api_did_not_give_is_refused(api: Api, cursor: str) -> None:
    response = api.get("/agreements", params={"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["location"] == "cursor"


def test_a_version_is_read_with_its_file(api: Api) -> None:
    version = api.import_example()
    body = api.get(version_path(version), as_="max").json()
    assert body["source_text"] == example_text()
    assert body["sha256"] == version["sha256"]
    history = api.get(f"/agreements/{version['agreement_id']}/versions").json()
    assert [v["number"] for v in history] == [1]
    assert "source_text" not in history[0]


def test_both_parties_approve_the_hash_they_reviewed(api: Api) -> None:
    version = in_review(api)
    approve = version_path(version, "/approve")
    first = api.post(approve, {"sha256": version["sha256"]}, as_="jane").json()
    assert first["status"] == "in_review"
    assert [a["party"] for a in first["approvals"]] == ["provider"]
    second = api.post(approve, {"sha256": version["sha256"].upper()}, as_="max")
    assert second.status_code == 200
    assert second.json()["status"] == "approved"


def test_a_rejected_version_goes_back_to_draft(api: Api) -> None:
    version = in_review(api)
    response = api.post(
        version_path(version, "/reject"), {"reason": "P1 too slow"}, as_="max"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_an_amendment_is_a_new_draft_and_withdraws_the_open_one(api: Api) -> None:
    version = in_review(api)
    changed = example_text().replace("title:", "title: Amended", 1)
    response = api.post(
        f"/agreements/{version['agreement_id']}/versions",
        {"source_name": "acme-v2.yaml", "text": changed},
    )
    assert response.status_code == 201, response.text
    assert response.json()["number"] == 2
    statuses = [
        v["status"]
        for v in api.get(f"/agreements/{version['agreement_id']}/versions").json()
    ]
    assert statuses == ["withdrawn", "draft"]


def test_comments_are_added_answered_listed_and_resolved(api: Api) -> None:
    version = api.import_example()
    comments = version_path(version, "/comments")
    first = api.post(comments, {"body": "Faster, please?"}, as_="max")
    assert first.status_code == 201
    first_id = first.json()["id"]
    reply = api.post(comments, {"body": "Agreed.", "parent_id": first_id})
    assert reply.json()["parent_id"] == first_id
    listed = api.get(comments, as_="erika").json()
    assert [c["body"] for c in listed] == ["Faster, please?", "Agreed."]
    resolved = api.post(f"/comments/{first_id}/resolve")
    assert resolved.status_code == 200
    assert resolved.json()["resolved_by"] == api.world.cast.jane.user_id
    assert resolved.json()["resolved_at"] == "2026-12-01T09:00:00Z"


def test_the_contract_renders_as_html_with_the_stored_hash(api: Api) -> None:
    version = api.import_example()
    response = api.get(version_path(version, "/contract.html"), as_="max")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert version["sha256"] in response.text
    assert "audit log #" in response.text


def test_the_contract_renders_as_pdf(api: Api) -> None:
    version = api.import_example()
    response = api.get(version_path(version, "/contract.pdf"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def acme_routes(version: dict[str, Any], comment_id: int) -> list[tuple[str, str, Any]]:
    v = version_path(version)
    a = f"/agreements/{version['agreement_id']}"
    return [
        ("GET", f"{a}/versions", None),
        ("POST", f"{a}/versions", {"source_name": "x.yaml", "text": example_text()}),
        ("GET", v, None),
        ("POST", f"{v}/submit", None),
        ("POST", f"{v}/approve", {"sha256": version["sha256"]}),
        ("POST", f"{v}/reject", {"reason": "no"}),
        ("GET", f"{v}/comments", None),
        ("POST", f"{v}/comments", {"body": "hello"}),
        ("GET", f"{v}/contract.html", None),
        ("GET", f"{v}/contract.pdf", None),
        ("POST", f"/comments/{comment_id}/resolve", None),
    ]


@pytest.mark.parametrize("who", ["stranger", "olga"])
def test_another_tenants_agreement_is_not_found_on_every_route(
    api: Api, who: str
) -> None:
    """A foreign workspace and another client's contact both get 404: the
    agreement's existence is not revealed (a client contact may never amend, so
    that route refuses Olga for her role, revealing nothing either)."""
    version = in_review(api)
    comment = api.post(version_path(version, "/comments"), {"body": "mine"}).json()
    acme = acme_routes(version, comment["id"])
    for method, path, body in acme:
        response = api.client.request(method, path, json=body, headers=api.headers(who))
        role_refusal = who == "olga" and (method, path) == acme[1][:2]
        expected = 403 if role_refusal else 404
        assert response.status_code == expected, (method, path, response.text)
    assert api.get("/agreements", as_=who).json()["items"] == []


def test_another_workspace_cannot_import_for_this_client(api: Api) -> None:
    body = {
        "client_id": api.world.cast.acme_id,
        "source_name": "acme.yaml",
        "text": example_text(),
    }
    response = api.post("/agreements", body, as_="stranger")
    assert response.status_code == 404
