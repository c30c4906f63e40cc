"""The agreement lifecycle: import, review, approval bound to the content hash,
activation, amendment, and which version governed any instant.

States: draft -> in_review -> approved -> active -> superseded | ended, and
withdrawn from draft or review (docs/lifecycle.md has the diagram). A version's
content never changes (the database refuses it); its state lives in
`VersionState`. Every function runs inside the caller's transaction and writes
an audit entry for every change.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from slakeeper.agreement import LoadedAgreement, canonical_json, loads_document
from slakeeper.agreement.diff import diff_agreements
from slakeeper.agreement.lint import Severity, check
from slakeeper.core.states import Party
from slakeeper.db.models import (
    Agreement,
    AgreementVersion,
    Approval,
    Client,
    Comment,
    User,
    VersionState,
    VersionStatus,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services import audit
from slakeeper.services.access import (
    Principal,
    active_user,
    emails_of,
    require_provider,
    scoped,
    visible,
)
from slakeeper.services.delivery.milestones import sync_milestones
from slakeeper.services.locks import rowcount, write_lock
from slakeeper.services.pages import Page, in_page
from slakeeper.services.versions import agreement_in_force, version_terms
from slakeeper.services.views.agreements import (
    AgreementInForceRead,
    AgreementRead,
    ApprovalRead,
    CommentRead,
    VersionDetailRead,
    VersionRead,
)
from slakeeper.yamlsource import SourceError

__all__ = [
    "activate_due",
    "activate_scheduled",
    "amend",
    "approve",
    "changes_between",
    "comment",
    "comments",
    "get_version",
    "history",
    "import_agreement",
    "in_force",
    "list_agreements",
    "reject",
    "resolve_comment",
    "submit",
    "version_detail",
    "withdraw",
]

OPEN = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


# -- reading --------------------------------------------------------------------


def _agreement(session: Session, principal: Principal, agreement_id: int) -> Agreement:
    active_user(session, principal)
    return visible(session, principal, Agreement, agreement_id, "agreement")


def _version(
    session: Session, principal: Principal, version_id: int
) -> AgreementVersion:
    row = session.get(AgreementVersion, version_id)
    if row is None:
        raise NotFound(f"agreement version {version_id} not found")
    _agreement(session, principal, row.agreement_id)
    return row


def _state(session: Session, version: AgreementVersion) -> VersionState:
    state = session.get(VersionState, version.id)
    assert state is not None
    return state


def _versions(
    session: Session, agreement_id: int, numbers: tuple[int, ...] | None = None
) -> list[tuple[AgreementVersion, VersionState]]:
    """An agreement's versions with their states, by number (only `numbers`
    when given)."""
    query = (
        select(AgreementVersion, VersionState)
        .join(VersionState, VersionState.version_id == AgreementVersion.id)
        .where(AgreementVersion.agreement_id == agreement_id)
        .order_by(AgreementVersion.number)
    )
    if numbers is not None:
        query = query.where(AgreementVersion.number.in_(numbers))
    return [(row[0], row[1]) for row in session.execute(query)]


def changes_between(
    before: AgreementVersion | None, version: AgreementVersion
) -> list[str]:
    """What changed from `before` to `version`, in plain English (the lines of
    `agreement diff`); nothing for a first version."""
    if before is None:
        return []
    old, new = version_terms(before).agreement, version_terms(version).agreement
    return [change.text for change in diff_agreements(old, new)]


def _reads(
    session: Session,
    rows: list[tuple[AgreementVersion, VersionState]],
    shown: int | None = None,
) -> list[VersionDetailRead]:
    """The versions of `rows` (consecutive, by number) as read models, each with
    its approvals and what changed from the row before; with `shown`, only the
    version with that number (the rows before it give its changes)."""
    picked = [(i, v, st) for i, (v, st) in enumerate(rows) if shown in (None, v.number)]
    ids = [v.id for _, v, _ in picked]
    approvals = session.scalars(
        select(Approval).where(Approval.version_id.in_(ids)).order_by(Approval.id)
    ).all()
    emails = emails_of(
        session,
        rows[0][0].workspace_id if rows else 0,
        (a.user_id for a in approvals),
    )
    by_version: dict[int, list[ApprovalRead]] = {i: [] for i in ids}
    for a in approvals:
        by_version[a.version_id].append(ApprovalRead.of(a, emails))
    return [
        VersionDetailRead.of(
            v,
            st,
            by_version[v.id],
            changes_between(rows[i - 1][0] if i else None, v),
        )
        for i, v, st in picked
    ]


def _detail(session: Session, agreement_id: int, number: int) -> VersionDetailRead:
    rows = _versions(session, agreement_id, (number - 1, number))
    if not rows or rows[-1][0].number != number:
        raise NotFound(f"agreement {agreement_id} has no version {number}")
    return _reads(session, rows, shown=number)[0]


def version_detail(
    session: Session, principal: Principal, agreement_id: int, number: int | None = None
) -> VersionDetailRead:
    """A version of an agreement (the newest when `number` is None) with its
    state, approvals, what changed from the version before, and its file."""
    _agreement(session, principal, agreement_id)
    if number is None:
        number = session.scalar(
            select(func.max(AgreementVersion.number)).where(
                AgreementVersion.agreement_id == agreement_id
            )
        )
        if number is None:
            raise NotFound(f"agreement {agreement_id} has no version")
    return _detail(session, agreement_id, number)


def get_version(
    session: Session, principal: Principal, agreement_id: int, number: int | None = None
) -> VersionRead:
    """`version_detail` without the file."""
    return version_detail(session, principal, agreement_id, number).summary()


def history(
    session: Session, principal: Principal, agreement_id: int
) -> list[VersionRead]:
    """Every version, oldest first, with its state, approvals and what changed
    from the one before."""
    _agreement(session, principal, agreement_id)
    return [r.summary() for r in _reads(session, _versions(session, agreement_id))]


def in_force(
    session: Session, principal: Principal, client_id: int, at: datetime
) -> AgreementInForceRead:
    """The version that governed `at` for a client the principal may see (None
    before the first one)."""
    version = agreement_in_force(session, principal, client_id, at)
    return AgreementInForceRead(
        client_id=client_id,
        at=at,
        version=None if version is None else _read_of(session, version),
    )


def _read_of(session: Session, version: AgreementVersion) -> VersionRead:
    """A version just written, as the read model its writer answers with."""
    return _detail(session, version.agreement_id, version.number).summary()


def _comment_read(session: Session, row: Comment) -> CommentRead:
    return CommentRead.of(row, emails_of(session, row.workspace_id, [row.author_id]))


def comments(
    session: Session, principal: Principal, version_id: int
) -> list[CommentRead]:
    """A version's comments, oldest first."""
    version = _version(session, principal, version_id)
    rows = session.scalars(
        select(Comment).where(Comment.version_id == version_id).order_by(Comment.id)
    ).all()
    emails = emails_of(session, version.workspace_id, (c.author_id for c in rows))
    return [CommentRead.of(c, emails) for c in rows]


