"""Who may do what: the one place access is decided.

A `Principal` is the acting user. Owners and staff see their whole workspace;
a client contact sees only their own client's data; nobody sees another
workspace. Services call these checks before they read or write anything:

- `scoped(select(M), M, principal)` limits any select of tenant rows (rows with
  `workspace_id` and `client_id`, or `Client` itself) to what the principal may
  see; every list goes through it.
- `visible(session, principal, M, id, what)` is the lookup of one such row by
  id: a row of another workspace (or, for a client contact, of another client)
  is answered exactly like a row that does not exist, so existence never leaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from slakeeper.db.models import Client, Role, User
from slakeeper.errors import NotFound, PermissionDenied

__all__ = [
    "Principal",
    "active_user",
    "emails_of",
    "normal_email",
    "require_owner",
    "require_provider",
    "scoped",
    "user_by_email",
    "visible",
    "visible_client",
]

MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL: a larger one names nothing
T = TypeVar("T")
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    workspace_id: int
    role: Role
    client_id: int | None = None  # set for client contacts
    email: str = ""

    @property
    def is_provider(self) -> bool:
        return self.role in (Role.OWNER, Role.STAFF)

    @property
    def client_scope(self) -> int | None:
        """The one client a client contact is limited to (None: the provider's
        people, who see every client of their workspace)."""
        return None if self.is_provider else self.client_id


def require_provider(principal: Principal, action: str) -> None:
    if not principal.is_provider:
        raise PermissionDenied(f"only the provider's people can {action}")


def require_owner(principal: Principal, action: str) -> None:
    if principal.role is not Role.OWNER:
        raise PermissionDenied(f"only a workspace owner can {action}")


def _sees(principal: Principal, workspace_id: int, client_id: int | None) -> bool:
    scope = principal.client_scope
    return workspace_id == principal.workspace_id and (
        scope is None or client_id == scope
    )


def _client_column(model: type[Any]) -> Any:
    return model.id if model is Client else model.client_id


def scoped(query: Select[T], model: type[Any], principal: Principal) -> Select[T]:
    """`query` limited to the `model` rows the principal may see: their
    workspace's, and for a client contact only their client's."""
    query = query.where(model.workspace_id == principal.workspace_id)
    scope = principal.client_scope
    if scope is not None:
        query = query.where(_client_column(model) == scope)
    return query


def visible(
    session: Session, principal: Principal, model: type[M], row_id: int, what: str
) -> M:
    """The `model` row `row_id` if the principal may see it; otherwise (missing,
    another workspace's, another client's) `<what> <id> not found`."""
    row = session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    found: Any = row  # any tenant row: it has `workspace_id` and `client_id`
    if row is None or not _sees(
        principal,
        found.workspace_id,
        found.id if isinstance(found, Client) else found.client_id,
    ):
        raise NotFound(f"{what} {row_id} not found")
    return row


def active_user(session: Session, principal: Principal) -> User:
    """The principal's user row; a disabled or vanished user may not act."""
    user = session.get(User, principal.user_id)
    if user is None or user.workspace_id != principal.workspace_id:
        raise PermissionDenied("the acting user does not exist")
    if user.disabled_at is not None:
        raise PermissionDenied(f"user {user.email} is disabled")
    return user


def visible_client(session: Session, principal: Principal, client_id: int) -> Client:
    """A client the principal may see; an unknown id, another workspace's client
    and (for a client contact) another client are all `client <id> not found`."""
    return visible(session, principal, Client, client_id, "client")


def normal_email(value: str) -> str:
    """An e-mail address as it is stored and compared: trimmed, lower-cased."""
    return value.strip().lower()


def user_by_email(session: Session, workspace_id: int, email: str) -> User | None:
    """The workspace's user with this e-mail (any case), disabled or not."""
    return session.scalars(
        select(User).where(
            User.workspace_id == workspace_id, User.email == normal_email(email)
        )
    ).first()


def client_names(
    session: Session, workspace_id: int, client_ids: Iterable[int]
) -> dict[int, str]:
    """The name of each of these clients of the workspace (one query; ids of
    another workspace are left out). No access check: the ids come from rows
    read through a scoped service."""
    ids = set(client_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Client.id, Client.name).where(
            Client.workspace_id == workspace_id, Client.id.in_(sorted(ids))
        )
    )
    return {row.id: row.name for row in rows}


def emails_of(
    session: Session, workspace_id: int, user_ids: Iterable[int | None]
) -> dict[int, str]:
    """The e-mail of each of these users of the workspace (one query; ids of
    another workspace, or None, are left out)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.email).where(
            User.workspace_id == workspace_id, User.id.in_(sorted(ids))
        )
    )
    return {row.id: row.email for row in rows}
