"""What changed between two versions of an agreement, in plain English.

`diff_agreements(old, new)` compares the validated agreements structurally and
returns one `Change` per difference, in the order of the contract's sections:

- mappings are compared key by key (priorities, calendars, rates);
- lists whose items have an identity are compared item by item (milestones by
  `id`, contacts by e-mail, roles by activity, commitments and obligations by
  their text, targets by measure and priorities, service-credit tiers by
  measure, priorities and threshold);
- other lists are compared as a whole: the items added and removed, or the new
  order when only the order changed;
- calendars (raw specs) are compared by what they mean: hours per weekday,
  public holidays, closed dates and extra openings.

Values read as the contract says them (`agreement.words`): people by name and
role, measures, places and dates in words, milestones by title. Every field that
differs produces at least one line; fields without a phrase of their own fall
back to `<Section> <field path in words>: old -> new`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from slakeeper.agreement import words
from slakeeper.agreement.contract.delivery import commitment, obligation
from slakeeper.agreement.schema import (
    Agreement,
    Amount,
    ClientInput,
    Commitment,
    Contact,
    CreditTier,
    EscalationStep,
    Milestone,
    Obligation,
    Priority,
    Role,
    Target,
)
from slakeeper.agreement.types import CalendarPeriod, WorkingTime
from slakeeper.core import CalendarSpecError, WorkCalendar

__all__ = [
    "SECTIONS",
    "SECTION_OF",
    "Change",
    "ChangeKind",
    "diff_agreements",
    "to_json",
    "to_markdown",
]

ChangeKind = Literal["added", "removed", "changed"]
PathPart = str | int
NOT_SET = "not set"

#: Section titles in the order of the contract: the summary, response times
#: (priorities), support availability (calendars), milestones...
SECTIONS: tuple[str, ...] = (
    "Agreement",
    "Priorities",
    "Calendars",
    "Milestones",
    "Responsibilities",
    "Roles",
    "Targets",
    "Accountability",
    "Escalation",
    "Delays",
    "Change requests",
    "Reviews",
    "Billing",
)

#: The section each top-level field of an agreement belongs to.
SECTION_OF: dict[str, str] = {
    "agreement": "Agreement",
    "calendars": "Calendars",
    "default_calendar": "Priorities",  # the contract says it with response times
    "priorities": "Priorities",
    "default_priority": "Priorities",
    "pause_on": "Priorities",
    "milestones": "Milestones",
    "responsibilities": "Responsibilities",
    "roles": "Roles",
    "targets": "Targets",
    "accountability": "Accountability",
    "escalation": "Escalation",
    "delays": "Delays",
    "change_requests": "Change requests",
    "reviews": "Reviews",
    "billing": "Billing",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions of an agreement.

    `path` locates it in the file (keys of keyed items stand for list indexes);
    `old` and `new` are the values in words (None when added or removed).
    """

    section: str
    path: tuple[PathPart, ...]
    kind: ChangeKind
    old: str | None
    new: str | None
    text: str


# ---------------------------------------------------------------------------
# Labels: schema paths ("*" for a key) -> phrase; {0}, {1} name the keyed items.

