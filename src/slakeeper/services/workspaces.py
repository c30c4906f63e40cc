"""Workspaces, people, clients and API tokens: who exists and how they sign in.

Every function runs inside a transaction the caller opened
(`with sessions.begin() as s:`) and never commits: when it raises, the caller's
block rolls back and nothing has changed. Input is checked before anything is
written, and every change writes its audit entry in that same transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import ApiToken, Client, FeedToken, Role, User, Workspace
from slakeeper.db.session import begin_reading, begin_without_waiting
from slakeeper.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
)
from slakeeper.services import audit
from slakeeper.services.access import (
    MAX_ID,
    Principal,
    active_user,
    client_names,
    emails_of,
    normal_email,
    require_owner,
    require_provider,
    scoped,
    user_by_email,
)
from slakeeper.services.pages import Page, in_page
from slakeeper.services.views.admin import TokenRead, UserRead, WorkspaceRead
from slakeeper.services.views.agreements import ClientRead

__all__ = [
    "LAST_USE_EVERY",
    "TOKEN_PREFIX",
    "TokenUse",
    "acting_principal",
    "active_user",
    "add_client",
    "add_user",
    "authenticate_password",
    "authenticate_token",
    "check_token",
    "client_named",
    "create_token",
    "disable_user",
    "find_client",
    "find_user",
    "hash_password",
    "init_workspace",
    "list_clients",
    "list_tokens",
    "list_users",
    "principal_for",
    "record_use",
    "record_use_apart",
    "revoke_token",
    "sign_in",
    "token_hash",
    "workspace_named",
]

TOKEN_PREFIX = "slk_"
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KEY = re.compile(r"^[A-Z][A-Z0-9]{0,19}$")
# a token's last use is stored at most once a minute, so that reading with a
# token does not write each time
LAST_USE_EVERY = timedelta(minutes=1)
_log = logging.getLogger(__name__)

# -- helpers ----------------------------------------------------------------------


def hash_password(password: str) -> str:
    """The argon2id hash of a password (at least 8 characters)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"must be at least {MIN_PASSWORD} characters long", location="password"
        )
    return _HASHER.hash(password)


def principal_for(user: User) -> Principal:
    """The principal a user acts as."""
    return Principal(
        user_id=user.id,
        workspace_id=user.workspace_id,
        role=user.role,
        client_id=user.client_id,
        email=user.email,
    )


def _text(value: str, location: str, limit: int = 200) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput("must not be empty", location=location)
    if len(value) > limit:
        raise InvalidInput(f"must be at most {limit} characters", location=location)
    return value


def _email(value: str) -> str:
    value = normal_email(value)
    if not _EMAIL.match(value) or len(value) > 320:
        raise InvalidInput(f"{value!r} is not an e-mail address", location="email")
    return value


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidInput(
            f"{value!r} is not a role (one of {names})", location="role"
        ) from None


def _audit(
    session: Session,
    principal: Principal | None,
    workspace_id: int,
    now: datetime,
    action: str,
    obj: tuple[str, int],
    payload: dict[str, Any],
) -> None:
    audit.record(
        session,
        workspace_id=workspace_id,
        actor_id=principal.user_id if principal else None,
        now=now,
        action=action,
        object_type=obj[0],
        object_id=obj[1],
        payload=payload,
    )


def _user_payload(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "client_id": user.client_id,
    }


# -- workspaces and users ---------------------------------------------------------


def init_workspace(
    session: Session,
    *,
    name: str,
    owner_email: str,
    owner_name: str,
    password: str,
    now: datetime,
) -> tuple[Workspace, User]:
    """Create a workspace and its first owner."""
    name = _text(name, "workspace")
    email, owner_name = _email(owner_email), _text(owner_name, "name")
    password_hash = hash_password(password)
    if session.scalar(select(Workspace.id).where(Workspace.name == name)):
        raise Conflict(f"a workspace named {name!r} already exists")
    workspace = Workspace(name=name, created_at=now)
    session.add(workspace)
    session.flush()
    owner = User(
        workspace_id=workspace.id,
        email=email,
        name=owner_name,
        role=Role.OWNER,
        password_hash=password_hash,
        created_at=now,
    )
    session.add(owner)
    session.flush()
    actor = principal_for(owner)
    obj = ("workspace", workspace.id)
    _audit(session, actor, workspace.id, now, "workspace.created", obj, {"name": name})
    obj = ("user", owner.id)
    _audit(session, actor, workspace.id, now, "user.added", obj, _user_payload(owner))
    return workspace, owner


def add_user(
    session: Session,
    principal: Principal,
    *,
    email: str,
    name: str,
    role: Role | str,
    client_id: int | None = None,
    password: str | None = None,
    now: datetime,
) -> User:
    """Add a person (owners only). A client contact (role `client`) needs a
    client; provider people have none. What each person may approve or decide
    is read from the agreement in force (its contacts, by e-mail), never from
    the user."""
    require_owner(principal, "add users")
    active_user(session, principal)
    email, name, role = _email(email), _text(name, "name"), _role(role)
    if role is Role.CLIENT:
        if client_id is None:
            raise InvalidInput("a client contact needs a client", location="client")
        _client(session, principal, client_id)
    elif client_id is not None:
        raise InvalidInput(
            f"only client contacts belong to a client, not {role.value}",
            location="client",
        )
    password_hash = hash_password(password) if password is not None else None
    if user_by_email(session, principal.workspace_id, email) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        workspace_id=principal.workspace_id,
        email=email,
        name=name,
        role=role,
        client_id=client_id,
        password_hash=password_hash,
        created_at=now,
    )
    session.add(user)
    session.flush()
    _audit(
        session,
        principal,
        principal.workspace_id,
        now,
        "user.added",
        ("user", user.id),
        _user_payload(user),
    )
    return user


def list_users(session: Session, principal: Principal) -> list[UserRead]:
    """The workspace's people; a client contact sees only their client's."""
    active_user(session, principal)
    query = scoped(select(User), User, principal)
    rows = session.scalars(query.order_by(User.id)).all()
    clients = client_names(
        session,
        principal.workspace_id,
        (u.client_id for u in rows if u.client_id is not None),
    )
    return [UserRead.of(u, clients) for u in rows]


def find_user(session: Session, principal: Principal, ref: str) -> UserRead:
    """A person the principal may see, by e-mail (any case) or id."""
    active_user(session, principal)
    wanted = normal_email(ref)
    match = User.email == wanted
    if wanted.isdigit() and int(wanted) <= MAX_ID:
        match = or_(match, User.id == int(wanted))
    user = session.scalars(
        scoped(select(User), User, principal).where(match).order_by(User.id)
    ).first()
    if user is None:
        raise NotFound(f"user {ref!r} not found")
    clients = (
        {}
        if user.client_id is None
        else client_names(session, user.workspace_id, [user.client_id])
    )
    return UserRead.of(user, clients)


def acting_principal(
    session: Session, workspace: WorkspaceRead, email: str | None
) -> Principal:
    """Who the CLI acts as: the user with this e-mail (SLAKEEPER_USER), else the
    workspace's first active owner. NotFound when there is no such user,
    PermissionDenied when that user is disabled."""
    if email:
        user = user_by_email(session, workspace.id, email)
        if user is None:
            raise NotFound(
                f"no user {email!r} in workspace {workspace.name!r};"
                " check SLAKEEPER_USER"
            )
        if user.disabled_at is not None:
            raise PermissionDenied(f"user {user.email} is disabled")
        return principal_for(user)
    owner = session.scalars(
        select(User)
        .where(
            User.workspace_id == workspace.id,
            User.role == Role.OWNER,
            User.disabled_at.is_(None),
        )
        .order_by(User.id)
    ).first()
    if owner is None:
        raise NotFound(
            f"workspace {workspace.name!r} has no active owner;"
            " name a user with SLAKEEPER_USER"
        )
    return principal_for(owner)


def workspace_named(session: Session, name: str | None) -> WorkspaceRead:
    """The workspace named `name` (SLAKEEPER_WORKSPACE), else the only workspace
    in the database; NotFound when there is none (or no such name),
    InvalidInput when several exist and none is named."""
    if name:
        found = session.scalars(select(Workspace).where(Workspace.name == name)).first()
        if found is None:
            raise NotFound(
                f"no workspace named {name!r} in the database"
                f" ({_workspace_names(session)}); check SLAKEEPER_WORKSPACE"
            )
        return WorkspaceRead.of(found)
    first_two = session.scalars(select(Workspace).order_by(Workspace.id).limit(2)).all()
    if not first_two:
        raise NotFound(
            "the database has no workspace yet; create one with `slakeeper init`"
        )
    if len(first_two) > 1:
        raise InvalidInput(
            f"the database holds several workspaces ({_workspace_names(session)});"
            " choose one with SLAKEEPER_WORKSPACE=NAME",
            location="SLAKEEPER_WORKSPACE",
        )
    return WorkspaceRead.of(first_two[0])


def _workspace_names(session: Session, most: int = 5) -> str:
    names = session.scalars(
        select(Workspace.name).order_by(Workspace.name).limit(most + 1)
    ).all()
    if not names:
        return "it has none"
    shown = ", ".join(repr(n) for n in names[:most])
    return f"it has {shown}{', ...' if len(names) > most else ''}"


