"""`slakeeper invoice build|credit|show|list|issue|pay|cancel|delete|export|party`:
invoices built from a client's time, milestone fees and credits, numbered when
issued, paid, overdue, and cancelled by credit note (docs/billing.md section 9).

The command acts in the workspace and as the user the settings name
(SLAKEEPER_WORKSPACE, SLAKEEPER_USER). Dates are ISO dates (`2027-01-31`);
amounts are decimals in the invoice's currency (`142.50`). An invoice is named
by its number (`2027-0001`) or, for a draft, its id.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from slakeeper.cli.context import acting, client_named
from slakeeper.cli.output import echo_json, write_output
from slakeeper.core import format_duration
from slakeeper.core.states import InvoiceKind, InvoiceStatus
from slakeeper.errors import InvalidInput
from slakeeper.services.invoicing import credits as invoice_credits
from slakeeper.services.invoicing import document, records
from slakeeper.services.invoicing import invoices as svc
from slakeeper.services.invoicing import payments as invoice_payments
from slakeeper.services.views.invoicing import InvoiceDetailRead, InvoiceRead

__all__ = ["app"]

app = typer.Typer(
    help="Invoices: build from time, issue, pay, cancel by credit note, export.",
    no_args_is_help=True,
)

ClientOpt = Annotated[
    str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
]
RefArg = Annotated[
    str, typer.Argument(metavar="NUMBER", help="The invoice's number (or id).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not an ISO date; write e.g. 2027-01-31", location=option
        ) from None


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        raise InvalidInput(
            f"{text!r} is not a number; write e.g. 142.50", location=option
        ) from None
    if not value.is_finite():
        raise InvalidInput(f"{text!r} is not a number", location=option)
    return value


def _hours(seconds: int) -> str:
    return format_duration(timedelta(seconds=seconds))


def _label(invoice: InvoiceRead) -> str:
    kind = "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice"
    return f"{kind} {invoice.number}" if invoice.number else f"Draft {invoice.id}"


def _totals_line(invoice: InvoiceRead) -> str:
    rate = invoice.tax_rate
    tax = f", tax {rate:f} % {invoice.tax_amount:f}" if rate else ""
    return (
        f"net {invoice.net_amount:f}{tax},"
        f" total {invoice.gross_amount:f} {invoice.currency}"
    )


def _print_detail(invoice: InvoiceDetailRead) -> None:
    dates = f"period {invoice.period_start} to {invoice.period_end}"
    if invoice.issue_date is not None:
        dates += f", issued {invoice.issue_date}, due {invoice.due_date}"
    typer.echo(
        f"{_label(invoice)} for {invoice.client_name} ({invoice.status}): {dates}"
    )
    table = Table("#", "description", "raw", "billed", "qty", "unit", "price", "amount")
    for ln in invoice.lines:
        timed = ln.unit == "HUR"
        table.add_row(
            str(ln.position),
            ln.description,
            _hours(ln.raw_seconds) if timed else "",
            _hours(ln.rounded_seconds) if timed else "",
            f"{ln.quantity:f}",
            ln.unit,
            f"{ln.unit_price:f}",
            f"{ln.amount:f}",
        )
    Console(highlight=False).print(table)
    totals = _totals_line(invoice)
    typer.echo(totals[0].upper() + totals[1:] + ".")
    if invoice.kind == InvoiceKind.INVOICE and invoice.status != InvoiceStatus.DRAFT:
        typer.echo(
            f"Paid {invoice.paid_amount:f}, outstanding {invoice.outstanding_amount:f}."
        )


@app.command("build")
def build_command(
    client: ClientOpt,
    from_: Annotated[
        str, typer.Option("--from", metavar="DATE", help="The period's first day.")
    ],
    to: Annotated[
        str, typer.Option("--to", metavar="DATE", help="The period's last day.")
    ],
    milestone: Annotated[
        list[str] | None,
        typer.Option(
            "--milestone",
            metavar="ID",
            help="A fixed-price milestone to bill (repeatable).",
        ),
    ] = None,
    group_by: Annotated[
        str,
        typer.Option("--group-by", help="One line per rate, or per ticket and rate."),
    ] = "rate",
) -> None:
    """Build a draft invoice for a client's period: its billable time, the named
    milestones' fees and the credits owed."""
    start, end = _date(from_, "--from"), _date(to, "--to")
    assert start is not None
    assert end is not None
    with acting() as (session, principal, now):
        found = client_named(session, principal, client)
        built = svc.build_invoice(
            session,
            principal,
            client_id=found.id,
            period_start=start,
            period_end=end,
            milestones=milestone or [],
            group_by=group_by,
            now=now,
        )
        draft = records.detail(session, principal, built.invoice.id, built.notes)
        count = len(draft.lines)
        typer.echo(
            f"Draft {draft.id} for {draft.client_name}, {start} to {end}: {count}"
            f" line{'' if count == 1 else 's'}, {_totals_line(draft)}."
        )
        for note in draft.notes:
            typer.echo(f"Note: {note}.")
        typer.echo(f"Check it with `slakeeper invoice show {draft.id}`, then issue it.")


