"""TELEGRAM_WEBHOOK_URL must use a port Telegram posts to: 443, 80, 88 or 8443."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.settings import WEBHOOK_PORTS, load_settings, webhook_port_problem

SECRET = "s3cret-token_1"


@pytest.mark.parametrize("url", [
    "https://bot.example.com/telegram/webhook",  # 443 by default
    "https://bot.example.com:443/telegram/webhook",
    "https://bot.example.com:88/telegram/webhook",
    "https://bot.example.com:8443/telegram/webhook",
])  # fmt: skip
def test_the_four_ports_are_accepted(url: str) -> None:
    assert webhook_port_problem(url) is None
    settings = load_settings(telegram_webhook_url=url, telegram_webhook_secret=SECRET)
    assert settings.telegram_webhook_url is not None
    assert settings.telegram_webhook_url.port in WEBHOOK_PORTS


def test_another_port_stops_start_up_naming_the_variable_and_the_ports() -> None:
    url = "https://bot.example.com:8080/telegram/webhook"
    with pytest.raises(ConfigError) as refused:
        load_settings(telegram_webhook_url=url, telegram_webhook_secret=SECRET)
    message = str(refused.value)
    assert message.startswith("TELEGRAM_WEBHOOK_URL: port 8080")
    assert "allowed: 443, 80, 88, 8443" in message
    assert WEBHOOK_PORTS == (443, 80, 88, 8443)
    assert webhook_port_problem("http://bot.example.com:80/x") is None
