"""Settings: one typed object; a bad value is one line naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from nlu.project import PROJECT_ROOT


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name.upper(), raising=False)


def test_env_example_as_is_starts_the_playground(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=PROJECT_ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.playground
    assert settings.redis_url is None
    assert settings.rasa_url is None
    assert settings.triage_min_confidence == 0.6


def test_every_variable_in_env_example_is_a_setting() -> None:
    names = {
        line.split("=", 1)[0]
        for line in (PROJECT_ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert names == {name.upper() for name in Settings.model_fields}


def test_real_mode_needs_both_tokens_and_a_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:" + "A" * 35)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-2")
    with pytest.raises(ConfigError, match=r"^SLACK_HANDOFF_CHANNEL: "):
        load_settings(_env_file=None)
    monkeypatch.setenv("SLACK_HANDOFF_CHANNEL", "C123")
    settings = load_settings(_env_file=None)
    assert not settings.playground
    assert settings.slack_mode == "socket"


def test_a_secret_is_never_echoed_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "not-a-bot-token-but-secret")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert "not-a-bot-token-but-secret" not in str(caught.value)
    assert str(caught.value).startswith("SLACK_BOT_TOKEN: expected a bot token starting with")


def test_a_relative_data_dir_is_read_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert load_settings(_env_file=None).data_dir == tmp_path


def test_forwarded_allow_ips_default_to_none_and_a_malformed_entry_is_named() -> None:
    assert load_settings(_env_file=None).forwarded_allow_ips is None
    given = load_settings(_env_file=None, forwarded_allow_ips="10.0.0.1, 172.30.80.0/24")
    assert given.forwarded_allow_ips == "10.0.0.1, 172.30.80.0/24"
    assert load_settings(_env_file=None, forwarded_allow_ips="*").forwarded_allow_ips == "*"
    with pytest.raises(ConfigError, match=r"^FORWARDED_ALLOW_IPS: .*'proxy.local'"):
        load_settings(_env_file=None, forwarded_allow_ips="10.0.0.1, proxy.local")


def test_metrics_settings_and_a_short_token_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(_env_file=None)
    assert (settings.metrics_token, settings.metrics_port) == (None, None)
    assert settings.metrics_host == "127.0.0.1"
    monkeypatch.setenv("METRICS_TOKEN", "short")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert str(caught.value).startswith("METRICS_TOKEN: expected at least 16 characters")
    assert "short" not in str(caught.value).removeprefix("METRICS_TOKEN: expected at least")


def test_review_session_limits_reach_the_review_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEW_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("REVIEW_SESSION_MAX_HOURS", "2")
    review = load_settings(_env_file=None).review_settings()
    assert (review.session_idle, review.session_lifetime) == (900, 7200)
    monkeypatch.setenv("REVIEW_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ConfigError, match=r"^REVIEW_SESSION_IDLE_MINUTES: "):
        load_settings(_env_file=None)
