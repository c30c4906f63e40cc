"""Numbered series: invoice numbers, ticket keys and change-request keys each
take the next value of their series from one counter row, in the caller's
transaction and under a lock on that row, so two writers at once never take the
same value, and a rollback gives the value back (no gaps).

A series is named `<what>/<which>`: `invoice/2027-{seq}` (the invoice number
pattern with its date parts filled in, services/invoicing/numbers.py),
`ticket/<client id>`, `change_request/<client id>`. Tickets and change
requests were numbered as the highest number plus one before; the migration
`20261207_counters` started their series after those numbers.

On SQLite the write lock must be taken before the transaction reads anything
(`locks.write_lock`, first): the row lock is the database's write lock there.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slakeeper.db.models import Counter

__all__ = ["change_request_series", "invoice_series", "next_value", "ticket_series"]


def invoice_series(series: str) -> str:
    """The counter of an invoice number series (`2027-{seq}`)."""
    return f"invoice/{series}"


def ticket_series(client_id: int) -> str:
    """The counter of a client's ticket numbers (`ACME-1`, `ACME-2`, ...)."""
    return f"ticket/{client_id}"


def change_request_series(client_id: int) -> str:
    """The counter of a client's change-request numbers (`ACME-CR-1`, ...)."""
    return f"change_request/{client_id}"


def next_value(session: Session, workspace_id: int, series: str) -> int:
    """Take the next value of a series (the first is 1) in the caller's
    transaction: the counter row is locked (SELECT ... FOR UPDATE on
    PostgreSQL; SQLite's write lock serialises writers) until it commits, so
    two writers never take the same value, and a rollback gives it back."""
    query = (
        select(Counter)
        .where(Counter.workspace_id == workspace_id, Counter.series == series)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalars(query).first()
    if counter is None:
        try:
            with session.begin_nested():
                session.add(
                    Counter(workspace_id=workspace_id, series=series, next_value=1)
                )
        except IntegrityError:  # created meanwhile by another writer
            pass
        counter = session.scalars(query).one()
    value = counter.next_value
    counter.next_value = value + 1
    session.flush()
    return value
