"""Writing command output to a file, with one clear error when that fails."""

from __future__ import annotations

import sys
from pathlib import Path

from slakeeper.yamlsource import SourceError, SourceProblem

__all__ = ["write_output"]


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
