"""DDL that migrations share: append-only tables whose rows the database itself
refuses to change (UPDATE, DELETE and, on PostgreSQL, TRUNCATE).

The first migrations carry their own copy of this (a migration is a frozen
snapshot); later ones call these helpers.
"""

from __future__ import annotations

from alembic import op

__all__ = ["allow_changes", "refuse_changes"]


def refuse_changes(table: str, message: str) -> None:
    """Make `table` append-only; a refused change raises `<table> <message>`."""
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, '{table} {message}'); END"
            )
        return
    op.execute(
        f"""
        CREATE FUNCTION {table}_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{table} {message}';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_change()"
    )


def allow_changes(table: str) -> None:
    """Undo `refuse_changes` (for a downgrade)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"DROP TRIGGER {table}_no_delete")
        return
    op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
    op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    op.execute(f"DROP FUNCTION {table}_refuse_change()")
