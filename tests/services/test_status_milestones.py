"""The status board's milestones on both backends: each line shows its
milestone's adjustments (accepted and proposed), and the board reads them for
all its milestones at once, so it costs as many SQL statements for 30
milestones as for 3."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core.states import AdjustmentCause, AdjustmentKind, ShiftMode
from slakeeper.db.models import Milestone
from slakeeper.services import status
from slakeeper.services.delivery import adjustments
from tests.api.test_query_counts import with_milestones
from tests.factories import Cast, activate, make_cast
from tests.querycount import count_queries

AT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday; the agreement is in force
NOW = datetime(2027, 1, 11, 12, 0, tzinfo=UTC)


def cast_with_milestones(sessions: sessionmaker[Session], n: int) -> Cast:
    """A workspace whose agreement has `n` milestones, each with one accepted
    and one proposed adjustment."""
    with sessions.begin() as s:
        cast = make_cast(s)
        activate(s, cast, with_milestones(n))
        rows = s.scalars(
            select(Milestone).where(Milestone.workspace_id == cast.workspace_id)
        ).all()
        assert len(rows) == n
        for m in rows:
            for hours, accepted in ((4, True), (2, False)):
                adjustments.propose(
                    s,
                    m,
                    cause=AdjustmentCause.CLIENT,
                    kind=AdjustmentKind.DELAY,
                    reason=f"{m.key}: inputs late by {hours}h",
                    mode=ShiftMode.WORKING_TIME,
                    amount=hours * 3600,
                    now=AT,
                    proposed_by=cast.jane,
                    accepted=accepted,
                )
    return cast


def test_each_milestone_line_shows_its_own_adjustments(
    sessions: sessionmaker[Session],
) -> None:
    cast = cast_with_milestones(sessions, 3)
    with sessions() as s:
        lines = status.board(s, cast.jane, NOW, client_id=None).milestones
    assert len(lines) == 3
    for line in lines:
        assert [(a.status, a.amount, a.reason) for a in line.adjustments] == [
            ("accepted", 4 * 3600, f"{line.key}: inputs late by 4h"),
            ("proposed", 2 * 3600, f"{line.key}: inputs late by 2h"),
        ]
        assert line.due_at > line.agreed_due_at  # the accepted 4h moved it


def test_the_board_costs_as_many_statements_for_30_milestones_as_for_3(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    few_cast, many_cast = (
        cast_with_milestones(sessions, 3),
        cast_with_milestones(sessions, 30),
    )

    def statements(cast: Cast) -> tuple[int, int]:
        with sessions() as s, count_queries(engine) as sent:
            board = status.board(s, cast.jane, NOW, client_id=None)
            return sent.count, len(board.milestones)

    (few, shown_few), (many, shown_many) = statements(few_cast), statements(many_cast)
    assert (shown_few, shown_many) == (3, 30)
    assert many == few, (few, many)