_LABELS: dict[tuple[str, ...], str] = {
    ("agreement", "title"): "Title",
    ("agreement", "effective"): "Effective date",
    ("agreement", "timezone"): "Time zone",
    ("agreement", "language"): "Language",
    ("agreement", "provider", "name"): "Provider name",
    ("agreement", "client", "name"): "Client name",
    ("agreement", "provider", "contacts"): "Provider contacts",
    ("agreement", "client", "contacts"): "Client contacts",
    ("agreement", "provider", "contacts", "*", "name"): "Provider contact {0} name",
    ("agreement", "provider", "contacts", "*", "role"): "Provider contact {0} role",
    ("agreement", "client", "contacts", "*", "name"): "Client contact {0} name",
    ("agreement", "client", "contacts", "*", "role"): "Client contact {0} role",
    ("agreement", "term", "months"): "Term length",
    ("agreement", "term", "until"): "Term end",
    ("agreement", "term", "renewal"): "Renewal",
    ("agreement", "term", "notice"): "Notice period",
    ("calendars",): "Calendars",
    ("default_calendar",): "Default calendar",
    ("priorities",): "Priorities",
    ("priorities", "*", "means"): "{0} priority means",
    ("priorities", "*", "response"): "{0} response time",
    ("priorities", "*", "update_every"): "{0} update interval",
    ("priorities", "*", "resolution"): "{0} resolution time",
    ("priorities", "*", "calendar"): "{0} priority calendar",
    ("default_priority",): "Default priority",
    ("pause_on",): "Statuses that pause the resolution clock",
    ("milestones",): "Milestones",
    ("milestones", "*", "title"): "Milestone {0} title",
    ("milestones", "*", "due"): "Milestone {0} due date",
    ("milestones", "*", "deliverables"): "Milestone {0} deliverables",
    ("milestones", "*", "needs_from_client"): "Milestone {0} inputs from the client",
    ("milestones", "*", "acceptance", "review_within"): "Milestone {0} review window",
    ("milestones", "*", "acceptance", "if_silent"): (
        "Milestone {0}: a silent review means"
    ),
    ("milestones", "*", "after"): "Milestone {0} comes after",
    ("milestones", "*", "fee"): "Milestone {0} fee",
    ("responsibilities", "provider"): "Provider responsibilities",
    ("responsibilities", "client"): "Client obligations",
    ("roles",): "Roles",
    ("roles", "*", "responsible"): "Responsible for {0}",
    ("roles", "*", "accountable"): "Accountable for {0}",
    ("roles", "*", "consulted"): "Consulted on {0}",
    ("roles", "*", "informed"): "Informed about {0}",
    ("targets",): "Targets",
    ("targets", "*", "at_least"): "Target for {0}",
    ("targets", "*", "per"): "Target for {0} measured per",
    ("accountability", "service_credits", "basis"): "Service credit basis",
    ("accountability", "service_credits", "monthly_fee"): "Monthly fee",
    ("accountability", "service_credits", "tiers"): "Service credit tiers",
    ("accountability", "service_credits", "tiers", "*", "credit"): (
        "Service credit when {0}"
    ),
    ("accountability", "service_credits", "cap"): "Service credit cap",
    ("accountability", "termination", "when"): "Client may terminate when",
    ("escalation", "steps"): "Escalation steps",
    ("escalation", "decisions_waiting_on_client", "remind_after"): (
        "Reminder for decisions waiting on the client"
    ),
    ("escalation", "decisions_waiting_on_client", "escalate_after"): (
        "Escalation of decisions waiting on the client"
    ),
    ("delays", "client_caused", "shift_milestones"): (
        "Client-caused delays move milestones by"
    ),
    ("delays", "client_caused", "adjustments"): "Delay adjustments",
    ("delays", "payment_overdue", "after"): "Payment counts as overdue after",
    ("delays", "payment_overdue", "suspend"): "Clocks paused while payment is overdue",
    ("responsibilities", "provider", "*", "every"): "How often we do “{0}”",
    ("responsibilities", "provider", "*", "on"): "Day we do “{0}”",
    ("responsibilities", "client", "*", "within"): "Time you have for “{0}”",
    ("change_requests", "estimate_within"): "Change request estimate time",
    ("change_requests", "decide_within"): "Change request decision time",
    ("change_requests", "requires_approval_by"): "Change request approver",
    ("reviews", "every"): "Review interval",
    ("reviews", "first"): "First review",
    ("billing", "currency"): "Billing currency",
    ("billing", "model"): "Billing model",
    ("billing", "rates", "default"): "Hourly rate",
    ("billing", "rates", "per_role", "*"): "Hourly rate for role {0}",
    ("billing", "rates", "per_priority", "*"): "Hourly rate for {0} priority",
    ("billing", "rates", "out_of_hours"): "Out-of-hours rate",
    ("billing", "rounding", "to"): "Time rounded to",
    ("billing", "rounding", "mode"): "Time rounding direction",
    ("billing", "rounding", "per"): "Time rounded per",
    ("billing", "tax", "rate"): "Tax rate",
    ("billing", "tax", "id"): "Tax id",
    ("billing", "timesheets", "approved_by"): "Timesheets approved by",
    ("billing", "invoice", "every"): "Invoice interval",
    ("billing", "invoice", "due"): "Payment terms",
    ("billing", "invoice", "detailed_time_report"): (
        "Detailed time report with invoices"
    ),
    ("billing", "upwork", "contract"): "Upwork contract",
}

