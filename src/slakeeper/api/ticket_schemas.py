"""What the tickets API is sent: the `TicketCreate` and `EventCreate` bodies,
each with examples for the OpenAPI document. Its answers are the read models of
`services.views.tickets`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from slakeeper.services.views.base import examples

__all__ = ["EventCreate", "EventKindIn", "TicketCreate"]

MAX_TEXT = 100_000

# the kinds of event a request may append (`created` is written by opening)
EventKindIn = Literal[
    "provider_reply",
    "acknowledgement",
    "note",
    "client_reply",
    "status_changed",
    "priority_changed",
    "assigned",
    "resolved",
    "reopened",
]


class TicketCreate(BaseModel):
    """A new ticket for a client, governed for its whole life by the agreement
    version in force when it is opened."""

    model_config = examples(
        {
            "client_id": 1,
            "title": "Checkout fails",
            "body": "Every order ends in an error page.",
            "priority": "critical",
        },
        {"client_id": 1, "title": "Can we change the footer text?"},
    )
    client_id: int = Field(
        description="The client; a client contact opens tickets for their own only."
    )
    title: str = Field(min_length=1, max_length=300, description="A one-line summary.")
    body: str = Field(default="", max_length=MAX_TEXT, description="The request.")
    priority: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="A priority the agreement in force names (critical, high, ...);"
        " default: the agreement's default priority.",
    )


class EventCreate(BaseModel):
    """One event appended to a ticket. What each kind takes:

    - `provider_reply`: `text`, and optionally a `status` to move to (reply and
      wait on the client); the first one is the response;
    - `acknowledgement` (automatic, never a response), `note` (internal, never
      shown to the client), `client_reply`: `text`;
    - `status_changed`: `status` (and optionally `text`);
    - `priority_changed`: `priority` and `reason`; the clocks are retargeted
      from the start;
    - `assigned`: `assignee_id` (a provider user; null unassigns);
    - `resolved`, `reopened`: optionally `text`.

    Client contacts may only send `client_reply` and `reopened`.
    """

    model_config = examples(
        {"kind": "provider_reply", "text": "We are on it."},
        {
            "kind": "provider_reply",
            "text": "Can you send the error log?",
            "status": "waiting_on_client",
        },
        {"kind": "note", "text": "Payment provider outage, see their status page."},
        {"kind": "status_changed", "status": "in_progress"},
        {
            "kind": "priority_changed",
            "priority": "critical",
            "reason": "The shop is down for everyone.",
        },
        {"kind": "assigned", "assignee_id": 2},
        {"kind": "client_reply", "text": "Here is the log."},
        {"kind": "resolved", "text": "Fixed in release 4.2."},
        {"kind": "reopened", "text": "It fails again."},
    )
    kind: EventKindIn = Field(description="What happened.")
    text: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="What is said: required for replies, acknowledgements and notes.",
    )
    status: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="The new status (status_changed; optional on provider_reply).",
    )
    priority: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="The new priority (priority_changed).",
    )
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Why the priority changes (priority_changed).",
    )
    assignee_id: int | None = Field(
        default=None, description="The provider user to assign (assigned)."
    )