@app.command("credit")
def credit_command(
    client: ClientOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why the credit is owed.")],
    amount: Annotated[
        str | None, typer.Option("--amount", help="An amount, e.g. 75.00.")
    ] = None,
    percent: Annotated[
        str | None,
        typer.Option("--percent", help="A share of the next invoice's net, e.g. 5."),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="When it was earned (today)."),
    ] = None,
) -> None:
    """Enter a credit owed to a client; it goes on their next invoice as a
    negative line."""
    with acting() as (session, principal, now):
        found = client_named(session, principal, client)
        credit = invoice_credits.add_credit(
            session,
            principal,
            client_id=found.id,
            amount=_decimal(amount, "--amount"),
            percent=_decimal(percent, "--percent"),
            reason=reason,
            period_start=_date(from_, "--from"),
            now=now,
        )
        what = (
            f"{credit.amount:f} {credit.currency}"
            if credit.amount is not None
            else f"{credit.percent.normalize() if credit.percent else 0:f} %"
        )
        typer.echo(f"Credit {credit.id} of {what} for {found.name}: {credit.reason}")


@app.command("show")
def show_command(ref: RefArg, as_json: JsonOpt = False) -> None:
    """An invoice's lines (raw and billed time side by side), totals and
    payments."""
    with acting(write=False) as (session, principal, _now):
        invoice = records.find_invoice(session, principal, ref)
        shown = records.detail(session, principal, invoice.id)
    if as_json:
        echo_json(shown)
    else:
        _print_detail(shown)


