"""`slakeeper milestone|obligation|adjustment|change|commitment`: milestones and
what each side owes, delays with their cause and the adjustments they bring,
change requests, and cadenced commitments (docs/sla-clock.md section 6).

Instants without a UTC offset are read in the agreement's time zone; a date
alone means the end of that day (24:00) there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from slakeeper.cli.calendar import parse_instant
from slakeeper.cli.context import acting, client_named
from slakeeper.cli.output import echo_json
from slakeeper.core import DurationError, format_duration, parse_duration_parts
from slakeeper.core.delivery import due_instant
from slakeeper.core.states import ShiftMode
from slakeeper.errors import InvalidInput, NotFound
from slakeeper.services.access import Principal
from slakeeper.services.delivery import adjustments, commitments, obligations
from slakeeper.services.delivery import change_requests as changes
from slakeeper.services.delivery import milestones as svc
from slakeeper.services.versions import VersionTerms, required_in_force, version_terms
from slakeeper.services.views.delivery import MilestoneRead, shift_amount

__all__ = [
    "adjustment_app",
    "change_app",
    "commitment_app",
    "milestone_app",
    "obligation_app",
]

milestone_app = typer.Typer(
    help="Milestones: start, submit, review, delays.", no_args_is_help=True
)
obligation_app = typer.Typer(
    help="What each side owes: inputs, feedback, decisions, payments.",
    no_args_is_help=True,
)
adjustment_app = typer.Typer(
    help="Proposed moves of milestones: accept or reject.", no_args_is_help=True
)
change_app = typer.Typer(
    help="Change requests: request, estimate, decide.", no_args_is_help=True
)
commitment_app = typer.Typer(
    help="Cadenced commitments such as a weekly progress update.",
    no_args_is_help=True,
)

ClientOpt = Annotated[
    str | None,
    typer.Option("--client", "-c", metavar="NAME", help="The client's name."),
]
NeededClient = Annotated[
    str, typer.Option("--client", "-c", metavar="NAME", help="The client's name.")
]
MilestoneArg = Annotated[
    str, typer.Argument(metavar="MILESTONE", help="The milestone's id, e.g. launch.")
]
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", help="A note.")]


def _json(answer: str) -> Any:
    """The `--json` option of a command that prints what the API answers."""
    return typer.Option("--json", help=f"Print JSON: the same as {answer}.")


IdArg = Annotated[int, typer.Argument(metavar="ID", help="Its number.")]


def _milestone(
    session: Session,
    principal: Principal,
    key: str,
    client: str | None,
    now: datetime,
) -> MilestoneRead:
    client_id = None if client is None else client_named(session, principal, client).id
    found = [
        m
        for m in svc.list_views(session, principal, now, client_id=client_id)
        if m.key == key.strip()
    ]
    if not found:
        raise NotFound(f"milestone {key} not found")
    if len(found) > 1:
        raise InvalidInput(
            f"several clients have a milestone {key}; name one with --client",
            location="--client",
        )
    return found[0]


def _shift(text: str, terms: VersionTerms, option: str) -> tuple[int, str]:
    """`3 days` (calendar days) or working time (`4h`, `2bd`) in seconds."""
    words = text.strip().lower().split()
    if len(words) == 2 and words[1] in ("day", "days") and words[0].isdigit():
        return int(words[0]), "calendar_days"
    try:
        fixed, days = parse_duration_parts(text)
    except DurationError:
        raise typer.BadParameter(
            f"{text!r} is neither working time (4h, 2bd) nor calendar days (3 days)",
            param_hint=f"'{option}'",
        ) from None
    day = terms.default_calendar.business_day
    micros = int(days * (day // timedelta(microseconds=1)))
    return int((fixed + timedelta(microseconds=micros)).total_seconds()), (
        "working_time"
    )


def _amount(mode: ShiftMode, seconds: int | None, days: int | None) -> str:
    """A move or a lateness of a read model in words (`2 days`, `3h`)."""
    return adjustments.amount_words(shift_amount(mode, seconds, days) or 0, mode)


def _state(m: MilestoneRead) -> str:
    return "late" if m.late else "at risk" if m.at_risk else "on track"


# -- milestones ------------------------------------------------------------------------


@milestone_app.command("list")
def milestone_list(
    client: ClientOpt = None,
    as_json: Annotated[bool, _json("the items of GET /milestones")] = False,
) -> None:
    """Milestones with their due time (after adjustments) and state."""
    with acting(write=False) as (session, principal, now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        rows = svc.list_views(session, principal, now, client_id=client_id)
        if as_json:
            echo_json(rows)
            return
        if not rows:
            typer.echo("No milestones.")
            return
        zones = {}  # by agreement version: the milestones of one share it
        table = Table("milestone", "status", "due", "state")
        for m in rows:
            if m.agreement_version_id not in zones:
                zones[m.agreement_version_id] = svc.terms_for(
                    session, principal, m.id
                ).zone
            zone = zones[m.agreement_version_id]
            due = m.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if m.due_at != m.base_due_at:
                due += f" (agreed {m.base_due_at.astimezone(zone):%Y-%m-%d %H:%M})"
            table.add_row(m.key, m.status, due, _state(m))
        Console().print(table)


@milestone_app.command("show")
def milestone_show(key: MilestoneArg, client: ClientOpt = None) -> None:
    """A milestone, its adjustments and its events."""
    with acting(write=False) as (session, principal, now):
        m = svc.detail_of(
            session, principal, _milestone(session, principal, key, client, now).id, now
        )
        zone = svc.terms_for(session, principal, m.id).zone
        typer.echo(f"{m.key}: {m.title} ({m.status}, {_state(m)})")
        typer.echo(f"  due {m.due_at.astimezone(zone).isoformat()}")
        if m.due_at != m.base_due_at:
            typer.echo(f"  agreed {m.base_due_at.astimezone(zone).isoformat()}")
        for a in m.adjustments:
            moved = _amount(a.mode, a.amount_seconds, a.days)
            typer.echo(
                f"  adjustment {a.id}: {moved}, {a.cause}-caused"
                f" {a.kind}, {a.status}: {a.reason}"
            )
        for e in svc.event_views(session, principal, m.id):
            said = f": {e.text}" if e.text else ""
            typer.echo(f"{e.seq:>3} {e.at.astimezone(zone).isoformat()} {e.kind}{said}")


@milestone_app.command("start")
def milestone_start(key: MilestoneArg, client: ClientOpt = None) -> None:
    """Mark a planned milestone as in progress."""
    with acting() as (session, principal, now):
        m = _milestone(session, principal, key, client, now)
        svc.start(session, principal, m.id, now)
        typer.echo(f"{m.key}: in progress")


@milestone_app.command("submit")
def milestone_submit(
    key: MilestoneArg, client: ClientOpt = None, note: NoteOpt = None
) -> None:
    """Hand the deliverables to the client; their review window starts."""
    with acting() as (session, principal, now):
        m = _milestone(session, principal, key, client, now)
        svc.submit(session, principal, m.id, now, note=note)
        after = svc.view_of(session, principal, m.id)
        due = (
            ""
            if after.review_due_at is None
            else f"; feedback due {after.review_due_at.isoformat()}"
        )
        typer.echo(f"{m.key}: submitted{due}")


@milestone_app.command("review")
def milestone_review(
    key: MilestoneArg,
    answer: Annotated[
        str, typer.Argument(metavar="ANSWER", help="accept, or changes (with --note).")
    ],
    client: ClientOpt = None,
    note: NoteOpt = None,
) -> None:
    """The client's answer to a submission (a client contact acts)."""
    with acting() as (session, principal, now):
        m = _milestone(session, principal, key, client, now)
        svc.review(session, principal, m.id, answer, now, note=note)
        after = svc.view_of(session, principal, m.id)
        typer.echo(f"{m.key}: {after.status.replace('_', ' ')}")


