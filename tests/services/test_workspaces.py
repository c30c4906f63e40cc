"""Workspaces, people, clients and tokens on both backends: each use case, its bad
inputs (which change nothing), signing in, the audit entries, and a matrix of
actors x foreign objects for every service function that takes a principal."""

import hashlib
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import ApiToken, AuditEntry, Client, Role, User, Workspace
from slakeeper.errors import (
    AppError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from slakeeper.services import workspaces as svc
from slakeeper.services.access import Principal
from tests.factories import NOW, Cast, World, make_cast, make_world, principal

LATER = NOW + timedelta(hours=1)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class TokenWorld(World):
    """The shared world, plus a token each for Jane and Sam."""

    jane_token: int = 0
    sam_token: int = 0


@pytest.fixture
def cast(sessions: sessionmaker[Session]) -> Cast:
    with sessions.begin() as s:
        return make_cast(s)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> TokenWorld:
    return token_world(sessions)


@pytest.fixture(scope="module")
def matrix_world(module_sessions: sessionmaker[Session]) -> TokenWorld:
    """`world` once per backend for the access matrix, whose calls are all
    rolled back."""
    return token_world(module_sessions)


def token_world(sessions: sessionmaker[Session]) -> TokenWorld:
    with sessions.begin() as s:
        base = make_world(s)
        jane_token, _ = svc.create_token(s, base.cast.jane, name="ci", now=NOW)
        sam_token, _ = svc.create_token(s, base.cast.sam, name="laptop", now=NOW)
        return TokenWorld(
            base.cast,
            base.globex_id,
            base.olga,
            base.dora,
            base.foreign,
            jane_token.id,
            sam_token.id,
        )


def counts(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, int]:
    with sessions() as s:
        return {
            model.__name__: s.scalar(
                select(func.count())
                .select_from(model)
                .where(model.workspace_id == workspace_id)
            )
            or 0
            for model in (User, Client, ApiToken, AuditEntry)
        }


def audit_actions(sessions: sessionmaker[Session], workspace_id: int) -> list[str]:
    with sessions() as s:
        return list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.workspace_id == workspace_id)
                .order_by(AuditEntry.seq)
            )
        )


def last_audit(sessions: sessionmaker[Session], workspace_id: int) -> AuditEntry:
    with sessions() as s:
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == workspace_id)
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None
        return entry


# -- init_workspace ---------------------------------------------------------------


def test_init_creates_a_workspace_with_its_owner(sessions):
    name = f"Jane Doe Web {uuid.uuid4().hex[:8]}"
    with sessions.begin() as s:
        ws, owner = svc.init_workspace(
            s,
            name=f"  {name} ",
            owner_email="Jane@JaneDoe.example",
            owner_name="Jane Doe",
            password=PASSWORD,
            now=NOW,
        )
    assert ws.name == name
    assert (owner.role, owner.email) == (Role.OWNER, "jane@janedoe.example")
    assert owner.password_hash is not None
    assert owner.password_hash.startswith("$argon2id$")
    assert PASSWORD not in owner.password_hash
    assert audit_actions(sessions, ws.id) == ["workspace.created", "user.added"]
    assert last_audit(sessions, ws.id).actor_id == owner.id
    with sessions.begin() as s:
        who = svc.authenticate_password(
            s, ws.id, "jane@janedoe.example", PASSWORD, LATER
        )
    assert (who.user_id, who.role, who.workspace_id) == (owner.id, Role.OWNER, ws.id)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"name": "  "}, InvalidInput, "workspace: must not be empty"),
        ({"owner_email": "jane"}, InvalidInput, "is not an e-mail address"),
        ({"owner_name": ""}, InvalidInput, "name: must not be empty"),
        ({"password": "short"}, InvalidInput, "at least 8 characters"),
        ({"name": "TAKEN"}, Conflict, "already exists"),
    ],
)
def test_init_refuses_bad_input_and_creates_nothing(sessions, change, error, message):
    taken = f"Taken {uuid.uuid4().hex[:8]}"
    with sessions.begin() as s:
        svc.init_workspace(
            s,
            name=taken,
            owner_email="a@b.example",
            owner_name="A",
            password=PASSWORD,
            now=NOW,
        )
    with sessions() as s:
        before = s.scalar(select(func.count(Workspace.id)))
    args: dict[str, Any] = {
        "name": f"New {uuid.uuid4().hex[:8]}",
        "owner_email": "jane@janedoe.example",
        "owner_name": "Jane",
        "password": PASSWORD,
    }
    args.update(change)
    if args["name"] == "TAKEN":
        args["name"] = taken
    with pytest.raises(error, match=message), sessions.begin() as s:
        svc.init_workspace(s, now=NOW, **args)
    with sessions() as s:
        assert s.scalar(select(func.count(Workspace.id))) == before


