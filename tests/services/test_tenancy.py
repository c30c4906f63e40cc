"""Tenant isolation of every read service: each list and lookup is called on the
demo workspace's data as (a) a client contact of another client of the same
workspace and (b) the owner of another workspace. Lists must return nothing of
theirs; lookups must answer NotFound (PermissionDenied for provider-only reads).

Every public service function that takes a principal has a row in `READS` or a
place in `WRITES`: a new function without one fails
`test_every_service_function_with_a_principal_is_in_the_table`.
"""

import dataclasses
import importlib
import inspect
import pkgutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import slakeeper.services as services_pkg
from slakeeper.db.models import (
    Adjustment,
    Agreement,
    AgreementVersion,
    ChangeRequest,
    Client,
    CommitmentUpdate,
    Invoice,
    Milestone,
    Obligation,
    Role,
    Ticket,
    TicketEvent,
    TimeEntry,
    User,
)
from slakeeper.errors import NotFound, PermissionDenied
from slakeeper.services import (
    agreements,
    audit,
    contracts,
    feeds,
    mail,
    status,
    tickets,
    time_entries,
    versions,
    workspaces,
)
from slakeeper.services.access import Principal
from slakeeper.services.delivery import (
    adjustments,
    change_requests,
    commitments,
    milestone_state,
    milestones,
    obligations,
)
from slakeeper.services.demo import seed_demo
from slakeeper.services.invoicing import credits, document, records, sources
from slakeeper.services.views.agreements import ClientRead
from slakeeper.services.workspaces import principal_for

NOW = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Scene:
    workspace_id: int
    acme_id: int
    acme_name: str
    owner: Principal  # the demo workspace's owner: sees Acme's rows
    olga: Principal  # a contact of Globex, another client of the same workspace
    stranger: Principal  # the owner of another workspace
    agreement_id: int
    version_id: int
    ticket_id: int
    ticket_key: str
    milestone_id: int
    adjustment_id: int
    obligation_id: int
    update_id: int
    change_id: int
    entry_id: int
    invoice_id: int
    invoice_number: str


@pytest.fixture
def scene(sessions: sessionmaker[Session]) -> Scene:
    with sessions.begin() as s:
        demo = seed_demo(s, NOW, workspace=f"Jane Doe {uuid.uuid4().hex[:8]}")
        owner = principal_for(
            s.scalars(
                select(User).where(
                    User.workspace_id == demo.workspace_id,
                    User.role == Role.OWNER,
                )
            ).one()
        )
        globex = workspaces.add_client(s, owner, name="Globex", key="GLX", now=NOW)
        olga = workspaces.add_user(
            s,
            owner,
            email="olga@globex.example",
            name="Olga",
            role=Role.CLIENT,
            client_id=globex.id,
            now=NOW,
        )
        _, zed = workspaces.init_workspace(
            s,
            name=f"Other Agency {uuid.uuid4().hex[:8]}",
            owner_email="zed@other.example",
            owner_name="Zed",
            password="a long enough password",
            now=NOW,
        )

        def first(model: Any) -> Any:
            return s.scalars(
                select(model)
                .where(model.workspace_id == demo.workspace_id)
                .order_by(model.id)
                .limit(1)
            ).one()

        acme = s.scalars(
            select(Client).where(
                Client.workspace_id == demo.workspace_id, Client.key == "ACME"
            )
        ).one()
        invoice = s.scalars(
            select(Invoice)
            .where(
                Invoice.workspace_id == demo.workspace_id, Invoice.number.is_not(None)
            )
            .limit(1)
        ).one()
        version = s.scalars(
            select(AgreementVersion).where(
                AgreementVersion.workspace_id == demo.workspace_id
            )
        ).first()
        assert version is not None
        return Scene(
            workspace_id=demo.workspace_id,
            acme_id=acme.id,
            acme_name=acme.name,
            owner=owner,
            olga=principal_for(olga),
            stranger=principal_for(zed),
            agreement_id=first(Agreement).id,
            version_id=version.id,
            ticket_id=first(Ticket).id,
            ticket_key=first(Ticket).key,
            milestone_id=first(Milestone).id,
            adjustment_id=first(Adjustment).id,
            obligation_id=first(Obligation).id,
            update_id=first(CommitmentUpdate).id,
            change_id=first(ChangeRequest).id,
            entry_id=first(TimeEntry).id,
            invoice_id=invoice.id,
            invoice_number=invoice.number or "",
        )