@milestone_app.command("delay")
def milestone_delay(
    key: MilestoneArg,
    cause: Annotated[
        str, typer.Option("--cause", help="provider, client or third_party.")
    ],
    by: Annotated[
        str,
        typer.Option("--by", help="How much later: working time (4h, 2bd) or 3 days."),
    ],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why.")],
    client: ClientOpt = None,
) -> None:
    """Record a delay with its cause and propose moving the milestone; the other
    side accepts it (`slakeeper adjustment accept`)."""
    with acting() as (session, principal, now):
        m = _milestone(session, principal, key, client, now)
        amount, mode = _shift(by, svc.terms_for(session, principal, m.id), "--by")
        row = adjustments.record_delay(
            session,
            principal,
            m.id,
            cause=cause,
            amount=amount,
            mode=mode,
            reason=reason,
            now=now,
        )
        done = adjustments.result_of(session, principal, row.id)
        typer.echo(
            f"{m.key}: adjustment {done.adjustment.id} {done.adjustment.status},"
            f" due {done.milestone.due_at.isoformat()}"
        )


# -- adjustments -----------------------------------------------------------------------


@adjustment_app.command("accept")
def adjustment_accept(adjustment: IdArg) -> None:
    """Accept a proposed adjustment for your side; it takes effect when both have."""
    with acting() as (session, principal, now):
        adjustments.accept_adjustment(session, principal, adjustment, now)
        done = adjustments.result_of(session, principal, adjustment).adjustment
        typer.echo(f"adjustment {done.id}: {done.status}")


