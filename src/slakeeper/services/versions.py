"""What a stored agreement version says, and which version is in force.

- `VersionTerms`: a version's parsed agreement and its calendars with the public
  holidays resolved into the version when it was stored (its canonical bytes),
  not what the `holidays` package says today, plus cached projections that every
  service reads from it: who approves for each party (`approvers`), who holds a
  `party.role` (`holders`), the ticket terms (`tickets`), the time terms
  (`time`). Cached by content hash: a version's content never changes.
- `versions_during` / `version_at`: the one rule for the version in force at an
  instant or during a period (the version whose active span covers it). Callers
  check access first; these only read.

Who approves or decides is read from the version in force, by e-mail: the
agreement file is the only source (a user's row says nothing about it).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from slakeeper.agreement import loads_document
from slakeeper.agreement.schema import Agreement, Contact
from slakeeper.core import PriorityTerms, TicketTerms, WorkCalendar
from slakeeper.core.states import Party, ShiftMode
from slakeeper.db.models import Agreement as AgreementRow
from slakeeper.db.models import AgreementVersion, Client, VersionState
from slakeeper.errors import Conflict
from slakeeper.services.access import Principal, active_user, visible_client
from slakeeper.services.views.agreements import ClientRead

__all__ = [
    "CLIENT_APPROVER_ROLES",
    "PROVIDER_APPROVER_ROLES",
    "InForce",
    "TimeTerms",
    "VersionTerms",
    "agreement_in_force",
    "latest_version",
    "required_in_force",
    "version_at",
    "version_terms",
    "version_terms_by_id",
    "versions_during",
]

DEFAULT_WARN_AT = 0.75  # at risk at 75 % of a target, unless escalation says
PROVIDER_APPROVER_ROLES = ("lead", "owner", "approver")
CLIENT_APPROVER_ROLES = ("approver",)


@dataclass(frozen=True, slots=True)
class TimeTerms:
    """What an agreement version says about time: its time zone, who approves
    time (None: the provider's owner) and its milestone ids."""

    timezone: str
    approved_by: str | None
    milestones: frozenset[str]


@dataclass(frozen=True)
class VersionTerms:
    """A version's agreement and calendars (by name), with cached projections."""

    agreement: Agreement
    calendars: dict[str, WorkCalendar]

    @property
    def default_calendar(self) -> WorkCalendar:
        """The calendar milestones, obligations and delays are measured on."""
        a = self.agreement
        return self.calendars[a.default_calendar or next(iter(a.calendars))]

    @property
    def shift_mode(self) -> ShiftMode:
        """How a client-caused delay moves milestones
        (`delays.client_caused.shift_milestones`)."""
        return ShiftMode(self.agreement.delays.client_caused.shift_milestones)

    @property
    def zone(self) -> ZoneInfo:
        """The agreement's time zone (dates in it end at 24:00 there)."""
        return ZoneInfo(self.agreement.agreement.timezone)

    @cached_property
    def _holders(self) -> Mapping[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        about = self.agreement.agreement
        for party, contacts in (
            (Party.PROVIDER, about.provider.contacts),
            (Party.CLIENT, about.client.contacts),
        ):
            for c in contacts:
                found.setdefault(f"{party}.{c.role}", set()).add(c.email.lower())
        return {k: frozenset(v) for k, v in found.items()}

    def holders(self, role: str) -> frozenset[str]:
        """The (lower-cased) e-mails of the contacts holding `party.role`."""
        return self._holders.get(role.strip().lower(), frozenset())

    @cached_property
    def _approvers(self) -> Mapping[Party, tuple[str, ...]]:
        about = self.agreement.agreement

        def chosen(contacts: list[Contact], roles: tuple[str, ...]) -> tuple[str, ...]:
            named = [c.email.lower() for c in contacts if c.role in roles]
            return tuple(named or [c.email.lower() for c in contacts])

        return {
            Party.PROVIDER: chosen(about.provider.contacts, PROVIDER_APPROVER_ROLES),
            Party.CLIENT: chosen(about.client.contacts, CLIENT_APPROVER_ROLES),
        }

    def approvers(self, party: Party) -> tuple[str, ...]:
        """E-mails whose approval counts for a party: the provider's lead (or
        owner or approver) and the client's approvers; every contact of the
        party when no one holds those roles. The same people decide on schedule
        adjustments for the client."""
        return self._approvers[party]

    @cached_property
    def tickets(self) -> TicketTerms:
        """Per priority: its calendar and its response, update and resolution
        targets (`bd` read with that calendar's business day); the default
        priority, the statuses that pause, and the share of a target at which
        a clock is at risk (the first escalation step given as a fraction)."""
        a, calendars = self.agreement, self.calendars
        priorities: dict[str, PriorityTerms] = {}
        for level, p in a.priorities.items():
            cal = calendars[p.calendar or a.default_calendar or next(iter(calendars))]
            day = cal.business_day
            priorities[level] = PriorityTerms(
                name=level,
                calendar=cal,
                response=None if p.response is None else p.response.resolve(day),
                update_every=None
                if p.update_every is None
                else p.update_every.resolve(day),
                resolution=None if p.resolution is None else p.resolution.resolve(day),
            )
        warn_at = next(
            (
                float(step.at.fraction) / 100
                for step in a.escalation.steps
                if step.at.fraction is not None
            ),
            DEFAULT_WARN_AT,
        )
        default = a.default_priority or next(iter(a.priorities), "")
        return TicketTerms(priorities, default, tuple(a.pause_on), warn_at)

    @cached_property
    def time(self) -> TimeTerms:
        """Time zone, who approves time, and milestone ids."""
        a = self.agreement
        timesheets = None if a.billing is None else a.billing.timesheets
        return TimeTerms(
            timezone=a.agreement.timezone,
            approved_by=None if timesheets is None else timesheets.approved_by,
            milestones=frozenset(m.id for m in a.milestones),
        )


_CACHE: dict[str, VersionTerms] = {}


def version_terms(version: AgreementVersion) -> VersionTerms:
    """The terms of a stored version (one object per content hash)."""
    cached = _CACHE.get(version.sha256)
    if cached is not None:
        return cached
    loaded = loads_document(version.source_text, version.source_name)
    resolved: dict[str, dict[str, str]] = json.loads(version.canonical_json).get(
        "resolved_holidays", {}
    )
    calendars: dict[str, WorkCalendar] = {}
    for name, cal in loaded.calendars.items():
        closed = dict(cal.rules.closed)
        closed.update(
            {
                date.fromisoformat(d): label
                for d, label in resolved.get(name, {}).items()
            }
        )
        calendars[name] = WorkCalendar(
            dataclasses.replace(
                cal.rules, country=None, subdivision=None, closed=closed
            )
        )
    terms = _CACHE[version.sha256] = VersionTerms(loaded.agreement, calendars)
    return terms


def version_terms_by_id(session: Session, version_id: int) -> VersionTerms:
    """The terms of the version with this id; its row is read once per session
    (the session keeps the answer: a row the identity map has let go of would
    otherwise be read again for every ticket of a list)."""
    known: dict[int, VersionTerms] = session.info.setdefault("version_terms", {})
    terms = known.get(version_id)
    if terms is None:
        row = session.get_one(AgreementVersion, version_id)
        terms = known[version_id] = version_terms(row)
    return terms


# -- the version in force ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InForce:
    """A client's versions in force at some instant of a period, newest first,
    each with its active span `[active_from, active_until)`."""

    spans: tuple[tuple[AgreementVersion, datetime, datetime | None], ...]

    def at(self, instant: datetime) -> AgreementVersion | None:
        """The version in force at `instant` (None: none was)."""
        for version, active_from, active_until in self.spans:
            if active_from <= instant and (
                active_until is None or active_until > instant
            ):
                return version
        return None


def versions_during(
    session: Session, client_id: int, start: datetime, end: datetime
) -> InForce:
    """The client's versions whose active span meets `[start, end)`."""
    rows = session.execute(
        select(AgreementVersion, VersionState.active_from, VersionState.active_until)
        .join(VersionState, VersionState.version_id == AgreementVersion.id)
        .join(AgreementRow, AgreementRow.id == AgreementVersion.agreement_id)
        .where(
            AgreementRow.client_id == client_id,
            VersionState.active_from.is_not(None),
            VersionState.active_from < end,
            (VersionState.active_until.is_(None)) | (VersionState.active_until > start),
        )
        .order_by(VersionState.active_from.desc())
    ).all()
    return InForce(tuple((v, f, u) for v, f, u in rows if f is not None))


def version_at(
    session: Session, client_id: int, at: datetime
) -> AgreementVersion | None:
    """The version that governed `at` for a client (None before the first one)."""
    return versions_during(session, client_id, at, at + timedelta(microseconds=1)).at(
        at
    )


def agreement_in_force(
    session: Session, principal: Principal, client_id: int, at: datetime
) -> AgreementVersion | None:
    """The version that governed `at` for a client the principal may see (None
    before the first one)."""
    active_user(session, principal)
    visible_client(session, principal, client_id)
    return version_at(session, client_id, at)


def required_in_force(
    session: Session, principal: Principal, client: Client | ClientRead, at: datetime
) -> AgreementVersion:
    """`agreement_in_force`, where having none is a Conflict (the action needs
    the agreement's terms)."""
    version = agreement_in_force(session, principal, client.id, at)
    if version is None:
        raise Conflict(f"{client.name} has no agreement in force")
    return version


def latest_version(session: Session, client_id: int) -> AgreementVersion | None:
    """The client's most recently activated version (None: none ever was)."""
    return session.scalars(
        select(AgreementVersion)
        .join(VersionState, VersionState.version_id == AgreementVersion.id)
        .join(AgreementRow, AgreementRow.id == AgreementVersion.agreement_id)
        .where(
            AgreementRow.client_id == client_id, VersionState.active_from.is_not(None)
        )
        .order_by(VersionState.active_from.desc())
        .limit(1)
    ).first()