@dataclass(frozen=True)
class Named:
    """A line of the status board, which names its client."""

    workspace_id: int
    client_id: int | None


def _board(s: Session, p: Principal, c: "Scene") -> list[Named]:
    """The board's lines, with the scene's clients named by their ids."""
    board = status.board(s, p, NOW, client_id=None)
    theirs = s.scalars(select(Client).where(Client.workspace_id == c.workspace_id))
    clients = {row.name: (row.workspace_id, row.id) for row in theirs}
    lines: list[Any] = [
        *board.tickets,
        *board.milestones,
        *board.obligations,
        *board.commitments,
    ]
    return [Named(*clients.get(line.client, (p.workspace_id, None))) for line in lines]


Read = Callable[[Session, Principal, Scene], Any]
LIST, LOOKUP = "list", "lookup"
MONTH = (date(2027, 2, 1), date(2027, 2, 28))

# name -> (kind, call). A list must hold none of the other tenant's rows (and,
# called by the owner, some of Acme's where `OWN` names it); a lookup of one of
# Acme's objects must be refused.
READS: dict[str, tuple[str, Read]] = {
    "adjustments.adjustments_of": (
        LOOKUP,
        lambda s, p, c: adjustments.adjustments_of(s, p, c.milestone_id),
    ),
    "adjustments.result_of": (
        LOOKUP,
        lambda s, p, c: adjustments.result_of(s, p, c.adjustment_id),
    ),
    "versions.required_in_force": (
        LOOKUP,
        lambda s, p, c: versions.required_in_force(
            s, p, s.get_one(Client, c.acme_id), NOW
        ),
    ),
    "versions.agreement_in_force": (
        LOOKUP,
        lambda s, p, c: versions.agreement_in_force(s, p, c.acme_id, NOW),
    ),
    "agreements.comments": (
        LOOKUP,
        lambda s, p, c: agreements.comments(s, p, c.version_id),
    ),
    "agreements.get_version": (
        LOOKUP,
        lambda s, p, c: agreements.get_version(s, p, c.agreement_id),
    ),
    "agreements.history": (
        LOOKUP,
        lambda s, p, c: agreements.history(s, p, c.agreement_id),
    ),
    "agreements.version_detail": (
        LOOKUP,
        lambda s, p, c: agreements.version_detail(s, p, c.agreement_id),
    ),
    "agreements.in_force": (
        LOOKUP,
        lambda s, p, c: agreements.in_force(s, p, c.acme_id, NOW),
    ),
    "agreements.list_agreements": (
        LIST,
        lambda s, p, c: agreements.list_agreements(s, p),
    ),
    "audit.readable_log": (LIST, lambda s, p, c: audit.readable_log(s, p)),
    "change_requests.get_change": (
        LOOKUP,
        lambda s, p, c: change_requests.get_change(s, p, c.change_id),
    ),
    "change_requests.list_changes": (
        LIST,
        lambda s, p, c: change_requests.list_changes(s, p),
    ),
    "change_requests.list_views": (
        LIST,
        lambda s, p, c: change_requests.list_views(s, p),
    ),
    "change_requests.terms_for": (
        LOOKUP,
        lambda s, p, c: change_requests.terms_for(s, p, c.change_id, NOW),
    ),
    "change_requests.view_of": (
        LOOKUP,
        lambda s, p, c: change_requests.view_of(s, p, c.change_id),
    ),
    "commitments.commitment_status": (
        LOOKUP,
        lambda s, p, c: commitments.commitment_status(s, p, c.acme_id, NOW),
    ),
    "commitments.status_view": (
        LOOKUP,
        lambda s, p, c: commitments.status_view(s, p, c.acme_id, NOW),
    ),
    "commitments.update_of": (
        LOOKUP,
        lambda s, p, c: commitments.update_of(s, p, c.update_id),
    ),
    "contracts.stored_contract": (
        LOOKUP,
        lambda s, p, c: contracts.stored_contract(s, p, c.agreement_id, None),
    ),
    "feeds.list_feed_tokens": (LIST, lambda s, p, c: feeds.list_feed_tokens(s, p)),
    "credits.list_credits": (
        LIST,
        lambda s, p, c: credits.list_credits(s, p),
    ),
    "document.billing_party": (
        LOOKUP,
        lambda s, p, c: document.billing_party(s, p, c.acme_id),
    ),
    "document.export_invoice": (
        LOOKUP,
        lambda s, p, c: document.export_invoice(s, p, c.invoice_id, "json"),
    ),
    "document.invoice_document": (
        LOOKUP,
        lambda s, p, c: document.invoice_document(s, p, c.invoice_id),
    ),
    "records.client_of": (
        LOOKUP,
        lambda s, p, c: records.client_of(s, p, c.acme_id),
    ),
    "records.detail": (
        LOOKUP,
        lambda s, p, c: records.detail(s, p, c.invoice_id),
    ),
    "records.entries_of": (
        LOOKUP,
        lambda s, p, c: records.entries_of(s, p, c.invoice_id),
    ),
    "records.find_invoice": (
        LOOKUP,
        lambda s, p, c: records.find_invoice(s, p, c.invoice_number),
    ),
    "records.get_invoice": (
        LOOKUP,
        lambda s, p, c: records.get_invoice(s, p, c.invoice_id),
    ),
    "records.lines_of": (
        LOOKUP,
        lambda s, p, c: records.lines_of(s, p, c.invoice_id),
    ),
    "records.list_invoices": (
        LIST,
        lambda s, p, c: records.list_invoices(s, p),
    ),
    "records.payments_of": (
        LOOKUP,
        lambda s, p, c: records.payments_of(s, p, c.invoice_id),
    ),
    "sources.governing_version": (
        LOOKUP,
        lambda s, p, c: sources.governing_version(
            s, p, s.get_one(Client, c.acme_id), *MONTH
        ),
    ),
    "mail.known_message_ids": (
        LIST,
        lambda s, p, c: mail.known_message_ids(s, p, ["<x@example>"]),
    ),
    "mail.list_quarantine": (LIST, lambda s, p, c: mail.list_quarantine(s, p)),
    "mail.quarantined_mail": (
        LOOKUP,
        lambda s, p, c: mail.quarantined_mail(s, p, 1),
    ),
    "mail.quarantined_raw": (
        LOOKUP,
        lambda s, p, c: mail.quarantined_raw(s, p, 1),
    ),
    "milestone_state.get_milestone": (
        LOOKUP,
        lambda s, p, c: milestone_state.get_milestone(s, p, c.milestone_id),
    ),
    "milestone_state.state_at": (
        LOOKUP,
        lambda s, p, c: milestone_state.state_at(s, p, c.milestone_id, NOW),
    ),
    "milestones.events_of": (
        LOOKUP,
        lambda s, p, c: milestones.events_of(s, p, c.milestone_id),
    ),
    "milestones.list_milestones": (
        LIST,
        lambda s, p, c: milestones.list_milestones(s, p),
    ),
    "milestones.list_views": (
        LIST,
        lambda s, p, c: milestones.list_views(s, p, NOW),
    ),
    "milestones.view_of": (
        LOOKUP,
        lambda s, p, c: milestones.view_of(s, p, c.milestone_id),
    ),
    "milestones.detail_of": (
        LOOKUP,
        lambda s, p, c: milestones.detail_of(s, p, c.milestone_id, NOW),
    ),
    "milestones.event_views": (
        LOOKUP,
        lambda s, p, c: milestones.event_views(s, p, c.milestone_id),
    ),
    "milestones.step_of": (
        LOOKUP,
        lambda s, p, c: milestones.step_of(s, p, c.milestone_id),
    ),
    "milestones.terms_for": (
        LOOKUP,
        lambda s, p, c: milestones.terms_for(s, p, c.milestone_id),
    ),
    "obligations.list_obligations": (
        LIST,
        lambda s, p, c: obligations.list_obligations(s, p),
    ),
    "obligations.list_views": (
        LIST,
        lambda s, p, c: obligations.list_views(s, p),
    ),
    "obligations.view_of": (
        LOOKUP,
        lambda s, p, c: obligations.view_of(s, p, c.obligation_id),
    ),
    "status.board": (LIST, lambda s, p, c: _board(s, p, c)),
    "tickets.clocks_view": (
        LOOKUP,
        lambda s, p, c: tickets.clocks_view(s, p, c.ticket_id, NOW),
    ),
    "tickets.event_created_view": (
        LOOKUP,
        lambda s, p, c: tickets.event_created_view(
            s,
            p,
            s.scalars(
                select(TicketEvent).filter_by(ticket_id=c.ticket_id).limit(1)
            ).one(),
            NOW,
        ),
    ),
    "tickets.event_views": (
        LOOKUP,
        lambda s, p, c: tickets.event_views(s, p, c.ticket_id),
    ),
    "tickets.events_of": (
        LOOKUP,
        lambda s, p, c: tickets.events_of(s, p, c.ticket_id),
    ),
    "tickets.find_ticket": (
        LOOKUP,
        lambda s, p, c: tickets.find_ticket(s, p, c.ticket_key),
    ),
    "tickets.get_ticket": (
        LOOKUP,
        lambda s, p, c: tickets.get_ticket(s, p, c.ticket_id),
    ),
    "tickets.list_tickets": (LIST, lambda s, p, c: tickets.list_tickets(s, p)),
    "tickets.list_views": (
        LIST,
        lambda s, p, c: [s.get(Ticket, t.id) for t in tickets.list_views(s, p)],
    ),
    "tickets.list_with_clocks": (
        LIST,
        lambda s, p, c: tickets.list_with_clocks(s, p, NOW),
    ),
    "tickets.ticket_clocks": (
        LOOKUP,
        lambda s, p, c: tickets.ticket_clocks(s, p, c.ticket_id, NOW),
    ),
    "tickets.view_by_key": (
        LOOKUP,
        lambda s, p, c: tickets.view_by_key(s, p, c.ticket_key, NOW),
    ),
    "tickets.view_of": (
        LOOKUP,
        lambda s, p, c: tickets.view_of(s, p, c.ticket_id, NOW),
    ),
    "time_entries.client_timezone": (
        LOOKUP,
        lambda s, p, c: time_entries.client_timezone(s, p, c.acme_id, NOW),
    ),
    "time_entries.get_entry": (
        LOOKUP,
        lambda s, p, c: time_entries.get_entry(s, p, c.entry_id),
    ),
    "time_entries.list_entries": (
        LIST,
        lambda s, p, c: time_entries.list_entries(s, p),
    ),
    "time_entries.running_timer": (
        LIST,
        lambda s, p, c: time_entries.running_timer(s, p),
    ),
    "time_entries.current_timer": (
        LIST,
        lambda s, p, c: time_entries.current_timer(s, p, NOW),
    ),
    "time_entries.check_worker": (
        LOOKUP,
        lambda s, p, c: time_entries.check_worker(s, p, c.owner.user_id),
    ),
    "time_entries.entries_worked": (
        LIST,
        lambda s, p, c: time_entries.entries_worked(
            s, p, c.acme_id, since=NOW - timedelta(days=365), until=NOW
        ),
    ),
    "time_entries.stored_external_ids": (
        LOOKUP,
        lambda s, p, c: time_entries.stored_external_ids(s, p, [("manual", "x")]),
    ),
    "time_entries.user_named": (
        LOOKUP,
        lambda s, p, c: time_entries.user_named(s, p, "jane@janedoe.example"),
    ),
    "workspaces.list_clients": (LIST, lambda s, p, c: workspaces.list_clients(s, p)),
    "workspaces.list_tokens": (LIST, lambda s, p, c: workspaces.list_tokens(s, p)),
    "workspaces.list_users": (LIST, lambda s, p, c: workspaces.list_users(s, p)),
    "workspaces.client_named": (
        LOOKUP,
        lambda s, p, c: workspaces.client_named(s, p, "Acme GmbH"),
    ),
    "workspaces.find_client": (
        LOOKUP,
        lambda s, p, c: workspaces.find_client(s, p, "ACME"),
    ),
    "workspaces.find_user": (
        LOOKUP,
        lambda s, p, c: workspaces.find_user(s, p, "max@acme.example"),
    ),
}