@adjustment_app.command("reject")
def adjustment_reject(adjustment: IdArg) -> None:
    """Turn a proposed adjustment down; the milestone keeps its date."""
    with acting() as (session, principal, now):
        adjustments.reject_adjustment(session, principal, adjustment, now)
        done = adjustments.result_of(session, principal, adjustment).adjustment
        typer.echo(f"adjustment {done.id}: {done.status}")


# -- obligations -----------------------------------------------------------------------


def _due(text: str, zone_of: VersionTerms) -> datetime:
    """A date (the end of it) or an instant, in the agreement's time zone."""
    try:
        return due_instant(date.fromisoformat(text.strip()), zone_of.zone)
    except ValueError:
        return parse_instant(text, "--due", zone_of.zone)


@obligation_app.command("list")
def obligation_list(
    client: ClientOpt = None,
    status: Annotated[
        str | None, typer.Option("--status", help="open, met, waived or lapsed.")
    ] = "open",
    as_json: Annotated[bool, _json("the items of GET /obligations")] = False,
) -> None:
    """Obligations by due time (default: the open ones)."""
    with acting(write=False) as (session, principal, now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        rows = obligations.list_views(
            session, principal, client_id=client_id, status=status
        )
        if as_json:
            echo_json(rows)
            return
        if not rows:
            typer.echo("No obligations.")
            return
        table = Table("id", "owed by", "kind", "what", "due", "state")
        for o in rows:
            state: str = o.status
            if o.status == "open":
                state = "overdue" if o.due_at <= now else "open"
            elif o.lateness_seconds or o.lateness_days:
                late = _amount(o.shift_mode, o.lateness_seconds, o.lateness_days)
                state = f"met {late} late"
            table.add_row(
                str(o.id), o.party, o.kind, o.title, o.due_at.isoformat(), state
            )
        Console().print(table)


@obligation_app.command("add")
def obligation_add(
    client: NeededClient,
    title: Annotated[str, typer.Option("--title", "-t", help="What the client owes.")],
    due: Annotated[
        str,
        typer.Option("--due", help="A date (its end) or an instant, e.g. 2027-03-15."),
    ],
    milestone: Annotated[
        str | None,
        typer.Option("--milestone", "-m", help="The milestone that depends on it."),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="input, approval, payment or other.")
    ] = "input",
) -> None:
    """Record something the client owes by a date."""
    with acting() as (session, principal, now):
        who = client_named(session, principal, client)
        terms = version_terms(required_in_force(session, principal, who, now))
        mid = (
            None
            if milestone is None
            else _milestone(session, principal, milestone, client, now).id
        )
        row = obligations.add_obligation(
            session,
            principal,
            client_id=who.id,
            title=title,
            due_at=_due(due, terms),
            now=now,
            milestone_id=mid,
            kind=kind,
        )
        added = obligations.view_of(session, principal, row.id)
        typer.echo(
            f"obligation {added.id}: {added.title}, due {added.due_at.isoformat()}"
        )


@obligation_app.command("met")
def obligation_met(obligation: IdArg, note: NoteOpt = None) -> None:
    """Record that the client met an obligation (e.g. the inputs arrived) now;
    late, it proposes moving the milestones that depend on it."""
    with acting() as (session, principal, now):
        obligations.meet_obligation(session, principal, obligation, now, note=note)
        met = obligations.view_of(session, principal, obligation)
        late = (
            f", {_amount(met.shift_mode, met.lateness_seconds, met.lateness_days)} late"
            if met.lateness_seconds or met.lateness_days
            else ""
        )
        typer.echo(f"obligation {met.id}: met{late}")


@obligation_app.command("waive")
def obligation_waive(
    obligation: IdArg,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why.")],
) -> None:
    """Release the client from an obligation."""
    with acting() as (session, principal, now):
        obligations.waive_obligation(session, principal, obligation, now, reason=reason)
        waived = obligations.view_of(session, principal, obligation)
        typer.echo(f"obligation {waived.id}: {waived.status}")


# -- change requests -------------------------------------------------------------------


def _change(session: Session, principal: Principal, key: str) -> int:
    wanted = key.strip().upper()
    for row in changes.list_views(session, principal):
        if row.key == wanted or str(row.id) == wanted:
            return row.id
    raise NotFound(f"change request {key} not found")


ChangeArg = Annotated[
    str, typer.Argument(metavar="CHANGE", help="The change request, e.g. ACME-CR-1.")
]


@change_app.command("request")
def change_request(
    client: NeededClient,
    title: Annotated[str, typer.Option("--title", "-t", help="The change.")],
    body: Annotated[str, typer.Option("--body", "-b", help="Details.")] = "",
) -> None:
    """Record a change the client asks for; the provider's estimate is then due."""
    with acting() as (session, principal, now):
        row = changes.request_change(
            session,
            principal,
            client_id=client_named(session, principal, client).id,
            title=title,
            body=body,
            now=now,
        )
        asked = changes.view_of(session, principal, row.id)
        typer.echo(f"{asked.key}: {asked.title} ({asked.status})")