# -- users ------------------------------------------------------------------------


def test_an_owner_adds_staff_and_client_contacts(sessions, cast):
    with sessions.begin() as s:
        kim = svc.add_user(
            s,
            cast.jane,
            email="kim@janedoe.example",
            name="Kim",
            role="staff",
            now=NOW,
        )
        lea = svc.add_user(
            s,
            cast.jane,
            email="Lea@Acme.example",
            name="Lea",
            role=Role.CLIENT,
            client_id=cast.acme_id,
            password=PASSWORD,
            now=NOW,
        )
    assert (kim.role, kim.client_id, kim.password_hash) == (Role.STAFF, None, None)
    assert (lea.email, lea.client_id) == ("lea@acme.example", cast.acme_id)
    assert audit_actions(sessions, cast.workspace_id)[-2:] == ["user.added"] * 2
    entry = last_audit(sessions, cast.workspace_id)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        cast.jane.user_id,
        "user",
        str(lea.id),
    )
    assert f'"client_id":{cast.acme_id}' in entry.payload
    with sessions.begin() as s:
        who = svc.authenticate_password(
            s, cast.workspace_id, "lea@acme.example", PASSWORD, NOW
        )
    assert (who.role, who.client_id) == (Role.CLIENT, cast.acme_id)


BAD_USERS: list[tuple[str, dict[str, Any], type[AppError], str]] = [
    ("duplicate e-mail", {"email": "SAM@janedoe.example"}, Conflict, "already exists"),
    ("unknown client", {"client_id": 10**9}, NotFound, "client 1000000000 not found"),
    ("foreign client", {"client_id": "FOREIGN"}, NotFound, "not found"),
    ("contact without client", {"client_id": None}, InvalidInput, "needs a client"),
    ("staff with a client", {"role": "staff"}, InvalidInput, "only client contacts"),
    ("wrong role", {"role": "admin"}, InvalidInput, "'admin' is not a role"),
    ("bad e-mail", {"email": "kim at example"}, InvalidInput, "not an e-mail"),
    ("empty name", {"name": " "}, InvalidInput, "name: must not be empty"),
    ("short password", {"password": "1234"}, InvalidInput, "at least 8"),
    ("staff acting", {"actor": "sam"}, PermissionDenied, "only a workspace owner"),
    ("client acting", {"actor": "max"}, PermissionDenied, "only a workspace owner"),
]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [case[1:] for case in BAD_USERS],
    ids=[case[0] for case in BAD_USERS],
)
def test_add_user_refuses_bad_input_and_changes_nothing(
    sessions, cast, change, error, message
):
    with sessions.begin() as s:
        foreign = make_cast(s)
    args: dict[str, Any] = {
        "email": "kim@acme.example",
        "name": "Kim",
        "role": "client",
        "client_id": cast.acme_id,
        "actor": "jane",
    }
    args.update(change)
    if args["client_id"] == "FOREIGN":
        args["client_id"] = foreign.acme_id
    actor = getattr(cast, args.pop("actor"))
    before = counts(sessions, cast.workspace_id)
    with pytest.raises(error, match=message), sessions.begin() as s:
        svc.add_user(s, actor, now=NOW, **args)
    assert counts(sessions, cast.workspace_id) == before


def test_find_user_takes_an_e_mail_in_any_case_or_an_id(sessions, cast):
    with sessions() as s:
        by_email = svc.find_user(s, cast.jane, " ERIKA@acme.example")
        by_id = svc.find_user(s, cast.jane, str(cast.erika.user_id))
        assert by_email == by_id
        assert (by_id.id, by_id.client_name) == (cast.erika.user_id, "Acme GmbH")
        for nothing in ("nobody@acme.example", "99999999999", "0"):
            with pytest.raises(NotFound, match="not found"):
                svc.find_user(s, cast.jane, nothing)