_PERCENT_FIELDS = frozenset({"at_least", "below", "credit", "cap", "rate"})
_WORDY_FIELDS = frozenset(
    {"if_silent", "shift_milestones", "adjustments", "basis", "model"}
)
#: Fields holding role references (`provider.lead`): said as the person.
_PEOPLE_FIELDS = frozenset(
    {
        "responsible",
        "accountable",
        "consulted",
        "informed",
        "notify",
        "requires_approval_by",
        "approved_by",
    }
)
#: The clocks late payment can pause, as the contract names them.
_CLOCKS = {
    "response": "reply times",
    "resolution": "resolution times",
    "update_every": "update times",
}
#: Lists that are one value (a set of role references), not a list of items.
_ATOMIC_LISTS = frozenset(
    {
        ("roles", "*", "responsible"),
        ("roles", "*", "consulted"),
        ("roles", "*", "informed"),
        ("targets", "*", "priorities"),
    }
)


def _pattern(path: Sequence[PathPart], keyed: frozenset[int]) -> tuple[str, ...]:
    return tuple("*" if i in keyed else str(p) for i, p in enumerate(path))


# ---------------------------------------------------------------------------
# Keyed collections: how items are identified, named and summarised.


@dataclass(frozen=True)
class _Keyed:
    noun: str  # "milestone"
    key: Callable[[Any], str]
    name: Callable[[Any], str]  # how labels name the item
    added: Callable[[Any, _Side], str]
    removed: Callable[[Any, _Side], str]


@dataclass(frozen=True)
class _Side:
    """What formatting values of one version needs: its currency, its people
    (side, name, role) and its milestones' titles by id."""

    currency: str | None
    contacts: tuple[tuple[str, str, str], ...]
    titles: Mapping[str, str]

    @classmethod
    def of(cls, a: Agreement) -> _Side:
        return cls(
            a.billing.currency if a.billing else None,
            tuple(
                (side, c.name, c.role)
                for side, party in (
                    ("provider", a.agreement.provider),
                    ("client", a.agreement.client),
                )
                for c in party.contacts
            ),
            {m.id: m.title for m in a.milestones},
        )

    def people(self, refs: str | Sequence[str] | None) -> str:
        """`provider.lead` -> `Jane Doe (our lead)`; `nobody` for None."""
        if refs is None:
            return "nobody"
        if isinstance(refs, str):
            refs = [refs]
        return words.join([words.person(r, self.contacts) for r in refs])


def _priority_added(p: Priority, key: str, side: _Side) -> str:
    parts = [
        f"{what} {words.working_time(t)}"
        for what, t in (
            ("response", p.response),
            ("updates every", p.update_every),
            ("resolution", p.resolution),
        )
        if t is not None
    ]
    head = key.capitalize()
    if p.means:
        head += f" ({p.means.rstrip('.')})"
    return head + (": " + ", ".join(parts) if parts else "")


def _milestone_added(m: Milestone, side: _Side) -> str:
    text = f"{m.title}, due {words.long_date(m.due)}"
    if m.after:
        text += f", after {side.titles.get(m.after, m.after)}"
    if m.fee is not None:
        text += f", fee {_money(m.fee, side)}"
    return text


def _role_added(r: Role, side: _Side) -> str:
    parts = [
        f"{what}: {side.people(getattr(r, what))}"
        for what in ("responsible", "accountable", "consulted", "informed")
        if getattr(r, what) is not None
    ]
    return f"{r.activity}, {'; '.join(parts)}"


def _target_key(t: Target) -> str:
    return json.dumps([t.measure, t.priorities])


def _target_name(t: Target) -> str:
    return words.measure(t.measure, t.priorities)


def _target_added(t: Target, side: _Side) -> str:
    return (
        f"at least {words.percent(t.at_least)} of"
        f" {words.measured(t.measure, t.priorities)}"
        f" {words.measure_done(t.measure)} on time, each {t.per}"
    )


def _tier_key(t: CreditTier) -> str:
    return json.dumps([t.measure, t.priorities, str(t.below)])


def _tier_name(t: CreditTier) -> str:
    return (
        f"{words.measure(t.measure, t.priorities)} fall below {words.percent(t.below)}"
    )


def _tier_added(t: CreditTier, side: _Side) -> str:
    return f"{words.percent(t.credit)} when {_tier_name(t)}"