def disable_user(
    session: Session, principal: Principal, user_id: int, now: datetime
) -> User:
    """Disable a person (owners only): they can no longer sign in or use tokens.
    The last active owner cannot be disabled."""
    require_owner(principal, "disable users")
    active_user(session, principal)
    user = session.get(User, user_id)
    if user is None or user.workspace_id != principal.workspace_id:
        raise NotFound(f"user {user_id} not found")
    if user.disabled_at is not None:
        raise Conflict(f"user {user.email} is already disabled")
    if user.role is Role.OWNER:
        owners = select(func.count(User.id)).where(
            User.workspace_id == principal.workspace_id,
            User.role == Role.OWNER,
            User.disabled_at.is_(None),
        )
        if session.scalar(owners) == 1:
            raise Conflict(f"{user.email} is the last active owner")
    user.disabled_at = now
    session.flush()
    _audit(
        session,
        principal,
        principal.workspace_id,
        now,
        "user.disabled",
        ("user", user.id),
        {"email": user.email},
    )
    return user


# -- clients ----------------------------------------------------------------------


def _client(session: Session, principal: Principal, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or client.workspace_id != principal.workspace_id:
        raise NotFound(f"client {client_id} not found")
    return client


def _default_key(name: str, taken: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_name)
    base = "".join(words[:1]).upper()[:10]
    if not base or not base[0].isalpha():
        raise InvalidInput(
            f"cannot make a key from {name!r}; give one (such as ACME)",
            location="key",
        )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}{n}", n + 1
    return key


def add_client(
    session: Session,
    principal: Principal,
    *,
    name: str,
    key: str | None = None,
    now: datetime,
) -> Client:
    """Add a client (the provider's people). `key` prefixes its ticket numbers
    (ACME-42); by default the first word of the name in capitals."""
    require_provider(principal, "add clients")
    active_user(session, principal)
    name = _text(name, "name")
    rows = session.execute(
        select(Client.name, Client.key).where(
            Client.workspace_id == principal.workspace_id
        )
    ).all()
    if any(row.name.lower() == name.lower() for row in rows):
        raise Conflict(f"a client named {name!r} already exists")
    taken = {row.key for row in rows}
    if key is None:
        key = _default_key(name, taken)
    else:
        key = key.strip().upper()
        if not _KEY.match(key):
            raise InvalidInput(
                f"{key!r} should be a letter then up to 19 letters or digits",
                location="key",
            )
        if key in taken:
            raise Conflict(f"the client key {key} is already taken")
    client = Client(
        workspace_id=principal.workspace_id, name=name, key=key, created_at=now
    )
    session.add(client)
    session.flush()
    _audit(
        session,
        principal,
        principal.workspace_id,
        now,
        "client.added",
        ("client", client.id),
        {"name": name, "key": key},
    )
    return client


