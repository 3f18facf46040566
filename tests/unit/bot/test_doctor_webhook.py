"""``tandem doctor``'s webhook line: the port is one Telegram posts to, and what Telegram
itself reports (getWebhookInfo), against the fake Telegram over HTTP."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.doctor import _webhook
from bot.errors import CheckFailed
from bot.serve import serve_app
from bot.settings import Settings, load_settings
from handoff.slack.doctor import Doubt
from playground.fake_telegram.server import FakeTelegram

TOKEN = "123456789:" + "A" * 35
HOOK = "https://bot.example.com:8443/telegram/webhook"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram(TOKEN)
    async with serve_app(fake.app) as url:
        yield fake, url
    await fake.aclose()


def _settings(api: str, hook: str = HOOK) -> Settings:
    return load_settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api,
        telegram_webhook_url=hook,
        telegram_webhook_secret="s3cret",
        slack_bot_token="xoxb-1-2-3",
        slack_app_token="xapp-1-2",
        slack_handoff_channel="C123",
    )


async def test_an_allowed_port_with_telegram_posting_there_is_ok(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.state.webhook.configure(HOOK, "s3cret")
    try:
        assert await _webhook(_settings(url)) == (
            "port 8443 is allowed; no delivery error reported"
        )
    finally:
        fake.state.webhook.configure("", None)


async def test_telegram_posting_elsewhere_or_failing_is_a_warning(
    telegram: tuple[FakeTelegram, str],
) -> None:
    fake, url = telegram
    fake.state.webhook.configure("https://old.example.com/hook", None)
    try:
        with pytest.raises(Doubt, match=r"^Telegram posts to https://old\.example\.com/hook;"):
            await _webhook(_settings(url))
        fake.state.webhook.configure(HOOK, "s3cret")
        # As the fake records a failed delivery (playground/fake_telegram/updates.py).
        fake.state.webhook.last_error_date = int(time.time())
        fake.state.webhook.last_error_message = "Connection refused"
        with pytest.raises(Doubt, match="last delivery failed: Connection refused"):
            await _webhook(_settings(url))
    finally:
        fake.state.webhook.configure("", None)


def test_a_port_telegram_never_posts_to_is_named_before_anything_runs() -> None:
    with pytest.raises(Exception, match=r"TELEGRAM_WEBHOOK_URL: port 8080") as refused:
        _settings("https://api.telegram.org", "https://bot.example.com:8080/hook")
    assert not isinstance(refused.value, CheckFailed)  # start-up's ConfigError, not the doctor's
