"""Count the SQL statements a piece of code sends: `with count_queries() as n:`
... `n.count`. It listens on every engine of the process unless given one, so it
also sees the statements of an app that made its own engine (the API under a
TestClient)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

__all__ = ["Queries", "count_queries"]


@dataclass
class Queries:
    """The statements sent inside the block, in order."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(target: Engine | type[Engine] = Engine) -> Iterator[Queries]:
    seen = Queries()

    def before(
        _conn: Any, _cursor: Any, statement: str, *_args: Any, **_kw: Any
    ) -> None:
        seen.statements.append(statement)

    event.listen(target, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", before)