def test_a_disabled_owner_cannot_act(sessions, cast):
    with sessions.begin() as s:
        second = svc.add_user(
            s,
            cast.jane,
            email="joe@janedoe.example",
            name="Joe",
            role="owner",
            now=NOW,
        )
        svc.disable_user(s, cast.jane, second.id, NOW)
    before = counts(sessions, cast.workspace_id)
    denied = pytest.raises(PermissionDenied, match=r"joe@janedoe\.example is disabled")
    with denied, sessions.begin() as s:
        svc.add_user(
            s,
            principal(second),
            email="x@y.example",
            name="X",
            role="staff",
            now=NOW,
        )
    assert counts(sessions, cast.workspace_id) == before


def test_who_sees_which_users(sessions, world):
    c = world.cast
    with sessions() as s:
        everyone = {u.email for u in svc.list_users(s, c.sam)}
        acme = {u.email for u in svc.list_users(s, c.max)}
        foreign = {u.email for u in svc.list_users(s, world.foreign.jane)}
        foreign_ids = {u.id for u in svc.list_users(s, world.foreign.jane)}
    assert everyone == {
        "jane@janedoe.example",
        "sam@janedoe.example",
        "max@acme.example",
        "erika@acme.example",
        "olga@globex.example",
        "dora@janedoe.example",
    }
    assert acme == {"max@acme.example", "erika@acme.example"}
    assert c.jane.user_id not in foreign_ids
    assert len(foreign) == 4


def test_disabling_a_user_records_when_and_who(sessions, cast):
    with sessions.begin() as s:
        sam = svc.disable_user(s, cast.jane, cast.sam.user_id, LATER)
    assert sam.disabled_at == LATER
    entry = last_audit(sessions, cast.workspace_id)
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "user.disabled",
        cast.jane.user_id,
        str(cast.sam.user_id),
    )


@pytest.mark.parametrize(
    ("actor", "target", "error", "message"),
    [
        ("jane", "jane", Conflict, "last active owner"),
        ("jane", "dora", Conflict, "already disabled"),
        ("jane", "missing", NotFound, "user 1000000000 not found"),
        ("jane", "foreign", NotFound, "not found"),
        ("sam", "erika", PermissionDenied, "only a workspace owner"),
        ("max", "erika", PermissionDenied, "only a workspace owner"),
    ],
)
def test_disable_user_refuses_and_changes_nothing(
    sessions, world, actor, target, error, message
):
    c = world.cast
    ids = {
        "jane": c.jane.user_id,
        "dora": world.dora.user_id,
        "missing": 10**9,
        "foreign": world.foreign.sam.user_id,
        "erika": c.erika.user_id,
    }
    before = counts(sessions, c.workspace_id)
    with pytest.raises(error, match=message), sessions.begin() as s:
        svc.disable_user(s, getattr(c, actor), ids[target], NOW)
    assert counts(sessions, c.workspace_id) == before
    with sessions() as s:
        assert s.get(User, c.erika.user_id).disabled_at is None


# -- clients ----------------------------------------------------------------------


def test_clients_get_an_upper_case_key(sessions, cast):
    with sessions.begin() as s:
        acme_inc = svc.add_client(s, cast.sam, name="Acme Inc.", now=NOW)
        bluebird = svc.add_client(s, cast.jane, name="Blue-bird Ltd", now=NOW)
        globex = svc.add_client(s, cast.jane, name="Globex", key=" gx1 ", now=NOW)
        zurich = svc.add_client(s, cast.jane, name="Zürich Versicherung", now=NOW)
    assert [acme_inc.key, bluebird.key, globex.key, zurich.key] == [
        "ACME2",  # ACME is Acme GmbH's
        "BLUE",
        "GX1",
        "ZURICH",
    ]
    entry = last_audit(sessions, cast.workspace_id)
    assert (entry.action, entry.actor_id) == ("client.added", cast.jane.user_id)
    assert '"key":"ZURICH"' in entry.payload