def list_agreements(
    session: Session,
    principal: Principal,
    client_id: int | None = None,
    page: Page | None = None,
) -> list[AgreementRead]:
    """The agreements the principal may see (a client contact: their own), by
    id; with a `page`, only its rows (`services.pages`)."""
    active_user(session, principal)
    query = scoped(select(Agreement), Agreement, principal)
    if client_id is not None:
        query = query.where(Agreement.client_id == client_id)
    query = in_page(query, page, Agreement.id, Agreement.id)
    return [AgreementRead.of(a) for a in session.scalars(query).all()]


# -- writing ----------------------------------------------------------------------


def _load_checked(text: str, source_name: str) -> LoadedAgreement:
    """Validate and lint a file; lint errors refuse it (warnings do not)."""
    try:
        loaded = loads_document(text, source_name)
    except SourceError as exc:
        raise InvalidInput(exc.message, details=exc.details) from None
    errors = [
        f
        for f in check(loaded, today=loaded.agreement.agreement.effective)
        if f.severity is Severity.ERROR
    ]
    if errors:
        listed = "; ".join(f"{f.location} {f.code} {f.message}" for f in errors)
        raise InvalidInput(f"the file has lint errors ({listed}); fix them first")
    return loaded


def _set_state(
    session: Session,
    principal: Principal | None,
    version: AgreementVersion,
    status: VersionStatus,
    now: datetime,
    **details: object,
) -> None:
    state = session.get(VersionState, version.id)
    before = None if state is None else state.status
    if state is None:
        state = VersionState(
            version_id=version.id,
            workspace_id=version.workspace_id,
            status=status,
            changed_at=now,
        )
        session.add(state)
    else:
        state.status = status
        state.changed_at = now
    session.flush()
    _audit_state(session, principal, version, before, status, now, **details)


