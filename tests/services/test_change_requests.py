"""Change requests and cadenced commitments, on both backends, with the example
agreement (estimate within 2bd, decisions within 2bd by client.approver, a
progress update every week on Friday)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services.delivery import (
    adjustments,
    commitments,
    milestones,
    obligations,
)
from slakeeper.services.delivery import change_requests as svc
from slakeeper.services.delivery.change_requests import Effect
from tests.factories import World, activate, make_world
from tests.services.test_milestones import LAUNCH_DUE, REDESIGN_DUE, berlin

H = 3600


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world


def test_a_change_is_requested_estimated_and_approved(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        cr = svc.request_change(
            s,
            cast.erika,
            client_id=cast.acme_id,
            title="Add a blog section",
            body="With categories",
            now=berlin(1, 2, 10),
        )
        assert (cr.key, cr.status, cr.requested_by_id) == (
            "ACME-CR-1",
            "requested",
            cast.erika.user_id,
        )
        (estimate_due,) = obligations.list_obligations(s, cast.jane, kind="estimate")
        # 2bd of office time from Mon 1 Feb 10:00: Wed 3 Feb 10:00
        assert (estimate_due.party, estimate_due.due_at) == (
            "provider",
            berlin(3, 2, 10),
        )
        with pytest.raises(PermissionDenied):
            svc.estimate(
                s,
                cast.max,
                cr.id,
                effort=timedelta(hours=6),
                cost="570.00",
                effects=[],
                now=berlin(2, 2, 9),
            )
        svc.estimate(
            s,
            cast.sam,
            cr.id,
            effort=timedelta(hours=6),
            cost="570.00",
            effects=[Effect("launch", 2, "calendar_days")],
            now=berlin(2, 2, 9),
        )
        assert (cr.status, cr.cost, cr.currency, cr.estimate_seconds) == (
            "estimated",
            Decimal("570.00"),
            "EUR",
            6 * H,
        )
        assert estimate_due.status == "met"
        (decision,) = obligations.list_obligations(s, cast.max, kind="decision")
        # Tue 2 Feb 09:00 + 2bd: the end of Wed 3 Feb
        assert decision.due_at == berlin(3, 2, 17, 30)
        with pytest.raises(PermissionDenied, match=r"client\.approver"):
            svc.decide(s, cast.erika, cr.id, approve=True, now=berlin(3, 2, 9))
        with pytest.raises(PermissionDenied):
            svc.decide(s, cast.jane, cr.id, approve=True, now=berlin(3, 2, 9))
        svc.decide(s, cast.max, cr.id, approve=True, now=berlin(3, 2, 9), note="Go")
        assert (cr.status, cr.decision_note, decision.status, decision.lateness) == (
            "approved",
            "Go",
            "met",
            0,
        )
        launch = next(
            m for m in milestones.list_milestones(s, cast.jane) if m.key == "launch"
        )
        (adj,) = adjustments.adjustments_of(s, cast.jane, launch.id)
        assert (adj.kind, adj.cause, adj.status, adj.change_request_id) == (
            "change",
            "client",
            "accepted",
            cr.id,
        )
        assert adj.reason == "Change request ACME-CR-1 approved: Add a blog section"
        assert launch.due_at == LAUNCH_DUE + timedelta(days=2)
        with pytest.raises(Conflict, match="not estimated"):
            svc.decide(s, cast.max, cr.id, approve=False, now=berlin(3, 2, 10))
        assert [c.key for c in svc.list_changes(s, cast.erika)] == ["ACME-CR-1"]
        assert svc.list_changes(s, world.olga) == []
        with pytest.raises(NotFound):
            svc.get_change(s, world.foreign.jane, cr.id)


def test_a_late_decision_moves_the_affected_milestones(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        cr = svc.request_change(
            s,
            cast.jane,
            client_id=cast.acme_id,
            title="Dark mode",
            now=berlin(1, 2, 10),
        )
        svc.estimate(
            s,
            cast.jane,
            cr.id,
            effort=timedelta(hours=3),
            cost=None,
            effects=[Effect("redesign-mockups", 3 * H)],
            now=berlin(1, 2, 11),
        )
        # due Wed 3 Feb 11:00; decided Wed 3 Feb 15:30: 1.5h + 2h = 3.5h late
        svc.decide(s, cast.max, cr.id, approve=False, now=berlin(3, 2, 15, 30))
        assert cr.status == "rejected"
        redesign = milestones.list_milestones(s, cast.jane)[0]
        (adj,) = adjustments.adjustments_of(s, cast.jane, redesign.id)
        assert (adj.kind, adj.cause, adj.amount, adj.status) == (
            "delay",
            "client",
            int(3.5 * H),
            "proposed",
        )
        assert redesign.due_at == REDESIGN_DUE


def test_bad_estimates_are_refused_and_change_nothing(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        cr = svc.request_change(
            s, cast.jane, client_id=cast.acme_id, title="Search", now=berlin(1, 2, 10)
        )
        cases: list[tuple[dict[str, Any], str]] = [
            ({"effort": timedelta(0)}, "effort"),
            ({"cost": "lots"}, "cost"),
            ({"cost": "-1"}, "cost"),
            ({"effects": [Effect("nope", 1)]}, "effects[0]"),
            ({"effects": [Effect("launch", 1, "weeks")]}, "effects[0]"),
            ({"effects": [Effect("launch", 0)]}, "effects[0]"),
        ]
        for bad, where in cases:
            args: dict[str, Any] = {
                "effort": timedelta(hours=1),
                "cost": "10",
                "effects": [],
            } | bad
            with pytest.raises(InvalidInput) as caught:
                svc.estimate(s, cast.jane, cr.id, now=berlin(1, 2, 11), **args)
            assert caught.value.location == where
        assert (cr.status, cr.cost, cr.effects) == ("requested", None, [])
        for title in ("", "x" * 301):
            with pytest.raises(InvalidInput):
                svc.request_change(
                    s,
                    cast.jane,
                    client_id=cast.acme_id,
                    title=title,
                    now=berlin(1, 2, 10),
                )
        with pytest.raises(NotFound):
            svc.request_change(
                s, world.olga, client_id=cast.acme_id, title="x", now=berlin(1, 2, 10)
            )


def test_the_read_models_of_a_change_request(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        cr = svc.request_change(
            s,
            cast.erika,
            client_id=cast.acme_id,
            title="Dark mode",
            now=berlin(1, 2, 10),
        )
        svc.estimate(
            s,
            cast.jane,
            cr.id,
            effort=timedelta(hours=6),
            cost="570",
            effects=[Effect("launch", 2, "calendar_days")],
            now=berlin(2, 2, 9),
        )
        read = svc.view_of(s, cast.max, cr.id)
        assert (read.key, read.status, read.effort_seconds, read.cost) == (
            "ACME-CR-1",
            "estimated",
            6 * H,
            "570.00",
        )
        assert read.effects[0].model_dump() == {
            "milestone": "launch",
            "mode": "calendar_days",
            "amount_seconds": None,
            "days": 2,
        }
        assert svc.list_views(s, cast.jane) == [read]
        terms = svc.terms_for(s, cast.jane, cr.id, berlin(2, 2, 9))
        assert terms.zone.key == "Europe/Berlin"
        # before the agreement took effect, none is in force
        with pytest.raises(Conflict, match="no agreement in force"):
            svc.terms_for(s, cast.jane, cr.id, datetime(2026, 12, 1, tzinfo=UTC))
        with pytest.raises(NotFound):
            svc.view_of(s, world.olga, cr.id)


def test_weekly_updates_are_met_or_missed(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        # the agreement took effect Fri 1 Jan 2027 00:00 Berlin
        commitments.record_update(
            s,
            cast.jane,
            client_id=cast.acme_id,
            commitment="progress",
            text="Week 1 notes",
            now=berlin(1, 1, 16),
        )
        commitments.record_update(
            s,
            cast.sam,
            client_id=cast.acme_id,
            commitment="Progress update by e-mail",
            text="Week 3 notes",
            now=berlin(15, 1, 17),
        )
        (status,) = commitments.commitment_status(
            s, cast.max, cast.acme_id, berlin(20, 1, 9)
        )
        assert (status.commitment, status.every) == (
            "Progress update by e-mail",
            "1 week",
        )
        now = berlin(20, 1, 9)
        assert [(p.end, p.state(now)) for p in status.periods] == [
            (datetime(2027, 1, 1, 23, 0, tzinfo=UTC), "met"),
            (datetime(2027, 1, 8, 23, 0, tzinfo=UTC), "missed"),
            (datetime(2027, 1, 15, 23, 0, tzinfo=UTC), "met"),
            (datetime(2027, 1, 22, 23, 0, tzinfo=UTC), "open"),
        ]
        assert len(status.missed(now)) == 1
        view = commitments.status_view(s, cast.max, cast.acme_id, now)
        (read,) = view.commitments
        assert (view.client_id, view.at, read.missed) == (cast.acme_id, now, 1)
        assert [(p.end, p.state) for p in read.periods] == [
            (p.end, p.state(now)) for p in status.periods
        ]
        for wording, message in (("", "is not one"), ("tea", "is not one")):
            with pytest.raises(InvalidInput, match=message):
                commitments.record_update(
                    s,
                    cast.jane,
                    client_id=cast.acme_id,
                    commitment=wording,
                    text="x",
                    now=now,
                )
        with pytest.raises(InvalidInput, match="what was sent"):
            commitments.record_update(
                s,
                cast.jane,
                client_id=cast.acme_id,
                commitment="progress",
                text=" ",
                now=now,
            )
        with pytest.raises(PermissionDenied):
            commitments.record_update(
                s,
                cast.max,
                client_id=cast.acme_id,
                commitment="progress",
                text="x",
                now=now,
            )
        assert (
            commitments.commitment_status(
                s, cast.jane, cast.acme_id, datetime(2026, 6, 1, tzinfo=UTC)
            )
            == []
        )