@change_app.command("estimate")
def change_estimate(
    change: ChangeArg,
    effort: Annotated[str, typer.Option("--effort", help="Working time, e.g. 6h.")],
    cost: Annotated[
        str | None, typer.Option("--cost", help="In the billing currency, e.g. 570.00.")
    ] = None,
    moves: Annotated[
        list[str] | None,
        typer.Option(
            "--moves",
            metavar="MILESTONE=BY",
            help="How a milestone moves, e.g. launch=2bd or launch=3 days (repeat).",
        ),
    ] = None,
    note: NoteOpt = None,
) -> None:
    """The provider's estimate: effort, cost and the effect on milestones."""
    with acting() as (session, principal, now):
        cid = _change(session, principal, change)
        terms = changes.terms_for(session, principal, cid, now)
        effects = []
        for item in moves or []:
            name, sep, by = item.partition("=")
            if not sep:
                raise typer.BadParameter(
                    f"{item!r} is not MILESTONE=BY", param_hint="'--moves'"
                )
            amount, mode = _shift(by, terms, "--moves")
            effects.append(changes.Effect(name.strip(), amount, mode))
        work, _mode = _shift(effort, terms, "--effort")
        changes.estimate(
            session,
            principal,
            cid,
            effort=timedelta(seconds=work),
            cost=cost,
            effects=effects,
            now=now,
            note=note,
        )
        estimated = changes.view_of(session, principal, cid)
        typer.echo(f"{estimated.key}: {estimated.status}")


@change_app.command("decide")
def change_decide(
    change: ChangeArg,
    decision: Annotated[
        str, typer.Argument(metavar="DECISION", help="approve or reject.")
    ],
    note: NoteOpt = None,
) -> None:
    """The client's decision on an estimated change."""
    if decision not in ("approve", "reject"):
        raise typer.BadParameter(
            f"{decision!r}: write approve or reject", param_hint="'DECISION'"
        )
    with acting() as (session, principal, now):
        cid = _change(session, principal, change)
        changes.decide(
            session, principal, cid, approve=decision == "approve", now=now, note=note
        )
        decided = changes.view_of(session, principal, cid)
        typer.echo(f"{decided.key}: {decided.status}")


@change_app.command("list")
def change_list(
    client: ClientOpt = None,
    as_json: Annotated[bool, _json("the items of GET /change-requests")] = False,
) -> None:
    """Change requests with their state, estimate and decision."""
    with acting(write=False) as (session, principal, _now):
        client_id = (
            None if client is None else client_named(session, principal, client).id
        )
        rows = changes.list_views(session, principal, client_id=client_id)
        if as_json:
            echo_json(rows)
            return
        if not rows:
            typer.echo("No change requests.")
            return
        table = Table("change", "title", "status", "effort", "cost")
        for r in rows:
            effort = (
                "-"
                if r.effort_seconds is None
                else format_duration(timedelta(seconds=r.effort_seconds))
            )
            cost = "-" if r.cost is None else f"{r.cost} {r.currency or ''}".strip()
            table.add_row(r.key, r.title, r.status, effort, cost)
        Console().print(table)


# -- commitments -----------------------------------------------------------------------


@commitment_app.command("update")
def commitment_update(
    client: NeededClient,
    commitment: Annotated[
        str,
        typer.Option("--commitment", help="The commitment's wording or its start."),
    ],
    text: Annotated[str, typer.Option("--text", "-t", help="What was sent.")],
) -> None:
    """Record that a commitment was kept now (e.g. the weekly update was sent)."""
    with acting() as (session, principal, now):
        row = commitments.record_update(
            session,
            principal,
            client_id=client_named(session, principal, client).id,
            commitment=commitment,
            text=text,
            now=now,
        )
        kept = commitments.update_of(session, principal, row.id)
        typer.echo(f"{kept.commitment}: update recorded")


@commitment_app.command("status")
def commitment_status(
    client: NeededClient,
    as_json: Annotated[bool, _json("GET /clients/{id}/commitments")] = False,
) -> None:
    """Each period of each commitment: met, missed or open."""
    with acting(write=False) as (session, principal, now):
        who = client_named(session, principal, client)
        status = commitments.status_view(session, principal, who.id, now)
        if as_json:
            echo_json(status)
            return
        if not status.commitments:
            typer.echo("No cadenced commitments.")
            return
        for c in status.commitments:
            typer.echo(f"{c.commitment} (every {c.every}): {c.missed} missed")
            for p in c.periods:
                typer.echo(f"  by {p.end.astimezone(UTC).isoformat()}: {p.state}")
