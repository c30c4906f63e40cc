"""The deadlines feed (services/feeds.py), on both backends, with the example
agreement active: its two milestones and the brand-assets input the client owes,
read back with `icalendar` as a calendar app would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import AuditEntry, FeedToken
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services import agreements, feeds, workspaces
from slakeeper.services.access import Principal
from slakeeper.services.delivery import adjustments, obligations
from slakeeper.services.delivery import milestones as ms_svc
from tests.factories import NOW, World, activate, example_text, make_world

# Berlin is UTC+1 in winter and UTC+2 from 28 March 2027
REDESIGN_DUE = datetime(2027, 2, 15, 23, 0, tzinfo=UTC)  # 16 Feb 00:00 Berlin
LAUNCH_DUE = datetime(2027, 4, 1, 22, 0, tzinfo=UTC)  # 2 Apr 00:00 Berlin
ASSETS_DUE = datetime(2027, 1, 15, 23, 0, tzinfo=UTC)  # 16 Jan 00:00 Berlin
READ_AT = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # the agreement is active


def berlin(day: int, month: int, hour: int) -> datetime:
    """An instant in January-March 2027 given in Berlin winter time."""
    return datetime(2027, month, day, hour - 1, tzinfo=UTC)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    with sessions.begin() as s:
        world = make_world(s)
        activate(s, world.cast)
        return world


def feed(s: Session, who: Principal, client_id: int, name: str = "phone") -> str:
    return feeds.create_feed_token(
        s, who, client_id=client_id, name=name, now=NOW
    ).token


def events(document: bytes) -> dict[str, Any]:
    """The feed's events by UID."""
    calendar = Calendar.from_ical(document)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def ids(s: Session, world: World) -> dict[str, int]:
    found = {m.key: m.id for m in ms_svc.list_milestones(s, world.cast.jane)}
    (need,) = obligations.list_obligations(s, world.cast.jane)
    return {**found, "assets": need.id}


def test_the_feed_has_the_milestones_and_the_open_input_at_their_instants(
    sessions, world
):
    with sessions.begin() as s:
        token = feed(s, world.cast.jane, world.cast.acme_id)
        document = feeds.deadlines_calendar(s, world.cast.acme_id, token, READ_AT)
        known = ids(s, world)
    calendar = Calendar.from_ical(document)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == feeds.PRODID
    assert str(calendar["x-wr-calname"]) == "Acme GmbH deadlines"
    assert calendar.decoded("refresh-interval") == timedelta(hours=1)
    assert str(calendar["x-published-ttl"]) == "PT1H"
    found = events(document)
    redesign = found[f"milestone-{known['redesign-mockups']}@slakeeper"]
    launch = found[f"milestone-{known['launch']}@slakeeper"]
    assets = found[f"obligation-{known['assets']}@slakeeper"]
    assert len(found) == 3
    assert [e.decoded("dtstart") for e in (redesign, launch, assets)] == [
        REDESIGN_DUE,
        LAUNCH_DUE,
        ASSETS_DUE,
    ]
    assert all(e.decoded("dtstart").utcoffset() == timedelta(0) for e in found.values())
    assert all(e.decoded("duration") == timedelta(0) for e in found.values())
    assert all(e.decoded("dtstamp") == READ_AT for e in found.values())
    assert str(redesign["summary"]) == "Due: Redesign mock-ups (milestone)"
    assert str(launch["summary"]) == "Due: New site live (milestone)"
    assert str(assets["summary"]) == "Acme GmbH owes: Brand assets and logo files"
    description = str(redesign["description"])
    assert "Status: planned" in description
    assert "Due: 2027-02-16 00:00 Europe/Berlin (the end of 2027-02-15)" in description
    assert "Agreed" not in description
    assert "For the milestone: Redesign mock-ups" in str(assets["description"])


def test_the_same_state_gives_the_same_bytes_and_records_the_last_use(sessions, world):
    with sessions.begin() as s:
        token = feed(s, world.cast.jane, world.cast.acme_id)
        first = feeds.deadlines_calendar(s, world.cast.acme_id, token, READ_AT)
        again = feeds.deadlines_calendar(s, world.cast.acme_id, token, READ_AT)
        assert first == again
        (row,) = feeds.list_feed_tokens(s, world.cast.jane)
        assert row.last_used_at == READ_AT


