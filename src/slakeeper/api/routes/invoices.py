"""`/invoices` and `/credits`: build drafts from a client's period, issue them,
record payments, cancel by credit note, enter credits, and fetch an invoice as
PDF, Factur-X PDF/A-3b, CSV or JSON (docs/billing.md section 9)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from slakeeper.api.deps import (
    ClientFilter,
    NowDep,
    PrincipalDep,
    SessionDep,
    SessionsDep,
)
from slakeeper.api.idempotency import IdempotencyKeyHeader, create_once
from slakeeper.api.invoice_schemas import (
    CreditCreate,
    InvoiceBuild,
    InvoiceCancel,
    InvoiceIssue,
    PaymentCreate,
)
from slakeeper.api.pagination import PageDep, paginate
from slakeeper.api.responses import errors
from slakeeper.services.access import Principal
from slakeeper.services.invoicing import credits as invoice_credits
from slakeeper.services.invoicing import document as invoice_document
from slakeeper.services.invoicing import invoices as svc
from slakeeper.services.invoicing import payments as invoice_payments
from slakeeper.services.invoicing import records
from slakeeper.services.views.invoicing import (
    CreditList,
    CreditRead,
    InvoiceDetailRead,
    InvoiceList,
    InvoiceRead,
    PaymentCreatedRead,
)

__all__ = ["router"]

invoices_router = APIRouter(prefix="/invoices", tags=["invoices"])
credits_router = APIRouter(prefix="/credits", tags=["invoices"])


@invoices_router.get(
    "",
    response_model=InvoiceList,
    summary="List invoices and credit notes",
    responses=errors(404),
)
def list_invoices(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
    status: Annotated[
        str | None,
        Query(description="Only draft, issued, paid, overdue or cancelled ones."),
    ] = None,
) -> InvoiceList:
    """Invoices and credit notes the principal may see, oldest first; a client
    contact sees their own client's issued ones (never drafts)."""
    found = records.list_invoices(
        session, principal, client_id=client_id, status=status, page=page
    )
    items, next_cursor = paginate(found, page, key=lambda i: i.id)
    return InvoiceList(items=records.views(session, items), next_cursor=next_cursor)


