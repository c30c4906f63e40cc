"""Service credits owed to a client, with their reason: entered by the
workspace owner (an amount, or a percentage of the net of the invoice they go
on), read by the provider's staff and the client's contacts, and planned as
negative lines on the client's next invoice (consumed when it is issued,
released when it is cancelled).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.core.invoice import (
    LinePlan,
    credit_line,
    money,
    percent_of,
)
from slakeeper.db.models import (
    Client,
    ManualCredit,
)
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    require_owner,
    scoped,
)
from slakeeper.services.invoicing.records import (
    MAX_REASON,
    billing_of,
    client_of,
)
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import agreement_in_force, version_terms
from slakeeper.services.views.invoicing import CreditRead

__all__ = ["add_credit", "list_credits", "open_credit_lines"]


def add_credit(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    reason: str,
    amount: Decimal | None = None,
    percent: Decimal | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    now: datetime,
) -> CreditRead:
    """Enter a credit owed to a client, with its reason: an `amount` (in the
    currency of the agreement in force) or a `percent` of the net of the invoice
    it goes on. It goes on the client's next invoice whose period ends on or
    after `period_start` (default: today)."""
    user = active_user(session, principal)
    require_owner(principal, "enter credits")
    client = client_of(session, principal, client_id)
    why = (reason or "").strip()
    if not why or len(why) > MAX_REASON:
        raise InvalidInput(
            f"give a reason of 1 to {MAX_REASON} characters", location="reason"
        )
    if (amount is None) == (percent is None):
        raise InvalidInput(
            "give an amount or a percentage, not both", location="amount"
        )
    version = agreement_in_force(session, principal, client.id, now)
    if version is None:
        raise Conflict(f"{client.name} has no agreement in force to credit under")
    billing = billing_of(version_terms(version), client)
    today = now.astimezone(version_terms(version).zone).date()
    start = period_start or today
    end = period_end or start
    if end < start:
        raise InvalidInput("the period ends before it starts", location="to")
    currency = None
    if amount is not None:
        if not amount.is_finite() or amount <= 0:
            raise InvalidInput(
                f"a credit of {amount} must be more than zero", location="amount"
            )
        try:
            amount = money(amount, billing.currency)
        except ValueError as exc:
            raise InvalidInput(str(exc), location="amount") from None
        currency = billing.currency
    if percent is not None and (not percent.is_finite() or not 0 < percent <= 100):
        raise InvalidInput(
            f"a credit of {percent} % must be more than 0 and at most 100",
            location="percent",
        )
    credit = ManualCredit(
        workspace_id=client.workspace_id,
        client_id=client.id,
        period_start=start,
        period_end=end,
        amount=amount,
        currency=currency,
        percent=percent,
        reason=why,
        created_at=now,
        created_by_id=user.id,
    )
    session.add(credit)
    session.flush()
    audit.record(
        session,
        workspace_id=client.workspace_id,
        actor_id=user.id,
        now=now,
        action="invoice.credit_added",
        object_type="client",
        object_id=client.id,
        payload={
            "credit_id": credit.id,
            "amount": None if amount is None else str(amount),
            "currency": currency,
            "percent": None if percent is None else str(percent),
            "reason": why,
        },
    )
    return CreditRead.of(credit)


def list_credits(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    open_only: bool = False,
    page: Page | None = None,
) -> list[CreditRead]:
    """Credits the principal may see (`open_only`: not consumed yet), by id; with
    a `page`, only its rows (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(ManualCredit), ManualCredit, principal)
    if client_id is not None:
        query = query.where(
            ManualCredit.client_id == client_of(session, principal, client_id).id
        )
    if open_only:
        query = query.where(ManualCredit.invoice_id.is_(None))
    query = in_page(query, page, ManualCredit.id, ManualCredit.id)
    return [CreditRead.of(c) for c in session.scalars(query)]


def open_credit_lines(
    session: Session,
    client: Client,
    currency: str,
    period_end: date,
    net: Decimal,
) -> list[LinePlan]:
    """The client's credits earned by the end of the period and not consumed
    yet, as negative lines (a percentage of `net`, the other lines' total)."""
    credits = session.scalars(
        select(ManualCredit)
        .where(
            ManualCredit.workspace_id == client.workspace_id,
            ManualCredit.client_id == client.id,
            ManualCredit.invoice_id.is_(None),
            ManualCredit.period_start <= period_end,
        )
        .order_by(ManualCredit.id)
    ).all()
    out: list[LinePlan] = []
    for credit in credits:
        if credit.amount is not None:
            if credit.currency != currency:
                raise Conflict(
                    f"credit {credit.id} is in {credit.currency}, the invoice in"
                    f" {currency}"
                )
            amount = money(credit.amount, currency)
            label = f"Service credit: {credit.reason}"
        else:
            assert credit.percent is not None
            percent = credit.percent.normalize()
            amount = percent_of(net, credit.percent, currency)
            label = f"Service credit ({percent:f} %): {credit.reason}"
        out.append(credit_line(label, amount, credit.id))
    return out