def list_clients(
    session: Session, principal: Principal, page: Page | None = None
) -> list[ClientRead]:
    """The workspace's clients by id; a client contact sees only their own. With
    a `page`, only its rows (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(Client), Client, principal)
    rows = session.scalars(in_page(query, page, Client.id, Client.id)).all()
    return [ClientRead.of(c) for c in rows]


def client_named(session: Session, principal: Principal, name: str) -> ClientRead:
    """A client the principal may see, by its exact name."""
    active_user(session, principal)
    query = scoped(select(Client), Client, principal).where(Client.name == name)
    found = session.scalars(query).first()
    if found is None:
        raise NotFound(f"no client named {name!r}; see `slakeeper client list`")
    return ClientRead.of(found)


def find_client(session: Session, principal: Principal, ref: str) -> ClientRead:
    """A client the principal may see, by its name, key (any case) or id."""
    for client in list_clients(session, principal):
        if ref.lower() in (client.name.lower(), client.key.lower(), str(client.id)):
            return client
    raise NotFound(f"client {ref!r} not found")


# -- API tokens and signing in ----------------------------------------------------


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token: all that is stored of API and feed tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, principal: Principal, *, name: str, now: datetime
) -> tuple[ApiToken, str]:
    """A new API token for the acting user. Returns the row and the plaintext
    token, which is shown once: only its SHA-256 is stored."""
    active_user(session, principal)
    name = _text(name, "name")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:12],
        created_at=now,
    )
    session.add(token)
    session.flush()
    _audit(
        session,
        principal,
        principal.workspace_id,
        now,
        "token.created",
        ("api_token", token.id),
        {"name": name, "prefix": token.prefix, "user_id": principal.user_id},
    )
    return token, plaintext


def list_tokens(session: Session, principal: Principal) -> list[TokenRead]:
    """Owners see every token of the workspace; others see their own."""
    active_user(session, principal)
    query = select(ApiToken).where(ApiToken.workspace_id == principal.workspace_id)
    if principal.role is not Role.OWNER:
        query = query.where(ApiToken.user_id == principal.user_id)
    rows = session.scalars(query.order_by(ApiToken.id)).all()
    emails = emails_of(session, principal.workspace_id, (t.user_id for t in rows))
    return [TokenRead.of(t, emails) for t in rows]


def revoke_token(
    session: Session, principal: Principal, token_id: int, now: datetime
) -> ApiToken:
    """Revoke a token: one's own, or any of the workspace's for an owner."""
    active_user(session, principal)
    token = session.get(ApiToken, token_id)
    if (
        token is None
        or token.workspace_id != principal.workspace_id
        or (principal.role is not Role.OWNER and token.user_id != principal.user_id)
    ):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} is already revoked")
    token.revoked_at = now
    session.flush()
    _audit(
        session,
        principal,
        principal.workspace_id,
        now,
        "token.revoked",
        ("api_token", token.id),
        {"name": token.name, "prefix": token.prefix, "user_id": token.user_id},
    )
    return token


@dataclass(frozen=True, slots=True)
class TokenUse:
    """A token (API or feed) that was just used: its table, its row and the last
    use stored for it."""

    model: type[ApiToken] | type[FeedToken]
    id: int
    last_used_at: datetime | None

    def due(self, now: datetime) -> bool:
        """Whether a use at `now` is to be stored: the first one, or a minute
        or more after the last one stored."""
        return self.last_used_at is None or now - self.last_used_at >= LAST_USE_EVERY

    def store(self, session: Session, now: datetime) -> None:
        """Store the use at `now` unless a use less than a minute before it is
        stored by now (a request that ran alongside)."""
        model = self.model
        session.execute(
            update(model)
            .where(
                model.id == self.id,
                or_(
                    model.last_used_at.is_(None),
                    model.last_used_at <= now - LAST_USE_EVERY,
                ),
            )
            .values(last_used_at=now)
        )


def record_use(session: Session, use: TokenUse, now: datetime) -> None:
    """Store a token's use at `now`, when due, in the caller's transaction."""
    if use.due(now):
        use.store(session, now)


def record_use_apart(
    sessions: sessionmaker[Session], use: TokenUse, now: datetime
) -> None:
    """Store a token's use at `now`, when due, in a short transaction of its own
    that never waits for the write lock and never fails the caller: when the
    database is busy the use is not stored (logged at debug) and the next use
    tries again."""
    if not use.due(now):
        return
    try:
        with sessions.begin() as session:
            begin_without_waiting(session)
            use.store(session, now)
    except Unavailable as exc:
        _log.debug(
            "the last use of %s %d was not stored: %s",
            use.model.__tablename__,
            use.id,
            exc.message,
        )


def check_token(session: Session, token: str) -> tuple[Principal, TokenUse]:
    """The principal an API token acts as, and its use to record (nothing is
    written). Unauthenticated for a token nobody issued, PermissionDenied for
    a revoked token or a disabled user."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token.strip()))
    ).first()
    if row is None:
        raise Unauthenticated("invalid API token")
    if row.revoked_at is not None:
        raise PermissionDenied(f"the API token {row.prefix}... has been revoked")
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        raise PermissionDenied(
            f"the API token {row.prefix}... belongs to a disabled user"
        )
    return principal_for(user), TokenUse(ApiToken, row.id, row.last_used_at)


def authenticate_token(session: Session, token: str, now: datetime) -> Principal:
    """The principal an API token acts as (see `check_token`); records its use
    in the caller's transaction (at most once a minute)."""
    principal, use = check_token(session, token)
    record_use(session, use, now)
    return principal


def sign_in(sessions: sessionmaker[Session], token: str, now: datetime) -> Principal:
    """What the API does for each request: the token checked in a read-only
    transaction, its use recorded apart (`record_use_apart`), so that reading
    with a token never writes in the request's transaction nor fails on a lock."""
    with sessions() as session:
        begin_reading(session)
        principal, use = check_token(session, token)
    record_use_apart(sessions, use, now)
    return principal


def authenticate_password(
    session: Session, workspace_id: int, email: str, password: str, now: datetime
) -> Principal:
    """The principal for an e-mail and password; the same message for an unknown
    e-mail and a wrong password. `now` is reserved for sign-in records."""
    del now
    user = user_by_email(session, workspace_id, email)
    wrong = PermissionDenied("wrong e-mail or password")
    if user is None or user.password_hash is None:
        _HASHER.hash(password)  # spend the same time as a real check
        raise wrong
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise wrong from None
    if user.disabled_at is not None:
        raise PermissionDenied(f"user {user.email} is disabled")
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        session.flush()
    return principal_for(user)
