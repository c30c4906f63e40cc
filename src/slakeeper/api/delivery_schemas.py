"""What the delivery API is sent: submissions and reviews of milestones,
delays, obligations, change requests with their estimates and decisions, and
commitment updates, each with an example for the OpenAPI document. What it
answers are the read models of `services.views.delivery`.

Durations of working time are whole seconds (`*_seconds`); a move in calendar
days is `days`, never both. Money is a decimal string (`"570.00"`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from slakeeper.core.states import AdjustmentCause
from slakeeper.errors import InvalidInput
from slakeeper.services.views.base import examples

__all__ = [
    "ChangeRequestCreate",
    "CommitmentUpdateCreate",
    "DecisionCreate",
    "DelayCreate",
    "EffectCreate",
    "EstimateCreate",
    "FulfilmentCreate",
    "ObligationCreate",
    "ReviewCreate",
    "SubmissionCreate",
    "WaiverCreate",
]

MAX_TEXT = 100_000
# a move or an effort of more than ten years is a typing mistake (and the
# columns are 32-bit integers)
MAX_SECONDS = 10 * 365 * 24 * 3600
MAX_DAYS = 10 * 365
MONEY = r"^\d{1,16}(\.\d{1,2})?$"


def _one_amount(seconds: int | None, days: int | None, where: str) -> tuple[int, str]:
    """(amount, mode) from a request that gives exactly one of `amount_seconds`
    (working time) and `days` (calendar days)."""
    if seconds is not None and days is not None:
        raise InvalidInput(
            "give amount_seconds (working time) or days (calendar days), not both",
            location=f"{where}.days",
        )
    if seconds is not None:
        return seconds, "working_time"
    if days is not None:
        return days, "calendar_days"
    raise InvalidInput(
        "give amount_seconds (working time) or days (calendar days)",
        location=f"{where}.amount_seconds",
    )


# -- milestones --------------------------------------------------------------------


class SubmissionCreate(BaseModel):
    """Hand a milestone's deliverables to the client for review (the body may be
    left out)."""

    model_config = examples({"note": "Figma link: https://figma.example/acme"}, {})
    note: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="What is delivered and where to find it.",
    )


class ReviewCreate(BaseModel):
    """The client's answer to a submission."""

    model_config = examples(
        {"answer": "accept"},
        {"answer": "changes", "note": "The logo should be bigger."},
    )
    answer: Literal["accept", "changes"] = Field(
        description="`accept` the submission, or ask for `changes`."
    )
    note: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        description="A comment; required with `changes`: what should change.",
    )


class DelayCreate(BaseModel):
    """A delay of a milestone with its cause, proposed as a move of its due time
    by `amount_seconds` of working time or by `days` calendar days (exactly one).
    The provider's side accepts it by proposing it."""

    model_config = examples(
        {
            "cause": "third_party",
            "days": 2,
            "reason": "Hosting provider migration",
        },
        {
            "cause": "provider",
            "amount_seconds": 10800,
            "reason": "Developer ill for half a day",
        },
    )
    cause: AdjustmentCause = Field(
        description="Whose delay it is (reports attribute delays by cause)."
    )
    amount_seconds: int | None = Field(
        default=None,
        gt=0,
        le=MAX_SECONDS,
        description="The move in working time of the agreement's calendar.",
    )
    days: int | None = Field(
        default=None, gt=0, le=MAX_DAYS, description="The move in calendar days."
    )
    reason: str = Field(min_length=1, max_length=2000, description="Why.")

    def amount(self) -> tuple[int, str]:
        """(amount, mode) for the service; refuses none or both."""
        return _one_amount(self.amount_seconds, self.days, "body")


# -- obligations -------------------------------------------------------------------


class ObligationCreate(BaseModel):
    """An input the client owes by a due time, optionally for a milestone (which
    then moves when the input comes late)."""

    model_config = examples(
        {
            "client_id": 1,
            "title": "DNS access for the go-live",
            "due_at": "2027-03-15T17:00:00+01:00",
            "milestone_id": 5,
        },
        {
            "client_id": 1,
            "title": "Product photos",
            "due_at": "2027-02-01T00:00:00Z",
            "kind": "input",
        },
    )
    client_id: int = Field(description="The client who owes it.")
    title: str = Field(min_length=1, max_length=300, description="What is owed.")
    due_at: AwareDatetime = Field(
        description="When it is due: an ISO 8601 instant with its UTC offset."
    )
    milestone_id: int | None = Field(
        default=None, description="The client's milestone that depends on it."
    )
    kind: Literal["input", "approval", "payment", "other"] = Field(
        default="input",
        description="What is owed: an input (content, access), an approval, a"
        " payment, or something else.",
    )


