"""The base of every read model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["ReadModel", "examples"]


class ReadModel(BaseModel):
    """A frozen pydantic model: built once by a service, shown as it is by the
    API (response schema), the CLI (`--json`) and the web pages."""

    model_config = ConfigDict(frozen=True)


def examples(*shown: dict[str, Any]) -> ConfigDict:
    """A read model's `model_config` with examples for the OpenAPI document
    (merged with `ReadModel`'s: the model stays frozen)."""
    return ConfigDict(json_schema_extra={"examples": list(shown)})
