"""Settings, from `SLAKEEPER_*` environment variables (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AwareDatetime, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from slakeeper.errors import InvalidInput

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
    imap_host: str | None = Field(
        default=None,
        description="Host name of the IMAP server `slakeeper mail fetch` reads "
        "(unset: no inbound e-mail).",
    )
    imap_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of the IMAP server (default: 993 for ssl, 143 for "
        "starttls and none).",
    )
    imap_user: str | None = Field(
        default=None, description="User name to log in to the IMAP server with."
    )
    imap_password: SecretStr | None = Field(
        default=None, description="Password to log in to the IMAP server with."
    )
    imap_folder: str = Field(
        default="INBOX", description="The IMAP folder new mail is read from."
    )
    imap_security: Literal["ssl", "starttls", "none"] = Field(
        default="ssl",
        description="How the IMAP connection is secured: ssl (TLS from the "
        "start), starttls, or none (loopback and tests only).",
    )
    imap_processed_folder: str | None = Field(
        default=None,
        description="IMAP folder a message is moved to once taken (created when "
        "missing); unset: it stays where it is, flagged as seen.",
    )
    upwork_token: SecretStr | None = Field(
        default=None,
        description="OAuth2 access token for Upwork's GraphQL API, used by "
        "`slakeeper upwork sync` (unset: no sync).",
    )
    upwork_api_url: str = Field(
        default="https://api.upwork.com/graphql",
        description="URL of Upwork's GraphQL API.",
    )
    now: AwareDatetime | None = Field(
        default=None,
        description="A fixed current instant for the CLI (ISO 8601 with an offset, "
        "such as 2027-03-01T09:00:00+01:00), for tests and demos; refused unless "
        "SLAKEEPER_ALLOW_FIXED_NOW is true (unset: the clock).",
    )
    allow_fixed_now: bool = Field(
        default=False,
        description="Allow SLAKEEPER_NOW (tests and demos only; false by default).",
    )


def load_settings() -> Settings:
    """The settings from the environment; a value of the wrong kind (such as
    SLAKEEPER_IMAP_PORT=abc) is InvalidInput naming its variable."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "_".join(str(part) for part in first["loc"]).upper()
        raise InvalidInput(first["msg"], location=f"SLAKEEPER_{name}") from None
