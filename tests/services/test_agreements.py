"""The agreement lifecycle on both backends: import, review, approval bound to the
hash, activation, amendment, agreement in force; bad input changes nothing."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import (
    AgreementVersion,
    Approval,
    AuditEntry,
    User,
    VersionStatus,
)
from slakeeper.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from slakeeper.services import agreements as svc
from slakeeper.services.access import Principal
from slakeeper.services.versions import agreement_in_force
from tests.factories import NOW, Cast, example_text, make_cast

LATER = NOW + timedelta(days=1)
IN_2027 = datetime(2027, 2, 1, 12, tzinfo=UTC)


@pytest.fixture
def cast(sessions: sessionmaker[Session]) -> Cast:
    with sessions.begin() as s:
        return make_cast(s)


def imported(
    sessions: sessionmaker[Session], cast: Cast, body: str | None = None
) -> int:
    with sessions.begin() as s:
        version = svc.import_agreement(
            s,
            cast.jane,
            client_id=cast.acme_id,
            text=body or example_text(),
            source_name="acme.yaml",
            now=NOW,
        )
        return version.id


def status(
    sessions: sessionmaker[Session], cast: Cast, agreement_id: int, number: int
) -> VersionStatus:
    with sessions() as s:
        return svc.get_version(s, cast.jane, agreement_id, number).status


def approve_both(
    sessions: sessionmaker[Session], cast: Cast, version_id: int, now: datetime = LATER
) -> None:
    with sessions.begin() as s:
        version = s.get(AgreementVersion, version_id)
        assert version is not None
        sha = version.sha256
        svc.approve(s, cast.jane, version_id, sha, now)
        svc.approve(s, cast.max, version_id, sha, now)


def audit_count(sessions: sessionmaker[Session], cast: Cast) -> int:
    with sessions() as s:
        return int(
            s.scalar(
                select(func.count()).where(AuditEntry.workspace_id == cast.workspace_id)
            )
            or 0
        )


def test_an_imported_file_is_a_draft_with_its_canonical_bytes_and_hash(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions() as s:
        v = s.get(AgreementVersion, version_id)
        assert v.number == 1
        assert v.source_text == example_text()
        assert v.sha256 == hashlib.sha256(v.canonical_json).hexdigest()
        assert b'"resolved_holidays"' in v.canonical_json
    assert status(sessions, cast, v.agreement_id, 1) is VersionStatus.DRAFT


def test_the_whole_path_to_active_and_supersession(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        agreement_id = s.get(AgreementVersion, version_id).agreement_id
        svc.submit(s, cast.jane, version_id, NOW)
    approve_both(sessions, cast, version_id)
    # effective 2027-01-01 is still ahead: approved, not active
    assert status(sessions, cast, agreement_id, 1) is VersionStatus.APPROVED
    with sessions.begin() as s:
        assert svc.activate_due(s, cast.jane, IN_2027)
    assert status(sessions, cast, agreement_id, 1) is VersionStatus.ACTIVE
    # an amendment, effective at once, supersedes it on approval
    amended = example_text().replace("response: 1h", "response: 30m")
    with sessions.begin() as s:
        v2 = svc.amend(
            s,
            cast.jane,
            agreement_id=agreement_id,
            text=amended,
            source_name="acme-v2.yaml",
            now=IN_2027,
        )
        svc.submit(s, cast.jane, v2.id, IN_2027)
        v2_id = v2.id
    approve_both(sessions, cast, v2_id, now=IN_2027 + timedelta(hours=1))
    assert status(sessions, cast, agreement_id, 1) is VersionStatus.SUPERSEDED
    assert status(sessions, cast, agreement_id, 2) is VersionStatus.ACTIVE
    with sessions() as s:
        first = agreement_in_force(s, cast.max, cast.acme_id, IN_2027)
        second = agreement_in_force(
            s, cast.max, cast.acme_id, IN_2027 + timedelta(hours=2)
        )
        before = agreement_in_force(s, cast.max, cast.acme_id, NOW)
        assert first is not None
        assert second is not None
        assert (first.number, second.number, before) == (1, 2, None)
        views = svc.history(s, cast.max, agreement_id)
        assert [len(v.approvals) for v in views] == [2, 2]


def test_an_amendment_withdraws_an_open_draft(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        agreement_id = s.get(AgreementVersion, version_id).agreement_id
        svc.amend(
            s,
            cast.jane,
            agreement_id=agreement_id,
            text=example_text(),
            source_name="again.yaml",
            now=LATER,
        )
    assert status(sessions, cast, agreement_id, 1) is VersionStatus.WITHDRAWN
    assert status(sessions, cast, agreement_id, 2) is VersionStatus.DRAFT


def test_a_stale_hash_is_refused_and_changes_nothing(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
    before = audit_count(sessions, cast)
    with (
        pytest.raises(Conflict, match="is not the hash of version 1"),
        sessions.begin() as s,
    ):
        svc.approve(s, cast.max, version_id, "0" * 64, LATER)
    assert audit_count(sessions, cast) == before
    with sessions() as s:
        assert (
            s.scalar(select(func.count()).where(Approval.version_id == version_id)) == 0
        )


@pytest.mark.parametrize(
    ("who", "party", "error", "message"),
    [
        ("max", "provider", PermissionDenied, "cannot approve for the provider"),
        ("erika", None, PermissionDenied, "is not an approver"),
        ("sam", None, PermissionDenied, "is not an approver"),
    ],
)
def test_only_the_files_approvers_approve_for_their_own_party(
    sessions, cast, who, party, error, message
):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
        sha = s.get(AgreementVersion, version_id).sha256
    actor: Principal = getattr(cast, who)
    with pytest.raises(error, match=message), sessions.begin() as s:
        svc.approve(s, actor, version_id, sha, LATER, party=party)


def test_a_disabled_user_cannot_approve(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
        sha = s.get(AgreementVersion, version_id).sha256
        s.get(User, cast.max.user_id).disabled_at = NOW
    with pytest.raises(PermissionDenied, match="disabled"), sessions.begin() as s:
        svc.approve(s, cast.max, version_id, sha, LATER)


def test_wrong_transitions_are_conflicts(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        sha = s.get(AgreementVersion, version_id).sha256
    with (
        pytest.raises(Conflict, match="it is draft, not in_review"),
        sessions.begin() as s,
    ):
        svc.approve(s, cast.jane, version_id, sha, LATER)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
    with pytest.raises(Conflict, match="cannot submit"), sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
    with sessions.begin() as s:
        svc.approve(s, cast.jane, version_id, sha, LATER)
    with pytest.raises(Conflict, match="already approved"), sessions.begin() as s:
        svc.approve(s, cast.jane, version_id, sha, LATER)


def test_reject_sends_back_to_draft_with_a_reason(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
    with pytest.raises(InvalidInput, match="say why"), sessions.begin() as s:
        svc.reject(s, cast.max, version_id, " ", LATER)
    with sessions.begin() as s:
        svc.reject(s, cast.max, version_id, "Critical response must be 30m", LATER)
        agreement_id = s.get(AgreementVersion, version_id).agreement_id
    assert status(sessions, cast, agreement_id, 1) is VersionStatus.DRAFT


def test_comments_anchor_to_fields_and_take_replies(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        first = svc.comment(
            s,
            cast.max,
            version_id,
            "Can this be 30m?",
            NOW,
            anchor="priorities.critical.response",
        )
        svc.comment(s, cast.jane, version_id, "Yes, in v2.", NOW, parent_id=first.id)
        svc.resolve_comment(s, cast.jane, first.id, LATER)
    with pytest.raises(InvalidInput, match="is not a field"), sessions.begin() as s:
        svc.comment(s, cast.max, version_id, "?", NOW, anchor="priorities.urgent")
    with pytest.raises(Conflict, match="already resolved"), sessions.begin() as s:
        svc.resolve_comment(s, cast.jane, first.id, LATER)


def test_bad_imports_are_refused_and_change_nothing(sessions, cast):
    before = audit_count(sessions, cast)
    with pytest.raises(InvalidInput, match="not with the client 'Acme GmbH'"):
        imported(
            sessions, cast, example_text().replace("name: Acme GmbH", "name: Other AG")
        )
    with pytest.raises(InvalidInput, match="'4 hrs' is not a duration"):
        imported(
            sessions, cast, example_text().replace("response: 1h", "response: 4 hrs")
        )
    with pytest.raises(InvalidInput, match="lint errors"):
        imported(
            sessions, cast, example_text().replace("response: 4h", "response: 3bd")
        )
    with (
        pytest.raises(NotFound, match="client 999999 not found"),
        sessions.begin() as s,
    ):
        svc.import_agreement(
            s,
            cast.jane,
            client_id=999999,
            text=example_text(),
            source_name="x",
            now=NOW,
        )
    with pytest.raises(PermissionDenied), sessions.begin() as s:
        svc.import_agreement(
            s,
            cast.max,
            client_id=cast.acme_id,
            text=example_text(),
            source_name="x",
            now=NOW,
        )
    assert audit_count(sessions, cast) == before


def test_other_workspaces_and_other_clients_see_nothing(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        other = make_cast(s)
        agreement_id = s.get(AgreementVersion, version_id).agreement_id
    for stranger in (other.jane, other.max):
        with pytest.raises(NotFound), sessions() as s:
            svc.history(s, stranger, agreement_id)
        with pytest.raises(NotFound), sessions.begin() as s:
            svc.comment(s, stranger, version_id, "hello", NOW)
        with sessions() as s:
            assert svc.list_agreements(s, stranger) == []


def test_the_database_refuses_to_change_approved_content(sessions, cast, engine):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
    approve_both(sessions, cast, version_id)
    for sql in (
        "UPDATE agreement_version SET source_text = 'x' WHERE id = :id",
        "DELETE FROM agreement_version WHERE id = :id",
        "UPDATE approval SET sha256 = 'x' WHERE version_id = :id",
        "DELETE FROM approval WHERE version_id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(sql), {"id": version_id})


def test_every_change_is_in_the_audit_log(sessions, cast):
    version_id = imported(sessions, cast)
    with sessions.begin() as s:
        svc.submit(s, cast.jane, version_id, NOW)
    approve_both(sessions, cast, version_id)
    with sessions() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.workspace_id == cast.workspace_id)
            .order_by(AuditEntry.seq)
        ).all()
    assert actions == [
        "agreement.draft",
        "agreement.in_review",
        "agreement.approval",
        "agreement.approval",
        "agreement.approved",
    ]
