"""`slakeeper invoice ...` through the real command line, on both backends: build
a draft from a past period's time, show it, issue it, list, pay in parts,
refuse an overpayment, cancel by credit note, credits, billing details, export
as PDF, Factur-X, CSV and JSON, and bad input as one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core import money
from slakeeper.db.models import Invoice, Workspace
from slakeeper.services import time_entries
from slakeeper.settings import Settings
from tests.cli.helpers import NOW, SAM, Cli, use_workspace, workspace_name
from tests.factories import activate, example_text, make_cast

WORKED = (NOW - timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
FROM = (NOW - timedelta(days=40)).date().isoformat()
TO = (NOW - timedelta(days=2)).date().isoformat()
TODAY = NOW.astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()

run = Cli("invoice")


@pytest.fixture
def env(
    sessions: sessionmaker[Session],
    db_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """Acme's agreement in force for two months, with 1 h 30 min of Jane's time
    worked 20 days ago (out-of-hours rate removed: the weekday varies)."""
    body = (
        example_text()
        .replace("effective: 2027-01-01", "effective: 2026-01-01")
        .replace(', out_of_hours: "140.00"}', "}")
        .replace("  invoice: {every", "  tax: {rate: 19%}\n  invoice: {every")
    )
    with sessions.begin() as s:
        cast = make_cast(s, now=NOW - timedelta(days=90))
        activate(
            s,
            cast,
            body,
            at=NOW - timedelta(days=60),
            approved=NOW - timedelta(days=70),
        )
        time_entries.add_entry(
            s,
            cast.jane,
            client_id=cast.acme_id,
            started_at=WORKED,
            ended_at=WORKED + timedelta(minutes=90),
            note="Checkout fix",
            now=NOW,
        )
        name = workspace_name(s, cast)
    use_workspace(monkeypatch, db_settings, name)
    return name


def build() -> str:
    out = run("build", "--client", "Acme GmbH", "--from", FROM, "--to", TO)
    match = re.search(r"Draft (\d+)", out)
    assert match is not None, out
    return match.group(1)


def listed(*args: str) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = json.loads(run("list", "--json", *args))
    return body


def test_build_show_issue_pay_and_list(env):
    draft = build()
    shown = run("show", draft)
    assert f"Draft {draft} for Acme GmbH (draft)" in shown
    assert "1h 30m" in shown
    assert "Net 142.50, tax 19 % 27.08, total 169.58 EUR." in shown
    year = NOW.year
    issued = run("issue", draft)
    assert f"Issued invoice {year}-0001" in issued
    number = f"{year}-0001"
    body = json.loads(run("show", number, "--json"))
    assert (
        body["status"],
        body["client_name"],
        body["gross_amount"],
        body["outstanding_amount"],
    ) == ("issued", "Acme GmbH", "169.58", "169.58")
    (line,) = body["lines"]
    assert (line["raw_seconds"], line["rounded_seconds"], line["amount"]) == (
        5400,
        5400,
        "142.50",
    )
    assert "outstanding 69.58" in run(
        "pay", number, "--amount", "100", "--on", TODAY, "--reference", "SEPA-1"
    )
    refused = run("pay", number, "--amount", "70", "--on", TODAY, code=2)
    assert "more than the 69.58 still to pay" in refused
    assert "(paid; outstanding 0.00)" in run(
        "pay", number, "--amount", "69.58", "--on", TODAY
    )
    assert [(b["number"], b["status"]) for b in listed()] == [(number, "paid")]
    assert listed("--status", "issued") == []
    table = run("list")
    assert number in table
    assert "paid" in table


def test_cancel_by_credit_note_releases_the_time(env):
    run("issue", build())
    year = NOW.year
    out = run("cancel", f"{year}-0001", "--reason", "Wrong rate")
    assert f"by credit note {year}-0002" in out
    assert "total -169.58 EUR" in out
    again = build()  # the time is free again
    assert f"Issued invoice {year}-0003" in run("issue", again)
    statuses = [(b["kind"], b["status"]) for b in listed()]
    assert statuses == [
        ("invoice", "cancelled"),
        ("credit_note", "issued"),
        ("invoice", "issued"),
    ]
    refused = run("delete", f"{year}-0003", code=2)
    assert "never edited or deleted" in refused


def test_credits_and_billing_details(env):
    added = run(
        "credit",
        "--client",
        "Acme GmbH",
        "--amount",
        "10",
        "--reason",
        "Outage",
        "--from",
        FROM,
    )
    # the id comes from a sequence shared by the tests on one PostgreSQL database
    assert re.search(r"^Credit \d+ of 10\.00 EUR for Acme GmbH: Outage$", added, re.M)
    out = run("party", "--country", "de", "--city", "Berlin", "--pattern", "JD-{seq}")
    assert "Berlin DE" in out
    draft = build()
    body = json.loads(run("show", draft, "--json"))
    assert [ln["kind"] for ln in body["lines"]] == ["time", "credit"]
    assert body["net_amount"] == "132.50"
    assert "Issued invoice JD-1" in run("issue", draft)


def test_export_as_csv_and_json(env, tmp_path):
    run("issue", build())
    number = f"{NOW.year}-0001"
    out = tmp_path / "invoice.csv"
    assert "Wrote" in run("export", number, "--format", "csv", "--out", str(out))
    assert number in out.read_text(encoding="utf-8")
    body = json.loads(run("export", number, "--format", "json", "--out", "-"))
    assert json.dumps(body)  # the JSON the renderer writes
    bad = run("export", number, "--format", "docx", "--out", "-", code=2)
    assert "unknown format 'docx'" in bad


def test_bad_input_is_one_line_and_exit_code_2(env):
    for args, message in (
        (
            ("build", "--client", "Acme GmbH", "--from", "2027-13-01", "--to", TO),
            "not an ISO date",
        ),
        (
            ("build", "--client", "Nobody", "--from", FROM, "--to", TO),
            "no client named",
        ),
        (("show", "9999"), "not found"),
        (("pay", "9999", "--amount", "ten", "--on", TODAY), "not a number"),
        (
            ("credit", "--client", "Acme GmbH", "--reason", "x"),
            "amount or a percentage",
        ),
        (("party", "--country", "Germany"), "not an ISO 3166-1"),
    ):
        out = run(*args, code=2)
        assert out.startswith("error: "), (args, out)
        assert message in out, (args, out)
    assert "No invoices." in run("list")
    refused = run(
        "build",
        "--client",
        "Acme GmbH",
        "--from",
        FROM,
        "--to",
        TO,
        user=SAM,
        code=2,
    )
    assert "only a workspace owner" in refused


def test_export_every_format_to_a_file(env, tmp_path, sessions):
    run("issue", build())
    number = f"{NOW.year}-0001"
    files = {}
    for fmt in ("pdf", "facturx", "csv", "json"):
        out = tmp_path / f"invoice.{fmt}"
        assert "Wrote" in run("export", number, "--format", fmt, "--out", str(out))
        files[fmt] = out
    pdf = PdfReader(files["pdf"])
    assert number in "".join(page.extract_text() for page in pdf.pages)
    facturx = PdfReader(files["facturx"])
    assert "factur-x.xml" in facturx.attachments
    (xml,) = facturx.attachments["factur-x.xml"]
    assert number.encode() in xml
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text(encoding="utf-8"))))
    assert {r["invoice"] for r in rows} == {number}
    assert [r["description"] for r in rows if r["record"] == "time"] == ["Checkout fix"]
    body = json.loads(files["json"].read_text(encoding="utf-8"))
    with sessions.begin() as s:
        stored = s.scalars(
            select(Invoice)
            .join(Workspace, Workspace.id == Invoice.workspace_id)
            .where(Invoice.number == number, Workspace.name == env)
        ).one()
        gross = money(stored.gross_amount, stored.currency)
    assert body["number"] == number
    assert body["gross_total"] == str(gross) == "169.58"
