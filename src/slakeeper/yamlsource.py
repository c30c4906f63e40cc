"""YAML files that remember where each value came from, for messages that point at it.

`load_yaml` reads a file with ruamel.yaml's round-trip loader, so every mapping and
sequence keeps its line and column; `YamlDocument.position` finds a field by its
path and `YamlDocument.problem` turns a path and a message into a `SourceProblem`
that prints as `acme.yaml:12:10 calendars.office.hours.mon: message`. Syntax errors,
unreadable files and invalid content all surface as a `SourceError` listing every
problem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from slakeeper.core.errors import PathPart, format_path
from slakeeper.errors import Detail, InvalidInput

__all__ = [
    "PathPart",
    "SourceError",
    "SourceProblem",
    "YamlDocument",
    "format_path",
    "load_yaml",
    "parse_yaml",
    "position_of",
    "to_plain",
]


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """One problem in a source file: where it is and what is wrong.

    `line` and `column` are 1-based and `None` when the problem has no position
    (for example a file that cannot be read).
    """

    file: str
    message: str
    path: tuple[PathPart, ...] = ()
    line: int | None = None
    column: int | None = None

    @property
    def dotted_path(self) -> str:
        """The field path as written in messages."""
        return format_path(self.path)

    @property
    def location(self) -> str:
        """`file:line:col`, or just `file` when there is no position."""
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        where = self.location
        if self.path:
            return f"{where} {self.dotted_path}: {self.message}"
        return f"{where}: {self.message}"


class SourceError(InvalidInput, ValueError):
    """A source file is unreadable or invalid. `problems` lists every problem
    found; `details` says the same for the API (location, line, column)."""

    code = "invalid_document"

    def __init__(self, problems: Sequence[SourceProblem]) -> None:
        if not problems:
            raise ValueError("a SourceError needs at least one problem")
        self.problems: tuple[SourceProblem, ...] = tuple(problems)
        super().__init__(
            "\n".join(str(p) for p in self.problems),
            details=[
                Detail(p.message, p.dotted_path or p.file, p.line, p.column)
                for p in self.problems
            ],
        )


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A loaded YAML file: the round-trip `data` and the `file` named in messages."""

    file: str
    data: Any

    def position(
        self, path: Sequence[PathPart], *, key: bool = False
    ) -> tuple[int, int]:
        """The 1-based (line, column) of the field at `path`; see `position_of`."""
        return position_of(self.data, path, key=key)

    def problem(
        self, path: Sequence[PathPart], message: str, *, key: bool = False
    ) -> SourceProblem:
        """A problem about the field at `path`, positioned in this file."""
        line, column = self.position(path, key=key)
        return SourceProblem(self.file, message, tuple(path), line, column)

    def error(
        self, path: Sequence[PathPart], message: str, *, key: bool = False
    ) -> SourceError:
        """A `SourceError` with one problem about the field at `path`."""
        return SourceError([self.problem(path, message, key=key)])

    def plain(self) -> Any:
        """The data as plain dicts, lists and scalars (see `to_plain`)."""
        return to_plain(self.data)


def _new_loader() -> YAML:
    return YAML(typ="rt", pure=True)


def parse_yaml(text: str, *, file: str = "<string>") -> YamlDocument:
    """Parse YAML text; `file` is the name used in messages.

    Raises:
        SourceError: the text is not valid YAML, with the position the parser reports.
    """
    try:
        data = _new_loader().load(text)
    except MarkedYAMLError as exc:
        raise SourceError([_syntax_problem(file, exc)]) from exc
    except YAMLError as exc:
        raise SourceError([SourceProblem(file, f"invalid YAML: {exc}")]) from exc
    except (ValueError, OverflowError) as exc:  # e.g. an unquoted 2027-02-30
        raise SourceError([_bad_date_problem(file, text, exc)]) from exc
    return YamlDocument(file=file, data=data)


_DATE_TOKEN = re.compile(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.:-])")


