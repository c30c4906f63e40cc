"""Settings, from `SLAKEEPER_*` environment variables (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_database_url", "load_settings"]


def default_database_url() -> str:
    """An SQLite file in the user's data directory."""
    folder = Path(platformdirs.user_data_dir("slakeeper", appauthor=False))
    return f"sqlite:///{folder / 'slakeeper.db'}"


class Settings(BaseSettings):
    """Every setting slakeeper reads; each has a heading in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="SLAKEEPER_", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the database: sqlite:///PATH (the default, "
        "in the user's data directory) or postgresql+psycopg://USER@HOST/DB.",
    )
    workspace: str | None = Field(
        default=None,
        description="The workspace the CLI acts in, when the database holds more "
        "than one.",
    )
    user: str | None = Field(
        default=None,
        description="E-mail of the user the CLI acts as (default: the workspace's "
        "first owner).",
    )


def load_settings() -> Settings:
    return Settings()
