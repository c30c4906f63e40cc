"""The OpenAPI document is a product artefact: every route is in it, with a
summary, a response schema, its error answers and examples."""

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

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
    ("GET", "/status"),
    ("GET", "/tickets"),
    ("POST", "/tickets"),
    ("GET", "/tickets/by-key/{key}"),
    ("GET", "/tickets/{ticket_id}"),
    ("GET", "/tickets/{ticket_id}/events"),
    ("POST", "/tickets/{ticket_id}/events"),
    ("GET", "/tickets/{ticket_id}/clocks"),
    ("GET", "/time-entries"),
    ("POST", "/time-entries"),
    ("GET", "/time-entries/{entry_id}"),
    ("PATCH", "/time-entries/{entry_id}"),
    ("DELETE", "/time-entries/{entry_id}"),
    ("POST", "/time-entries/approvals"),
    ("POST", "/timers/start"),
    ("POST", "/timers/stop"),
    ("GET", "/timers/current"),
    ("GET", "/clients/{client_id}/deadlines.ics"),
    ("POST", "/feeds"),
    ("GET", "/feeds"),
    ("POST", "/feeds/{feed_id}/revoke"),
    ("GET", "/milestones"),
    ("GET", "/milestones/{milestone_id}"),
    ("GET", "/milestones/{milestone_id}/events"),
    ("POST", "/milestones/{milestone_id}/start"),
    ("POST", "/milestones/{milestone_id}/submissions"),
    ("POST", "/milestones/{milestone_id}/reviews"),
    ("POST", "/milestones/{milestone_id}/delays"),
    ("POST", "/adjustments/{adjustment_id}/accept"),
    ("POST", "/adjustments/{adjustment_id}/reject"),
    ("GET", "/obligations"),
    ("POST", "/obligations"),
    ("POST", "/obligations/{obligation_id}/met"),
    ("POST", "/obligations/{obligation_id}/waive"),
    ("GET", "/change-requests"),
    ("POST", "/change-requests"),
    ("GET", "/change-requests/{change_id}"),
    ("POST", "/change-requests/{change_id}/estimate"),
    ("POST", "/change-requests/{change_id}/decision"),
    ("GET", "/clients/{client_id}/commitments"),
    ("POST", "/clients/{client_id}/commitments/updates"),
    ("GET", "/invoices"),
    ("POST", "/invoices"),
    ("GET", "/invoices/{invoice_id}"),
    ("DELETE", "/invoices/{invoice_id}"),
    ("POST", "/invoices/{invoice_id}/issue"),
    ("POST", "/invoices/{invoice_id}/payments"),
    ("POST", "/invoices/{invoice_id}/cancel"),
    ("GET", "/invoices/{invoice_id}.pdf"),
    ("GET", "/invoices/{invoice_id}/facturx.pdf"),
    ("GET", "/invoices/{invoice_id}.csv"),
    ("GET", "/invoices/{invoice_id}.json"),
    ("GET", "/credits"),
    ("POST", "/credits"),
}
CREATING = {
    ("POST", "/agreements"),
    ("POST", "/agreements/{agreement_id}/versions"),
    ("POST", "/agreements/{agreement_id}/versions/{number}/comments"),
    ("POST", "/tickets"),
    ("POST", "/tickets/{ticket_id}/events"),
    ("POST", "/time-entries"),
    ("POST", "/time-entries/approvals"),
    ("POST", "/timers/start"),
    ("POST", "/timers/stop"),
    ("POST", "/feeds"),
    ("POST", "/milestones/{milestone_id}/submissions"),
    ("POST", "/milestones/{milestone_id}/reviews"),
    ("POST", "/milestones/{milestone_id}/delays"),
    ("POST", "/obligations"),
    ("POST", "/change-requests"),
    ("POST", "/clients/{client_id}/commitments/updates"),
    ("POST", "/invoices"),
    ("POST", "/invoices/{invoice_id}/payments"),
    ("POST", "/invoices/{invoice_id}/cancel"),
    ("POST", "/credits"),
}
# opened by the feed token in its URL, not a bearer token (tests/api/test_feeds.py)
NO_BEARER = {("GET", "/clients/{client_id}/deadlines.ics")}


def operations(client: TestClient) -> Iterator[tuple[str, str, dict[str, Any]]]:
    schema = client.get("/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_openapi_lists_every_route(anonymous: TestClient) -> None:
    assert {(m, p) for m, p, _ in operations(anonymous)} == ROUTES


def test_every_route_has_a_summary_a_response_and_its_errors(
    anonymous: TestClient,
) -> None:
    for method, path, op in operations(anonymous):
        assert op["summary"], (method, path)
        assert op["description"], (method, path)
        ok = next(code for code in op["responses"] if code.startswith("2"))
        assert op["responses"][ok]["content"], (method, path)
        if (method, path) in NO_BEARER:
            continue
        for status in ("401", "403", "422"):
            ref = op["responses"][status]["content"]["application/json"]["schema"]
            assert ref == {"$ref": "#/components/schemas/ErrorResponse"}
        assert op["security"] == [{"HTTPBearer": []}]


def test_creating_routes_take_an_idempotency_key(anonymous: TestClient) -> None:
    for method, path, op in operations(anonymous):
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == ((method, path) in CREATING)


def test_request_bodies_and_answers_have_examples(anonymous: TestClient) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
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
        "StatusRead",
        "TimeEntryCreate",
        "TimeEntryUpdate",
        "TimeEntryRead",
        "TimeEntryList",
        "TimerStart",
        "TimerStop",
        "TimerRead",
        "TimeApprovalCreate",
        "TimeApprovalRead",
        "FeedCreate",
        "FeedRead",
        "FeedCreatedRead",
        "InvoiceBuild",
        "InvoiceIssue",
        "InvoiceCancel",
        "PaymentCreate",
        "CreditCreate",
        "InvoiceRead",
        "InvoiceDetailRead",
        "InvoiceLineRead",
        "InvoiceList",
        "PaymentRead",
        "PaymentCreatedRead",
        "CreditRead",
        "CreditList",
    ):
        assert schemas[name]["examples"], name
