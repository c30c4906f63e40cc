"""Writing command output: read models as JSON (`--json`), and output to a
file with one clear error when that fails."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import typer
from pydantic import BaseModel, TypeAdapter

from slakeeper.yamlsource import SourceError, SourceProblem

__all__ = ["echo_json", "json_text", "write_output"]


def json_text(data: BaseModel | Sequence[BaseModel]) -> str:
    """A read model (or a list of them) as the API would answer it: the same
    fields, names and value formats, indented for a reader."""
    if isinstance(data, BaseModel):
        return data.model_dump_json(indent=2)
    items = [item.model_dump(mode="json") for item in data]
    return TypeAdapter(list[dict[str, object]]).dump_json(items, indent=2).decode()


def echo_json(data: BaseModel | Sequence[BaseModel]) -> None:
    """Print `json_text(data)` (the `--json` of every command)."""
    typer.echo(json_text(data))


def write_output(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to `path` (`-` is standard output); an OS
    error becomes a `SourceError` (`FILE: cannot be written: reason`, exit 2)."""
    if str(path) == "-":
        raw = data.encode("utf-8") if isinstance(data, str) else data
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SourceError(
            [SourceProblem(str(path), f"cannot be written: {reason}")]
        ) from exc
