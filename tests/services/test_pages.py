"""A page of a list service (services.pages): the rows after the cursor's id, by
id, one more than the limit; without a page, every row in the list's own order.
Shown on the clients and obligations lists, on both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from slakeeper.services import workspaces
from slakeeper.services.access import MAX_ID
from slakeeper.services.delivery import obligations
from slakeeper.services.pages import Page
from tests.factories import ACTIVE_AT, activate, make_cast


def test_a_page_is_the_rows_after_the_cursor_by_id_and_one_more(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        cast = make_cast(s)
        for i in range(5):
            workspaces.add_client(s, cast.jane, name=f"Client {i}", now=ACTIVE_AT)
        every = [c.id for c in workspaces.list_clients(s, cast.jane)]
        assert every == sorted(every)
        assert len(every) == 6  # Acme and five

        def ids(page: Page) -> list[int]:
            return [c.id for c in workspaces.list_clients(s, cast.jane, page)]

        assert ids(Page(None, 2)) == every[:3]
        assert ids(Page(every[2], 2)) == every[3:6]
        assert ids(Page(every[4], 2)) == every[5:]
        assert ids(Page(every[-1], 2)) == []
        assert ids(Page(MAX_ID, 2)) == ids(Page(2**64, 2)) == []


def test_without_a_page_a_list_keeps_its_own_order(
    sessions: sessionmaker[Session],
) -> None:
    """Obligations list by due time; a page lists them by id."""
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast)
        recorded = [
            obligations.add_obligation(
                s,
                cast.jane,
                client_id=cast.acme_id,
                title=f"Input {days}",
                due_at=ACTIVE_AT + timedelta(days=days),
                now=ACTIVE_AT,
            ).id
            for days in (9, 5, 1)
        ]
        whole = obligations.list_obligations(s, cast.jane, kind="input")
        paged = obligations.list_obligations(
            s, cast.jane, kind="input", page=Page(None, 10)
        )
        mine = set(recorded)
        assert [o.id for o in whole if o.id in mine] == recorded[::-1]
        assert [o.id for o in paged if o.id in mine] == recorded