def _audit_state(
    session: Session,
    principal: Principal | None,
    version: AgreementVersion,
    before: VersionStatus | None,
    status: VersionStatus,
    now: datetime,
    **details: object,
) -> None:
    """The audit entry of a version's move from `before` to `status`."""
    audit.record(
        session,
        workspace_id=version.workspace_id,
        actor_id=None if principal is None else principal.user_id,
        now=now,
        action=f"agreement.{status.value}",
        object_type="agreement_version",
        object_id=version.id,
        payload={
            "agreement_id": version.agreement_id,
            "number": version.number,
            "from": None if before is None else before.value,
            "to": status.value,
            **{k: str(v) for k, v in details.items()},
        },
    )


def _new_version(
    session: Session,
    principal: Principal,
    agreement: Agreement,
    loaded: LoadedAgreement,
    *,
    text: str,
    source_name: str,
    amends: AgreementVersion | None,
    now: datetime,
) -> AgreementVersion:
    data = canonical_json(loaded.agreement, loaded.calendars)
    number = 1 + max(
        session.scalars(
            select(AgreementVersion.number).where(
                AgreementVersion.agreement_id == agreement.id
            )
        ).all(),
        default=0,
    )
    version = AgreementVersion(
        workspace_id=agreement.workspace_id,
        agreement_id=agreement.id,
        number=number,
        source_name=source_name,
        source_text=text,
        canonical_json=data,
        sha256=hashlib.sha256(data).hexdigest(),  # computed once, from the bytes
        effective_on=loaded.agreement.agreement.effective,
        amends_id=None if amends is None else amends.id,
        created_by=principal.user_id,
        created_at=now,
    )
    session.add(version)
    session.flush()
    _set_state(
        session, principal, version, VersionStatus.DRAFT, now, sha256=version.sha256
    )
    return version


def import_agreement(
    session: Session,
    principal: Principal,
    *,
    client_id: int,
    text: str,
    source_name: str,
    now: datetime,
) -> VersionRead:
    """A new agreement with a client, as version 1 in draft."""
    active_user(session, principal)
    require_provider(principal, "import agreements")
    client = session.get(Client, client_id)
    if client is None or client.workspace_id != principal.workspace_id:
        raise NotFound(f"client {client_id} not found")
    loaded = _load_checked(text, source_name)
    named = loaded.agreement.agreement.client.name
    if named != client.name:
        raise InvalidInput(
            f"the file is an agreement with {named!r}, not with the client"
            f" {client.name!r}"
        )
    agreement = Agreement(
        workspace_id=principal.workspace_id,
        client_id=client.id,
        title=loaded.agreement.agreement.title,
        created_at=now,
    )
    session.add(agreement)
    session.flush()
    version = _new_version(
        session,
        principal,
        agreement,
        loaded,
        text=text,
        source_name=source_name,
        amends=None,
        now=now,
    )
    return _read_of(session, version)


