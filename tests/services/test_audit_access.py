"""Who may read a workspace's audit log: the provider's active people only."""

import inspect

from sqlalchemy.orm import Session, sessionmaker

from slakeeper.errors import AppError, PermissionDenied
from slakeeper.services import audit
from tests.factories import make_world


def test_the_log_is_read_only_by_the_providers_active_people(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        w = make_world(s)
    expected = {
        "owner": (w.cast.jane, w.cast.workspace_id),
        "staff": (w.cast.sam, w.cast.workspace_id),
        "contact": (w.cast.max, PermissionDenied),
        "other_contact": (w.olga, PermissionDenied),
        "disabled": (w.dora, PermissionDenied),
        "foreign_owner": (w.foreign.jane, w.foreign.workspace_id),  # their own log
    }
    for name, (who, outcome) in expected.items():
        with sessions() as s:
            try:
                got: object = audit.readable_log(s, who)
            except AppError as exc:
                got = type(exc)
        assert got == outcome, name


def test_every_audit_function_with_a_principal_is_covered() -> None:
    with_principal = {
        name
        for name in audit.__all__
        if callable(fn := getattr(audit, name))
        and "principal" in inspect.signature(fn).parameters
    }
    assert with_principal == {"readable_log"}
