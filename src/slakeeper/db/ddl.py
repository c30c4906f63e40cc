"""DDL that migrations share: named foreign keys, instant columns, append-only
tables whose rows the database itself refuses to change (UPDATE, DELETE and, on
PostgreSQL, TRUNCATE), and columns that hold one of a fixed set of values.

Migrations that ran already call these, so what they emit must never change: a
new kind of DDL gets a new helper.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = [
    "allow_any_value",
    "allow_changes",
    "check_values",
    "foreign_key",
    "instant",
    "refuse_changes",
]


def foreign_key(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """`table.column` references `target.id`, named by the naming convention."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def instant(name: str, nullable: bool = False) -> sa.Column[object]:
    """A timezone-aware instant column (stored in UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


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


def check_values(table: str, column: str, values: Sequence[str]) -> None:
    """`table.column` holds one of `values` (or NULL): the constraint
    `ck_<table>_<column>` that the models' `_enum` columns declare.

    On PostgreSQL a CHECK constraint. On SQLite, which cannot add a constraint
    to a table without rebuilding it (and a rebuild would drop the triggers of
    `refuse_changes`), two triggers refuse an INSERT or an UPDATE of the column
    with `<table>.<column> must be one of ...`."""
    listed = ", ".join(f"'{v}'" for v in values)
    name = f"ck_{table}_{column}"
    if op.get_bind().dialect.name == "sqlite":
        message = f"{table}.{column} must be one of {', '.join(values)}"
        for event, when in (("insert", "INSERT"), ("update", f"UPDATE OF {column}")):
            op.execute(
                f"CREATE TRIGGER {name}_{event} BEFORE {when} ON {table}"
                f" WHEN NEW.{column} NOT IN ({listed})"
                f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({listed}))"
    )


def allow_any_value(table: str, column: str) -> None:
    """Undo `check_values` (for a downgrade)."""
    name = f"ck_{table}_{column}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {name}_insert")
        op.execute(f"DROP TRIGGER {name}_update")
        return
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