@app.command("list")
def list_command(
    client: Annotated[
        str | None,
        typer.Option("--client", "-c", metavar="NAME", help="Only this client's."),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only draft, issued, paid, overdue or cancelled ones."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Invoices and credit notes, oldest first."""
    with acting(write=False) as (session, principal, _now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        found = records.views(
            session,
            records.list_invoices(
                session, principal, client_id=client_id, status=status
            ),
        )
    if as_json:
        echo_json(found)
        return
    if not found:
        typer.echo("No invoices.")
        return
    table = Table("number", "kind", "client", "status", "due")
    table.add_column("total", justify="right")
    table.add_column("to pay", justify="right")
    for i in found:
        table.add_row(
            i.number or f"draft {i.id}",
            "credit" if i.kind == "credit_note" else "invoice",
            i.client_name,
            i.status,
            "-" if i.due_date is None else i.due_date.isoformat(),
            f"{i.gross_amount:f} {i.currency}",
            f"{i.outstanding_amount:f}",
        )
    Console(highlight=False).print(table)


@app.command("issue")
def issue_command(
    ref: Annotated[str, typer.Argument(metavar="ID", help="The draft's id.")],
    on: Annotated[
        str | None,
        typer.Option("--date", metavar="DATE", help="The issue date (today)."),
    ] = None,
) -> None:
    """Issue a draft: it gets the next number and its due date, and its time
    entries are locked."""
    with acting() as (session, principal, now):
        invoice = records.find_invoice(session, principal, ref)
        issued = records.view_of(
            session,
            svc.issue_invoice(
                session, principal, invoice.id, issue_date=_date(on, "--date"), now=now
            ),
        )
        typer.echo(
            f"Issued invoice {issued.number} ({_totals_line(issued)}),"
            f" due {issued.due_date}."
        )


@app.command("pay")
def pay_command(
    ref: RefArg,
    amount: Annotated[str, typer.Option("--amount", help="The amount received.")],
    on: Annotated[
        str, typer.Option("--on", metavar="DATE", help="The day it was received.")
    ],
    reference: Annotated[
        str | None, typer.Option("--reference", help="The bank reference.")
    ] = None,
) -> None:
    """Record a payment received against an invoice (partial payments add up)."""
    value = _decimal(amount, "--amount")
    day = _date(on, "--on")
    assert value is not None
    assert day is not None
    with acting() as (session, principal, now):
        invoice = records.find_invoice(session, principal, ref)
        done = invoice_payments.record_payment(
            session,
            principal,
            invoice.id,
            amount=value,
            received_on=day,
            reference=reference,
            now=now,
        )
        after = done.invoice
        typer.echo(
            f"Recorded {value:f} {after.currency} on invoice"
            f" {after.number} ({after.status}; outstanding"
            f" {after.outstanding_amount:f})."
        )


@app.command("cancel")
def cancel_command(
    ref: RefArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled.")],
) -> None:
    """Cancel an issued invoice by a credit note that mirrors it; its time is
    released to be invoiced again."""
    with acting() as (session, principal, now):
        invoice = records.find_invoice(session, principal, ref)
        note = records.view_of(
            session,
            svc.cancel_invoice(session, principal, invoice.id, reason=reason, now=now),
        )
        typer.echo(
            f"Cancelled invoice {invoice.number} by credit note {note.number}"
            f" ({_totals_line(note)})."
        )


@app.command("delete")
def delete_command(
    ref: Annotated[str, typer.Argument(metavar="ID", help="The draft's id.")],
) -> None:
    """Delete a draft (issued invoices are cancelled by credit note instead)."""
    with acting() as (session, principal, now):
        invoice = records.find_invoice(session, principal, ref)
        svc.delete_draft(session, principal, invoice.id, now=now)
        typer.echo(f"Deleted draft {invoice.id}.")


@app.command("export")
def export_command(
    ref: RefArg,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="pdf, facturx (PDF/A-3b), csv or json."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="FILE", help="Where to (- stdout).")
    ],
) -> None:
    """Write an invoice as PDF, Factur-X PDF/A-3b, CSV or JSON."""
    with acting(write=False) as (session, principal, _now):
        invoice = records.find_invoice(session, principal, ref)
        export = document.export_invoice(session, principal, invoice.id, fmt)
    write_output(out, export.content)
    if str(out) != "-":
        typer.echo(f"Wrote {out} ({len(export.content)} bytes).")


@app.command("party")
def party_command(
    client: Annotated[
        str | None,
        typer.Option(
            "--client", "-c", metavar="NAME", help="A client's (default: yours)."
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="The legal name.")] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. DE.")
    ] = None,
    address: Annotated[
        list[str] | None,
        typer.Option(help="An address line (repeatable; replaces all)."),
    ] = None,
    postcode: Annotated[str | None, typer.Option(help="The postcode.")] = None,
    city: Annotated[str | None, typer.Option(help="The city.")] = None,
    tax_id: Annotated[str | None, typer.Option(help="The VAT id.")] = None,
    email: Annotated[str | None, typer.Option(help="Where invoices go.")] = None,
    iban: Annotated[
        str | None, typer.Option(help="Your bank account (yours only).")
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option(help="Your invoice numbers, e.g. {YYYY}-{seq:04} (yours only)."),
    ] = None,
) -> None:
    """Set the billing details invoices show: yours, or a client's (an empty
    value clears one)."""
    with acting() as (session, principal, now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        fields: dict[str, Any] = {
            "name": name,
            "country": country,
            "address_lines": address,
            "postcode": postcode,
            "city": city,
            "tax_id": tax_id,
            "email": email,
        }
        if iban is not None:
            fields["iban"] = iban
        if pattern is not None:
            fields["number_pattern"] = pattern
        row = document.set_billing_party(
            session, principal, client_id=client_id, now=now, **fields
        )
        who = client or "your own"
        typer.echo(
            f"Billing details of {who}: {row.name or '(name from the agreement)'},"
            f" {', '.join(row.address_lines) or '-'}, {row.postcode or ''}"
            f" {row.city or ''} {row.country or '-'}".replace("  ", " ")
        )
