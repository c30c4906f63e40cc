"""The named values of every stored state set: one `StrEnum` each, used by the
rows (stored with a CHECK constraint), the rules, the read models (so OpenAPI
lists the values) and the CLI.

A new state set gets its enum here, never a string literal repeated in files.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MailOutcome", "Role", "VersionStatus"]


class Role(StrEnum):
    """What a user is in a workspace."""

    OWNER = "owner"
    STAFF = "staff"
    CLIENT = "client"


class VersionStatus(StrEnum):
    """Where an agreement version is in its life (docs/lifecycle.md)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class MailOutcome(StrEnum):
    """What became of an inbound e-mail when it was taken."""

    TICKET = "ticket"  # opened a ticket
    REPLY = "reply"  # a client reply on a ticket
    QUARANTINED = "quarantined"  # held for the provider (see MailQuarantine)