@pytest.mark.parametrize(
    ("actor", "change", "error", "message"),
    [
        ("jane", {"name": "ACME gmbh"}, Conflict, "client named 'ACME gmbh' already"),
        ("jane", {"key": "acme"}, Conflict, "key ACME is already taken"),
        ("jane", {"key": "4CME"}, InvalidInput, "key: '4CME' should be a letter"),
        ("jane", {"name": "株式会社"}, InvalidInput, "cannot make a key"),
        ("jane", {"name": ""}, InvalidInput, "name: must not be empty"),
        ("max", {}, PermissionDenied, "only the provider's people"),
    ],
)
def test_add_client_refuses_bad_input(sessions, cast, actor, change, error, message):
    args: dict[str, Any] = {"name": "Initech"}
    args.update(change)
    before = counts(sessions, cast.workspace_id)
    with pytest.raises(error, match=message), sessions.begin() as s:
        svc.add_client(s, getattr(cast, actor), now=NOW, **args)
    assert counts(sessions, cast.workspace_id) == before


# -- tokens -----------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed(sessions, cast):
    with sessions.begin() as s:
        token, plaintext = svc.create_token(s, cast.max, name="  scripts ", now=NOW)
    assert plaintext.startswith("slk_")
    assert len(plaintext) > 40
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(token.prefix)
    assert (token.name, token.user_id, token.last_used_at) == (
        "scripts",
        cast.max.user_id,
        None,
    )
    with sessions() as s:
        stored = s.get(ApiToken, token.id)
        assert stored is not None
        assert plaintext not in {stored.token_hash, stored.prefix, stored.name}
    entry = last_audit(sessions, cast.workspace_id)
    assert (entry.action, entry.actor_id) == ("token.created", cast.max.user_id)
    assert plaintext not in entry.payload

    with sessions.begin() as s:
        who = svc.authenticate_token(s, plaintext, LATER)
    assert who == cast.max
    with sessions() as s:
        assert s.get(ApiToken, token.id).last_used_at == LATER


def test_revoked_tokens_and_disabled_users_are_refused(sessions, cast):
    with sessions.begin() as s:
        sam_token, sam_text = svc.create_token(s, cast.sam, name="a", now=NOW)
        erika_token, erika_text = svc.create_token(s, cast.erika, name="b", now=NOW)
    with sessions.begin() as s:
        revoked = svc.revoke_token(s, cast.sam, sam_token.id, LATER)
        svc.disable_user(s, cast.jane, cast.erika.user_id, LATER)
    assert revoked.revoked_at == LATER
    assert audit_actions(sessions, cast.workspace_id)[-2:] == [
        "token.revoked",
        "user.disabled",
    ]
    cases = [
        (sam_text, "has been revoked"),
        (erika_text, "belongs to a disabled user"),
        ("slk_" + "x" * 43, "invalid API token"),
        ("", "invalid API token"),
    ]
    for text, message in cases:
        with pytest.raises(PermissionDenied, match=message), sessions.begin() as s:
            svc.authenticate_token(s, text, LATER)
    with sessions() as s:
        assert s.get(ApiToken, erika_token.id).last_used_at is None


def test_who_sees_and_revokes_which_tokens(sessions, world):
    c = world.cast
    with sessions() as s:
        by_jane = [t.id for t in svc.list_tokens(s, c.jane)]
        by_sam = [t.id for t in svc.list_tokens(s, c.sam)]
        by_max = [t.id for t in svc.list_tokens(s, c.max)]
        by_foreign = [t.id for t in svc.list_tokens(s, world.foreign.jane)]
    assert by_jane == [world.jane_token, world.sam_token]
    assert by_sam == [world.sam_token]
    assert by_max == by_foreign == []
    with sessions.begin() as s:
        svc.revoke_token(s, c.jane, world.sam_token, NOW)  # an owner revokes any
    before = counts(sessions, c.workspace_id)
    with pytest.raises(Conflict, match="already revoked"), sessions.begin() as s:
        svc.revoke_token(s, c.sam, world.sam_token, NOW)
    with pytest.raises(NotFound, match="not found"), sessions.begin() as s:
        svc.revoke_token(s, c.jane, 10**9, NOW)
    empty = pytest.raises(InvalidInput, match="name: must not be empty")
    with empty, sessions.begin() as s:
        svc.create_token(s, c.jane, name=" ", now=NOW)
    assert counts(sessions, c.workspace_id) == before


# -- passwords --------------------------------------------------------------------


