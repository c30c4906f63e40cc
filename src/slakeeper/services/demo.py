"""Demo data: a workspace seeded from the example agreement with about five weeks
of realistic work before `now`, so every screen has something to show.

Jane Doe Web Consulting (Jane, the owner, and Sam) works for Acme GmbH (Max
approves, Erika asks) under examples/agreement.yaml, moved in time so that it
took effect six weeks ago: tickets answered on time and late, one waiting on
the client, one breached; the redesign milestone in progress after Acme sent
its brand assets two days late (a client-caused delay both sides accepted); a
change request waiting for Acme's decision; weekly progress updates with one
missed; the time behind the work, and last month's invoice, issued and paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from slakeeper.core.states import ObligationKind
from slakeeper.db.models import Role
from slakeeper.services import agreements, tickets, time_entries, workspaces
from slakeeper.services.access import Principal
from slakeeper.services.delivery import (
    adjustments,
    change_requests,
    commitments,
    milestone_state,
    milestones,
    obligations,
)
from slakeeper.services.invoicing import document, invoices, payments
from slakeeper.services.workspaces import principal_for

__all__ = ["DEMO_PASSWORD", "Demo", "demo_agreement", "seed_demo"]

DEMO_PASSWORD = "demo-password"
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, slots=True)
class Demo:
    workspace_id: int
    workspace: str
    owner_email: str
    token: str  # an API token of the owner's, shown once


def demo_agreement(now: datetime) -> str:
    """The example agreement moved in time: in force since six weeks before
    `now`, the redesign due in two weeks, the launch in ten."""
    text = (
        resources.files("slakeeper")
        .joinpath("examples/agreement.yaml")
        .read_text(encoding="utf-8")
    )
    today = now.astimezone(BERLIN).date()
    effective = _monday(today - timedelta(days=42))

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    for old, new in (
        ("effective: 2027-01-01", f"effective: {effective.isoformat()}"),
        ("due: 2027-02-15", f"due: {day(14)}"),
        ("by: 2027-01-15", f"by: {(effective + timedelta(days=11)).isoformat()}"),
        ("due: 2027-04-01", f"due: {day(70)}"),
        ("first: 2027-04-01", f"first: {day(60)}"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)


def seed_demo(
    session: Session, now: datetime, *, workspace: str = "Jane Doe Web Consulting"
) -> Demo:
    """Seed the demo workspace; everything happens before `now`."""
    today = now.astimezone(BERLIN).date()
    start = _monday(today - timedelta(days=42))  # the agreement's effective date
    setup = _at(start - timedelta(days=10), "10:00")
    ws, owner = workspaces.init_workspace(
        session,
        name=workspace,
        owner_email="jane@janedoe.example",
        owner_name="Jane Doe",
        password=DEMO_PASSWORD,
        now=setup,
    )
    jane = principal_for(owner)
    acme = workspaces.add_client(session, jane, name="Acme GmbH", key="ACME", now=setup)

    def person(email: str, name: str, role: Role) -> Principal:
        user = workspaces.add_user(
            session,
            jane,
            email=email,
            name=name,
            role=role,
            client_id=acme.id if role is Role.CLIENT else None,
            password=DEMO_PASSWORD,
            now=setup,
        )
        return principal_for(user)

    sam = person("sam@janedoe.example", "Sam Lee", Role.STAFF)
    max_ = person("max@acme.example", "Max Mustermann", Role.CLIENT)
    erika = person("erika@acme.example", "Erika Muster", Role.CLIENT)

    # the agreement: imported, reviewed and approved by both, in force on `start`
    version = agreements.import_agreement(
        session,
        jane,
        client_id=acme.id,
        text=demo_agreement(now),
        source_name="acme.yaml",
        now=setup,
    )
    agreed = setup + timedelta(days=2)
    agreements.submit(session, jane, version.id, agreed)
    agreements.approve(session, jane, version.id, version.sha256, agreed)
    agreements.approve(session, max_, version.id, version.sha256, agreed)
    agreements.activate_due(session, jane, _at(start, "00:00"))

    worked = _tickets(
        session, acme.id, start, now, jane=jane, sam=sam, erika=erika, max_=max_
    )
    _delivery(session, acme.id, start, now, jane=jane, sam=sam, max_=max_, erika=erika)
    _billing(session, acme.id, start, now, worked, jane=jane, sam=sam)
    _, token = workspaces.create_token(session, jane, name="demo", now=now)
    return Demo(ws.id, ws.name, owner.email, token)


def _tickets(
    session: Session,
    client_id: int,
    start: date,
    now: datetime,
    *,
    jane: Principal,
    sam: Principal,
    erika: Principal,
    max_: Principal,
) -> list[tuple[Principal, int, datetime, str]]:
    """Five weeks of requests; each step (ticket, day offset, time, who, kind,
    text, status) happens only if it is before `now`. Returns each provider
    reply (who, ticket, when, what) for the time tracked on it."""
    worked: list[tuple[Principal, int, datetime, str]] = []
    week = [start + timedelta(days=7 * w) for w in range(7)]
    plans: list[
        tuple[
            str,
            str,
            Principal,
            date,
            str,
            list[tuple[int, str, Principal, str, str | None]],
        ]
    ] = [
        (
            "Checkout fails for PayPal",
            "critical",
            erika,
            week[0] + timedelta(days=1),
            "10:05",
            [
                (
                    0,
                    "10:40",
                    sam,
                    "provider_reply",
                    "Looking into it: the PayPal webhook is rejected.",
                ),
                (
                    0,
                    "13:10",
                    sam,
                    "provider_reply",
                    "Fixed the webhook secret; please retry a payment.",
                ),
                (0, "15:00", erika, "client_reply", "Works again, thank you!"),
                (0, "15:20", sam, "resolved", None),
            ],
        ),
        (
            "Typo on the About page",
            "low",
            erika,
            week[0] + timedelta(days=2),
            "09:30",
            [
                (
                    1,
                    "11:00",
                    jane,
                    "provider_reply",
                    "Corrected, thanks for spotting it.",
                ),
                (1, "11:05", jane, "resolved", None),
            ],
        ),
        (
            "Newsletter sign-up shows an error",
            "high",
            max_,
            week[1] + timedelta(days=3),
            "16:45",
            [
                (
                    1,
                    "10:20",
                    sam,
                    "provider_reply",
                    "The mail provider's API key expired; can you renew it?",
                ),
                (1, "10:21", sam, "status_changed", "waiting_on_client"),
                (
                    4,
                    "09:10",
                    max_,
                    "client_reply",
                    "Renewed, the new key is in the vault.",
                ),
                (4, "11:30", sam, "resolved", None),
            ],
        ),
        (
            "Product images load slowly",
            "normal",
            erika,
            week[2] + timedelta(days=1),
            "14:00",
            [
                (
                    2,
                    "09:00",
                    jane,
                    "provider_reply",
                    "We will move images to the CDN this week.",
                ),
                (5, "16:00", jane, "resolved", None),
            ],
        ),
        (
            "Add a field to the contact form",
            "low",
            erika,
            week[3],
            "11:00",
            [
                (3, "10:00", sam, "provider_reply", "Planned for next week."),
            ],
        ),
        (
            "Search returns no results for umlauts",
            "high",
            max_,
            week[4] + timedelta(days=1),
            "15:30",
            [
                (
                    1,
                    "09:15",
                    sam,
                    "provider_reply",
                    "Reproduced; which search terms matter most to you?",
                ),
                (1, "09:16", sam, "status_changed", "waiting_on_client"),
            ],
        ),
        (
            "Site down after the hosting update",
            "critical",
            max_,
            week[5] + timedelta(days=2),
            "08:10",
            [
                (
                    0,
                    "10:05",
                    jane,
                    "provider_reply",
                    "Sorry for the wait: restoring the previous PHP version now.",
                ),
            ],
        ),
    ]
    latest = now - timedelta(hours=3)
    plans.append(
        (
            "Cookie banner covers the menu on mobile",
            "normal",
            erika,
            latest.astimezone(BERLIN).date(),
            latest.astimezone(BERLIN).strftime("%H:%M"),
            [],
        )
    )
    for title, priority, requester, day, hhmm, steps in plans:
        opened = _at(day, hhmm)
        if opened >= now:
            continue
        ticket = tickets.open_ticket(
            session,
            requester,
            client_id=client_id,
            title=title,
            body=title + ".",
            priority=priority,
            now=opened,
        )
        for offset, when, who, kind, text in steps:
            at = _at(day + timedelta(days=offset), when)
            if at >= now:
                break
            if kind == "status_changed":
                tickets.add_event(session, who, ticket.id, kind, at, status=text)
            else:
                tickets.add_event(session, who, ticket.id, kind, at, text=text)
            if kind == "provider_reply":
                worked.append((who, ticket.id, at, title))
        tickets.recompute(session, ticket.id, now)
    return worked


def _delivery(
    session: Session,
    client_id: int,
    start: date,
    now: datetime,
    *,
    jane: Principal,
    sam: Principal,
    max_: Principal,
    erika: Principal,
) -> None:
    """The redesign milestone started, Acme's brand assets two working days
    late (the adjustment accepted by both), a change request waiting for a
    decision, and weekly updates with one missed."""
    redesign = next(
        m
        for m in milestones.list_milestones(session, jane)
        if m.key == "redesign-mockups"
    )
    milestones.start(
        session, jane, redesign.id, _at(start + timedelta(days=1), "09:30")
    )
    (assets,) = obligations.list_obligations(session, jane, kind=ObligationKind.INPUT)
    received = _at(start + timedelta(days=16), "11:00")  # due the Friday before
    obligations.meet_obligation(
        session, jane, assets.id, received, note="Logo files arrived by e-mail"
    )
    for adjustment in adjustments.adjustments_of(session, jane, redesign.id):
        adjustments.accept_adjustment(
            session, jane, adjustment.id, received + timedelta(hours=1)
        )
        adjustments.accept_adjustment(
            session, max_, adjustment.id, received + timedelta(hours=4)
        )
    launch = next(
        m for m in milestones.list_milestones(session, jane) if m.key == "launch"
    )
    for adjustment in adjustments.adjustments_of(session, jane, launch.id):
        adjustments.accept_adjustment(
            session, jane, adjustment.id, received + timedelta(hours=1)
        )
        adjustments.accept_adjustment(
            session, max_, adjustment.id, received + timedelta(hours=4)
        )

    asked = _at(start + timedelta(days=29), "10:00")
    change = change_requests.request_change(
        session,
        erika,
        client_id=client_id,
        title="Add a blog section",
        body="With categories and an RSS feed.",
        now=asked,
    )
    change_requests.estimate(
        session,
        sam,
        change.id,
        effort=timedelta(hours=12),
        cost="1140.00",
        effects=[change_requests.Effect("launch", 2 * 27000)],
        now=asked + timedelta(days=1),
    )
    for week in range(8):
        if week == 3:
            continue  # the week the update was forgotten
        friday = _at(start + timedelta(days=7 * week + 4), "16:30")
        if friday < now:
            commitments.record_update(
                session,
                jane,
                client_id=client_id,
                commitment="Progress update",
                text=f"Week {week + 1}: progress, next steps, open questions.",
                now=friday,
            )
    for m in milestones.list_milestones(session, jane):
        milestone_state.recompute(session, m.id, now)


def _billing(
    session: Session,
    client_id: int,
    start: date,
    now: datetime,
    worked: list[tuple[Principal, int, datetime, str]],
    *,
    jane: Principal,
    sam: Principal,
) -> None:
    """Billing details, the time behind each reply and three mornings a week
    on the redesign, and last month's invoice issued on the 1st and paid on
    the 10th (when those days have come)."""
    document.set_billing_party(
        session,
        jane,
        client_id=None,
        now=now,
        name="Jane Doe Web Consulting",
        country="DE",
        address_lines=["Musterstraße 1"],
        postcode="10115",
        city="Berlin",
        tax_id="DE123456789",
        email="jane@janedoe.example",
        iban="DE89370400440532013000",
    )
    document.set_billing_party(
        session,
        jane,
        client_id=client_id,
        now=now,
        name="Acme GmbH",
        country="DE",
        address_lines=["Beispielweg 5"],
        postcode="80331",
        city="München",
        tax_id="DE987654321",
    )
    for who, ticket_id, replied, title in worked:
        time_entries.add_entry(
            session,
            who,
            client_id=client_id,
            started_at=replied - timedelta(minutes=45),
            ended_at=replied,
            note=f"{title}: analysis and fix",
            ticket_id=ticket_id,
            now=replied,
        )
    day = start + timedelta(days=1)
    while _at(day, "12:30") < now:
        if day.weekday() in (0, 2, 3):
            time_entries.add_entry(
                session,
                sam if day.weekday() == 2 else jane,
                client_id=client_id,
                started_at=_at(day, "09:00"),
                ended_at=_at(day, "12:30"),
                note="Redesign mock-ups: page templates",
                milestone_key="redesign-mockups",
                now=_at(day, "12:30"),
            )
        day += timedelta(days=1)
    today = now.astimezone(BERLIN).date()
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    issued = _at(first, "09:00")
    if issued >= now or last_month < start.replace(day=1):
        return
    built = invoices.build_invoice(
        session,
        jane,
        client_id=client_id,
        period_start=last_month,
        period_end=first - timedelta(days=1),
        now=issued,
    )
    invoice = invoices.issue_invoice(session, jane, built.invoice.id, now=issued)
    paid = first + timedelta(days=9)
    if _at(paid, "11:00") < now:
        payments.record_payment(
            session,
            jane,
            invoice.id,
            amount=invoice.gross_amount,
            received_on=paid,
            reference=f"Bank transfer {invoice.number}",
            now=_at(paid, "11:00"),
        )