def _bad_date_problem(file: str, text: str, exc: Exception) -> SourceProblem:
    """Point at the first date in the text that is not a real date."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in _DATE_TOKEN.finditer(line):
            try:
                date(*(int(g) for g in match.groups()))
            except ValueError as problem:
                return SourceProblem(
                    file,
                    f"{match.group(0)} is not a date: {problem}",
                    (),
                    number,
                    match.start() + 1,
                )
    return SourceProblem(file, f"invalid value: {exc}")


def load_yaml(path: str | os.PathLike[str], *, name: str | None = None) -> YamlDocument:
    """Read and parse a UTF-8 YAML file; `name` (default: the path as given) is shown.

    Raises:
        SourceError: the file cannot be read, is not UTF-8, or is not valid YAML.
    """
    file = name if name is not None else os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError([SourceProblem(file, "no such file")]) from exc
    except IsADirectoryError as exc:
        raise SourceError([SourceProblem(file, "is a directory, not a file")]) from exc
    except UnicodeDecodeError as exc:
        raise SourceError(
            [SourceProblem(file, f"is not UTF-8 text (byte {exc.start} is invalid)")]
        ) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SourceError([SourceProblem(file, f"cannot be read: {reason}")]) from exc
    return parse_yaml(text, file=file)


def _syntax_problem(file: str, exc: MarkedYAMLError) -> SourceProblem:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        context_mark = exc.context_mark
        if context_mark is not None and context_mark is not mark:
            message += (
                f" ({exc.context} at line {context_mark.line + 1},"
                f" column {context_mark.column + 1})"
            )
        else:
            message += f" ({exc.context})"
    message = f"YAML syntax error: {message}"
    if mark is None:
        return SourceProblem(file, message)
    return SourceProblem(file, message, (), mark.line + 1, mark.column + 1)


def _find_key(node: Mapping[Any, Any], part: PathPart) -> tuple[bool, Any]:
    """Find the key of `node` that `part` names: itself, or a key written the same.

    Paths name keys as text, so `open.2027-12-27` finds a key ruamel read as a date.
    """
    if part in node:
        return True, part
    text = str(part)
    for key in node:
        if str(key) == text:
            return True, key
    return False, None


def _own_position(node: Any) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return int(lc.line), int(lc.col)


def position_of(
    data: Any, path: Sequence[PathPart], *, key: bool = False
) -> tuple[int, int]:
    """The 1-based (line, column) of the field at `path` in round-trip loaded `data`.

    1. A scalar points at its value; a mapping or sequence held in a mapping points
       at its key (`hours:`), since that is where a reader looks for it; with
       `key=True` the last step always points at its key.
    2. A sequence item points at the item.
    3. When the path does not fully exist, the nearest existing parent is used; the
       root (or 1:1 when nothing is known) is the last resort.
    """
    root = _own_position(data) or (0, 0)
    pos = root
    node = data
    last = len(path) - 1
    for i, part in enumerate(path):
        child_pos: tuple[int, int] | None = None
        if isinstance(node, Mapping):
            found, actual = _find_key(node, part)
            if not found:
                break
            child = node[actual]
            want_key = (key and i == last) or isinstance(child, Mapping | list)
            child_pos = _lc_lookup(node, actual, want_key=want_key)
        elif (
            isinstance(node, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
        ):
            if not -len(node) <= part < len(node):
                break
            child = node[part]
            child_pos = _lc_item(node, part % len(node))
        else:
            break
        if child_pos is None:
            child_pos = _own_position(child) or pos
        node, pos = child, child_pos
    return pos[0] + 1, pos[1] + 1


def _lc_lookup(node: Any, key: Any, *, want_key: bool) -> tuple[int, int] | None:
    """The position ruamel recorded for `key` of `node`, looking into merged (`<<`)
    mappings, which keep the position where their anchor defines the key."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        line, col = lc.key(key) if want_key else lc.value(key)
    except (KeyError, TypeError, IndexError):
        for merged in getattr(node, "merge", None) or ():
            source = merged[1] if isinstance(merged, tuple) else merged
            if isinstance(source, Mapping) and key in source:
                return _lc_lookup(source, key, want_key=want_key)
        return None
    return int(line), int(col)


def _lc_item(node: Any, index: int) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        line, col = lc.item(index)
    except (KeyError, TypeError, IndexError):
        return None
    return int(line), int(col)


def to_plain(data: Any) -> Any:
    """Turn round-trip data into plain `dict`, `list`, `str`, `int`, `float`, `bool`.

    Dates stay `datetime.date` (ruamel reads an unquoted 2027-01-01 as a date) and
    timestamps stay `datetime.datetime` (aware when the YAML gives an offset, naive
    when it does not: checking that is the reader's job). Keys are converted too.
    """
    if isinstance(data, Mapping):
        return {to_plain(k): to_plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [to_plain(v) for v in data]
    if isinstance(data, bool):
        return bool(data)
    if isinstance(data, int):
        return int(data)
    if isinstance(data, float):
        return float(data)
    if isinstance(data, str):
        return str(data)
    if isinstance(data, datetime):
        if type(data) is datetime:
            return data
        return datetime.combine(data.date(), data.timetz(), tzinfo=data.tzinfo)
    if isinstance(data, date):
        return date(data.year, data.month, data.day)
    value = getattr(data, "value", None)  # a TaggedScalar (an unknown !tag)
    if isinstance(value, str):
        return value
    return data
