"""What the time-tracking API takes: entries, timers and the approval of a
period, each with an example for the OpenAPI document. Times are raw whole
seconds (`*_seconds`), as tracked; instants carry their UTC offset. The answers
are the read models of `services.views.time`."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from slakeeper.services.views.base import examples

__all__ = [
    "TimeApprovalCreate",
    "TimeEntryCreate",
    "TimeEntryUpdate",
    "TimerStart",
    "TimerStop",
]

AT = "2027-01-04T09:00:00Z"
END = "2027-01-04T10:30:00Z"
SOURCE = (
    "Where the time comes from: `manual` (the default), `upwork_tracked`,"
    " `upwork_manual` or `import:<tool>` (`timer` entries come from stopping a"
    " timer)."
)

# -- entries ---------------------------------------------------------------------


class TimeEntryCreate(BaseModel):
    """Time worked for a client: `started_at` and `ended_at`, or
    `duration_seconds` (dated by `worked_at`, default now). Never in the future."""

    model_config = examples(
        {
            "client_id": 1,
            "started_at": AT,
            "ended_at": END,
            "note": "Fixed the checkout error",
            "ticket_id": 42,
        },
        {
            "client_id": 1,
            "duration_seconds": 2700,
            "worked_at": AT,
            "note": "Weekly call",
            "billable": False,
        },
        {
            "client_id": 1,
            "started_at": AT,
            "ended_at": END,
            "source": "upwork_tracked",
            "external_id": "38123456-2027-01-04-1",
        },
    )
    client_id: int
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    duration_seconds: int | None = Field(
        default=None, ge=1, description="Instead of a start and an end."
    )
    worked_at: AwareDatetime | None = Field(
        default=None, description="When a duration was worked (default: now)."
    )
    note: str = Field(default="", max_length=2000)
    billable: bool = True
    ticket_id: int | None = None
    milestone_key: str | None = Field(
        default=None,
        max_length=100,
        description="A milestone id of the agreement in force when worked.",
    )
    user_id: int | None = Field(
        default=None, description="Whose time (owners only; default: yours)."
    )
    source: str = Field(default="manual", max_length=40, description=SOURCE)
    external_id: str | None = Field(
        default=None,
        max_length=200,
        description="The id in the source (unique per source): an import run"
        " twice records nothing twice.",
    )


class TimeEntryUpdate(BaseModel):
    """What changes (an absent field stays as it is). A `duration_seconds` sets
    the end after the start (or the duration of an entry given as one)."""

    model_config = examples(
        {"ended_at": "2027-01-04T11:00:00Z", "note": "Checkout fix and deploy"},
        {"duration_seconds": 3600, "billable": False},
    )
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    duration_seconds: int | None = Field(default=None, ge=1)
    worked_at: AwareDatetime | None = None
    note: str | None = Field(default=None, max_length=2000)
    billable: bool | None = None


# -- timers ----------------------------------------------------------------------


class TimerStart(BaseModel):
    """Start your timer for a client (one running timer per user)."""

    model_config = examples(
        {"client_id": 1, "ticket_id": 42, "note": "Checkout error"},
        {"client_id": 1, "milestone_key": "launch", "billable": True},
    )
    client_id: int
    ticket_id: int | None = None
    milestone_key: str | None = Field(default=None, max_length=100)
    note: str = Field(default="", max_length=2000)
    billable: bool = True


class TimerStop(BaseModel):
    """Stop your timer; a note given here replaces the one given at the start."""

    model_config = examples({}, {"note": "Fixed and deployed"})
    note: str | None = Field(default=None, max_length=2000)


# -- approval --------------------------------------------------------------------


class TimeApprovalCreate(BaseModel):
    """Approve a client's unapproved entries worked in `[from, to)`; the period
    must be over."""

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        json_schema_extra={
            "examples": [
                {
                    "client_id": 1,
                    "from": "2027-01-01T00:00:00+01:00",
                    "to": "2027-02-01T00:00:00+01:00",
                }
            ]
        },
    )
    client_id: int
    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime
