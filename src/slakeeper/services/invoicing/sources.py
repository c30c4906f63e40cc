"""What goes on a draft, read from the database: the agreement version that
governs an invoice's period, the client's billable time not invoiced yet (each
entry rated by the version in force when it was worked; Upwork, unapproved and
fixed-price-milestone time left off with a note), and the fee lines of
accepted milestones. The lines themselves are planned by `core.invoice`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement.schema import Billing
from slakeeper.core import RateTable, Rounding
from slakeeper.core.invoice import (
    BillableWork,
    LinePlan,
    fixed_line,
)
from slakeeper.core.states import InvoiceKind, InvoiceStatus, MilestoneStatus
from slakeeper.db.models import (
    AgreementVersion,
    Client,
    Invoice,
    InvoiceLine,
    Milestone,
    Ticket,
    TimeEntry,
    User,
)
from slakeeper.errors import Conflict, InvalidInput
from slakeeper.services.access import (
    Principal,
)
from slakeeper.services.invoicing.records import (
    billing_of,
    start_of,
)
from slakeeper.services.versions import (
    VersionTerms,
    agreement_in_force,
    latest_version,
    version_terms,
    versions_during,
)

__all__ = [
    "UPWORK_SOURCES",
    "billable_work",
    "billed_milestones",
    "governing_version",
    "milestone_lines",
    "rounding_of",
]

UPWORK_SOURCES = ("upwork_tracked", "upwork_manual")


def _rates(billing: Billing) -> RateTable | None:
    r = billing.rates
    if r is None:
        return None
    return RateTable(
        default=r.default,
        per_role=dict(r.per_role),
        per_priority=dict(r.per_priority),
        out_of_hours=r.out_of_hours,
    )


def rounding_of(terms: VersionTerms, billing: Billing) -> Rounding | None:
    """The agreement's time rounding (None: billed as tracked)."""
    r = billing.rounding
    if r is None:
        return None
    step = r.to.resolve(terms.default_calendar.business_day)
    return Rounding(step, r.mode, r.per)


def governing_version(
    session: Session, principal: Principal, client: Client, start: date, end: date
) -> AgreementVersion:
    """The version in force at the end of the period (else at its start). The
    period's days are read in the zone of the client's latest version (UTC when
    there is none)."""
    latest = latest_version(session, client.id)
    zone = ZoneInfo("UTC") if latest is None else version_terms(latest).zone
    for day in (end, start):
        at = start_of(day + timedelta(days=1), zone) - timedelta(microseconds=1)
        if day == start:
            at = start_of(day, zone)
        version = agreement_in_force(session, principal, client.id, at)
        if version is not None:
            return version
    raise Conflict(
        f"{client.name} has no agreement in force from {start} to {end}: an invoice"
        " is built on the agreement's billing terms"
    )


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") else f"{n} {noun}s"


