"""Calendar feeds: a client's milestone and obligation deadlines as an iCalendar
document (RFC 5545) that calendar apps subscribe to.

A feed token is not an API token: it reads one client's deadlines and nothing
else, because it travels in a URL (`/clients/{id}/deadlines.ics?token=...`) that
calendar apps store and show. Only its SHA-256 is stored; it can be revoked. A
feed answers for a token that is unknown, revoked, of another client or of a
creator who was disabled in the same way (NotFound), so a URL reveals nothing.

Who may do what: the provider's people create feeds for any client of their
workspace, a client contact for their own client; everyone sees and revokes the
feeds they created, and an owner those of the whole workspace.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slakeeper.core import format_duration, is_milestone_late
from slakeeper.core.states import (
    AdjustmentCause,
    AdjustmentKind,
    AdjustmentStatus,
    MilestoneStatus,
    ObligationStatus,
    Party,
    ShiftMode,
)
from slakeeper.db.models import (
    Adjustment,
    AgreementVersion,
    Client,
    FeedToken,
    Milestone,
    MilestoneEvent,
    Obligation,
    Role,
    User,
    VersionState,
    Workspace,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    client_names,
    emails_of,
    visible_client,
)
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import version_terms
from slakeeper.services.views.feeds import FeedCreatedRead, FeedRead, feed_path
from slakeeper.services.workspaces import TokenUse, record_use, token_hash

__all__ = [
    "FEED_TOKEN_PREFIX",
    "PRODID",
    "create_feed_token",
    "deadlines_calendar",
    "feed_path",
    "list_feed_tokens",
    "read_deadlines",
    "revoke_feed_token",
]

FEED_TOKEN_PREFIX = "slkf_"
PRODID = "-//slakeeper//deadlines//EN"
REFRESH = timedelta(hours=1)
_NAME_LIMIT = 200
# what a milestone event that (re)sets its agreed due date is called
_TERMS_SET = ("created", "amended")


# -- feed tokens -------------------------------------------------------------------


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput("must not be empty", location="name")
    if len(value) > _NAME_LIMIT:
        raise InvalidInput(f"must be at most {_NAME_LIMIT} characters", location="name")
    return value


def _reads(session: Session, rows: Sequence[FeedToken]) -> list[FeedRead]:
    """Feed rows as read models, with their clients' names and their creators'
    e-mails (two queries for any number of rows)."""
    if not rows:
        return []
    workspace_id = rows[0].workspace_id
    clients = client_names(session, workspace_id, (r.client_id for r in rows))
    emails = emails_of(session, workspace_id, (r.created_by_id for r in rows))
    return [FeedRead.of(r, clients, emails) for r in rows]


def _audit(
    session: Session, principal: Principal, now: datetime, action: str, row: FeedToken
) -> None:
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor_id=principal.user_id,
        now=now,
        action=action,
        object_type="feed_token",
        object_id=row.id,
        payload={
            "client_id": row.client_id,
            "name": row.name,
            "prefix": row.prefix,
            "created_by_id": row.created_by_id,
        },
    )


def create_feed_token(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    name: str,
    now: datetime,
) -> FeedCreatedRead:
    """A new feed token for a client's deadlines (the provider's people for any
    client, a client contact for their own). The answer carries the plaintext
    token and the feed's path, shown once: only the token's SHA-256 is stored."""
    active_user(session, principal)
    client = visible_client(session, principal, client_id)
    name = _name(name)
    plaintext = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = FeedToken(
        workspace_id=principal.workspace_id,
        client_id=client.id,
        created_by_id=principal.user_id,
        name=name,
        token_hash=token_hash(plaintext),
        prefix=plaintext[:12],
        created_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, principal, now, "feed_token.created", row)
    return FeedCreatedRead(
        **_reads(session, [row])[0].model_dump(),
        token=plaintext,
        path=feed_path(row.client_id, plaintext),
    )


def list_feed_tokens(
    session: Session,
    principal: Principal,
    *,
    client_id: int | None = None,
    page: Page | None = None,
) -> list[FeedRead]:
    """The feed tokens an owner sees (the whole workspace's) or others created,
    oldest first; optionally one client's. With a `page`, only its rows
    (`services.pages`)."""
    active_user(session, principal)
    query = select(FeedToken).where(FeedToken.workspace_id == principal.workspace_id)
    if principal.role is not Role.OWNER:
        query = query.where(FeedToken.created_by_id == principal.user_id)
    if client_id is not None:
        query = query.where(FeedToken.client_id == client_id)
    rows = session.scalars(in_page(query, page, FeedToken.id, FeedToken.id)).all()
    return _reads(session, rows)


def revoke_feed_token(
    session: Session, principal: Principal, feed_id: int, now: datetime
) -> FeedRead:
    """Revoke a feed token at once: one's own, or any of the workspace's for an
    owner. Its URL answers 404 from then on."""
    active_user(session, principal)
    row = session.get(FeedToken, feed_id)
    if (
        row is None
        or row.workspace_id != principal.workspace_id
        or (principal.role is not Role.OWNER and row.created_by_id != principal.user_id)
    ):
        raise NotFound(f"feed {feed_id} not found")
    if row.revoked_at is not None:
        raise Conflict(f"feed {feed_id} is already revoked")
    row.revoked_at = now
    session.flush()
    _audit(session, principal, now, "feed_token.revoked", row)
    return _reads(session, [row])[0]


def _authenticate(
    session: Session, client_id: int, token: str
) -> tuple[TokenUse, Client]:
    """The feed token's use (nothing is written) and its client; NotFound, with
    the same message, for a token that is unknown, revoked, of another client or
    whose creator may no longer read that client's deadlines."""
    missing = NotFound(f"no deadlines feed for client {client_id} with this token")
    row = session.scalars(
        select(FeedToken).where(FeedToken.token_hash == token_hash(token.strip()))
    ).first()
    if row is None or row.revoked_at is not None or row.client_id != client_id:
        raise missing
    creator = session.get(User, row.created_by_id)
    client = session.get(Client, row.client_id)
    if (
        creator is None
        or client is None
        or creator.disabled_at is not None
        or creator.workspace_id != row.workspace_id
        or (creator.role is Role.CLIENT and creator.client_id != row.client_id)
    ):
        raise missing
    return TokenUse(FeedToken, row.id, row.last_used_at), client


# -- the calendar ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Moved:
    """Why a milestone's due time moved: an accepted adjustment."""

    reason: str
    cause: AdjustmentCause
    kind: AdjustmentKind
    mode: ShiftMode
    amount: int


def deadlines_calendar(
    session: Session, client_id: int, token: str, now: datetime
) -> bytes:
    """`read_deadlines`, recording the token's use in the caller's transaction
    (at most once a minute)."""
    document, use = read_deadlines(session, client_id, token, now)
    record_use(session, use, now)
    return document


def read_deadlines(
    session: Session, client_id: int, token: str, now: datetime
) -> tuple[bytes, TokenUse]:
    """The client's deadlines as an iCalendar document, for a valid feed token
    (the token is the authority: no principal), and the token's use for the
    caller to record (`record_use_apart` for a read-only transaction).

    Steps:
    1. Authenticate the token for this client (NotFound otherwise).
    2. Read the client's milestones that are not cancelled and its open
       obligations, and the accepted adjustments that moved the milestones.
    3. Build one event per deadline at its due instant (UTC), with a stable UID.
    """
    use, client = _authenticate(session, client_id, token)
    milestones = list(
        session.scalars(
            select(Milestone)
            .where(
                Milestone.workspace_id == client.workspace_id,
                Milestone.client_id == client.id,
                Milestone.status != MilestoneStatus.CANCELLED,
            )
            .order_by(Milestone.due_at, Milestone.id)
        )
    )
    obligations = list(
        session.scalars(
            select(Obligation)
            .where(
                Obligation.workspace_id == client.workspace_id,
                Obligation.client_id == client.id,
                Obligation.status == ObligationStatus.OPEN,
            )
            .order_by(Obligation.due_at, Obligation.id)
        )
    )
    workspace = session.get(Workspace, client.workspace_id)
    assert workspace is not None
    agreements = {m.agreement_id for m in milestones}
    zones = _zones(session, agreements | {o.agreement_id for o in obligations}, now)
    moved = _moves(session, client.workspace_id, milestones)
    titles = {m.id: m.title for m in milestones}

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", f"{client.name} deadlines")
    calendar.add("x-wr-calname", f"{client.name} deadlines")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for m in milestones:
        calendar.add_component(
            _milestone_event(m, moved.get(m.id, []), zones[m.agreement_id], now)
        )
    owes = {Party.CLIENT: client.name, Party.PROVIDER: workspace.name}
    for o in obligations:
        calendar.add_component(
            _obligation_event(
                o,
                owes.get(o.party, o.party),
                titles.get(o.milestone_id) if o.milestone_id else None,
                zones[o.agreement_id],
                now,
            )
        )
    document: bytes = calendar.to_ical()
    return document, use


def _zones(
    session: Session, agreement_ids: Iterable[int], now: datetime
) -> dict[int, tzinfo]:
    """Each agreement's time zone: that of its version in force at `now`, else of
    the last one that took effect (UTC for one that never did)."""
    zones: dict[int, tzinfo] = {}
    for agreement_id in sorted(agreement_ids):
        rows = session.execute(
            select(AgreementVersion, VersionState.active_from)
            .join(VersionState, VersionState.version_id == AgreementVersion.id)
            .where(
                AgreementVersion.agreement_id == agreement_id,
                VersionState.active_from.is_not(None),
            )
            .order_by(VersionState.active_from.desc())
        ).all()
        in_force = [v for v, since in rows if since is not None and since <= now]
        chosen = in_force[0] if in_force else rows[0][0] if rows else None
        zones[agreement_id] = UTC if chosen is None else version_terms(chosen).zone
    return zones


def _moves(
    session: Session, workspace_id: int, milestones: Sequence[Milestone]
) -> dict[int, list[_Moved]]:
    """The accepted adjustments in effect for each moved milestone: those decided
    since the agreement last set its due date (as `core.derive_milestone`
    counts them), oldest first."""
    ids = [m.id for m in milestones if m.due_at != m.base_due_at]
    if not ids:
        return {}
    rows = session.execute(
        select(MilestoneEvent.milestone_id, func.max(MilestoneEvent.at))
        .where(
            MilestoneEvent.workspace_id == workspace_id,
            MilestoneEvent.milestone_id.in_(ids),
            MilestoneEvent.kind.in_(_TERMS_SET),
        )
        .group_by(MilestoneEvent.milestone_id)
    ).all()
    terms_set: dict[int, datetime] = dict(rows)
    out: dict[int, list[_Moved]] = {}
    for a in session.scalars(
        select(Adjustment)
        .where(
            Adjustment.workspace_id == workspace_id,
            Adjustment.milestone_id.in_(ids),
            Adjustment.status == AdjustmentStatus.ACCEPTED,
        )
        .order_by(Adjustment.decided_at, Adjustment.id)
    ):
        since = terms_set.get(a.milestone_id)
        if a.decided_at is None or (since is not None and a.decided_at < since):
            continue
        out.setdefault(a.milestone_id, []).append(
            _Moved(a.reason, a.cause, a.kind, a.mode, a.amount)
        )
    return out


def _local(at: datetime, zone: tzinfo) -> str:
    """An instant in the agreement's time zone; midnight is the end of the day
    before (a date is due at its 24:00)."""
    local = at.astimezone(zone)
    name = zone.key if isinstance(zone, ZoneInfo) else str(zone)
    text = f"{local:%Y-%m-%d %H:%M} {name}"
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        text += f" (the end of {local.date() - timedelta(days=1)})"
    return text


def _amount(move: _Moved) -> str:
    if move.mode is ShiftMode.CALENDAR_DAYS:
        return f"{move.amount} day{'s' if move.amount != 1 else ''}"
    return f"{format_duration(timedelta(seconds=move.amount))} of working time"


def _event(
    uid: str, at: datetime, summary: str, lines: list[str], now: datetime
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", at.astimezone(UTC))
    event.add("duration", timedelta(0))  # a deadline is an instant
    event.add("summary", summary)
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def _milestone_event(
    m: Milestone, moves: Sequence[_Moved], zone: tzinfo, now: datetime
) -> Event:
    # late as of `now` (the stored flag is as of the row's last computation)
    late = is_milestone_late(m.due_at, m.delivered_at, now)
    if m.status is MilestoneStatus.ACCEPTED:
        summary = f"Done: {m.title} (milestone)"
    else:
        summary = f"Due: {m.title} (milestone{', late' if late else ''})"
    status = m.status.replace("_", " ") + (" (late)" if late else "")
    lines = [f"Milestone: {m.title}", f"Status: {status}"]
    lines.append(f"Due: {_local(m.due_at, zone)}")
    if m.delivered_at is not None:
        lines.append(f"Delivered: {_local(m.delivered_at, zone)}")
    if m.due_at != m.base_due_at:
        lines.append(f"Agreed: {_local(m.base_due_at, zone)}, moved by:")
        lines.extend(
            f"- {move.reason} ({move.cause.replace('_', '-')}-caused {move.kind},"
            f" {_amount(move)})"
            for move in moves
        )
    return _event(f"milestone-{m.id}@slakeeper", m.due_at, summary, lines, now)


def _obligation_event(
    o: Obligation,
    owed_by: str,
    milestone: str | None,
    zone: tzinfo,
    now: datetime,
) -> Event:
    lines = [
        f"{owed_by} owes: {o.title}",
        f"Kind: {o.kind}",
        f"Status: {o.status}",
        f"Due: {_local(o.due_at, zone)}",
    ]
    if milestone is not None:
        lines.append(f"For the milestone: {milestone}")
    summary = f"{owed_by} owes: {o.title}"
    return _event(f"obligation-{o.id}@slakeeper", o.due_at, summary, lines, now)