def amend(
    session: Session,
    principal: Principal,
    *,
    agreement_id: int,
    text: str,
    source_name: str,
    now: datetime,
) -> VersionRead:
    """A new draft version; an open draft or review before it is withdrawn."""
    require_provider(principal, "amend agreements")
    agreement = _agreement(session, principal, agreement_id)
    loaded = _load_checked(text, source_name)
    amends = None
    for version, state in reversed(_versions(session, agreement_id)):
        if state.status in OPEN:
            _set_state(
                session,
                principal,
                version,
                VersionStatus.WITHDRAWN,
                now,
                reason="replaced by an amendment",
            )
        elif amends is None and state.status in (
            VersionStatus.APPROVED,
            VersionStatus.ACTIVE,
        ):
            amends = version
    new = _new_version(
        session,
        principal,
        agreement,
        loaded,
        text=text,
        source_name=source_name,
        amends=amends,
        now=now,
    )
    return _read_of(session, new)


def _require_status(
    session: Session,
    version: AgreementVersion,
    allowed: tuple[VersionStatus, ...],
    action: str,
) -> VersionState:
    state = _state(session, version)
    if state.status not in allowed:
        wanted = " or ".join(s.value for s in allowed)
        raise Conflict(
            f"cannot {action} version {version.number}: it is {state.status.value},"
            f" not {wanted}"
        )
    return state


def submit(
    session: Session, principal: Principal, version_id: int, now: datetime
) -> VersionRead:
    """Send a draft for review by both parties; the version as it is now."""
    require_provider(principal, "submit agreements for review")
    version = _version(session, principal, version_id)
    _require_status(session, version, (VersionStatus.DRAFT,), "submit")
    _set_state(session, principal, version, VersionStatus.IN_REVIEW, now)
    return _read_of(session, version)


def withdraw(
    session: Session, principal: Principal, version_id: int, now: datetime
) -> VersionRead:
    """Withdraw a draft or a version in review; the version as it is now."""
    require_provider(principal, "withdraw agreements")
    version = _version(session, principal, version_id)
    _require_status(session, version, OPEN, "withdraw")
    _set_state(session, principal, version, VersionStatus.WITHDRAWN, now)
    return _read_of(session, version)


def reject(
    session: Session, principal: Principal, version_id: int, reason: str, now: datetime
) -> VersionRead:
    """Send a version under review back to draft, with the reason; the version
    as it is now."""
    version = _version(session, principal, version_id)
    _require_status(session, version, (VersionStatus.IN_REVIEW,), "reject")
    if not reason.strip():
        raise InvalidInput("say why the version is rejected", location="reason")
    _set_state(session, principal, version, VersionStatus.DRAFT, now, reason=reason)
    return _read_of(session, version)


def comment(
    session: Session,
    principal: Principal,
    version_id: int,
    body: str,
    now: datetime,
    *,
    anchor: str | None = None,
    parent_id: int | None = None,
) -> CommentRead:
    """A comment on a version, optionally on a field (`priorities.high.response`)
    or in reply to another comment."""
    version = _version(session, principal, version_id)
    if not body.strip():
        raise InvalidInput("a comment needs text", location="body")
    if anchor is not None:
        _check_anchor(version, anchor)
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.version_id != version.id:
            raise NotFound(f"comment {parent_id} not found on this version")
    row = Comment(
        workspace_id=version.workspace_id,
        version_id=version.id,
        author_id=principal.user_id,
        parent_id=parent_id,
        anchor=anchor,
        body=body,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        workspace_id=version.workspace_id,
        actor_id=principal.user_id,
        now=now,
        action="comment.added",
        object_type="comment",
        object_id=row.id,
        payload={"version_id": version.id, "anchor": anchor, "parent_id": parent_id},
    )
    return _comment_read(session, row)