# Lists in which the owner must see some of Acme's rows (so the check is not
# vacuous: the demo has these).
OWN = {
    "agreements.list_agreements",
    "change_requests.list_changes",
    "change_requests.list_views",
    "records.list_invoices",
    "milestones.list_milestones",
    "milestones.list_views",
    "obligations.list_obligations",
    "obligations.list_views",
    "status.board",
    "tickets.list_tickets",
    "tickets.list_views",
    "tickets.list_with_clocks",
    "time_entries.list_entries",
    "workspaces.list_clients",
    "workspaces.list_users",
}

# Functions that change data: their access is decided by the same lookups
# (`access.visible`, `access.scoped`) and proved by the matrices of their own
# modules (tests/services/test_agreements_access.py, test_*.py) and the API's
# foreign-tenant tests.
WRITES = {
    "adjustments.accept_adjustment",
    "adjustments.record_delay",
    "adjustments.reject_adjustment",
    "agreements.activate_due",
    "agreements.amend",
    "agreements.approve",
    "agreements.comment",
    "agreements.import_agreement",
    "agreements.reject",
    "agreements.resolve_comment",
    "agreements.submit",
    "agreements.withdraw",
    "change_requests.decide",
    "change_requests.estimate",
    "change_requests.request_change",
    "commitments.record_update",
    "feeds.create_feed_token",
    "feeds.revoke_feed_token",
    "idempotency.create_once",
    "credits.add_credit",
    "document.set_billing_party",
    "payments.record_payment",
    "invoices.build_invoice",
    "invoices.cancel_invoice",
    "invoices.delete_draft",
    "invoices.issue_invoice",
    "mail.discard_mail",
    "mail.release_mail",
    "mail.take_message",
    "mail_fetch.fetch_mail",
    "milestones.review",
    "milestones.start",
    "milestones.submit",
    "obligations.add_obligation",
    "obligations.meet_obligation",
    "obligations.settle",
    "obligations.waive_obligation",
    "tickets.add_event",
    "tickets.open_ticket",
    "time_entries.add_entries",
    "time_entries.add_entry",
    "time_entries.approve_period",
    "time_entries.delete_entry",
    "time_entries.edit_entry",
    "time_entries.start_timer",
    "time_entries.stop_timer",
    "workspaces.add_client",
    "workspaces.add_user",
    "workspaces.create_token",
    "workspaces.disable_user",
    "workspaces.revoke_token",
}