def test_signing_in_with_a_password(sessions, cast):
    with sessions.begin() as s:
        kim = svc.add_user(
            s,
            cast.jane,
            email="kim@janedoe.example",
            name="Kim",
            role="staff",
            password=PASSWORD,
            now=NOW,
        )
        foreign = make_cast(s)
    ws = cast.workspace_id
    with sessions.begin() as s:
        assert svc.authenticate_password(s, ws, " KIM@janedoe.example", PASSWORD, NOW)
    refused = [
        (ws, "kim@janedoe.example", "wrong password", "wrong e-mail or password"),
        (ws, "nobody@janedoe.example", PASSWORD, "wrong e-mail or password"),
        (ws, "sam@janedoe.example", PASSWORD, "wrong e-mail or password"),  # none set
        (foreign.workspace_id, "kim@janedoe.example", PASSWORD, "wrong e-mail"),
    ]
    for workspace_id, email, password, message in refused:
        with pytest.raises(PermissionDenied, match=message), sessions.begin() as s:
            svc.authenticate_password(s, workspace_id, email, password, NOW)
    with sessions.begin() as s:
        svc.disable_user(s, cast.jane, kim.id, NOW)
    with pytest.raises(PermissionDenied, match="disabled"), sessions.begin() as s:
        svc.authenticate_password(s, ws, "kim@janedoe.example", PASSWORD, NOW)


def test_an_outdated_password_hash_is_upgraded_on_sign_in(sessions, cast):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with sessions.begin() as s:
        s.get(User, cast.sam.user_id).password_hash = weak
    with sessions.begin() as s:
        svc.authenticate_password(s, cast.workspace_id, cast.sam.email, PASSWORD, NOW)
    with sessions() as s:
        stored = s.get(User, cast.sam.user_id).password_hash
    assert stored != weak
    assert stored is not None
    assert stored.startswith("$argon2id$")


# -- the access matrix: actors x foreign objects ----------------------------------

ACTORS = ("owner", "staff", "contact", "other_contact", "disabled", "foreign_owner")
OK = "ok"
Outcome = str | bool | type[AppError]


def _actor(world: TokenWorld, name: str) -> Principal:
    return {
        "owner": world.cast.jane,
        "staff": world.cast.sam,
        "contact": world.cast.max,
        "other_contact": world.olga,
        "disabled": world.dora,
        "foreign_owner": world.foreign.jane,
    }[name]


def _ours(s: Session, model: Any, w: TokenWorld) -> set[int]:
    """The ids of the `model` rows of Jane's workspace (the one the matrix is
    about): a foreign owner's own rows are left out of what they see."""
    ids = s.scalars(select(model.id).where(model.workspace_id == w.cast.workspace_id))
    return set(ids)


def _sees(items: Any) -> str:
    return ",".join(sorted(getattr(i, "email", None) or i.name for i in items))


Call = Callable[[Session, Principal, TokenWorld], Any]
Row = tuple[Call, dict[str, Outcome]]
DENIED, ABSENT = PermissionDenied, NotFound