def _check_anchor(version: AgreementVersion, anchor: str) -> None:
    loaded = loads_document(version.source_text, version.source_name)
    node: object = loaded.document.plain()
    for part in anchor.replace("[", ".").replace("]", "").split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise InvalidInput(
                f"{anchor!r} is not a field of version {version.number}",
                location="anchor",
            )


def resolve_comment(
    session: Session, principal: Principal, comment_id: int, now: datetime
) -> CommentRead:
    """Mark a comment resolved (once); the comment as it is now."""
    row = session.get(Comment, comment_id)
    if row is None:
        raise NotFound(f"comment {comment_id} not found")
    _version(session, principal, row.version_id)
    if row.resolved_at is not None:
        raise Conflict(f"comment {comment_id} is already resolved")
    row.resolved_at = now
    row.resolved_by = principal.user_id
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor_id=principal.user_id,
        now=now,
        action="comment.resolved",
        object_type="comment",
        object_id=row.id,
    )
    return _comment_read(session, row)


def approve(
    session: Session,
    principal: Principal,
    version_id: int,
    sha256: str,
    now: datetime,
    *,
    party: str | None = None,
) -> VersionRead:
    """Approve the exact content whose hash is `sha256`.

    Steps:
    1. The version must be in review and the hash must be its hash (a stale or
       wrong hash is refused: the approver has not seen this content).
    2. The approver's party follows from who they are; they must be one of
       that party's approvers in the file, and must not have approved already.
    3. When every party has approved, the version is approved, and becomes
       active at once if its effective date has come.

    Returns the version as it is after the approval.
    """
    version = _version(session, principal, version_id)
    _require_status(session, version, (VersionStatus.IN_REVIEW,), "approve")
    if sha256.strip().lower() != version.sha256:
        raise Conflict(
            f"the hash {sha256!r} is not the hash of version {version.number}"
            f" ({version.sha256}); review the current text and approve that"
        )
    user = session.get(User, principal.user_id)
    if user is None or user.disabled_at is not None:
        raise PermissionDenied("a disabled user cannot approve")
    mine = Party.PROVIDER if principal.is_provider else Party.CLIENT
    if party is not None and party != mine:
        raise PermissionDenied(
            f"you act for the {mine}, so you cannot approve for the {party}"
        )
    approvers = version_terms(version).approvers(mine)
    if user.email.lower() not in approvers:
        raise PermissionDenied(
            f"{user.email} is not an approver of this agreement for the {mine}"
            f" (approvers: {', '.join(approvers)})"
        )
    if session.scalars(
        select(Approval).where(
            Approval.version_id == version.id, Approval.user_id == user.id
        )
    ).first():
        raise Conflict(f"{user.email} has already approved version {version.number}")
    approval = Approval(
        workspace_id=version.workspace_id,
        version_id=version.id,
        user_id=user.id,
        party=mine,
        sha256=version.sha256,
        approved_at=now,
    )
    session.add(approval)
    session.flush()
    audit.record(
        session,
        workspace_id=version.workspace_id,
        actor_id=user.id,
        now=now,
        action="agreement.approval",
        object_type="agreement_version",
        object_id=version.id,
        payload={"party": mine, "sha256": version.sha256, "email": user.email},
    )
    parties = set(
        session.scalars(
            select(Approval.party).where(Approval.version_id == version.id)
        ).all()
    )
    if parties >= set(Party):
        _set_state(session, principal, version, VersionStatus.APPROVED, now)
        _activate(
            session,
            principal,
            now,
            workspace_id=principal.workspace_id,
            agreement_id=version.agreement_id,
        )
    return _read_of(session, version)


def effective_at(version: AgreementVersion) -> datetime:
    """The instant a version takes effect: the start of its effective date in the
    agreement's time zone."""
    zone = version_terms(version).zone
    return datetime.combine(version.effective_on, time(0), zone).astimezone(UTC)


