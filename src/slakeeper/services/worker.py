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

Items (an activation, a ticket, a milestone, an invoice, a client's payment
pause) are checked in savepoints, a hundred at a time while none fails. One that
raises is rolled back, logged with its id and traceback, counted in the pass's
`failed`, and skipped (the others of its batch are done again one by one): the
pass goes on. A failed ticket or milestone has its `next_check_at` pushed
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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Milestone, Ticket, Workspace
from slakeeper.services import agreements, tickets
from slakeeper.services.delivery import milestones
from slakeeper.services.invoicing import payments

__all__ = ["RETRY_AFTER", "Failure", "Pass", "run_due_checks", "run_forever"]

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=15)
BATCH = 100  # items per savepoint while none fails

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
    """One workspace's items in one transaction, in savepoints."""

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

    def each(
        self,
        kind: str,
        items: Sequence[tuple[int, Callable[[], T]]],
        retry: type[Ticket] | type[Milestone] | None = None,
    ) -> list[T]:
        """What the works of `(id, work)` items return, for those that did not
        raise. They run BATCH at a time in a savepoint (two statements per
        batch, not per item); a batch in which one raises is rolled back and
        done again one item at a time (`check`), so only that item is lost."""
        done: list[T] = []
        for start in range(0, len(items), BATCH):
            if not self.more():
                break
            batch = items[start : start + BATCH]
            results: list[T] = []
            try:
                with self.session.begin_nested():
                    for _, work in batch:
                        if not self.more():
                            break
                        results.append(work())
            except Exception:
                results = []
                for item_id, work in batch:
                    if not self.more():
                        break
                    got = self.check(kind, item_id, work, retry)
                    if got is not None:
                        results.append(got[0])
            done.extend(results)
        return done

    def check(
        self,
        kind: str,
        item_id: int,
        work: Callable[[], T],
        retry: type[Ticket] | type[Milestone] | None = None,
    ) -> tuple[T] | None:
        """(what `work` returns,), run in a savepoint of its own; None when it
        raised: rolled back, logged, counted, and the row of `retry` pushed
        back by RETRY_AFTER."""
        try:
            with self.session.begin_nested():
                return (work(),)
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
    got = items.check(
        "activation",
        workspace_id,
        partial(agreements.activate_scheduled, session, workspace_id, now),
    )
    return Pass(activated=len(got[0]) if got else 0, failed=tuple(items.failed))


def _checks(
    session: Session, workspace_id: int, now: datetime, stop: threading.Event | None
) -> Pass:
    items = _Items(session, now, stop)
    due_tickets = tickets.overdue_checks(session, workspace_id, now)
    rechecked = items.each(
        "ticket",
        [(i, partial(tickets.recompute, session, i, now)) for i in due_tickets],
        retry=Ticket,
    )
    due_milestones = milestones.due_milestones(session, workspace_id, now)
    reviewed = items.each(
        "milestone",
        [
            (m.id, partial(milestones.check_milestone, session, m, now))
            for m in due_milestones
        ],
        retry=Milestone,
    )
    invoices = payments.due_invoices(session, workspace_id, now)
    moved = items.each(
        "invoice",
        [(i.id, partial(payments.check_invoice, session, i, now)) for i in invoices],
    )
    pause = partial(payments.reconcile_pause, session, workspace_id)
    clients = payments.paused_clients(invoices)
    items.each("payment pause", [(c, partial(pause, c, now)) for c in clients])
    return Pass(
        tickets=len(rechecked),
        milestones=len(reviewed),
        invoices=sum(moved),
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
