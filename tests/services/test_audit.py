"""The audit chain: verify, anchors, show; and a tamperer who gets past the triggers.

The database refuses UPDATE and DELETE of audit entries, so a tamperer here first
drops the triggers (SQLite) or disables them (PostgreSQL) inside a transaction;
the test verifies in that same transaction and rolls it all back, so the shared
PostgreSQL database of the worker never keeps a tampered row or a disabled
trigger.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import AuditEntry, Role, User, Workspace
from slakeeper.errors import InvalidInput, NotFound
from slakeeper.services import audit
from slakeeper.services.audit import GENESIS, record

T0 = datetime(2027, 1, 4, 9, 0, 0, 123456, tzinfo=UTC)
N = 20
TABLE = cast(Table, AuditEntry.__table__)
BERLIN = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Chain:
    workspace_id: int
    user_id: int
    hashes: dict[int, str]  # seq -> hash as written

    @property
    def head(self) -> str:
        return self.hashes[max(self.hashes)]


def new_workspace(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """A workspace of its own (tests share the PostgreSQL database) and its owner."""
    with sessions.begin() as s:
        ws = Workspace(name=f"audit {uuid.uuid4().hex}", created_at=T0)
        s.add(ws)
        s.flush()
        owner = User(
            workspace_id=ws.id,
            email="jane@example.com",
            name="Jane Doe",
            role=Role.OWNER,
            created_at=T0,
        )
        s.add(owner)
        s.flush()
        return ws.id, owner.id


ACTIONS = [
    ("user.add", "user"),
    ("token.create", "api_token"),
    ("agreement.import", "agreement"),
    ("agreement.submit", "agreement_version"),
    ("agreement.comment", "comment"),
    ("agreement.approve", "approval"),
]


def write_chain(
    sessions: sessionmaker[Session], workspace_id: int, user_id: int, n: int = N
) -> dict[int, str]:
    hashes: dict[int, str] = {}
    for i in range(1, n + 1):
        action, object_type = ACTIONS[i % len(ACTIONS)]
        with sessions.begin() as s:
            entry = record(
                s,
                workspace_id=workspace_id,
                actor_id=user_id if i % 3 else None,
                # some instants written with an offset: stored and hashed in UTC
                now=(T0 + timedelta(minutes=7 * i)).astimezone(
                    BERLIN if i % 2 else UTC
                ),
                action=action,
                object_type=object_type,
                object_id=i * 11,
                payload={"n": i, "note": f"entry {i}", "sha256": "ab" * 32},
            )
            hashes[entry.seq] = entry.hash
    return hashes


@pytest.fixture
def chain(sessions: sessionmaker[Session]) -> Chain:
    ws, user = new_workspace(sessions)
    return Chain(ws, user, write_chain(sessions, ws, user))


@contextmanager
def tampering(engine: Engine) -> Iterator[tuple[Connection, Session]]:
    """A connection with the immutability triggers out of the way, and a session
    on the same transaction; everything is rolled back on the way out."""
    with engine.connect() as conn:
        trans = conn.begin()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        session = Session(bind=conn)
        try:
            yield conn, session
        finally:
            session.close()
            trans.rollback()


# -- the tamperer's moves ---------------------------------------------------------


FIELDS = (
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "payload",
    "prev_hash",
    "hash",
)
CONTENT = FIELDS[:6]  # what a tamperer edits and then re-hashes


@dataclass(frozen=True)
class Tamper:
    kind: str  # edit | edit_rehash | delete | swap | insert
    seq: int
    other: int = 0  # swap: the second seq
    field: str = ""
    good_prev: bool = False  # insert: link the forgery to its predecessor


tampers = st.one_of(
    st.builds(
        Tamper,
        kind=st.just("edit"),
        seq=st.integers(1, N),
        field=st.sampled_from(FIELDS),
    ),
    st.builds(
        Tamper,
        kind=st.just("edit_rehash"),
        seq=st.integers(1, N),
        field=st.sampled_from(CONTENT),
    ),
    st.builds(Tamper, kind=st.just("delete"), seq=st.integers(1, N)),
    st.lists(st.integers(1, N), min_size=2, max_size=2, unique=True).map(
        lambda pair: Tamper("swap", min(pair), max(pair))
    ),
    st.builds(
        Tamper,
        kind=st.just("insert"),
        seq=st.integers(1, N + 1),
        good_prev=st.booleans(),
    ).filter(lambda t: not (t.good_prev and t.seq == N + 1)),  # an honest append
)


def _entry(conn: Connection, ws: int, seq: int) -> AuditEntry:
    row = conn.execute(
        select(TABLE).where(AuditEntry.workspace_id == ws, AuditEntry.seq == seq)
    ).one()
    return AuditEntry(**row._asdict())


def _rehash(e: AuditEntry) -> str:
    return audit.hash_of(e)


def _edited(e: AuditEntry, field: str, user_id: int) -> object:
    match field:
        case "at":
            return e.at + timedelta(seconds=1)
        case "actor_id":
            return user_id if e.actor_id is None else None
        case "action" | "object_type" | "object_id":
            return str(getattr(e, field)) + "x"
        case "payload":
            return e.payload.replace('"n":', '"n":1')
        case _:  # prev_hash, hash
            return secrets.token_hex(32)


def _where(ws: int, seq: int) -> tuple[ColumnElement[bool], ...]:
    return (AuditEntry.workspace_id == ws, AuditEntry.seq == seq)


def apply(conn: Connection, chain: Chain, t: Tamper) -> int | None:
    """Carry out `t`; return the first seq verify must name, or None when only an
    anchor taken before the tampering can tell (the head itself was changed)."""
    ws, n = chain.workspace_id, len(chain.hashes)
    if t.kind in ("edit", "edit_rehash"):
        e = _entry(conn, ws, t.seq)
        setattr(e, t.field, _edited(e, t.field, chain.user_id))
        values = {t.field: getattr(e, t.field)}
        if t.kind == "edit_rehash":
            values["hash"] = _rehash(e)
        conn.execute(update(TABLE).where(*_where(ws, t.seq)).values(values))
        if t.kind == "edit":
            return t.seq
        return t.seq + 1 if t.seq < n else None
    if t.kind == "delete":
        conn.execute(delete(TABLE).where(*_where(ws, t.seq)))
        return t.seq if t.seq < n else None
    if t.kind == "swap":
        conn.execute(update(TABLE).where(*_where(ws, t.seq)).values(seq=-1))
        conn.execute(update(TABLE).where(*_where(ws, t.other)).values(seq=t.seq))
        conn.execute(update(TABLE).where(*_where(ws, -1)).values(seq=t.other))
        return t.seq
    assert t.kind == "insert"
    shifted = (AuditEntry.workspace_id == ws, AuditEntry.seq >= t.seq)
    conn.execute(update(TABLE).where(*shifted).values(seq=AuditEntry.seq + 10**6))
    conn.execute(
        update(TABLE)
        .where(AuditEntry.workspace_id == ws, AuditEntry.seq >= 10**6)
        .values(seq=AuditEntry.seq - 10**6 + 1)
    )
    prev = chain.hashes.get(t.seq - 1, GENESIS) if t.good_prev else "f" * 64
    forged = AuditEntry(
        workspace_id=ws,
        seq=t.seq,
        at=T0 + timedelta(minutes=7 * t.seq - 1),
        actor_id=chain.user_id,
        action="agreement.approve",
        object_type="approval",
        object_id="999",
        payload='{"forged":true}',
        prev_hash=prev,
    )
    forged.hash = _rehash(forged)
    conn.execute(
        insert(TABLE).values(
            {c: getattr(forged, c) for c in (*FIELDS, "workspace_id", "seq")}
        )
    )
    return t.seq + 1 if t.good_prev else t.seq


# -- verify -----------------------------------------------------------------------


def test_an_untouched_chain_verifies(sessions, chain):
    with sessions() as s:
        v = audit.verify(s, chain.workspace_id)
    assert v.ok
    assert (v.entries, v.head_seq, v.head_hash) == (N, N, chain.head)
    assert v.first_broken is None
    assert v.anchor_found is None
    assert v.reason == f"chain OK: {N} entries, head #{N} {chain.head}"


def test_an_empty_chain_verifies_and_has_no_anchor(sessions):
    ws, _ = new_workspace(sessions)
    with sessions() as s:
        v = audit.verify(s, ws)
        assert (v.ok, v.entries, v.head_seq, v.head_hash) == (True, 0, 0, GENESIS)
        with pytest.raises(NotFound, match="empty"):
            audit.anchor(s, ws)


def test_an_unknown_workspace_is_not_found(sessions):
    with sessions() as s, pytest.raises(NotFound, match="workspace"):
        audit.verify(s, 10**9)


def test_each_workspace_has_its_own_chain(sessions, chain):
    ws, user = new_workspace(sessions)
    other = write_chain(sessions, ws, user, n=3)
    with sessions() as s:
        assert audit.verify(s, ws).head_hash == other[3]
        assert audit.verify(s, chain.workspace_id).head_hash == chain.head


@pytest.mark.parametrize(
    ("tamper", "first", "reason"),
    [
        (Tamper("edit", 7, field="payload"), 7, "entry #7 was altered"),
        (Tamper("edit", 1, field="prev_hash"), 1, "entry #1 was altered"),
        (Tamper("edit_rehash", 7, field="at"), 8, "entry #8 does not follow #7"),
        (Tamper("delete", 7), 7, "entry #7 is missing: #6 is followed by #8"),
        (Tamper("delete", 1), 1, "entry #1 is missing: the chain starts at #2"),
        (Tamper("swap", 4, 9), 4, "entry #4 was altered"),
        (Tamper("insert", 5), 5, "entry #5 does not follow #4"),
        (Tamper("insert", 5, good_prev=True), 6, "entry #6 was altered"),
    ],
)
def test_each_kind_of_tampering_is_named(engine, chain, tamper, first, reason):
    with tampering(engine) as (conn, s):
        assert apply(conn, chain, tamper) == first
        v = audit.verify(s, chain.workspace_id)
    assert not v.ok
    assert v.first_broken == first
    assert v.reason.startswith(reason), v.reason


def test_a_first_entry_that_does_not_follow_genesis_is_named(engine, chain):
    with tampering(engine) as (conn, s):
        e = _entry(conn, chain.workspace_id, 1)
        e.prev_hash = "1" * 64
        conn.execute(
            update(TABLE)
            .where(*_where(chain.workspace_id, 1))
            .values(prev_hash=e.prev_hash, hash=_rehash(e))
        )
        v = audit.verify(s, chain.workspace_id)
    assert (v.ok, v.first_broken) == (False, 1)
    assert v.reason.startswith("entry #1 does not start the chain"), v.reason


def test_a_run_of_missing_entries_is_named(engine, chain):
    with tampering(engine) as (conn, s):
        conn.execute(
            delete(TABLE).where(
                AuditEntry.workspace_id == chain.workspace_id,
                AuditEntry.seq.between(5, 8),
            )
        )
        v = audit.verify(s, chain.workspace_id)
    assert (v.ok, v.first_broken) == (False, 5)
    assert v.reason == "entries #5-#8 are missing: #4 is followed by #9"


def test_a_seq_moved_below_one_is_out_of_sequence(engine, chain):
    with tampering(engine) as (conn, s):
        conn.execute(update(TABLE).where(*_where(chain.workspace_id, 12)).values(seq=0))
        v = audit.verify(s, chain.workspace_id)
    assert (v.ok, v.first_broken) == (False, 0)
    assert v.reason == "entry #0 is out of sequence: expected #1"


def test_an_entry_moved_to_another_workspace_breaks_both_chains(
    sessions, engine, chain
):
    ws, user = new_workspace(sessions)
    write_chain(sessions, ws, user, n=3)
    with tampering(engine) as (conn, s):
        conn.execute(
            update(TABLE)
            .where(*_where(chain.workspace_id, 6))
            .values(workspace_id=ws, seq=4, prev_hash=_entry(conn, ws, 3).hash)
        )
        assert audit.verify(s, chain.workspace_id).first_broken == 6
        moved = audit.verify(s, ws)
        assert (moved.first_broken, moved.entries) == (4, 4)
        assert "altered" in moved.reason


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(tamper=tampers)
def test_verify_catches_every_random_tampering(engine, chain, tamper):
    """Every edit, deletion, reordering and insertion is caught at the seq where
    it happened; when the tamperer changed only the head (or cut it off), the
    anchor taken before does the catching."""
    with tampering(engine) as (conn, s):
        first = apply(conn, chain, tamper)
        plain = audit.verify(s, chain.workspace_id)
        anchored = audit.verify(s, chain.workspace_id, anchor=chain.head)
    if first is None:
        assert plain.ok, plain.reason
        assert plain.head_hash != chain.head
    else:
        assert not plain.ok
        assert plain.first_broken == first, plain.reason
    assert not anchored.ok
    assert anchored.first_broken == first


edits_of_distinct_entries = st.lists(
    st.integers(1, N), min_size=2, max_size=5, unique=True
).flatmap(
    lambda seqs: st.tuples(
        *(
            st.builds(
                Tamper,
                kind=st.sampled_from(["edit", "edit_rehash"]),
                seq=st.just(seq),
                field=st.sampled_from(CONTENT),
            )
            for seq in seqs
        )
    )
)


@settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=edits_of_distinct_entries)
def test_several_edits_are_caught_at_the_first(engine, chain, moves):
    with tampering(engine) as (conn, s):
        firsts = [apply(conn, chain, move) for move in moves]
        v = audit.verify(s, chain.workspace_id, anchor=chain.head)
    caught = [f for f in firsts if f is not None]
    assert not v.ok
    assert v.first_broken == (min(caught) if caught else None)


# -- the limit of a chain, and anchors --------------------------------------------


def test_a_cut_off_chain_verifies_alone_but_fails_an_earlier_anchor(sessions, engine):
    ws, user = new_workspace(sessions)
    write_chain(sessions, ws, user, n=10)
    with sessions() as s:
        early = audit.anchor(s, ws)
    assert early.seq == 10
    assert early.at == T0 + timedelta(minutes=70)
    write_chain(sessions, ws, user, n=10)  # entries 11..20
    with sessions() as s:
        late = audit.anchor(s, ws)
    assert late.seq == 20
    with tampering(engine) as (conn, s):
        conn.execute(
            delete(TABLE).where(AuditEntry.workspace_id == ws, AuditEntry.seq > 15)
        )
        alone = audit.verify(s, ws)
        against_late = audit.verify(s, ws, anchor=late.hash)
        against_early = audit.verify(s, ws, anchor=early.hash.upper())
    assert alone.ok  # the limit of a chain on its own
    assert (alone.entries, alone.head_seq) == (15, 15)
    assert not against_late.ok
    assert against_late.anchor_found is False
    assert against_late.first_broken is None
    assert "not in the chain" in against_late.reason
    assert against_early.ok
    assert (against_early.anchor_found, against_early.anchor_seq) == (True, 10)


def test_a_rewritten_chain_verifies_alone_but_fails_the_anchor(engine, chain):
    """A tamperer with write access re-hashes everything after an edit."""
    ws = chain.workspace_id
    with tampering(engine) as (conn, s):
        prev = chain.hashes[2]
        for seq in range(3, N + 1):
            e = _entry(conn, ws, seq)
            if seq == 3:
                e.payload = '{"n":3,"note":"quietly changed"}'
            e.prev_hash = prev
            e.hash = prev = _rehash(e)
            conn.execute(
                update(TABLE)
                .where(*_where(ws, seq))
                .values(payload=e.payload, prev_hash=e.prev_hash, hash=e.hash)
            )
        assert audit.verify(s, ws).ok
        v = audit.verify(s, ws, anchor=chain.head)
        older = audit.verify(s, ws, anchor=chain.hashes[2])
    assert (v.ok, v.anchor_found) == (False, False)
    assert (older.ok, older.anchor_seq) == (True, 2)  # before the rewrite: intact


def test_a_broken_chain_with_a_missing_anchor_names_both(engine, chain):
    with tampering(engine) as (conn, s):
        apply(conn, chain, Tamper("edit", 3, field="action"))
        v = audit.verify(s, chain.workspace_id, anchor="a" * 64)
    assert (v.ok, v.first_broken, v.anchor_found) == (False, 3, False)
    assert v.reason.startswith("entry #3 was altered")
    assert "anchor " + "a" * 64 + " is not in the chain" in v.reason


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "a" * 65])
def test_an_anchor_that_is_no_hash_is_refused(bad):
    # refused before the database is asked: the session is bound to none
    with Session() as s, pytest.raises(InvalidInput, match="anchor"):
        audit.verify(s, 1, anchor=bad)


def test_the_tampering_is_rolled_back_and_the_triggers_are_back(
    sessions, engine, chain
):
    with tampering(engine) as (conn, _):
        apply(conn, chain, Tamper("delete", 3))
    with sessions() as s:
        assert audit.verify(s, chain.workspace_id, anchor=chain.head).ok
    with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
        conn.execute(delete(TABLE).where(*_where(chain.workspace_id, 3)))


# -- show -------------------------------------------------------------------------


def test_show_lists_the_newest_entries_oldest_first(sessions, chain):
    with sessions() as s:
        entries = audit.show(s, chain.workspace_id, limit=5)
        everything = audit.show(s, chain.workspace_id, limit=None)
    assert [e.seq for e in entries] == [16, 17, 18, 19, 20]
    assert [e.seq for e in everything] == list(range(1, N + 1))


def test_show_filters(sessions, chain):
    ws = chain.workspace_id
    with sessions() as s:

        def seqs(**filters: Any) -> list[int]:
            return [e.seq for e in audit.show(s, ws, limit=None, **filters)]

        assert seqs(action="agreement.approve") == [5, 11, 17]
        assert seqs(action="agreement") == [
            i for i in range(1, N + 1) if i % len(ACTIONS) in (2, 3, 4, 5)
        ]
        assert seqs(action="agree") == []  # a prefix counts only at a dot
        assert seqs(object_type="user") == [6, 12, 18]
        assert seqs(object_type="user", object_id=66) == [6]
        assert seqs(object_id="66") == [6]
        assert seqs(since=T0 + timedelta(minutes=7 * 18)) == [18, 19, 20]
        assert seqs(until=T0 + timedelta(minutes=7 * 3)) == [1, 2]
        assert seqs(
            since=T0 + timedelta(minutes=7 * 4), until=T0 + timedelta(minutes=7 * 6)
        ) == [4, 5]
        newest = audit.show(s, ws, action="agreement", limit=2)
        assert [e.seq for e in newest] == [17, 20]


@pytest.mark.parametrize(
    ("filters", "where"),
    [
        ({"limit": 0}, "limit"),
        ({"since": datetime(2027, 1, 1)}, "since"),  # noqa: DTZ001
        ({"until": T0, "since": T0}, "until"),
    ],
)
def test_show_refuses_bad_filters(filters, where):
    # refused before the database is asked: the session is bound to none
    with Session() as s, pytest.raises(InvalidInput, match=f"^{where}: "):
        audit.show(s, 1, **filters)


def test_show_names_each_actor_by_e_mail(sessions, chain):
    with sessions() as s:
        entries = audit.show(s, chain.workspace_id, limit=None)
    # the chain's entries are Jane's or the system's (no actor)
    assert {(e.actor_id, e.actor) for e in entries} == {
        (chain.user_id, "jane@example.com"),
        (None, "system"),
    }
    assert all(isinstance(e.payload, dict) for e in entries)
