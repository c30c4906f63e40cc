"""CSV and JSON of the invoice: the same data as the PDF, amounts exactly as
the document holds them."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from decimal import Decimal

from slakeeper.invoicing import render
from slakeeper.invoicing.document import InvoiceDocument
from tests.invoicing.sample import make_credit_note, make_invoice


def records(doc: InvoiceDocument) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render.to_csv(doc), newline="")))


def test_csv_has_the_documented_columns() -> None:
    header = render.to_csv(make_invoice()).splitlines()[0]
    assert header.split(",") == list(render.CSV_COLUMNS)


def test_csv_has_each_line_then_its_time_rows_then_the_totals() -> None:
    rows = records(make_invoice())
    assert [(r["record"], r["line"]) for r in rows] == [
        ("line", "1"),
        ("time", "1"),
        ("time", "1"),
        ("time", "1"),
        ("time", "1"),
        ("line", "2"),
        ("time", "2"),
        ("line", "3"),
        ("total", ""),
        ("total", ""),
        ("total", ""),
    ]
    assert {r["invoice"] for r in rows} == {"INV-2027-0001"}
    assert {r["currency"] for r in rows} == {"EUR"}


def test_csv_round_trips_every_amount_exactly() -> None:
    doc = make_invoice()
    rows = records(doc)
    lines = [r for r in rows if r["record"] == "line"]
    times = [r for r in rows if r["record"] == "time"]
    totals = {r["kind"]: r["amount"] for r in rows if r["record"] == "total"}
    assert [r["amount"] for r in lines] == [str(line.amount) for line in doc.lines]
    assert [r["rate"] for r in lines] == [str(line.unit_price) for line in doc.lines]
    assert [r["quantity"] for r in lines] == [str(line.quantity) for line in doc.lines]
    every_row = [t for line in doc.lines for t in line.time_rows]
    assert [r["amount"] for r in times] == [str(t.amount) for t in every_row]
    assert [r["rate"] for r in times] == [str(t.rate) for t in every_row]
    assert totals == {"net": "610.00", "tax": "115.90", "gross": "725.90"}
    assert sum(Decimal(r["amount"]) for r in lines) == Decimal(totals["net"])


def test_csv_time_rows_carry_the_time_report() -> None:
    first = next(r for r in records(make_invoice()) if r["record"] == "time")
    assert first == {
        "invoice": "INV-2027-0001",
        "record": "time",
        "line": "1",
        "kind": "default",
        "date": "2027-01-05",
        "person": "Jane Doe",
        "reference": "ACME-41",
        "description": "Fix a checkout timeout",
        "quantity": "",
        "unit": "",
        "raw_seconds": "4380",
        "rounded_seconds": "4500",
        "rate": "95.00",
        "tax_rate": "",
        "amount": "118.75",
        "currency": "EUR",
    }


def test_csv_negative_amounts_stay_numbers_and_formulas_are_defused() -> None:
    doc = make_invoice()
    line = dataclasses.replace(
        doc.lines[0],
        description='=HYPERLINK("http://evil.example")',
        time_rows=(dataclasses.replace(doc.lines[0].time_rows[0], note="-2+3"),),
    )
    rows = records(make_invoice(lines=(line, doc.lines[2])))
    assert rows[0]["description"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1]["description"] == "'-2+3"
    assert rows[2]["amount"] == "-75.00"  # numbers are never prefixed


def test_credit_note_csv_keeps_its_signs() -> None:
    totals = {
        r["kind"]: r["amount"]
        for r in records(make_credit_note())
        if r["record"] == "total"
    }
    assert totals == {"net": "-610.00", "tax": "-115.90", "gross": "-725.90"}


def test_json_holds_every_field_of_the_document() -> None:
    doc = make_invoice()
    data = json.loads(render.to_json(doc))
    assert data["format"] == "slakeeper.invoice/1"
    assert set(data) - {"format"} == {f.name for f in dataclasses.fields(doc)}
    assert set(data["lines"][0]) == {f.name for f in dataclasses.fields(doc.lines[0])}
    assert set(data["lines"][0]["time_rows"][0]) == {
        f.name for f in dataclasses.fields(doc.lines[0].time_rows[0])
    }


def test_json_round_trips_every_amount_as_a_string_exactly() -> None:
    doc = make_invoice()
    data = json.loads(render.to_json(doc))
    assert (data["net_total"], data["tax_total"], data["gross_total"]) == (
        "610.00",
        "115.90",
        "725.90",
    )
    for line, got in zip(doc.lines, data["lines"], strict=True):
        assert Decimal(got["amount"]) == line.amount
        assert got["amount"] == str(line.amount)
        assert got["unit_price"] == str(line.unit_price)
        assert got["quantity"] == str(line.quantity)
        assert got["tax_rate"] == str(line.tax_rate)
        for row, got_row in zip(line.time_rows, got["time_rows"], strict=True):
            assert got_row["amount"] == str(row.amount)
            assert got_row["rate"] == str(row.rate)
            assert got_row["raw_seconds"] == row.raw_seconds


def test_json_dates_and_parties() -> None:
    data = json.loads(render.to_json(make_credit_note()))
    assert data["kind"] == "credit_note"
    assert data["refers_to"] == "INV-2027-0001"
    assert data["issue_date"] == "2027-02-10"
    assert data["lines"][0]["time_rows"][0]["day"] == "2027-01-05"
    assert data["seller"]["address_lines"] == ["Jane Doe", "Kastanienallee 12"]
    assert data["buyer"]["city"] == "München"  # UTF-8, not escaped
    assert "München" in render.to_json(make_credit_note())


def test_same_document_gives_the_same_text() -> None:
    assert render.to_json(make_invoice()) == render.to_json(make_invoice())
    assert render.to_csv(make_invoice()) == render.to_csv(make_invoice())