MATRIX: dict[str, Row] = {
    # each cell: what the actor gets when it touches Jane's workspace's objects
    "add_user": (
        lambda s, p, w: svc.add_user(
            s,
            p,
            email="new@acme.example",
            name="New",
            role="client",
            client_id=w.cast.acme_id,
            now=NOW,
        ),
        {
            "owner": OK,
            "staff": DENIED,
            "contact": DENIED,
            "other_contact": DENIED,
            "disabled": DENIED,
            "foreign_owner": ABSENT,
        },
    ),
    "list_users": (
        lambda s, p, w: _sees(
            u for u in svc.list_users(s, p) if u.id in _ours(s, User, w)
        ),
        {
            "owner": "provider+clients",
            "staff": "provider+clients",
            "contact": "erika@acme.example,max@acme.example",
            "other_contact": "olga@globex.example",
            "disabled": DENIED,
            "foreign_owner": "",
        },
    ),
    "disable_user": (
        lambda s, p, w: svc.disable_user(s, p, w.cast.erika.user_id, NOW),
        {
            "owner": OK,
            "staff": DENIED,
            "contact": DENIED,
            "other_contact": DENIED,
            "disabled": DENIED,
            "foreign_owner": ABSENT,
        },
    ),
    "add_client": (
        lambda s, p, w: (
            svc.add_client(s, p, name="Initech", now=NOW).workspace_id == p.workspace_id
            or "wrong workspace"
        ),
        {
            "owner": True,
            "staff": True,
            "contact": DENIED,
            "other_contact": DENIED,
            "disabled": DENIED,
            "foreign_owner": True,
        },
    ),
    "list_clients": (
        lambda s, p, w: _sees(
            c for c in svc.list_clients(s, p) if c.id in _ours(s, Client, w)
        ),
        {
            "owner": "Acme GmbH,Globex",
            "staff": "Acme GmbH,Globex",
            "contact": "Acme GmbH",
            "other_contact": "Globex",
            "disabled": DENIED,
            "foreign_owner": "",
        },
    ),
    "client_named": (
        lambda s, p, w: svc.client_named(s, p, "Acme GmbH").id == w.cast.acme_id,
        {
            "owner": True,
            "staff": True,
            "contact": True,
            "other_contact": ABSENT,
            "disabled": DENIED,
            "foreign_owner": False,  # their own workspace's, not Jane's
        },
    ),
    "find_client": (
        lambda s, p, w: svc.find_client(s, p, "acme").id == w.cast.acme_id,
        {
            "owner": True,
            "staff": True,
            "contact": True,
            "other_contact": ABSENT,
            "disabled": DENIED,
            "foreign_owner": False,  # their own workspace's, not Jane's
        },
    ),
    "find_user": (
        lambda s, p, w: (
            svc.find_user(s, p, " Erika@Acme.example").id == w.cast.erika.user_id
        ),
        {
            "owner": True,
            "staff": True,
            "contact": True,
            "other_contact": ABSENT,
            "disabled": DENIED,
            "foreign_owner": False,  # their own workspace's, not Jane's
        },
    ),
    "create_token": (
        lambda s, p, w: (
            svc.create_token(s, p, name="t", now=NOW)[0].user_id == p.user_id
            or "wrong user"
        ),
        {
            "owner": True,
            "staff": True,
            "contact": True,
            "other_contact": True,
            "disabled": DENIED,
            "foreign_owner": True,
        },
    ),
    "list_tokens": (
        lambda s, p, w: [
            t.id for t in svc.list_tokens(s, p) if t.id in _ours(s, ApiToken, w)
        ],
        {
            "owner": "jane+sam",
            "staff": "sam",
            "contact": "[]",
            "other_contact": "[]",
            "disabled": DENIED,
            "foreign_owner": "[]",
        },
    ),
    "revoke_token": (
        lambda s, p, w: svc.revoke_token(s, p, w.sam_token, NOW),
        {
            "owner": OK,
            "staff": OK,
            "contact": ABSENT,
            "other_contact": ABSENT,
            "disabled": DENIED,
            "foreign_owner": ABSENT,
        },
    ),
}


class _Rollback(Exception):
    pass


def _expected(world: TokenWorld, outcome: Outcome) -> Any:
    if outcome == "provider+clients":
        c = world.cast
        people = [c.jane, c.sam, c.max, c.erika, world.olga, world.dora]
        return ",".join(sorted(p.email for p in people))
    aliases: dict[Any, Any] = {
        "jane+sam": [world.jane_token, world.sam_token],
        "sam": [world.sam_token],
        "[]": [],
    }
    return aliases.get(outcome, outcome)


def test_every_service_function_with_a_principal_has_a_matrix_row():
    takes_principal = {
        name
        for name in svc.__all__
        if callable(fn := getattr(svc, name))
        and "principal" in inspect.signature(fn).parameters
        and name not in {"active_user"}
    }
    assert takes_principal == set(MATRIX)
    assert all(set(cells) == set(ACTORS) for _, cells in MATRIX.values())


@pytest.mark.parametrize("function", sorted(MATRIX))
def test_access_matrix(module_sessions, matrix_world, function):
    sessions, world = module_sessions, matrix_world
    call, cells = MATRIX[function]
    for actor in ACTORS:
        expected = _expected(world, cells[actor])
        try:
            with sessions.begin() as s:
                result = call(s, _actor(world, actor), world)
                raise _Rollback
        except _Rollback:
            got: Any = OK if expected == OK else result
        except AppError as exc:
            got = type(exc)
        assert got == expected, f"{function} by {actor}"
    assert audit_actions(sessions, world.foreign.workspace_id) == []
