"""The base of every read model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["AT", "ReadModel", "examples"]

AT = "2026-12-01T09:00:00Z"  # the instant the examples are set at


class ReadModel(BaseModel):
    """A frozen pydantic model: built once by a service, shown as it is by the
    API (response schema), the CLI (`--json`) and the web pages."""

    model_config = ConfigDict(frozen=True)


def examples(*shown: dict[str, Any]) -> ConfigDict:
    """A model's examples for the OpenAPI document (`model_config = examples(...)`;
    a read model stays frozen: pydantic merges its config with `ReadModel`'s)."""
    return ConfigDict(json_schema_extra={"examples": list(shown)})
