"""Who may call each agreement service function on Jane's agreements: a matrix of
actors x functions. A new service function without a row fails the test."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.db.models import AuditEntry
from slakeeper.errors import AppError, NotFound, PermissionDenied
from slakeeper.services import agreements as svc
from slakeeper.services import versions
from slakeeper.services.access import Principal
from slakeeper.services.views.agreements import VersionRead
from tests.factories import NOW, World, example_text, make_world

LATER = NOW + timedelta(hours=1)
ACTORS = ("owner", "staff", "contact", "other_contact", "disabled", "foreign_owner")
OK = "ok"
DENIED, ABSENT = PermissionDenied, NotFound


@dataclass(frozen=True)
class Scene:
    world: World
    review_id: int  # version 1 of an agreement, in review
    draft_id: int  # version 1 of a second agreement, in draft
    agreement_id: int
    sha256: str
    comment_id: int


@pytest.fixture(scope="module")
def scene(module_sessions: sessionmaker[Session]) -> Scene:
    """Once per backend: every call of the matrix is rolled back."""
    with module_sessions.begin() as s:
        world = make_world(s)
        jane = world.cast.jane

        def new() -> VersionRead:
            return svc.import_agreement(
                s,
                jane,
                client_id=world.cast.acme_id,
                text=example_text(),
                source_name="acme.yaml",
                now=NOW,
            )

        review, draft = new(), new()
        svc.submit(s, jane, review.id, NOW)
        note = svc.comment(s, world.cast.max, review.id, "Why 8h?", NOW)
        return Scene(
            world, review.id, draft.id, review.agreement_id, review.sha256, note.id
        )


def actor(scene: Scene, name: str) -> Principal:
    w = scene.world
    return {
        "owner": w.cast.jane,
        "staff": w.cast.sam,
        "contact": w.cast.max,
        "other_contact": w.olga,
        "disabled": w.dora,
        "foreign_owner": w.foreign.jane,
    }[name]


Call = Callable[[Session, Principal, Scene], Any]
CLIENT_READS = {
    "owner": OK,
    "staff": OK,
    "contact": OK,
    "other_contact": ABSENT,
    "disabled": DENIED,
    "foreign_owner": ABSENT,
}
PROVIDER_WRITES = {
    "owner": OK,
    "staff": OK,
    "contact": DENIED,
    "other_contact": DENIED,
    "disabled": DENIED,
    "foreign_owner": ABSENT,
}
MATRIX: dict[str, tuple[Call, dict[str, Any]]] = {
    "get_version": (
        lambda s, p, c: svc.get_version(s, p, c.agreement_id),
        CLIENT_READS,
    ),
    "history": (lambda s, p, c: svc.history(s, p, c.agreement_id), CLIENT_READS),
    "version_detail": (
        lambda s, p, c: svc.version_detail(s, p, c.agreement_id),
        CLIENT_READS,
    ),
    "in_force": (
        lambda s, p, c: svc.in_force(s, p, c.world.cast.acme_id, LATER),
        CLIENT_READS,
    ),
    "comments": (lambda s, p, c: svc.comments(s, p, c.review_id), CLIENT_READS),
    "comment": (
        lambda s, p, c: svc.comment(s, p, c.review_id, "Hm.", LATER),
        CLIENT_READS,
    ),
    "resolve_comment": (
        lambda s, p, c: svc.resolve_comment(s, p, c.comment_id, LATER),
        CLIENT_READS,
    ),
    "reject": (
        lambda s, p, c: svc.reject(s, p, c.review_id, "Not yet.", LATER),
        CLIENT_READS,
    ),
    "agreement_in_force": (
        lambda s, p, c: versions.agreement_in_force(s, p, c.world.cast.acme_id, LATER),
        CLIENT_READS,
    ),
    "list_agreements": (
        lambda s, p, c: len(svc.list_agreements(s, p)),
        {
            "owner": 2,
            "staff": 2,
            "contact": 2,
            "other_contact": 0,
            "disabled": DENIED,
            "foreign_owner": 0,
        },
    ),
    "approve": (
        lambda s, p, c: svc.approve(s, p, c.review_id, c.sha256, LATER),
        {
            "owner": OK,
            "staff": DENIED,
            "contact": OK,
            "other_contact": ABSENT,
            "disabled": DENIED,
            "foreign_owner": ABSENT,
        },
    ),
    "import_agreement": (
        lambda s, p, c: svc.import_agreement(
            s,
            p,
            client_id=c.world.cast.acme_id,
            text=example_text(),
            source_name="x.yaml",
            now=LATER,
        ),
        PROVIDER_WRITES,
    ),
    "amend": (
        lambda s, p, c: svc.amend(
            s,
            p,
            agreement_id=c.agreement_id,
            text=example_text(),
            source_name="x.yaml",
            now=LATER,
        ),
        PROVIDER_WRITES,
    ),
    "submit": (lambda s, p, c: svc.submit(s, p, c.draft_id, LATER), PROVIDER_WRITES),
    "withdraw": (
        lambda s, p, c: svc.withdraw(s, p, c.draft_id, LATER),
        PROVIDER_WRITES,
    ),
    "activate_due": (
        lambda s, p, c: svc.activate_due(s, p, LATER),
        {**PROVIDER_WRITES, "foreign_owner": OK},  # acts on its own workspace only
    ),
}


class _Rollback(Exception):
    pass


def test_every_service_function_with_a_principal_has_a_row():
    takes_principal = {
        name
        for name in svc.__all__
        if callable(fn := getattr(svc, name))
        and "principal" in inspect.signature(fn).parameters
    }
    # agreement_in_force lives in services.terms, beside the rule it applies
    assert takes_principal == set(MATRIX) - {"agreement_in_force"}
    assert all(set(cells) == set(ACTORS) for _, cells in MATRIX.values())


@pytest.mark.parametrize("function", sorted(MATRIX))
def test_access_matrix(module_sessions, scene, function):
    sessions = module_sessions
    call, cells = MATRIX[function]
    for name in ACTORS:
        expected = cells[name]
        result: Any = None
        try:
            with sessions.begin() as s:
                result = call(s, actor(scene, name), scene)
                raise _Rollback
        except _Rollback:
            got: Any = OK if expected == OK else result
        except AppError as exc:
            got = type(exc)
        assert got == expected, f"{function} by {name}"
    with sessions() as s:
        foreign = s.scalar(
            select(func.count()).where(
                AuditEntry.workspace_id == scene.world.foreign.workspace_id
            )
        )
    assert foreign == 0  # nothing anyone did touched the foreign workspace
