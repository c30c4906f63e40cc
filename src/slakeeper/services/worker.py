"""The scheduled recheck: what changes with time alone, without an event.

One pass (`run_due_checks`) per workspace, each in its own transaction:

- approved agreement versions whose effective date has come become active (and
  their milestones are taken);
- tickets whose `next_check_at` has come are recomputed (a clock turned at risk
  or breached);
- milestones whose `next_check_at` has come are recomputed, and submissions
  whose review window closed in silence are accepted where the agreement says
  so (`deemed_accepted`);
- unpaid invoices past their due date turn overdue, and the agreement's
  payment-delay rule pauses (and later resumes) the ticket clocks it names.

Several workers may run against one PostgreSQL database: every step is
idempotent, and the rows a pass changes are locked by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import Workspace
from slakeeper.services import agreements, invoice_payments, milestones, tickets

__all__ = ["Pass", "run_due_checks"]


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass changed."""

    activated: int = 0
    tickets: int = 0
    milestones: int = 0

    def __add__(self, other: Pass) -> Pass:
        return Pass(
            self.activated + other.activated,
            self.tickets + other.tickets,
            self.milestones + other.milestones,
        )

    @property
    def changed(self) -> bool:
        return bool(self.activated or self.tickets or self.milestones)


def _workspace_pass(session: Session, workspace_id: int, now: datetime) -> Pass:
    activated = agreements.activate_scheduled(session, workspace_id, now)
    due_tickets = tickets.overdue_checks(session, workspace_id, now)
    for ticket_id in due_tickets:
        tickets.recompute(session, ticket_id, now)
    due_milestones = milestones.milestone_due_checks(session, workspace_id, now)
    # overdue invoices, payment pause
    invoice_payments.invoice_due_checks(session, workspace_id, now)
    return Pass(len(activated), len(due_tickets), len(due_milestones))


def run_due_checks(sessions: sessionmaker[Session], now: datetime) -> Pass:
    """One pass over every workspace at `now`."""
    with sessions() as session:
        ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    total = Pass()
    for workspace_id in ids:
        with sessions.begin() as session:
            total = total + _workspace_pass(session, workspace_id, now)
    return total