def test_an_accepted_adjustment_shows_the_moved_due_time_and_why(sessions, world):
    jane, max_ = world.cast.jane, world.cast.max
    with sessions.begin() as s:
        token = feed(s, max_, world.cast.acme_id)
        # the assets come Tue 19 Jan 12:00, 10.5 working hours late
        (need,) = obligations.list_obligations(s, jane)
        obligations.meet_obligation(s, jane, need.id, berlin(19, 1, 12))
        known = ids(s, world)
        (proposal,) = adjustments.adjustments_of(s, jane, known["redesign-mockups"])
        adjustments.accept_adjustment(s, jane, proposal.id, berlin(19, 1, 13))
        adjustments.accept_adjustment(s, max_, proposal.id, berlin(19, 1, 14))
        document = feeds.deadlines_calendar(
            s, world.cast.acme_id, token, berlin(20, 1, 9)
        )
    found = events(document)
    assert f"obligation-{known['assets']}@slakeeper" not in found  # met
    redesign = found[f"milestone-{known['redesign-mockups']}@slakeeper"]
    # Tue 16 Feb 09:00 + 10.5h of office time: Wed 17 Feb 12:00 Berlin
    assert redesign.decoded("dtstart") == berlin(17, 2, 12)
    description = str(redesign["description"])
    assert "Due: 2027-02-17 12:00 Europe/Berlin" in description
    assert (
        "Agreed: 2027-02-16 00:00 Europe/Berlin (the end of 2027-02-15), moved by:"
        in description
    )
    assert (
        "- Brand assets and logo files: met 10h 30m late"
        " (client-caused delay, 10h 30m of working time)" in description
    )
    # the launch's adjustment is only proposed: it keeps its agreed time
    launch = found[f"milestone-{known['launch']}@slakeeper"]
    assert launch.decoded("dtstart") == LAUNCH_DUE
    assert "Agreed" not in str(launch["description"])


def test_an_accepted_milestone_is_done_and_a_dropped_one_leaves_the_feed(
    sessions, world
):
    jane = world.cast.jane
    amended = example_text()
    start = amended.index("  - id: launch")
    amended = amended[:start].rstrip("\n") + amended[amended.index("\n\n", start) :]
    with sessions.begin() as s:
        token = feed(s, jane, world.cast.acme_id)
        known = ids(s, world)
        ms_svc.submit(s, jane, known["redesign-mockups"], berlin(10, 2, 16))
        ms_svc.review(
            s, world.cast.max, known["redesign-mockups"], "accept", berlin(11, 2, 9)
        )
        agreement_id = agreements.list_agreements(s, jane)[0].id
        v2 = agreements.amend(
            s,
            jane,
            agreement_id=agreement_id,
            text=amended,
            source_name="a.yaml",
            now=NOW,
        )
        agreements.submit(s, jane, v2.id, NOW)
        agreements.approve(s, jane, v2.id, v2.sha256, NOW)
        agreements.approve(s, world.cast.max, v2.id, v2.sha256, NOW)
        agreements.activate_due(s, jane, berlin(12, 2, 9))
        document = feeds.deadlines_calendar(
            s, world.cast.acme_id, token, berlin(12, 2, 10)
        )
    found = events(document)
    redesign = found.pop(f"milestone-{known['redesign-mockups']}@slakeeper")
    assert list(found) == [f"obligation-{known['assets']}@slakeeper"]  # still owed
    assert str(redesign["summary"]) == "Done: Redesign mock-ups (milestone)"
    assert "Delivered: 2027-02-10 16:00 Europe/Berlin" in str(redesign["description"])


def test_a_milestone_is_late_once_its_due_time_passes_undelivered(sessions, world):
    with sessions.begin() as s:
        token = feed(s, world.cast.jane, world.cast.acme_id)
        known = ids(s, world)
        uid = f"milestone-{known['redesign-mockups']}@slakeeper"
        before = feeds.deadlines_calendar(
            s, world.cast.acme_id, token, REDESIGN_DUE - timedelta(seconds=1)
        )
        # nothing has recomputed the stored row: the feed still knows
        at_due = feeds.deadlines_calendar(s, world.cast.acme_id, token, REDESIGN_DUE)
    assert str(events(before)[uid]["summary"]) == "Due: Redesign mock-ups (milestone)"
    redesign = events(at_due)[uid]
    assert str(redesign["summary"]) == "Due: Redesign mock-ups (milestone, late)"
    assert "Status: planned (late)" in str(redesign["description"])


def test_a_revoked_token_reads_nothing(sessions, world):
    with sessions.begin() as s:
        row = feeds.create_feed_token(
            s, world.cast.sam, client_id=world.cast.acme_id, name="phone", now=NOW
        )
        feeds.revoke_feed_token(s, world.cast.sam, row.id, NOW)
        with pytest.raises(NotFound, match="no deadlines feed"):
            feeds.deadlines_calendar(s, world.cast.acme_id, row.token, READ_AT)
        (listed,) = feeds.list_feed_tokens(s, world.cast.sam)
        assert listed.last_used_at is None