@invoices_router.post(
    "",
    response_model=InvoiceDetailRead,
    status_code=201,
    summary="Build a draft invoice",
    responses=errors(404, 409),
)
def build_invoice(
    body: InvoiceBuild,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Build a draft from the client's billable time in the period not invoiced
    yet (rated, split out of office hours and rounded by the agreement), the
    named milestones' fees and the credits owed. Nothing to invoice is 409;
    `notes` says what was left off (Upwork time, unapproved time)."""

    def create(session: Session) -> InvoiceDetailRead:
        built = svc.build_invoice(
            session,
            principal,
            client_id=body.client_id,
            period_start=body.period_start,
            period_end=body.period_end,
            milestones=body.milestones,
            group_by=body.group_by,
            now=now,
        )
        return records.detail(session, principal, built.invoice.id, built.notes)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


def _document(
    fmt: str, session: Session, principal: Principal, invoice_id: int
) -> Response:
    export = invoice_document.export_invoice(session, principal, invoice_id, fmt)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'inline; filename="{export.filename}"'},
    )


def _binary(media: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media: {"schema": {"type": "string", "format": "binary"}}}},
        **errors(404, 409, document=True),
    }


@invoices_router.get(
    "/{invoice_id}.pdf",
    response_class=Response,
    summary="The invoice as PDF",
    responses=_binary("application/pdf"),
)
def invoice_pdf(
    invoice_id: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The invoice as the PDF/A-3b a client reads (the same bytes every time)."""
    return _document("pdf", session, principal, invoice_id)


@invoices_router.get(
    "/{invoice_id}/facturx.pdf",
    response_class=Response,
    summary="The invoice as Factur-X PDF/A-3b",
    responses=_binary("application/pdf"),
)
def invoice_facturx(
    invoice_id: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The PDF carrying its EN 16931 XML (Factur-X / ZUGFeRD); issued invoices
    only (a draft is 409)."""
    return _document("facturx", session, principal, invoice_id)


@invoices_router.get(
    "/{invoice_id}.csv",
    response_class=Response,
    summary="The invoice as CSV",
    responses=_binary("text/csv"),
)
def invoice_csv(
    invoice_id: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The invoice's lines, time rows and totals as one CSV table."""
    return _document("csv", session, principal, invoice_id)


@invoices_router.get(
    "/{invoice_id}.json",
    response_class=Response,
    summary="The invoice document as JSON",
    responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}}},
        **errors(404, 409, document=True),
    },
)
def invoice_json(
    invoice_id: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The whole invoice document (parties, lines, time rows, totals) as JSON."""
    return _document("json", session, principal, invoice_id)


@invoices_router.get(
    "/{invoice_id}",
    response_model=InvoiceDetailRead,
    summary="Get an invoice with its lines",
    responses=errors(404),
)
def get_invoice(
    invoice_id: int, session: SessionDep, principal: PrincipalDep
) -> InvoiceDetailRead:
    """An invoice with its lines (raw and rounded time side by side, and the
    entries behind each) and payments."""
    return records.detail(session, principal, invoice_id)


@invoices_router.delete(
    "/{invoice_id}",
    response_model=InvoiceRead,
    summary="Delete a draft",
    responses=errors(404, 409),
)
def delete_draft(
    invoice_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> InvoiceRead:
    """Delete a draft and answer with what it was; an issued invoice is never
    deleted (409: cancel it by credit note)."""
    gone = records.view_of(session, records.get_invoice(session, principal, invoice_id))
    svc.delete_draft(session, principal, invoice_id, now=now)
    return gone


@invoices_router.post(
    "/{invoice_id}/issue",
    response_model=InvoiceDetailRead,
    summary="Issue a draft",
    responses=errors(404, 409),
)
def issue_invoice(
    invoice_id: int,
    body: InvoiceIssue,
    session: SessionDep,
    principal: PrincipalDep,
    now: NowDep,
) -> InvoiceDetailRead:
    """Give a draft the next number of the series and its due date, and lock its
    time entries; issuing again is 409, as is a draft whose time changed since
    it was built."""
    invoice = svc.issue_invoice(
        session, principal, invoice_id, issue_date=body.issue_date, now=now
    )
    return records.detail(session, principal, invoice.id)


@invoices_router.post(
    "/{invoice_id}/payments",
    response_model=PaymentCreatedRead,
    status_code=201,
    summary="Record a payment",
    responses=errors(404, 409),
)
def record_payment(
    invoice_id: int,
    body: PaymentCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Record money received; the invoice is paid once its payments reach its
    total. More than is still to pay is refused (422)."""

    def create(session: Session) -> PaymentCreatedRead:
        return invoice_payments.record_payment(
            session,
            principal,
            invoice_id,
            amount=body.amount,
            received_on=body.received_on,
            reference=body.reference,
            now=now,
        )

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@invoices_router.post(
    "/{invoice_id}/cancel",
    response_model=InvoiceDetailRead,
    status_code=201,
    summary="Cancel an invoice by credit note",
    responses=errors(404, 409),
)
def cancel_invoice(
    invoice_id: int,
    body: InvoiceCancel,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Cancel an issued invoice; the answer is the credit note that mirrors it
    with negative amounts. Its time is released, to be invoiced again."""

    def create(session: Session) -> InvoiceDetailRead:
        note = svc.cancel_invoice(
            session, principal, invoice_id, reason=body.reason, now=now
        )
        return records.detail(session, principal, note.id)

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


@credits_router.get(
    "",
    response_model=CreditList,
    summary="List credits",
    responses=errors(404),
)
def list_credits(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    client_id: ClientFilter = None,
    open_only: Annotated[
        bool, Query(alias="open", description="Only those not invoiced yet.")
    ] = False,
) -> CreditList:
    """Credits owed to clients, oldest first; `invoice_id` is the invoice that
    consumed one."""
    found = invoice_credits.list_credits(
        session, principal, client_id=client_id, open_only=open_only, page=page
    )
    items, next_cursor = paginate(found, page, key=lambda c: c.id)
    return CreditList(items=items, next_cursor=next_cursor)


@credits_router.post(
    "",
    response_model=CreditRead,
    status_code=201,
    summary="Enter a credit",
    responses=errors(404, 409),
)
def add_credit(
    body: CreditCreate,
    request: Request,
    sessions: SessionsDep,
    principal: PrincipalDep,
    now: NowDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Enter a credit owed to a client with its reason; it goes on the client's
    next invoice as a negative line."""

    def create(session: Session) -> CreditRead:
        return invoice_credits.add_credit(
            session,
            principal,
            client_id=body.client_id,
            amount=body.amount,
            percent=body.percent,
            reason=body.reason,
            period_start=body.period_start,
            now=now,
        )

    return create_once(sessions, principal, request, body, idempotency_key, now, create)


# both, for the app to include (after every route above is defined)
router = APIRouter()
router.include_router(invoices_router)
router.include_router(credits_router)
