"""Where a worker connects: the real services, or the playground's stand-ins (``tandem run``
fills it from the settings, or from the playground when no tokens are set)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    """Where this worker connects: the real services, or the playground's stand-ins."""

    redis_url: str
    rasa_url: str
    telegram_token: str
    telegram_api: str
    slack_token: str
    slack_api: str
    slack_channel: str
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # Telegram webhook mode (bot/telegram/webhook.py); unset: long polling.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
