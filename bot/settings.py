"""Tandem's settings: one typed object, read once from the environment and `.env`.

A missing or malformed value stops start-up with one line that names the
variable and says what it expects (see ``load_settings``).
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from handoff.review.accounts import parse_accounts
from handoff.review.config import ReviewSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TELEGRAM_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
# The only ports Telegram posts webhooks to (Bot API, setWebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)


def webhook_port_problem(url: str) -> str | None:
    """Why Telegram would never post to this webhook URL's port; None when the port is fine."""
    port = AnyHttpUrl(url).port
    if port in WEBHOOK_PORTS:
        return None
    allowed = ", ".join(str(p) for p in WEBHOOK_PORTS)
    return f"TELEGRAM_WEBHOOK_URL: port {port} is not one Telegram posts to (allowed: {allowed})"


class SlackMode(StrEnum):
    SOCKET = "socket"
    HTTP = "http"


class Settings(BaseSettings):
    """Every variable is documented in `.env.example`."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # `VAR=` (as in .env.example) means "not set", not "set to the empty string".
        env_ignore_empty=True,
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    # Webhook mode (bot/telegram/webhook.py): Telegram posts to this public https URL, which
    # must reach POST /telegram/webhook on a worker; unset: long polling.
    telegram_webhook_url: AnyHttpUrl | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Messages per minute one customer may send before the bot stops triaging them one by
    # one (handoff/flows/flood.py); nothing above the limit is dropped.
    customer_rate_limit_per_minute: Annotated[int, Field(ge=1)] = 20
    # Sends per second the bot makes, across all workers (a bucket in Redis; each worker's
    # PTB AIORateLimiter keeps the same pace too). Telegram allows a bot about 30 (more
    # with paid broadcasts).
    telegram_max_sends_per_second: Annotated[int, Field(ge=1)] = 30

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    slack_handoff_channel: str | None = None

    redis_url: str | None = None
    rasa_url: AnyHttpUrl | None = None

    http_host: str = "127.0.0.1"
    http_port: Annotated[int, Field(ge=0, le=65535)] = 8080
    playground_port: Annotated[int, Field(ge=0, le=65535)] = 8000
    # Proxies whose X-Forwarded-For/-Proto are believed (bot/serve.py), as uvicorn's
    # FORWARDED_ALLOW_IPS: addresses or networks, comma-separated, or *; unset: none.
    forwarded_allow_ips: str | None = None
    # /metrics (bot/http_app.py): with METRICS_TOKEN, only with "Authorization: Bearer
    # <token>"; with METRICS_PORT, on its own listener at METRICS_HOST (not the main one);
    # with neither, only when HTTP_HOST is a loopback address and not through a proxy.
    metrics_token: SecretStr | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: Annotated[int, Field(ge=0, le=65535)] | None = None

    data_dir: Path = PROJECT_ROOT / "data"
    state_dir: Path = PROJECT_ROOT / ".tandem"

    triage_min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.6
    triage_min_margin: Annotated[float, Field(ge=0, le=1)] = 0.15
    triage_negative_sentiment: Annotated[float, Field(ge=-1, le=1)] = -0.3

    offer_timeout_seconds: Annotated[float, Field(gt=0)] = 120.0
    log_level: str = "INFO"

    # Supervisor review (handoff/review/): accounts, the cookie secret, how long transcripts stay.
    review_users: str | None = None
    review_secret: SecretStr | None = None
    retention_days: Annotated[int, Field(ge=1)] = 365
    # Where supervisors open the dashboard (links in Slack alerts); unset: the worker's address.
    review_base_url: AnyHttpUrl | None = None
    # A supervisor's session ends after this long without a request, or this long after
    # sign-in, whichever comes first (handoff/storage/records/review_sessions.py).
    review_session_idle_minutes: Annotated[float, Field(gt=0)] = 30.0
    review_session_max_hours: Annotated[float, Field(gt=0)] = 8.0

    @field_validator("telegram_bot_token")
    @classmethod
    def _telegram_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TELEGRAM_TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("expected a bot token like 123456789:AAE... from @BotFather")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url_https(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and value.scheme != "https":
            raise ValueError("expected a public https:// URL (Telegram posts only to https)")
        if value is not None and (problem := webhook_port_problem(str(value))) is not None:
            raise ValueError(problem.removeprefix("TELEGRAM_WEBHOOK_URL: "))
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_RE.match(value.get_secret_value()):
            raise ValueError("expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_has_secret(self) -> Settings:
        if self.telegram_webhook_url is not None and self.telegram_webhook_secret is None:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set "
                "(1 to 256 characters of A-Z, a-z, 0-9, _ and -)"
            )
        return self

    @field_validator("slack_bot_token")
    @classmethod
    def _slack_bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _require_prefix(value, "xoxb-", "a bot token starting with xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _slack_app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _require_prefix(value, "xapp-", "an app-level token starting with xapp-")

    @field_validator("redis_url")
    @classmethod
    def _redis_url_shape(cls, value: str | None) -> str | None:
        schemes = (
            "redis://",
            "rediss://",
            "unix://",
            "redis+sentinel://",
            "redis+cluster://",
            "rediss+cluster://",
        )
        if value is not None and not value.startswith(schemes):
            raise ValueError("expected a URL such as redis://localhost:6379/0")
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _forwarded_allow_ips_shape(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "*":
            return value
        for entry in (part.strip() for part in value.split(",")):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"expected addresses or networks separated by commas, or * (not {entry!r})"
                ) from None
        return value

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token_long(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("expected at least 16 characters (e.g. `openssl rand -hex 24`)")
        return value

    @field_validator("review_users")
    @classmethod
    def _review_users_shape(cls, value: str | None) -> str | None:
        parse_accounts(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level_name(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _tokens_together(self) -> Settings:
        has_telegram = self.telegram_bot_token is not None
        has_slack = self.slack_bot_token is not None
        if has_telegram and not has_slack:
            raise ValueError(
                "SLACK_BOT_TOKEN: required when TELEGRAM_BOT_TOKEN is set "
                "(unset both to run the local playground)"
            )
        if has_slack and not has_telegram:
            raise ValueError(
                "TELEGRAM_BOT_TOKEN: required when SLACK_BOT_TOKEN is set "
                "(unset both to run the local playground)"
            )
        if has_slack and self.slack_app_token is None and self.slack_signing_secret is None:
            raise ValueError(
                "SLACK_APP_TOKEN: set it for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode"
            )
        if has_slack and not self.slack_handoff_channel:
            raise ValueError("SLACK_HANDOFF_CHANNEL: expected the id of the default channel")
        return self

    @property
    def playground(self) -> bool:
        """No tokens at all: run against the local stand-ins for Telegram and Slack."""
        return self.telegram_bot_token is None

    @property
    def slack_mode(self) -> SlackMode:
        return SlackMode.SOCKET if self.slack_app_token is not None else SlackMode.HTTP

    def review_settings(self) -> ReviewSettings:
        """What supervisor review reads (handoff/review/config.py)."""
        secret = self.review_secret
        return ReviewSettings(
            data_dir=self.data_dir,
            state_dir=self.state_dir,
            redis_url=self.redis_url,
            users=self.review_users,
            secret=secret.get_secret_value() if secret else None,
            playground=self.playground,
            session_idle=self.review_session_idle_minutes * 60,
            session_lifetime=self.review_session_max_hours * 3600,
        )


def _require_prefix(value: SecretStr | None, prefix: str, expected: str) -> SecretStr | None:
    if value is not None and not value.get_secret_value().startswith(prefix):
        raise ValueError(f"expected {expected}")
    return value


def load_settings(**overrides: Any) -> Settings:
    """Read the settings once; turn pydantic's report into one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc)) from exc


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["loc"]:
        variable = str(error["loc"][0]).upper()
        given = error.get("input")
        shown = "" if "token" in variable.lower() or "secret" in variable.lower() else given
        suffix = f" (got {shown!r})" if isinstance(shown, str | int | float) and shown != "" else ""
        return f"{variable}: {message}{suffix}"
    return message