def test_another_clients_or_an_unknown_token_reads_nothing(sessions, world):
    with sessions.begin() as s:
        globex = feed(s, world.olga, world.globex_id)
        _api, api_token = workspaces.create_token(s, world.cast.jane, name="x", now=NOW)
        for token in (globex, api_token, "slkf_nobody-issued-this", ""):
            with pytest.raises(NotFound, match="no deadlines feed"):
                feeds.deadlines_calendar(s, world.cast.acme_id, token, READ_AT)
        # the Globex token reads Globex's (empty) feed
        document = feeds.deadlines_calendar(s, world.globex_id, globex, READ_AT)
    calendar = Calendar.from_ical(document)
    assert str(calendar["x-wr-calname"]) == "Globex deadlines"
    assert calendar.walk("VEVENT") == []


def test_a_disabled_creators_feed_reads_nothing(sessions, world):
    with sessions.begin() as s:
        token = feed(s, world.cast.sam, world.cast.acme_id)
        workspaces.disable_user(s, world.cast.jane, world.cast.sam.user_id, NOW)
        with pytest.raises(NotFound):
            feeds.deadlines_calendar(s, world.cast.acme_id, token, READ_AT)


def test_who_may_create_a_feed_for_acme(sessions, world):
    acme = world.cast.acme_id
    with sessions.begin() as s:
        for who in (world.cast.jane, world.cast.sam, world.cast.erika):
            row = feeds.create_feed_token(
                s, who, client_id=acme, name="  phone ", now=NOW
            )
            assert (row.client_id, row.created_by_id, row.name) == (
                acme,
                who.user_id,
                "phone",
            )
            assert (row.client_name, row.created_by_email) == ("Acme GmbH", who.email)
            assert row.path == f"/clients/{acme}/deadlines.ics?token={row.token}"
            assert row.token.startswith("slkf_")
            assert row.prefix == row.token[:12]
            assert "token_hash" not in row.model_dump()
        for who in (world.foreign.jane, world.olga):
            with pytest.raises(NotFound, match=f"client {acme} not found"):
                feeds.create_feed_token(s, who, client_id=acme, name="x", now=NOW)
        with pytest.raises(PermissionDenied, match="disabled"):
            feeds.create_feed_token(s, world.dora, client_id=acme, name="x", now=NOW)
        with pytest.raises(NotFound, match="client 999999 not found"):
            feeds.create_feed_token(
                s, world.cast.jane, client_id=999999, name="x", now=NOW
            )
        for name, message in (("  ", "must not be empty"), ("x" * 201, "at most")):
            with pytest.raises(InvalidInput, match=message) as caught:
                feeds.create_feed_token(
                    s, world.cast.jane, client_id=acme, name=name, now=NOW
                )
            assert caught.value.location == "name"
        stored = s.scalars(
            select(FeedToken).where(FeedToken.workspace_id == world.cast.workspace_id)
        ).all()
        assert len(stored) == 3
        actions = s.scalars(
            select(AuditEntry.action).where(
                AuditEntry.workspace_id == world.cast.workspace_id,
                AuditEntry.object_type == "feed_token",
            )
        ).all()
        assert actions == ["feed_token.created"] * 3


def test_owners_see_and_revoke_every_feed_others_their_own(sessions, world):
    cast = world.cast
    with sessions.begin() as s:
        jane_row = feeds.create_feed_token(
            s, cast.jane, client_id=cast.acme_id, name="jane", now=NOW
        )
        sam_row = feeds.create_feed_token(
            s, cast.sam, client_id=cast.acme_id, name="sam", now=NOW
        )
        olga_row = feeds.create_feed_token(
            s, world.olga, client_id=world.globex_id, name="olga", now=NOW
        )
        assert [r.name for r in feeds.list_feed_tokens(s, cast.jane)] == [
            "jane",
            "sam",
            "olga",
        ]
        assert [
            r.name
            for r in feeds.list_feed_tokens(s, cast.jane, client_id=world.globex_id)
        ] == ["olga"]
        assert [r.name for r in feeds.list_feed_tokens(s, cast.sam)] == ["sam"]
        assert feeds.list_feed_tokens(s, cast.max) == []
        assert feeds.list_feed_tokens(s, world.foreign.jane) == []
        for who, row in ((cast.sam, jane_row), (world.foreign.jane, sam_row)):
            with pytest.raises(NotFound, match=f"feed {row.id} not found"):
                feeds.revoke_feed_token(s, who, row.id, NOW)
        revoked = feeds.revoke_feed_token(s, cast.jane, sam_row.id, NOW)
        assert (revoked.id, revoked.revoked_at) == (sam_row.id, NOW)
        assert (
            feeds.revoke_feed_token(s, world.olga, olga_row.id, NOW).id == olga_row.id
        )
        with pytest.raises(Conflict, match="already revoked"):
            feeds.revoke_feed_token(s, cast.jane, sam_row.id, NOW)
        (jane_now, *_) = feeds.list_feed_tokens(s, cast.jane)
        assert (jane_now.id, jane_now.revoked_at) == (jane_row.id, None)