class FulfilmentCreate(BaseModel):
    """An obligation met now (the body may be left out)."""

    model_config = examples({"note": "Received by e-mail"}, {})
    note: str | None = Field(
        default=None, max_length=MAX_TEXT, description="How or what was received."
    )


class WaiverCreate(BaseModel):
    """The provider releases the client from an obligation."""

    model_config = examples({"reason": "We found the logo files ourselves."})
    reason: str = Field(min_length=1, max_length=2000, description="Why.")


# -- change requests ---------------------------------------------------------------


class EffectCreate(BaseModel):
    """How the change moves one milestone: `amount_seconds` of working time or
    `days` calendar days (exactly one)."""

    model_config = examples(
        {"milestone": "launch", "days": 2},
        {"milestone": "redesign-mockups", "amount_seconds": 10800},
    )
    milestone: str = Field(
        min_length=1, max_length=100, description="The milestone's key (`launch`)."
    )
    amount_seconds: int | None = Field(
        default=None,
        gt=0,
        le=MAX_SECONDS,
        description="The move in working time of the agreement's calendar.",
    )
    days: int | None = Field(
        default=None, gt=0, le=MAX_DAYS, description="The move in calendar days."
    )


class ChangeRequestCreate(BaseModel):
    """A change the client asks for (by a client contact, or by the provider on
    the client's behalf)."""

    model_config = examples(
        {"client_id": 1, "title": "Add a blog section", "body": "With categories."},
        {"client_id": 1, "title": "Dark mode"},
    )
    client_id: int = Field(
        description="The client; a client contact asks for their own only."
    )
    title: str = Field(min_length=1, max_length=300, description="A one-line summary.")
    body: str = Field(default="", max_length=MAX_TEXT, description="The request.")


class EstimateCreate(BaseModel):
    """The provider's estimate of a requested change: effort, cost (in the
    agreement's billing currency) and how it moves milestones."""

    model_config = examples(
        {
            "effort_seconds": 21600,
            "cost": "570.00",
            "effects": [{"milestone": "launch", "days": 2}],
            "note": "Six hours, launch two days later.",
        },
        {"effort_seconds": 3600, "cost": None, "effects": []},
    )
    effort_seconds: int = Field(
        gt=0, le=MAX_SECONDS, description="The work it takes, in seconds."
    )
    cost: str | None = Field(
        default=None,
        pattern=MONEY,
        description="What it costs, as a decimal string with at most two decimals"
        " (`570.00`); null when it is not charged separately.",
    )
    effects: list[EffectCreate] = Field(
        default_factory=list,
        max_length=100,
        description="How it moves milestones once approved.",
    )
    note: str | None = Field(
        default=None, max_length=MAX_TEXT, description="A note to the client."
    )

    def effect_amounts(self) -> list[tuple[str, int, str]]:
        """(milestone, amount, mode) of each effect; refuses none or both."""
        return [
            (e.milestone, *_one_amount(e.amount_seconds, e.days, f"body.effects.{i}"))
            for i, e in enumerate(self.effects)
        ]


class DecisionCreate(BaseModel):
    """The client approves or rejects an estimated change."""

    model_config = examples(
        {"approve": True, "note": "Go ahead."},
        {"approve": False, "note": "Too expensive for now."},
    )
    approve: bool = Field(
        strict=True, description="true approves (the milestones move), false rejects."
    )
    note: str | None = Field(
        default=None, max_length=MAX_TEXT, description="Why, or anything to add."
    )


# -- commitments -------------------------------------------------------------------


class CommitmentUpdateCreate(BaseModel):
    """The provider kept a cadenced commitment now: what was sent."""

    model_config = examples(
        {"commitment": "Progress update", "text": "Week 2: templates done."}
    )
    commitment: str = Field(
        min_length=1,
        max_length=300,
        description="The commitment's wording in the agreement, or the start of"
        " it (any case).",
    )
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="What was sent.")