def _contact_keyed(party: str) -> _Keyed:
    owner = "our" if party == "provider" else "your"

    def described(c: Contact, side: _Side) -> str:
        return f"{c.name} ({owner} {words.snake(c.role)}), {c.email}"

    return _Keyed(
        noun=f"{party} contact",
        key=lambda c: c.email,
        name=lambda c: c.name,
        added=described,
        removed=described,
    )


def _duty_text(item: str | Commitment | Obligation) -> str:
    if isinstance(item, Commitment):
        return item.commitment
    if isinstance(item, Obligation):
        return item.obligation
    return item


_KEYED: dict[tuple[str, ...], _Keyed] = {
    ("agreement", "provider", "contacts"): _contact_keyed("provider"),
    ("agreement", "client", "contacts"): _contact_keyed("client"),
    ("milestones",): _Keyed(
        "milestone",
        key=lambda m: m.id,
        name=lambda m: m.title,
        added=_milestone_added,
        removed=lambda m, side: m.title,
    ),
    ("roles",): _Keyed(
        "role",
        key=lambda r: r.activity,
        name=lambda r: r.activity,
        added=_role_added,
        removed=lambda r, side: r.activity,
    ),
    ("responsibilities", "provider"): _Keyed(
        "provider commitment",
        key=_duty_text,
        name=_duty_text,
        added=lambda c, side: commitment(c),
        removed=lambda c, side: commitment(c),
    ),
    ("responsibilities", "client"): _Keyed(
        "client obligation",
        key=_duty_text,
        name=_duty_text,
        added=lambda o, side: obligation(o),
        removed=lambda o, side: obligation(o),
    ),
    ("targets",): _Keyed(
        "target",
        key=_target_key,
        name=_target_name,
        added=_target_added,
        removed=_target_added,
    ),
    ("accountability", "service_credits", "tiers"): _Keyed(
        "service credit tier",
        key=_tier_key,
        name=_tier_name,
        added=_tier_added,
        removed=_tier_added,
    ),
}


#: How an item of a keyed list is described when its list is compared whole.
_ITEMS: tuple[tuple[type[BaseModel], Callable[[Any, _Side], str]], ...] = (
    (Contact, lambda c, side: f"{c.name} ({words.snake(c.role)}), {c.email}"),
    (Milestone, _milestone_added),
    (Role, _role_added),
    (Target, _target_added),
    (CreditTier, _tier_added),
)

# ---------------------------------------------------------------------------
# Values in words


def _money(value: Decimal, side: _Side) -> str:
    if side.currency is None:
        return f"{value.quantize(Decimal('0.01')):,}"
    return words.amount(value, side.currency)


def _value(value: Any, field: str, side: _Side) -> str:
    """A leaf value in words; `field` is the name of the field holding it."""
    if value is None:
        return NOT_SET
    if field in _PEOPLE_FIELDS and isinstance(value, str | list):
        return side.people(value)
    if field == "measure" and isinstance(value, str):
        return words.measure(value)
    if field == "after" and isinstance(value, str):
        return side.titles.get(value, value)
    if field == "suspend" and isinstance(value, str):
        return _CLOCKS.get(value, value)
    if field == "on" and isinstance(value, str):
        return value.capitalize()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, WorkingTime):
        return words.working_time(value)
    if isinstance(value, CalendarPeriod):
        return words.period(value)
    if isinstance(value, date):  # datetime too
        return words.long_date(value)
    if isinstance(value, Amount):
        return words.amount(value.amount, value.currency)
    if isinstance(value, Decimal):
        if field in _PERCENT_FIELDS:
            return words.percent(value)
        return _money(value, side)
    if isinstance(value, int):
        return words.plural(value, "month") if field == "months" else str(value)
    if isinstance(value, str):
        return value.replace("_", " ") if field in _WORDY_FIELDS else value
    if isinstance(value, list):
        return ", ".join(_value(v, field, side) for v in value) or "none"
    if isinstance(value, BaseModel):
        return _item(value, side)
    return str(value)