def activate_due(
    session: Session,
    principal: Principal,
    now: datetime,
    *,
    agreement_id: int | None = None,
) -> list[AgreementVersion]:
    """Make approved versions whose effective date has come active; the version
    each amends (or any earlier active one) becomes superseded at that instant."""
    active_user(session, principal)
    require_provider(principal, "activate agreements")
    return _activate(
        session,
        principal,
        now,
        workspace_id=principal.workspace_id,
        agreement_id=agreement_id,
    )


def activate_scheduled(
    session: Session, workspace_id: int, now: datetime
) -> list[AgreementVersion]:
    """`activate_due` for the worker: no acting user (audited without an actor).
    The workspace's write lock comes first (see `locks.write_lock`), so two
    workers' activations run one after the other on both backends (on SQLite
    one would otherwise fail on its stale read); against a user's activation
    at the same instant, the compare-and-set of `_activate` decides."""
    write_lock(session, workspace_id)
    return _activate(session, None, now, workspace_id=workspace_id)


def _take_milestones(session: Session, version: AgreementVersion, at: datetime) -> None:
    """The milestones of a version that has become active are tracked from then
    on."""
    agreement = session.get(Agreement, version.agreement_id)
    assert agreement is not None
    sync_milestones(session, version, agreement.client_id, at)


def _activate(
    session: Session,
    principal: Principal | None,
    now: datetime,
    *,
    workspace_id: int,
    agreement_id: int | None = None,
) -> list[AgreementVersion]:
    """`activate_due` without the permission check: the last approval of a
    version, by either party, activates it.

    Each version is activated by a compare-and-set on its state (`_claim`):
    of two activators at once (two workers, a worker and a user), the one whose
    update moved the state from approved activates the version (supersedes the
    earlier one, writes the audit entry, takes its milestones); the other
    leaves it."""
    query = (
        select(AgreementVersion)
        .join(VersionState, VersionState.version_id == AgreementVersion.id)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
        .where(
            Agreement.workspace_id == workspace_id,
            VersionState.status == VersionStatus.APPROVED,
        )
        .order_by(AgreementVersion.number)
    )
    if agreement_id is not None:
        query = query.where(AgreementVersion.agreement_id == agreement_id)
    done = []
    for version in session.scalars(query).all():
        state = _state(session, version)
        # on its effective date, or at approval when that date had passed
        starts = max(effective_at(version), state.changed_at)
        if starts > now or not _claim(session, state, starts, now):
            continue
        for earlier in session.scalars(
            select(VersionState)
            .join(AgreementVersion, AgreementVersion.id == VersionState.version_id)
            .where(
                AgreementVersion.agreement_id == version.agreement_id,
                VersionState.status == VersionStatus.ACTIVE,
                VersionState.version_id != version.id,
            )
        ).all():
            earlier.active_until = starts
            old = session.get(AgreementVersion, earlier.version_id)
            assert old is not None
            _set_state(session, principal, old, VersionStatus.SUPERSEDED, now)
        _audit_state(
            session,
            principal,
            version,
            VersionStatus.APPROVED,
            VersionStatus.ACTIVE,
            now,
        )
        _take_milestones(session, version, starts)
        done.append(version)
    return done


def _claim(
    session: Session, state: VersionState, starts: datetime, now: datetime
) -> bool:
    """Move a version from approved to active from `starts`, if it is still
    approved (an UPDATE ... WHERE status = 'approved'): True when this
    transaction moved it. On PostgreSQL a second activator waits for the first
    one's row lock, then finds the version active and changes nothing."""
    result = session.execute(
        update(VersionState)
        .where(
            VersionState.version_id == state.version_id,
            VersionState.status == VersionStatus.APPROVED,
        )
        .values(status=VersionStatus.ACTIVE, changed_at=now, active_from=starts)
        .execution_options(synchronize_session=False)
    )
    session.expire(state)  # read again: whoever moved it, it has moved
    return rowcount(result) == 1
