"""Process settings from the environment (``HUB_*``); secrets never come from files."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.errors import Problem, SettingsError

#: ``HUB_EVENT_LOOP``: the loop of hub serve and hub worker (hub/event_loop.py)
EventLoopChoice = Literal["auto", "uvloop", "asyncio"]


class Settings(BaseSettings):
    """Where the hub keeps its state and how it is reached; everything has a safe default."""

    model_config = SettingsConfigDict(env_prefix="HUB_", frozen=True, extra="ignore")

    database_url: str | None = Field(
        default=None, description="postgres://... to scale; default SQLite under data_dir"
    )
    redis_url: str | None = Field(default=None, description="redis://...; enables arq jobs")
    redis_namespace: str = Field(
        default="hub",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="prefix of every Redis key, so several hubs can share one Redis",
    )
    data_dir: Path = Field(default=Path("var"), description="SQLite file, secret key, caches")
    public_url: str = Field(
        default="http://127.0.0.1:8080", description="base URL providers and browsers use"
    )
    secret_key: str | None = Field(default=None, description="signs visitor tokens")
    config_dir: Path = Field(default=Path("config/demo"))
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    job_workers: int = Field(
        default=64,
        ge=0,
        le=256,
        description=(
            "in-process jobs in flight (embedded); the process and send jobs in flight share "
            "transactions, so more means bigger groups; 0 = ingest only"
        ),
    )
    send_lease_s: float = Field(
        default=60.0, gt=0, description="a send not finished by then is retried (crashed worker)"
    )
    sweep_interval_s: float = Field(
        default=30.0, gt=0, description="how often lost events and sends are re-queued"
    )
    log_level: str = "INFO"
    sqlite_synchronous: Literal["FULL", "EXTRA", "NORMAL"] = Field(
        default="FULL",
        description="SQLite's synchronous pragma: FULL never loses an acknowledged commit",
    )
    #: a connection that has not sent a whole request head this long after it opened (or
    #: after its previous answer) is closed: aiohttp's keep-alive timeout
    header_timeout_s: float = Field(default=15.0, gt=0, le=3600)
    #: a request body not received within this many seconds is answered 408, and closed
    body_timeout_s: float = Field(default=15.0, gt=0, le=3600)
    token_ttl_days: float | None = Field(
        default=None,
        gt=0,
        description="agent API tokens stop working this many days after they were created",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="text lines, or one JSON object a line (json)"
    )
    event_loop: EventLoopChoice = Field(
        default="auto",
        description="loop of hub serve and hub worker; auto = uvloop when installed",
    )

    @field_validator("database_url", "redis_url")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'hub.sqlite3').as_posix()}"

    @property
    def uses_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; bad values become a :class:`SettingsError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [
            Problem("environment", 0, f"HUB_{str(e['loc'][0]).upper()}: {e['msg']}")
            for e in exc.errors()
        ]
        raise SettingsError(problems) from None