def _item(value: Any, side: _Side, field: str = "") -> str:
    """An item of a list compared as a whole, in words; `field` names the list."""
    if isinstance(value, Commitment):
        return commitment(value)
    if isinstance(value, Obligation):
        return obligation(value)
    if isinstance(value, EscalationStep):
        text = f"{words.escalation_at(value.at)}, we tell {side.people(value.notify)}"
        return text + (f"; {value.say.strip().rstrip('.')}" if value.say else "")
    if isinstance(value, ClientInput):
        return f"{value.what} by {words.long_date(value.by)}"
    for kind, describe in _ITEMS:
        if isinstance(value, kind):
            return describe(value, side)
    if isinstance(value, BaseModel):
        return ", ".join(
            f"{name.replace('_', ' ')} {_value(getattr(value, name), name, side)}"
            for name in type(value).model_fields
            if getattr(value, name) is not None
        )
    return _value(value, field, side)


def _dates(days: Iterable[date]) -> str:
    """Dates in words, runs of consecutive days as ranges: `27-31 December 2027`."""
    found = words.runs(sorted(days), lambda a, b: b == a + timedelta(days=1))
    return ", ".join(words.date_range(a, b) for a, b in found)


def _windows(windows: Sequence[object]) -> str:
    return ", ".join(str(w) for w in windows) or "closed"


# ---------------------------------------------------------------------------
# The comparison


