"""The base of every read model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ReadModel"]


class ReadModel(BaseModel):
    """A frozen pydantic model: built once by a service, shown as it is by the
    API (response schema), the CLI (`--json`) and the web pages."""

    model_config = ConfigDict(frozen=True)
