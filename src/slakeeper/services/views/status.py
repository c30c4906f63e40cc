"""The morning screen (the status board) as every door shows it: `GET /status`,
`slakeeper status --json` and its tables. Durations (`left`) are whole working
seconds, truncated toward zero. Built by `services.status.board`."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from slakeeper.core.states import (
    AdjustmentCause,
    AdjustmentKind,
    AdjustmentStatus,
    MilestoneStatus,
    ObligationKind,
    Party,
    ShiftMode,
)
from slakeeper.services.views.base import ReadModel, examples

__all__ = [
    "StatusAdjustment",
    "StatusCommitment",
    "StatusMilestone",
    "StatusObligation",
    "StatusRead",
    "StatusTicket",
]


class StatusTicket(ReadModel):
    client: str
    key: str
    title: str
    priority: str
    status: str
    state: str = Field(description="breached, at_risk, paused or on_track.")
    clock: str | None = Field(description="The clock the state is about.")
    due_at: datetime | None
    left: int | None = Field(
        description="Working seconds left on that clock (negative: over)."
    )


class StatusAdjustment(ReadModel):
    cause: AdjustmentCause = Field(description="provider, client or third_party.")
    kind: AdjustmentKind = Field(description="delay or change.")
    status: AdjustmentStatus = Field(description="proposed, accepted or rejected.")
    amount: int = Field(description="Working seconds, or days for calendar_days.")
    mode: ShiftMode = Field(description="working_time or calendar_days.")
    reason: str


class StatusMilestone(ReadModel):
    client: str
    key: str
    title: str
    status: MilestoneStatus
    state: str = Field(description="late, at_risk or on_track.")
    due_at: datetime = Field(description="The due time after accepted adjustments.")
    agreed_due_at: datetime = Field(description="The due time the agreement sets.")
    left: int = Field(description="Working seconds to the due time (negative: over).")
    adjustments: list[StatusAdjustment]


class StatusObligation(ReadModel):
    id: int
    client: str
    party: Party = Field(description="Who owes it: client or provider.")
    kind: ObligationKind
    title: str
    due_at: datetime
    overdue: bool


class StatusCommitment(ReadModel):
    client: str
    commitment: str
    every: str
    missed: list[datetime] = Field(description="The ends of the periods missed.")
    current_due: datetime | None
    current_met: bool


class StatusRead(ReadModel):
    """What is on track, at risk or breached at `now`."""

    now: datetime
    problems: int = Field(
        description="How many things are breached, late, overdue or missed."
    )
    tickets: list[StatusTicket]
    milestones: list[StatusMilestone]
    obligations: list[StatusObligation]
    commitments: list[StatusCommitment]

    model_config = examples(
        {
            "now": "2027-02-01T08:00:00Z",
            "problems": 1,
            "tickets": [
                {
                    "client": "Acme GmbH",
                    "key": "ACME-7",
                    "title": "Site down after the hosting update",
                    "priority": "critical",
                    "status": "open",
                    "state": "breached",
                    "clock": "response",
                    "due_at": "2027-02-01T07:10:00Z",
                    "left": -3000,
                }
            ],
            "milestones": [
                {
                    "client": "Acme GmbH",
                    "key": "redesign-mockups",
                    "title": "Redesign mock-ups",
                    "status": "in_progress",
                    "state": "on_track",
                    "due_at": "2027-02-17T11:00:00Z",
                    "agreed_due_at": "2027-02-15T23:00:00Z",
                    "left": 324000,
                    "adjustments": [
                        {
                            "cause": "client",
                            "kind": "delay",
                            "status": "accepted",
                            "amount": 37800,
                            "mode": "working_time",
                            "reason": "Brand assets and logo files: met 10h 30m late",
                        }
                    ],
                }
            ],
            "obligations": [],
            "commitments": [
                {
                    "client": "Acme GmbH",
                    "commitment": "Progress update by e-mail",
                    "every": "1 week",
                    "missed": [],
                    "current_due": "2027-02-05T23:00:00Z",
                    "current_met": False,
                }
            ],
        }
    )