def _service_functions() -> Iterator[str]:
    for info in pkgutil.walk_packages(services_pkg.__path__, "slakeeper.services."):
        short = info.name.removeprefix("slakeeper.services.").split(".")[-1]
        if short == "access" or info.ispkg:  # the rules themselves; packages
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            fn = getattr(module, name)
            if (
                inspect.isfunction(fn)
                and fn.__module__ == module.__name__
                and "principal" in inspect.signature(fn).parameters
            ):
                yield f"{short}.{name}"


def test_every_service_function_with_a_principal_is_in_the_table() -> None:
    found = set(_service_functions())
    missing = found - READS.keys() - WRITES
    assert not missing, f"add these to READS or WRITES: {sorted(missing)}"
    assert not (READS.keys() - found), "READS names functions that are gone"
    assert not (WRITES - found), "WRITES names functions that are gone"


def _tenant_rows(value: Any, seen: set[int] | None = None) -> Iterator[Any]:
    """Every object reachable from a service's answer that has a workspace: a
    row, or a read model of a client's data (a client, or one with a client)."""
    seen = set() if seen is None else seen
    if id(value) in seen or value is None or isinstance(value, str | int | float):
        return
    seen.add(id(value))
    if hasattr(value, "workspace_id") or (
        isinstance(value, BaseModel) and _client_of(value) is not None
    ):
        yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _tenant_rows(getattr(value, name), seen)
    if isinstance(value, dict):
        for item in value.values():
            yield from _tenant_rows(item, seen)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _tenant_rows(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _tenant_rows(getattr(value, field.name), seen)


def _client_of(row: Any) -> int | None:
    if isinstance(row, Client | ClientRead):
        return int(row.id)
    return getattr(row, "client_id", None)


def _workspace_of(row: Any, clients: dict[int, int]) -> int | None:
    """A row's workspace; a read model's is its client's (`clients`: the
    workspace of each client id)."""
    if hasattr(row, "workspace_id"):
        return int(row.workspace_id)
    client_id = _client_of(row)
    return None if client_id is None else clients[client_id]


def _leak(
    kind: str, answer: Any, who: Principal, clients: dict[int, int]
) -> str | None:
    """What of another tenant's the answer shows (None: nothing)."""
    if kind == LOOKUP:  # refused, or nothing at all
        empty = answer is None or answer == [] or answer == set()
        return None if empty else f"answered {answer!r:.80}"
    for row in _tenant_rows(answer):
        foreign = _workspace_of(row, clients) != who.workspace_id
        scope = who.client_scope
        if foreign or (scope is not None and _client_of(row) not in (None, scope)):
            return f"returned {type(row).__name__} {getattr(row, 'id', '')}"
    return None


@pytest.mark.parametrize("actor", ["other_client_contact", "other_workspace_owner"])
def test_no_read_service_shows_another_tenant_anything(
    sessions: sessionmaker[Session], scene: Scene, actor: str
) -> None:
    who = scene.olga if actor == "other_client_contact" else scene.stranger
    with sessions() as s:
        clients = {c.id: c.workspace_id for c in s.scalars(select(Client))}
    leaks: list[str] = []
    for name, (kind, call) in READS.items():
        with sessions() as s:
            try:
                answer = call(s, who, scene)
            except (NotFound, PermissionDenied):
                continue
            leak = _leak(kind, answer, who, clients)
            if leak:
                leaks.append(f"{name}: {leak}")
    assert leaks == []


def test_the_owner_sees_the_clients_rows_the_table_checks(
    sessions: sessionmaker[Session], scene: Scene
) -> None:
    """The same calls as the owner find Acme's rows, so the check above is
    not vacuous."""
    for name in sorted(OWN):
        _, call = READS[name]
        with sessions() as s:
            rows = list(_tenant_rows(call(s, scene.owner, scene)))
        assert any(_client_of(r) == scene.acme_id for r in rows), name
    later = NOW + timedelta(days=1)
    with sessions() as s:
        assert tickets.get_ticket(s, scene.owner, scene.ticket_id).id == scene.ticket_id
        assert versions.agreement_in_force(s, scene.owner, scene.acme_id, later)
