"""The one place that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """RaceHub settings, read from `RACEHUB_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="RACEHUB_", extra="ignore")

    # Owner connection: runs migrations. Unset means an embedded PostgreSQL under `home`.
    database_url: str | None = None
    # Application connection (a non-owner role). Derived from database_url when unset.
    app_database_url: str | None = None
    app_db_role: str = "racehub_app"
    app_db_password: SecretStr | None = None
    home: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "racehub")
    pool_size: int = 10

    # Signing key for download URLs and chat sessions; generated per home when unset.
    secret_key: SecretStr | None = None

    ask_statement_timeout_ms: int = 5000
    ask_max_rows: int = 1000
    ask_max_bytes: int = 2_000_000

    llm_base_url: str = "http://127.0.0.1:11434/v1"
    llm_model: str = "llama3.1:8b"
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 30.0
    llm_enabled: bool = True

    log_level: str = "INFO"
    log_json: bool = False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once."""
    return Settings()
