"""The one place that reads the environment."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """RaceHub settings, read from `RACEHUB_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="RACEHUB_", extra="ignore")

    # Owner connection: runs migrations. Unset means an embedded PostgreSQL under `home`.
    database_url: str | None = None
    # Application connection (a non-owner role). Derived from database_url when unset.
    app_database_url: str | None = None
    app_db_role: str = "racehub_app"
    app_db_password: SecretStr | None = None
    # Platform operator connection (CLI, jobs, logins): the role racehub_platform itself. Derived from
    # database_url when unset, with platform_db_password (set on the role at `racehub db upgrade`).
    platform_database_url: str | None = None
    platform_db_password: SecretStr | None = None
    home: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "racehub")
    pool_size: int = 10

    # Signing key for download URLs and chat sessions; generated per home when unset.
    secret_key: SecretStr | None = None
    # The address people reach RaceHub at (https://racehub.example.com, behind a proxy): every link it
    # hands out (CSV downloads in answers, chat, tools) starts with it. Unset: the address of the request
    # (relative links in /v1/ask), which is loopback when Open WebUI calls RaceHub on the same machine.
    public_url: str | None = None
    # Web origins whose pages may call the API from the browser (comma-separated, e.g. Open WebUI's
    # https://chat.example.com for tool servers its users add themselves). Empty: none.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    ask_statement_timeout_ms: int = 5000
    ask_max_rows: int = 1000
    ask_max_bytes: int = 2_000_000
    # Questions of one company running at once per server process; more wait this long, then get a 429.
    ask_max_concurrent_per_tenant: int = 4
    ask_queue_wait_s: float = 15.0

    llm_base_url: str = "http://127.0.0.1:11434/v1"
    llm_model: str = "llama3.1:8b"
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = 30.0
    llm_enabled: bool = True

    # Chat identity. Open WebUI's FORWARD_USER_INFO_HEADER_JWT_SECRET: trusts its signed user header.
    openwebui_jwt_secret: SecretStr | None = None
    openwebui_jwt_issuer: str = "open-webui"
    # One-time login codes go by SMTP when set (smtp://user:pass@host:587, smtps://...:465),
    # otherwise to the local outbox that `racehub outbox` prints.
    smtp_url: SecretStr | None = None
    smtp_from: str = "RaceHub <racehub@localhost>"
    login_code_ttl_s: int = 600
    login_code_max_attempts: int = 5
    login_session_ttl_s: int = 12 * 3600
    login_rate_window_s: int = 900
    login_challenges_per_account: int = 5
    login_attempts_per_account: int = 10
    login_challenges_per_address: int = 20
    login_attempts_per_address: int = 30
    login_password_attempts_per_account_address: int = 10
    # A login bound to a chat conversation ends after this long unused, and after this long in any case.
    chat_login_idle_s: int = 12 * 3600
    chat_login_max_s: int = 7 * 24 * 3600
    # An Open WebUI user header valid for longer than this from now is refused (Open WebUI signs short ones).
    openwebui_jwt_max_lifetime_s: int = 24 * 3600

    # Workflows. Fernet keys for vendor credentials, comma-separated, the first one encrypts (rotation).
    credential_keys: SecretStr | None = None
    # Vendor calls go to local simulators instead (demo, tests): {"runsignup": "http://127.0.0.1:8701"}.
    simulator_urls: dict[str, str] = Field(default_factory=dict)
    vendor_page_size: int | None = None  # None: each vendor client's own default
    workflow_max_attempts: int = 6
    workflow_retry_base_s: float = 30.0  # job retries back off exponentially from here ...
    workflow_retry_cap_s: float = 1800.0  # ... up to here; a longer Retry-After fails the run
    # Sync schedule check; a 6th field counts seconds: every 10 s, so live results polls keep their cadence.
    workflow_schedule_cron: str = "* * * * * */10"
    workflow_sweep_cron: str = "* * * * *"  # stalled-job sweeper
    worker_heartbeat_s: float = 10.0
    worker_stalled_after_s: float = 60.0  # a worker silent this long is dead; its jobs are retried
    scoring_poll_limit_s: float = 600.0  # how long one attempt waits for Copernico to finish scoring

    # Race day, live. Results syncs poll this often while a race is on (its first `live_window_h` hours).
    live_results_poll_s: float = 20.0
    live_window_h: float = 6.0
    live_heartbeat_s: float = 15.0  # an SSE comment this often keeps proxies from closing a quiet stream
    live_check_s: float = 5.0  # how often the fan-out checks for changes a lost notification left behind
    live_client_queue: int = 2000  # events waiting for one slow client before it is cut off (it resumes)
    live_retention_days: int = 7  # changes kept for clients to resume from
    # Push. Local simulators stand in through simulator_urls ("expo", "webpush" is per subscription).
    expo_push_url: str = "https://exp.host"
    expo_access_token: SecretStr | None = None
    expo_max_per_s: float = 500.0  # below the service's ~600 notifications/s per project
    expo_receipt_delay_s: float = 900.0  # receipts are read this long after sending
    vapid_subject: str = "mailto:racehub@localhost"
    # Web Push endpoints RaceHub may post to besides public hosts (a local push service in tests, the demo).
    webpush_allowed_hosts: list[str] = Field(default_factory=list)
    push_max_follows: int = 50  # runners one person follows at once
    # Race-day alarms
    alarm_sync_failures: int = 3  # failed sync attempts in a row before staff are told
    alarm_silent_mat_min: float = 5.0  # minutes of race time a mat may stay quiet while runners are due
    alarm_silent_mat_runners: int = 5  # runners due at a quiet mat before it counts as silent
    alarm_min_pace_s_per_km: float = 150.0  # faster than this between two mats is not humanly possible
    alarm_double_read_s: float = 120.0  # two reads of one chip at one mat this close: a double read

    # HTTP. Bodies over this many bytes are refused (413) before they are read.
    max_body_bytes: int = 4 * 1024 * 1024
    # Proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client. Empty: the
    # peer address is the client, whatever a request's headers say.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for origin in value:
                parts = urlsplit(str(origin))
                if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                    raise ValueError(
                        f"RACEHUB_CORS_ORIGINS: {origin!r} is not an origin such as https://host"
                    )
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for proxy in value:
                try:
                    ipaddress.ip_network(str(proxy), strict=False)
                except ValueError:
                    raise ValueError(
                        f"RACEHUB_TRUSTED_PROXIES: {proxy!r} is not an address or network such as 10.0.0.0/8"
                    ) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(
                "RACEHUB_PUBLIC_URL must be an http(s) address such as https://racehub.example.com"
            )
        return value.strip().rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once."""
    return Settings()