def billable_work(
    session: Session,
    client: Client,
    governing: AgreementVersion,
    from_at: datetime,
    to_at: datetime,
    notes: list[str],
) -> list[BillableWork]:
    """The client's billable, uninvoiced time in `[from_at, to_at)`, each entry
    rated by the agreement version in force when it was worked (the governing
    version when none was). Left off, with a note: Upwork time (billed through
    Upwork), unapproved time where the agreement has time approved, and time on
    fixed-price milestones (billed by their fee)."""
    entries = list(
        session.scalars(
            select(TimeEntry)
            .where(
                TimeEntry.workspace_id == client.workspace_id,
                TimeEntry.client_id == client.id,
                TimeEntry.worked_at >= from_at,
                TimeEntry.worked_at < to_at,
                TimeEntry.billable.is_(True),
                TimeEntry.invoice_id.is_(None),
            )
            .order_by(TimeEntry.worked_at, TimeEntry.id)
        ).all()
    )
    versions = versions_during(session, client.id, from_at, to_at)
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.workspace_id == client.workspace_id)
        )
    }
    ticket_ids = {e.ticket_id for e in entries if e.ticket_id is not None}
    ticket_rows = (
        session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))).all()
        if ticket_ids
        else []
    )
    ticket_of = {t.id: t for t in ticket_rows}
    upwork = unapproved = fixed = 0
    out: list[BillableWork] = []
    for entry in entries:
        if entry.source in UPWORK_SOURCES:
            upwork += 1
            continue
        version = versions.at(entry.worked_at) or governing
        terms = version_terms(version)
        billing = billing_of(terms, client)
        if billing.timesheets is not None and entry.approved_at is None:
            unapproved += 1
            continue
        fees = {m.id for m in terms.agreement.milestones if m.fee is not None}
        if entry.milestone_key in fees:
            fixed += 1
            continue
        rates = _rates(billing)
        if rates is None:
            raise Conflict(
                f"the agreement (version {version.number}) bills by the hour but"
                " names no billing.rates"
            )
        user = users.get(entry.user_id)
        email = "" if user is None else user.email.lower()
        role = next(
            (
                c.role
                for c in terms.agreement.agreement.provider.contacts
                if c.email.lower() == email
            ),
            None,
        )
        ticket = None if entry.ticket_id is None else ticket_of.get(entry.ticket_id)
        out.append(
            BillableWork(
                entry_id=entry.id,
                worked_at=entry.worked_at,
                started_at=entry.started_at,
                ended_at=entry.ended_at,
                seconds=entry.seconds,
                updated_at=entry.updated_at,
                rates=rates,
                office=terms.default_calendar,
                role=role,
                priority=None if ticket is None else ticket.priority,
                ticket=None if ticket is None else ticket.key,
            )
        )
    if upwork:
        notes.append(
            f"{_count(upwork, 'Upwork entry')} left off: billed through Upwork,"
            " never invoiced here"
        )
    if unapproved:
        notes.append(
            f"{_count(unapproved, 'entry')} left off: not approved yet (the agreement"
            " has time approved before it is invoiced)"
        )
    if fixed:
        notes.append(
            f"{_count(fixed, 'entry')} left off: on fixed-price milestones, billed"
            " by their fee"
        )
    return out


def billed_milestones(session: Session, milestone_ids: Iterable[int]) -> set[int]:
    """Milestones on an invoice that is issued and not cancelled."""
    ids = list(milestone_ids)
    if not ids:
        return set()
    found = session.scalars(
        select(InvoiceLine.milestone_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            InvoiceLine.milestone_id.in_(ids),
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.not_in((InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED)),
        )
    ).all()
    return {m for m in found if m is not None}


def milestone_lines(
    session: Session,
    client: Client,
    billing: Billing,
    keys: Sequence[str],
    fixed_price: bool,
) -> list[LinePlan]:
    """Fee lines for the named milestones (for fixed-price work without names:
    every accepted milestone with a fee not invoiced yet)."""
    rows = list(
        session.scalars(
            select(Milestone)
            .where(
                Milestone.workspace_id == client.workspace_id,
                Milestone.client_id == client.id,
            )
            .order_by(Milestone.id)
        ).all()
    )
    by_key = {m.key: m for m in rows}
    billed = billed_milestones(session, (m.id for m in rows))

    def fee_of(row: Milestone) -> Decimal | None:
        version = session.get(AgreementVersion, row.agreement_version_id)
        assert version is not None
        agreed = version_terms(version).agreement.milestones
        return next((m.fee for m in agreed if m.id == row.key), None)

    chosen: list[tuple[Milestone, Decimal]] = []
    for key in dict.fromkeys(k.strip() for k in keys):
        row = by_key.get(key)
        if row is None:
            known = ", ".join(sorted(by_key)) or "none"
            raise InvalidInput(
                f"{client.name} has no milestone {key!r} (it has {known})",
                location="milestones",
            )
        fee = fee_of(row)
        if fee is None:
            raise InvalidInput(
                f"milestone {key} has no fee in the agreement; only fixed-price"
                " milestones are invoiced by milestone",
                location="milestones",
            )
        if row.status is not MilestoneStatus.ACCEPTED:
            raise Conflict(
                f"milestone {key} is {row.status}: a fixed fee is invoiced once the"
                " milestone is accepted"
            )
        if row.id in billed:
            raise Conflict(f"milestone {key} is invoiced already")
        chosen.append((row, fee))
    if not keys and fixed_price:
        for row in rows:
            fee = fee_of(row)
            if (
                row.status is MilestoneStatus.ACCEPTED
                and row.id not in billed
                and fee is not None
            ):
                chosen.append((row, fee))
    out = [
        fixed_line(f"Milestone: {row.title}", fee, billing.currency, row.id)
        for row, fee in chosen
    ]
    return out
