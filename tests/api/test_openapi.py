"""The OpenAPI document is a product artefact: every route is in it, with a
summary, a response schema, its error answers and examples."""

from collections.abc import Iterator
from typing import Any

from tests.api.conftest import Api

ROUTES = {
    ("GET", "/clients"),
    ("GET", "/clients/{client_id}/agreement-in-force"),
    ("GET", "/agreements"),
    ("POST", "/agreements"),
    ("GET", "/agreements/{agreement_id}/versions"),
    ("POST", "/agreements/{agreement_id}/versions"),
    ("GET", "/agreements/{agreement_id}/versions/{number}"),
    ("POST", "/agreements/{agreement_id}/versions/{number}/submit"),
    ("POST", "/agreements/{agreement_id}/versions/{number}/approve"),
    ("POST", "/agreements/{agreement_id}/versions/{number}/reject"),
    ("GET", "/agreements/{agreement_id}/versions/{number}/comments"),
    ("POST", "/agreements/{agreement_id}/versions/{number}/comments"),
    ("GET", "/agreements/{agreement_id}/versions/{number}/contract.html"),
    ("GET", "/agreements/{agreement_id}/versions/{number}/contract.pdf"),
    ("POST", "/comments/{comment_id}/resolve"),
}
CREATING = {
    ("POST", "/agreements"),
    ("POST", "/agreements/{agreement_id}/versions"),
    ("POST", "/agreements/{agreement_id}/versions/{number}/comments"),
}


def operations(api: Api) -> Iterator[tuple[str, str, dict[str, Any]]]:
    schema = api.client.get("/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_openapi_lists_every_route(api: Api) -> None:
    assert {(m, p) for m, p, _ in operations(api)} == ROUTES


def test_every_route_has_a_summary_a_response_and_its_errors(api: Api) -> None:
    for method, path, op in operations(api):
        assert op["summary"], (method, path)
        assert op["description"], (method, path)
        ok = next(code for code in op["responses"] if code.startswith("2"))
        assert op["responses"][ok]["content"], (method, path)
        for status in ("401", "403", "422"):
            ref = op["responses"][status]["content"]["application/json"]["schema"]
            assert ref == {"$ref": "#/components/schemas/ErrorResponse"}
        assert op["security"] == [{"HTTPBearer": []}]


def test_creating_routes_take_an_idempotency_key(api: Api) -> None:
    for method, path, op in operations(api):
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == ((method, path) in CREATING)


def test_request_bodies_and_answers_have_examples(api: Api) -> None:
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    for name in (
        "AgreementCreate",
        "VersionCreate",
        "ApprovalCreate",
        "RejectionCreate",
        "CommentCreate",
        "ClientRead",
        "AgreementRead",
        "VersionRead",
        "CommentRead",
        "ErrorResponse",
    ):
        assert schemas[name]["examples"], name
