"""The invoices API on both backends: build a draft (idempotent), read it with
its lines and entries, issue it, pay it in parts (idempotent; overpayment
refused), cancel by credit note, credits, the PDF, Factur-X, CSV and JSON
documents, a client contact who sees only issued invoices of their own client,
and the examples that are valid bodies and answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from pypdf import PdfReader

from slakeeper.api import invoice_schemas
from slakeeper.core import money
from slakeeper.db.models import Invoice
from slakeeper.services import time_entries
from slakeeper.services.views import invoicing as invoicing_views
from slakeeper.services.views import time as time_views
from tests.api.conftest import Api
from tests.factories import activate

LATER = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
MON = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
JAN = {"period_start": "2027-01-01", "period_end": "2027-01-31"}


@pytest.fixture
def desk(api: Api) -> Api:
    """Acme's agreement in force, 1 h 30 min of Jane's time on 4 January, and
    `now` on 1 February 2027."""
    cast = api.world.cast
    with api.sessions.begin() as s:
        activate(s, cast)
        time_entries.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            started_at=MON,
            ended_at=MON + timedelta(minutes=90),
            note="Checkout fix",
            now=LATER,
        )
    api.now[0] = LATER
    return api


def build(api: Api, key: str | None = None) -> dict[str, Any]:
    response = api.post(
        "/invoices", {"client_id": api.world.cast.acme_id, **JAN}, key=key
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def issued(api: Api) -> dict[str, Any]:
    draft = build(api)
    response = api.post(f"/invoices/{draft['id']}/issue", {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_draft_is_built_once_per_key_and_shows_its_lines(desk: Api) -> None:
    first = build(desk, key="jan")
    again = build(desk, key="jan")
    assert again == first
    assert (first["status"], first["number"], first["gross_amount"]) == (
        "draft",
        None,
        "142.50",
    )
    (line,) = first["lines"]
    assert (line["quantity"], line["unit"], line["unit_price"], line["amount"]) == (
        "1.50",
        "HUR",
        "95.00",
        "142.50",
    )
    assert (line["raw_seconds"], line["rounded_seconds"]) == (5400, 5400)
    assert [e["rate_source"] for e in line["entries"]] == ["default"]
    listed = desk.get("/invoices").json()
    assert [i["id"] for i in listed["items"]] == [first["id"]]


def test_issue_pay_in_parts_and_refuse_an_overpayment(desk: Api) -> None:
    invoice = issued(desk)
    assert (invoice["number"], invoice["status"], invoice["due_date"]) == (
        "2027-0001",
        "issued",
        "2027-02-15",
    )
    path = f"/invoices/{invoice['id']}"
    again = desk.post(f"{path}/issue", {})
    assert again.status_code == 409
    desk.now[0] = LATER + timedelta(days=5)
    part = {"amount": "100.00", "received_on": "2027-02-05"}
    first = desk.post(f"{path}/payments", part, key="p1")
    assert first.status_code == 201, first.text
    assert desk.post(f"{path}/payments", part, key="p1").json() == first.json()
    assert first.json()["invoice"]["outstanding_amount"] == "42.50"
    over = desk.post(f"{path}/payments", {"amount": "50", "received_on": "2027-02-05"})
    assert over.status_code == 422
    assert over.json()["error"]["details"][0]["location"] == "amount"
    rest = desk.post(
        f"{path}/payments", {"amount": "42.50", "received_on": "2027-02-06"}
    )
    assert rest.json()["invoice"]["status"] == "paid"
    detail = desk.get(path).json()
    assert [p["amount"] for p in detail["payments"]] == ["100.00", "42.50"]
    deleted = desk.client.delete(path, headers=desk.headers("jane"))
    assert deleted.status_code == 409


def test_cancel_by_credit_note_and_credits(desk: Api) -> None:
    invoice = issued(desk)
    response = desk.post(
        f"/invoices/{invoice['id']}/cancel", {"reason": "Wrong rate"}, key="c1"
    )
    assert response.status_code == 201, response.text
    note = response.json()
    assert (
        note["kind"],
        note["number"],
        note["refers_to_id"],
        note["gross_amount"],
    ) == (
        "credit_note",
        "2027-0002",
        invoice["id"],
        "-142.50",
    )
    assert [ln["amount"] for ln in note["lines"]] == ["-142.50"]
    assert desk.get(f"/invoices/{invoice['id']}").json()["status"] == "cancelled"
    credit = desk.post(
        "/credits",
        {
            "client_id": desk.world.cast.acme_id,
            "amount": "12.50",
            "reason": "Late response",
            "period_start": "2027-01-31",
        },
        key="cr1",
    )
    assert credit.status_code == 201, credit.text
    assert desk.get("/credits?open=true").json()["items"][0]["amount"] == "12.50"
    rebuilt = build(desk)  # the released time, less the credit
    assert [ln["kind"] for ln in rebuilt["lines"]] == ["time", "credit"]
    assert rebuilt["net_amount"] == "130.00"


def test_the_documents_and_who_sees_them(desk: Api) -> None:
    draft = build(desk)
    assert desk.get(f"/invoices/{draft['id']}", as_="max").status_code == 404
    assert desk.get(f"/invoices/{draft['id']}/facturx.pdf").status_code == 409
    invoice = issued(desk)
    path = f"/invoices/{invoice['id']}"
    assert desk.get(path, as_="max").status_code == 200
    assert desk.get(path, as_="olga").status_code == 404
    assert desk.get(path, as_="stranger").status_code == 404
    assert desk.get("/invoices", as_="max").json()["items"][0]["number"] == "2027-0001"
    csv = desk.get(f"{path}.csv")
    assert csv.status_code == 200, csv.text
    assert csv.headers["content-type"].startswith("text/csv")
    assert "2027-0001" in csv.text
    document = desk.get(f"{path}.json")
    assert document.status_code == 200
    assert "invoice-2027-0001.json" in document.headers["content-disposition"]
    assert desk.post(f"{path}/cancel", {"reason": "x"}, as_="max").status_code == 403


def test_every_export_route_renders_the_issued_invoice(desk: Api) -> None:
    invoice = issued(desk)
    number = invoice["number"]
    path = f"/invoices/{invoice['id']}"
    answers = {}
    for fmt, route in (
        ("pdf", f"{path}.pdf"),
        ("facturx", f"{path}/facturx.pdf"),
        ("csv", f"{path}.csv"),
        ("json", f"{path}.json"),
    ):
        response = desk.get(route)
        assert response.status_code == 200, (fmt, response.text)
        answers[fmt] = response
    assert answers["pdf"].headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(answers["pdf"].content))
    assert number in "".join(page.extract_text() for page in pdf.pages)
    facturx = PdfReader(io.BytesIO(answers["facturx"].content))
    assert "factur-x.xml" in facturx.attachments
    (xml,) = facturx.attachments["factur-x.xml"]
    assert number.encode() in xml
    rows = list(csv.DictReader(io.StringIO(answers["csv"].text)))
    assert {r["invoice"] for r in rows} == {number}
    assert [r["description"] for r in rows if r["record"] == "time"] == ["Checkout fix"]
    body = answers["json"].json()
    with desk.sessions.begin() as s:
        stored = s.get(Invoice, invoice["id"])
        assert stored is not None
        gross = money(stored.gross_amount, stored.currency)
    assert body["number"] == number
    assert body["gross_total"] == str(gross) == invoice["gross_amount"]


def test_bad_requests_change_nothing(desk: Api) -> None:
    acme = desk.world.cast.acme_id
    for body, status in (
        (
            {
                "client_id": acme,
                "period_start": "2027-01-31",
                "period_end": "2027-01-01",
            },
            422,
        ),
        (
            {
                "client_id": acme,
                "period_start": "2027-03-01",
                "period_end": "2027-03-31",
            },
            422,
        ),
        ({"client_id": acme, **JAN, "group_by": "mood"}, 422),
        ({"client_id": 999_999, **JAN}, 404),
        ({"client_id": acme, **JAN, "milestones": ["nope"]}, 422),
    ):
        response = desk.post("/invoices", body)
        assert response.status_code == status, (body, response.text)
    assert desk.get("/invoices").json()["items"] == []
    assert desk.get("/invoices?status=late").status_code == 422
    assert desk.get("/invoices/999999").status_code == 404


@pytest.mark.parametrize("module", [invoice_schemas, invoicing_views, time_views])
def test_the_examples_are_valid_bodies_and_answers(module: Any) -> None:
    for name in module.__all__:
        model = getattr(module, name)
        if not isinstance(model, type) or not issubclass(model, BaseModel):
            continue
        extra = model.model_config.get("json_schema_extra") or {}
        assert isinstance(extra, dict)
        for example in extra.get("examples", []):  # type: ignore[union-attr]
            model.model_validate(example)