class _Differ:
    def __init__(self, old: Agreement, new: Agreement) -> None:
        self.old_side = _Side.of(old)
        self.new_side = _Side.of(new)
        self.out: list[Change] = []

    # -- output -----------------------------------------------------------------

    def emit(
        self,
        path: Sequence[PathPart],
        kind: ChangeKind,
        old: str | None,
        new: str | None,
        text: str,
    ) -> None:
        section = SECTION_OF.get(str(path[0]), "Agreement") if path else "Agreement"
        old = None if kind == "added" else old
        new = None if kind == "removed" else new
        self.out.append(Change(section, tuple(path), kind, old, new, text))

    def label(
        self, path: Sequence[PathPart], keyed: frozenset[int], names: Sequence[str]
    ) -> str:
        pattern = _pattern(path, keyed)
        template = _LABELS.get(pattern)
        if template is not None:
            return template.format(*names)
        # generic: "<Section> <field path in words>", keyed items by their names
        it = iter(names)
        parts = [SECTION_OF.get(pattern[0], pattern[0].replace("_", " ").title())]
        for part in pattern[1:]:
            parts.append(next(it, "") if part == "*" else part.replace("_", " "))
        return " ".join(p for p in parts if p)

    def leaf(
        self,
        path: Sequence[PathPart],
        keyed: frozenset[int],
        names: Sequence[str],
        old: Any,
        new: Any,
    ) -> None:
        field = str(path[-1])
        if isinstance(path[-1], str) and len(path) >= 2 and len(path) - 1 in keyed:
            field = str(path[-2])  # a value in a dict of values: per_role.X
        before = _value(old, field, self.old_side)
        after = _value(new, field, self.new_side)
        kind: ChangeKind = (
            "added" if old is None else "removed" if new is None else "changed"
        )
        label = self.label(path, keyed, names)
        if before == after:  # same words, different values (e.g. 4h and 240m)
            before, after = repr(_plain(old)), repr(_plain(new))
        self.emit(path, kind, before, after, f"{label}: {before} -> {after}")

    # -- walking ----------------------------------------------------------------

    def walk(
        self,
        path: tuple[PathPart, ...],
        keyed: frozenset[int],
        names: tuple[str, ...],
        old: Any,
        new: Any,
    ) -> None:
        if old == new:
            return
        pattern = _pattern(path, keyed)
        if pattern == ("calendars",):
            self.calendars(old or {}, new or {})
            return
        spec = _KEYED.get(pattern)
        if spec is not None and self.keyed_list(
            path, keyed, names, spec, old or [], new or []
        ):
            return
        if pattern == ("priorities",):
            self.priorities(old or {}, new or {})
            return
        sample = new if new is not None else old
        if isinstance(sample, Amount):
            self.leaf(path, keyed, names, old, new)
        elif isinstance(sample, BaseModel):
            for field in type(sample).model_fields:
                self.walk(
                    (*path, field),
                    keyed,
                    names,
                    getattr(old, field, None),
                    getattr(new, field, None),
                )
        elif isinstance(sample, dict):
            self.value_dict(path, keyed, names, old or {}, new or {})
        elif isinstance(sample, list) and pattern not in _ATOMIC_LISTS:
            self.whole_list(path, keyed, names, old or [], new or [])
        else:
            self.leaf(path, keyed, names, old, new)

    def value_dict(
        self,
        path: tuple[PathPart, ...],
        keyed: frozenset[int],
        names: tuple[str, ...],
        old: Mapping[str, Any],
        new: Mapping[str, Any],
    ) -> None:
        inner = keyed | {len(path)}
        for key in _union(old, new):
            self.walk((*path, key), inner, (*names, key), old.get(key), new.get(key))

    def whole_list(
        self,
        path: tuple[PathPart, ...],
        keyed: frozenset[int],
        names: tuple[str, ...],
        old: list[Any],
        new: list[Any],
    ) -> None:
        label = self.label(path, keyed, names)
        field = str(path[-1])
        removed = _missing(old, new)
        added = _missing(new, old)
        if not removed and not added:  # the same items in another order
            self.reordered(
                path,
                label,
                [_item(i, self.old_side, field) for i in old],
                [_item(i, self.new_side, field) for i in new],
            )
            return
        if len(old) == len(new):  # an item edited in place: one change
            for i in sorted(set(removed) & set(added)):
                before, after = (
                    _item(old[i], self.old_side, field),
                    _item(new[i], self.new_side, field),
                )
                self.emit(
                    (*path, i),
                    "changed",
                    before,
                    after,
                    f"{label}: {before} -> {after}",
                )
                removed.remove(i)
                added.remove(i)
        for i in removed:
            text = _item(old[i], self.old_side, field)
            self.emit(path, "removed", text, None, f"{label}: {text} removed")
        for i in added:
            text = _item(new[i], self.new_side, field)
            self.emit(path, "added", None, text, f"{label}: {text} added")

    def reordered(
        self, path: Sequence[PathPart], label: str, old: list[str], new: list[str]
    ) -> None:
        before, after = "; ".join(old), "; ".join(new)
        self.emit(
            path, "changed", before, after, f"{label} reordered: {before} -> {after}"
        )

    def keyed_list(
        self,
        path: tuple[PathPart, ...],
        keyed: frozenset[int],
        names: tuple[str, ...],
        spec: _Keyed,
        old: list[Any],
        new: list[Any],
    ) -> bool:
        """Compare items by key; False when keys are not unique (compare whole)."""
        old_by = {spec.key(i): i for i in old}
        new_by = {spec.key(i): i for i in new}
        if len(old_by) != len(old) or len(new_by) != len(new):
            return False
        self.keyed_items(
            path,
            keyed,
            names,
            spec.noun,
            old_by,
            new_by,
            name=spec.name,
            added=spec.added,
            removed=spec.removed,
        )
        return True

    def keyed_items(
        self,
        path: tuple[PathPart, ...],
        keyed: frozenset[int],
        names: tuple[str, ...],
        noun: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        name: Callable[[Any], str],
        added: Callable[[Any, _Side], str],
        removed: Callable[[Any, _Side], str],
    ) -> None:
        inner = keyed | {len(path)}
        for key in _union(old, new):
            before, after = old.get(key), new.get(key)
            item_path = (*path, key)
            if before is None:
                text = added(after, self.new_side)
                self.emit(item_path, "added", None, text, f"New {noun}: {text}")
            elif after is None:
                text = removed(before, self.old_side)
                self.emit(
                    item_path,
                    "removed",
                    text,
                    None,
                    f"{noun.capitalize()} removed: {text}",
                )
            elif type(before) is not type(after):  # e.g. a text became a model
                old_text = removed(before, self.old_side)
                new_text = added(after, self.new_side)
                label = f"{self.label(path, keyed, names)} {name(before)}"
                self.emit(
                    item_path,
                    "changed",
                    old_text,
                    new_text,
                    f"{label}: {old_text} -> {new_text}",
                )
            else:
                self.walk(item_path, inner, (*names, name(before)), before, after)
        common_old = [k for k in old if k in new]
        common_new = [k for k in new if k in old]
        if common_old != common_new:
            label = self.label(path, keyed, names)
            self.reordered(
                path,
                label,
                [name(old[k]) for k in common_old],
                [name(new[k]) for k in common_new],
            )

    def priorities(
        self, old: Mapping[str, Priority], new: Mapping[str, Priority]
    ) -> None:
        path: tuple[PathPart, ...] = ("priorities",)
        for key in _union(old, new):
            before, after = old.get(key), new.get(key)
            if before is None:
                assert after is not None
                text = _priority_added(after, key, self.new_side)
                self.emit((*path, key), "added", None, text, f"New priority: {text}")
            elif after is None:
                text = key.capitalize()
                self.emit(
                    (*path, key), "removed", text, None, f"Priority removed: {text}"
                )
            else:
                self.walk(
                    (*path, key), frozenset({1}), (key.capitalize(),), before, after
                )
        common_old = [k for k in old if k in new]
        common_new = [k for k in new if k in old]
        if common_old != common_new:
            self.reordered(
                path, "Priorities (most urgent first)", common_old, common_new
            )

    # -- calendars --------------------------------------------------------------

    def calendars(
        self, old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]]
    ) -> None:
        for name in _union(old, new):
            before, after = old.get(name), new.get(name)
            path: tuple[PathPart, ...] = ("calendars", name)
            if before is None:
                assert after is not None
                text = f"{name} ({_calendar_summary(after)})"
                self.emit(path, "added", None, text, f"New calendar: {text}")
            elif after is None:
                self.emit(path, "removed", name, None, f"Calendar removed: {name}")
            elif before != after:
                self.calendar(name, before, after)

    def calendar(self, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        path: tuple[PathPart, ...] = ("calendars", name)
        start = len(self.out)
        try:
            a = WorkCalendar.from_spec(old).rules
            b = WorkCalendar.from_spec(new).rules
        except CalendarSpecError:
            self.raw(path, name, old, new)
            return
        if a.timezone != b.timezone:
            self.emit(
                (*path, "timezone"),
                "changed",
                a.timezone.key,
                b.timezone.key,
                f"Calendar {name} time zone: {a.timezone.key} -> {b.timezone.key}",
            )
        self.hours(path, name, a.weekly, b.weekly)
        region_a = _region(a.country, a.subdivision)
        region_b = _region(b.country, b.subdivision)
        if region_a != region_b:
            self.emit(
                (*path, "holidays"),
                _kind(a.country, b.country),
                region_a,
                region_b,
                f"Public holidays ({name}): {region_a} -> {region_b}",
            )
        self.closed_dates(path, name, a.closed, b.closed)
        self.openings(path, name, a.open, b.open)
        if old.get("business_day") != new.get("business_day"):
            before = _raw(old.get("business_day"))
            after = _raw(new.get("business_day"))
            self.emit(
                (*path, "business_day"),
                _kind(old.get("business_day"), new.get("business_day")),
                before,
                after,
                f"Business day ({name}): {before} -> {after}",
            )
        if len(self.out) == start:  # written differently, meaning the same
            self.raw(path, name, old, new, same=True)

    def raw(
        self,
        path: tuple[PathPart, ...],
        name: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        same: bool = False,
    ) -> None:
        note = " (written differently, same meaning)" if same else ""
        for key in _union(old, new):
            if old.get(key) != new.get(key):
                before, after = _raw(old.get(key)), _raw(new.get(key))
                self.emit(
                    (*path, key),
                    _kind(old.get(key), new.get(key)),
                    before,
                    after,
                    f"Calendar {name} {key}{note}: {before} -> {after}",
                )

    def hours(
        self,
        path: tuple[PathPart, ...],
        name: str,
        old: Sequence[Sequence[object]],
        new: Sequence[Sequence[object]],
    ) -> None:
        groups: dict[tuple[str, str], list[int]] = {}
        for day in range(7):
            before, after = _windows(old[day]), _windows(new[day])
            if before != after:
                groups.setdefault((before, after), []).append(day)
        for (before, after), days in groups.items():
            when = words.weekdays(days)
            if before == "closed":
                kind: ChangeKind = "added"
                text = f"Support hours ({name}) now include {when} {after}"
            elif after == "closed":
                kind = "removed"
                text = f"Support hours ({name}) no longer include {when} ({before})"
            else:
                kind = "changed"
                text = f"Support hours ({name}) on {when}: {before} -> {after}"
            self.emit((*path, "hours"), kind, before, after, text)

    def closed_dates(
        self,
        path: tuple[PathPart, ...],
        name: str,
        old: Mapping[date, str],
        new: Mapping[date, str],
    ) -> None:
        where = (*path, "holidays", "dates")
        for label, days, kind in (
            ("removed", [d for d in old if d not in new], "removed"),
            ("added", [d for d in new if d not in old], "added"),
        ):
            by_name: dict[str, list[date]] = {}
            source = old if kind == "removed" else new
            for day in days:
                by_name.setdefault(source[day], []).append(day)
            for what, group in by_name.items():
                text = _dates(group) + ("" if what == "closed" else f" ({what})")
                self.emit(
                    where,
                    "removed" if kind == "removed" else "added",
                    text if kind == "removed" else None,
                    text if kind == "added" else None,
                    f"Holidays ({name}): {text} {label}",
                )
        for day in sorted(d for d in old if d in new and old[d] != new[d]):
            self.emit(
                where,
                "changed",
                old[day],
                new[day],
                f"Holidays ({name}): {words.long_date(day)} name: "
                f"{old[day]} -> {new[day]}",
            )

    def openings(
        self,
        path: tuple[PathPart, ...],
        name: str,
        old: Mapping[date, Sequence[object]],
        new: Mapping[date, Sequence[object]],
    ) -> None:
        for day in sorted(set(old) | set(new)):
            before = _windows(old[day]) if day in old else None
            after = _windows(new[day]) if day in new else None
            if before == after:
                continue
            when = words.long_date(day)
            if before is None:
                text = f"Extra opening ({name}): {when} {after} added"
            elif after is None:
                text = f"Extra opening ({name}): {when} {before} removed"
            else:
                text = f"Extra opening ({name}) on {when}: {before} -> {after}"
            self.emit((*path, "open"), _kind(before, after), before, after, text)


def _kind(old: object, new: object) -> ChangeKind:
    return "added" if old is None else "removed" if new is None else "changed"


def _region(country: str | None, subdivision: str | None) -> str:
    if country is None:
        return "none"
    return words.place(country, subdivision)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, WorkingTime | CalendarPeriod) else value


