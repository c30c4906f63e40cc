"""Who may do what: the one place access is decided.

A `Principal` is the acting user. Owners and staff see their whole workspace;
a client contact sees only their own client's data; nobody sees another
workspace. Services call these checks before they read or write anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from slakeeper.db.models import Client, Role, User
from slakeeper.errors import NotFound, PermissionDenied

__all__ = [
    "Principal",
    "active_user",
    "require_client_access",
    "require_owner",
    "require_provider",
    "visible_client",
]


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


def require_provider(principal: Principal, action: str) -> None:
    if not principal.is_provider:
        raise PermissionDenied(f"only the provider's people can {action}")


def require_owner(principal: Principal, action: str) -> None:
    if principal.role is not Role.OWNER:
        raise PermissionDenied(f"only a workspace owner can {action}")


def require_client_access(
    principal: Principal, workspace_id: int, client_id: int, what: str
) -> None:
    """Refuse another workspace's object (as not found: its existence is not
    revealed) and another client's object for a client contact."""
    if workspace_id != principal.workspace_id:
        raise NotFound(f"{what} not found")
    if principal.role is Role.CLIENT and principal.client_id != client_id:
        raise NotFound(f"{what} not found")


def active_user(session: Session, principal: Principal) -> User:
    """The principal's user row; a disabled or vanished user may not act."""
    user = session.get(User, principal.user_id)
    if user is None or user.workspace_id != principal.workspace_id:
        raise PermissionDenied("the acting user does not exist")
    if user.disabled_at is not None:
        raise PermissionDenied(f"user {user.email} is disabled")
    return user


def visible_client(
    session: Session, principal: Principal, client_id: int, what: str = "client"
) -> Client:
    """A client the principal may see: an unknown id is `client <id> not found`,
    another workspace's client (or, for a client contact, another client) is
    `<what> not found`."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"client {client_id} not found")
    require_client_access(principal, client.workspace_id, client.id, what)
    return client
