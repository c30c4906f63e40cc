"""The scheduled recheck: what changes with time alone, without an event.

One pass (`run_due_checks`) per workspace:

- approved agreement versions whose effective date has come become active (and
  their milestones are taken), in a transaction of their own;
- then, in one transaction, tickets whose `next_check_at` has come are
  recomputed (a clock turned at risk or breached); milestones whose
  `next_check_at` has come are recomputed, and submissions whose review window
  closed in silence are accepted where the agreement says so
  (`deemed_accepted`); unpaid invoices past their due date turn overdue, and
  the agreement's payment-delay rule pauses (and later resumes) the ticket
  clocks it names.

Each item (an activation, a ticket, a milestone, an invoice, a client's payment
pause) is checked in a savepoint of its own. One that raises is rolled back,
logged with its id and traceback, counted in the pass's `failed`, and skipped:
the pass goes on. A failed ticket or milestone has its `next_check_at` pushed
`RETRY_AFTER` ahead, so neither the next pass nor a restarted worker retries it
at once; a failed invoice is retried at the next pass.

`run_forever` runs a pass every `interval` seconds until its stop event is set
(the CLI sets it on SIGTERM and SIGINT): the item in hand is finished, its
workspace's transaction committed, and it returns.

Several workers may run against one PostgreSQL database: every step is
idempotent, and the rows a pass changes are locked by it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Milestone, Ticket, Workspace
from slakeeper.services import agreements, invoice_payments, milestones, tickets

__all__ = ["RETRY_AFTER", "Failure", "Pass", "run_due_checks", "run_forever"]

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=15)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Failure:
    """An item a pass could not check (its traceback is in the log)."""

    kind: str  # activation (id: the workspace), ticket, milestone, invoice,
    # payment pause (id: the client)
    id: int


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass changed, what failed, and whether it was stopped before
    its end."""

    activated: int = 0
    tickets: int = 0
    milestones: int = 0
    invoices: int = 0
    failed: tuple[Failure, ...] = ()
    stopped: bool = False

    def __add__(self, other: Pass) -> Pass:
        return Pass(
            self.activated + other.activated,
            self.tickets + other.tickets,
            self.milestones + other.milestones,
            self.invoices + other.invoices,
            self.failed + other.failed,
            self.stopped or other.stopped,
        )

    @property
    def changed(self) -> bool:
        return bool(self.activated or self.tickets or self.milestones or self.invoices)


class _Items:
    """One workspace's items in one transaction, each in a savepoint."""

    def __init__(
        self, session: Session, now: datetime, stop: threading.Event | None
    ) -> None:
        self.session, self.now, self.stop = session, now, stop
        self.failed: list[Failure] = []
        self.stopped = False

    def more(self) -> bool:
        """False once the stop event is set: the item in hand was the last."""
        self.stopped = self.stopped or (self.stop is not None and self.stop.is_set())
        return not self.stopped

    def check(
        self,
        kind: str,
        item_id: int,
        work: Callable[[], T],
        retry: type[Ticket] | type[Milestone] | None = None,
    ) -> T | None:
        """What `work` returns, run in a savepoint; None when it raised (rolled
        back, logged, counted, and the row of `retry` pushed back by
        RETRY_AFTER)."""
        try:
            with self.session.begin_nested():
                return work()
        except Exception:
            later = self.now + RETRY_AFTER
            log.exception(
                "worker: %s %s failed at %s; skipped%s",
                kind,
                item_id,
                self.now.isoformat(),
                "" if retry is None else f", checked again from {later.isoformat()}",
            )
            self.failed.append(Failure(kind, item_id))
            if retry is not None:
                self.session.execute(
                    update(retry).where(retry.id == item_id).values(next_check_at=later)
                )
            return None


def _activations(session: Session, workspace_id: int, now: datetime) -> Pass:
    items = _Items(session, now, None)
    done = items.check(
        "activation",
        workspace_id,
        partial(agreements.activate_scheduled, session, workspace_id, now),
    )
    return Pass(activated=len(done or ()), failed=tuple(items.failed))


def _checks(
    session: Session, workspace_id: int, now: datetime, stop: threading.Event | None
) -> Pass:
    items = _Items(session, now, stop)
    rechecked = 0
    for ticket_id in tickets.overdue_checks(session, workspace_id, now):
        if not items.more():
            break
        work = partial(tickets.recompute, session, ticket_id, now)
        rechecked += items.check("ticket", ticket_id, work, retry=Ticket) is not None
    reviewed = 0
    for row in milestones.due_milestones(session, workspace_id, now):
        if not items.more():
            break
        step = partial(milestones.check_milestone, session, row, now)
        reviewed += items.check("milestone", row.id, step, retry=Milestone) is not None
    moved = 0
    invoices = invoice_payments.due_invoices(session, workspace_id, now)
    for invoice in invoices:
        if not items.more():
            break
        check = partial(invoice_payments.check_invoice, session, invoice, now)
        moved += items.check("invoice", invoice.id, check) is True
    for client_id in invoice_payments.paused_clients(invoices):
        if not items.more():
            break
        pause = partial(
            invoice_payments.reconcile_pause, session, workspace_id, client_id, now
        )
        items.check("payment pause", client_id, pause)
    return Pass(
        tickets=rechecked,
        milestones=reviewed,
        invoices=moved,
        failed=tuple(items.failed),
        stopped=items.stopped,
    )


def run_due_checks(
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    stop: threading.Event | None = None,
    workspace_ids: Collection[int] | None = None,
) -> Pass:
    """One pass at `now` over every workspace (or those of `workspace_ids`);
    with `stop` set meanwhile, the pass ends after the item in hand (what it
    did is committed)."""
    query = select(Workspace.id).order_by(Workspace.id)
    if workspace_ids is not None:
        query = query.where(Workspace.id.in_(workspace_ids))
    with sessions() as session:
        ids = list(session.scalars(query))
    total = Pass()
    for workspace_id in ids:
        if stop is not None and stop.is_set():
            return total + Pass(stopped=True)
        with sessions.begin() as session:
            total = total + _activations(session, workspace_id, now)
        with sessions.begin() as session:
            total = total + _checks(session, workspace_id, now, stop)
    return total


def run_forever(
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    *,
    interval: float,
    stop_event: threading.Event,
    on_pass: Callable[[datetime, Pass], None] | None = None,
) -> None:
    """Run a pass at `clock()`, then wait `interval` seconds, until
    `stop_event` is set: the item in hand is finished and committed, then it
    returns. `on_pass` hears of each pass (its instant and result)."""
    while not stop_event.is_set():
        now = clock()
        done = run_due_checks(sessions, now, stop=stop_event)
        if on_pass is not None:
            on_pass(now, done)
        stop_event.wait(interval)