def _raw(value: Any) -> str:
    if value is None:
        return NOT_SET
    return json.dumps(value, default=str, ensure_ascii=False)


def _calendar_summary(spec: Mapping[str, Any]) -> str:
    try:
        rules = WorkCalendar.from_spec(spec).rules
    except CalendarSpecError:
        return _raw(spec)
    groups: dict[str, list[int]] = {}
    for day in range(7):
        if rules.weekly[day]:
            groups.setdefault(_windows(rules.weekly[day]), []).append(day)
    hours = "; ".join(f"{words.weekdays(d)} {w}" for w, d in groups.items())
    hours = hours or "no hours"
    return f"{rules.timezone.key}, {hours}"


def _union(old: Iterable[str], new: Iterable[str]) -> list[str]:
    keys = list(old)
    keys += [k for k in new if k not in keys]
    return keys


def _missing(items: list[Any], others: list[Any]) -> list[int]:
    """Indexes of `items` with no equal partner in `others` (counting repeats)."""
    pool = list(others)
    out = []
    for index, item in enumerate(items):
        for i, other in enumerate(pool):
            if item == other:
                del pool[i]
                break
        else:
            out.append(index)
    return out


def diff_agreements(old: Agreement, new: Agreement) -> list[Change]:
    """Every difference between two versions, in the order of the contract."""
    differ = _Differ(old, new)
    for field in Agreement.model_fields:
        differ.walk((field,), frozenset(), (), getattr(old, field), getattr(new, field))
    order = {name: i for i, name in enumerate(SECTIONS)}
    return sorted(differ.out, key=lambda c: order[c.section])


# ---------------------------------------------------------------------------
# Output


def to_markdown(changes: Sequence[Change], title: str = "Changes") -> str:
    """A heading and a bullet list per section; `No changes.` when there are none."""
    lines = [f"# {title}", ""]
    if not changes:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    section = None
    for change in changes:
        if change.section != section:
            if section is not None:
                lines.append("")
            section = change.section
            lines += [f"## {section}", ""]
        lines.append(f"- {change.text}")
    return "\n".join(lines) + "\n"


def to_json(changes: Sequence[Change]) -> str:
    """`{"changes": [...]}`, each change with all its fields, indented."""
    body = {"changes": [{**asdict(c), "path": list(c.path)} for c in changes]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
