"""Typed settings, read once from the environment (prefix ``AIGUILLAGE_``) or a .env file."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels import registry
from channels.email.setup import EmailSettings
from channels.meta.setup import MetaSettings
from channels.webchat.setup import WebchatSettings
from channels.x.setup import XSettings
from router.errors import ConfigurationError

DEFAULT_VAR_DIR = Path("var")

_DATABASE_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_BROKER_SCHEMES = ("memory", "amqp", "amqps")
_REDIS_SCHEMES = ("redis", "rediss", "unix")


class Settings(EmailSettings, MetaSettings, XSettings, WebchatSettings, BaseSettings):
    """Everything the service can be told; invalid values stop start-up with a clear message.

    Each channel's section (provider secrets, SMTP) is declared by its package
    (``channels/<package>/setup.py``); a section the registry lists but this class does not
    inherit stops start-up (``check_channel_sections``): static typing needs the bases
    written out, the registry keeps them complete."""

    model_config = SettingsConfigDict(
        env_prefix="AIGUILLAGE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_VAR_DIR}/aiguillage.db",
        description="sqlite:///path or postgresql://user@host/db",
    )
    broker_url: str = Field(default="memory://", description="memory:// or amqp://user:pw@host/")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs access tokens and chat sessions. Unset: a random key is generated "
        "once and kept in the database, so every process of one deployment shares it.",
    )

    @field_validator("secret_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # ``AIGUILLAGE_SECRET_KEY=`` (as docker-compose.yml passes an unset variable on)
        # means "not set": generate one and keep it in the database.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    # -- outbound delivery (every channel) ------------------------------------------------
    outbound_max_attempts: int = Field(default=8, ge=1, le=50)
    outbound_retry_base_seconds: float = Field(default=5.0, gt=0)
    outbound_retry_max_seconds: float = Field(default=900.0, gt=0)
    outbound_scan_seconds: float = Field(
        default=2.0, gt=0, description="how often replies due for a (re)try are queued"
    )
    outbound_stale_seconds: float = Field(
        default=300.0, gt=0, description="a send claimed this long ago by a vanished worker"
    )
    reply_file_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="the largest file an advisor may attach to a reply",
    )
    reply_max_files: int = Field(default=5, ge=1, le=20, description="files per reply")
    media_download_max_bytes: int = Field(
        default=25 * 1024 * 1024,
        ge=1024,
        description="the largest customer file fetched from a provider (WhatsApp, Messenger)",
    )

    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or networks (CIDR) of the reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed; empty: none, the client address is "
        "the TCP peer's (rate limits and login lockouts key on it)",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network: list the proxies' addresses, "
                    "e.g. 10.0.0.5,10.1.0.0/16 (a wildcard would let any client choose its "
                    "own address)"
                ) from None
        return ",".join(entries)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [entry for entry in self.trusted_proxies.split(",") if entry]

    access_token_seconds: int = Field(default=900, ge=30, le=86400)
    refresh_token_seconds: int = Field(default=14 * 86400, ge=300, le=365 * 86400)
    api_key_requests_per_second: float = Field(
        default=5000.0,
        gt=0,
        description="per API key, per process unless AIGUILLAGE_REDIS_URL is set (bursts up "
        "to 2 seconds' worth); a provider replaying a backlog sends thousands per second",
    )
    public_requests_per_minute: int = Field(
        default=120,
        ge=1,
        description="per client address on public endpoints, per process unless "
        "AIGUILLAGE_REDIS_URL is set",
    )
    login_failures_allowed: int = Field(
        default=5, ge=1, description="failed logins per account before it is slowed down"
    )
    retention_days: int | None = Field(
        default=None, ge=1, description="closed conversations older than this are purged"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "text", "json"] = Field(
        default="auto",
        description="text (human), json (one object per line, for log collectors), or auto: "
        "text on a terminal, json otherwise (containers, service managers, files)",
    )
    access_log: bool = Field(
        default=True,
        description="one INFO line per HTTP request (method, route, status, duration, request id)",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:6379/0: API rate limits and login throttles shared by every "
        "process; unset: each process limits on its own",
    )
    # -- Prometheus metrics (router.observability) ---------------------------------------
    metrics: bool = Field(default=True, description="record Prometheus metrics; false: none")
    metrics_address: str | None = Field(
        default=None,
        pattern=r"^[^\s:]*:\d{1,5}$",
        description="host:port where /metrics is served, without authentication, to this "
        "address only (e.g. 127.0.0.1:9464, or a private interface); unset: not served. The "
        "API serves it with the queue and advisor gauges; a worker serves its own counters "
        "only when it has no AIGUILLAGE_METRICS_DIR (the API then merges them)",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description="a directory shared by the processes of one host (API, workers): each "
        "writes its counters there and /metrics adds them up (Prometheus multiprocess mode)",
    )

    @field_validator("metrics_dir", "metrics_address", mode="before")
    @classmethod
    def _empty_metrics_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_address")
    @classmethod
    def _metrics_port(cls, value: str | None) -> str | None:
        if value is not None and not 1 <= int(value.rpartition(":")[2]) <= 65535:
            raise ValueError("the port must be between 1 and 65535")
        return value

    @property
    def metrics_host_port(self) -> tuple[str, int] | None:
        if self.metrics_address is None:
            return None
        host, _, port = self.metrics_address.rpartition(":")
        return host or "0.0.0.0", int(port)

    queue_prefix: str = Field(default="aiguillage", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    delivery_limit: int = Field(default=5, ge=1, le=100, description="attempts before dead-letter")
    worker_concurrency: int = Field(
        default=256, ge=1, le=5000, description="deliveries in hand per worker (prefetch)"
    )
    demo: bool = Field(
        default=False,
        description="demo mode, never in production: the console offers to send a test "
        "message as a customer, and the chat widget's demo shop is served at /widget-demo",
    )
    live_poll_seconds: float = Field(
        default=0.5, gt=0, le=10, description="how often the staff live channel reads new events"
    )
    run_worker_in_api: bool = Field(
        default=True, description="serve also runs the pipeline worker (embedded default)"
    )
    sweep_interval_seconds: float = Field(default=15.0, gt=0)
    sweep_after_seconds: float = Field(
        default=30.0, gt=0, description="republish a stored, unprocessed message after this long"
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    escalation_interval_seconds: float = Field(
        default=5.0, gt=0, description="how often waiting conversations are escalated and retried"
    )
    alert_webhook_url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="supervisor alerts (anger, long waits) are POSTed here, signed; unset: off",
    )
    alert_webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key signing the alert webhook's bodies"
    )
    alert_webhook_attempts: int = Field(default=5, ge=1, le=50)
    alert_webhook_retry_seconds: float = Field(
        default=2.0, gt=0, le=3600, description="first retry delay; doubles at each attempt"
    )
    # Tickets.
    reopen_window_hours: float = Field(
        default=72.0,
        ge=0,
        le=24 * 365,
        description="a customer writing within this time after a resolution reopens it; "
        "later, the resolved conversation is closed and a new one is linked to it",
    )
    pending_resolve_hours: float | None = Field(
        default=168.0,
        gt=0,
        description="a pending conversation with no answer from the customer for this long is "
        "resolved; empty: never",
    )
    ticket_clock_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="how often SLA due times and windows are checked"
    )
    csat_enabled: bool = Field(
        default=True, description="send a satisfaction survey after each resolution"
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="the address customers reach this service at (survey links)",
    )

    @model_validator(mode="after")
    def _alert_webhook_is_signed(self) -> Settings:
        if self.alert_webhook_url and (
            self.alert_webhook_secret is None
            or len(self.alert_webhook_secret.get_secret_value()) < 16
        ):
            raise ValueError(
                "AIGUILLAGE_ALERT_WEBHOOK_URL needs AIGUILLAGE_ALERT_WEBHOOK_SECRET "
                "(at least 16 characters) to sign what it sends"
            )
        return self

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if not sep or scheme.lower() not in _DATABASE_SCHEMES:
            raise ValueError(
                f"unsupported database URL scheme {scheme!r}: use sqlite:///path/to/file.db "
                "or postgresql://user:password@host:5432/dbname"
            )
        return f"{_DATABASE_SCHEMES[scheme.lower()]}://{rest}"

    @field_validator("redis_url", mode="before")
    @classmethod
    def _check_redis_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None  # ``AIGUILLAGE_REDIS_URL=``: not set
        if isinstance(value, str) and value.partition("://")[0].lower() not in _REDIS_SCHEMES:
            raise ValueError(
                f"unsupported Redis URL {value.split('@')[-1]!r}: use redis://host:6379/0, "
                "rediss:// (TLS) or unix:///path/to/redis.sock"
            )
        return value

    @field_validator("broker_url")
    @classmethod
    def _check_broker_url(cls, value: str) -> str:
        scheme = value.partition("://")[0].lower()
        if "://" not in value or scheme not in _BROKER_SCHEMES:
            raise ValueError(
                f"unsupported broker URL {value.split('@')[-1]!r}: use memory:// (in-process) "
                "or amqp://user:password@host:5672/"
            )
        return value

    @model_validator(mode="after")
    def _memory_broker_needs_its_worker(self) -> Settings:
        if self.broker_scheme == "memory" and not self.run_worker_in_api:
            raise ValueError(
                "the memory:// broker lives inside the API process, so the API must run the "
                "worker: keep AIGUILLAGE_RUN_WORKER_IN_API=true or use amqp://"
            )
        return self

    @property
    def broker_scheme(self) -> str:
        return self.broker_url.partition("://")[0].lower()


def _describe(error: dict[str, object]) -> str:
    """One validation error, named after the environment variable that caused it."""
    location = error.get("loc") or ()
    assert isinstance(location, tuple)
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if not location:  # a check across several settings
        return message
    return f"AIGUILLAGE_{'_'.join(str(part) for part in location).upper()}: {message}"


def check_channel_sections(settings_class: type[BaseSettings]) -> None:
    """Refuse a settings class that lacks a section a registered channel package declares."""
    missing = [
        f"{setup.SECTION.__module__}.{setup.SECTION.__qualname__}"
        for setup in registry.setups()
        if not issubclass(settings_class, setup.SECTION)
    ]
    if missing:
        raise ConfigurationError(f"settings lack the channel sections {', '.join(missing)}")


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into one readable ConfigurationError."""
    check_channel_sections(Settings)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(_describe(dict(err)) for err in exc.errors())
        raise ConfigurationError(f"invalid settings: {problems}") from None
