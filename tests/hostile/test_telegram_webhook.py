"""Telegram webhook mode: updates POSTed to /telegram/webhook, guarded by the secret token."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from redis.asyncio import Redis

from bot.endpoints import Endpoints
from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.telegram.webhook import SECRET_HEADER
from bot.worker import Worker
from playground.app import Playground
from tests.e2e.conftest import DATA, Clock
from tests.e2e.desk_helpers import text_of
from tests.hostile.support import ErrorLogs

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

SECRET = "s3cret_Token-42"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest_asyncio.fixture(loop_scope="session")
async def webhook_worker(
    playground: tuple[Playground, str],
    redis: Redis,  # flushed: update ids start again at 1 on each test's fake
    redis_url: str,
    rasa_url: str,
    clock: Clock,
    tmp_path: Path,
) -> AsyncIterator[tuple[Worker, str]]:
    pg, url = playground
    port = _free_port()  # the public URL must be known before the worker serves it
    hook = f"http://127.0.0.1:{port}/telegram/webhook"  # the fake accepts http locally
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, http_port=port, state_dir=tmp_path, data_dir=DATA
    )
    endpoints = Endpoints(
        **pg.endpoints(
            url,
            redis_url=redis_url,
            rasa_url=rasa_url,
            telegram_webhook_url=hook,
            telegram_webhook_secret=SECRET,
        )
    )
    worker = Worker(settings, endpoints, clock=clock)
    await worker.start()
    pg.slack.set_request_url(f"{worker.http_url}/slack/events")
    yield worker, hook
    await worker.stop()


async def test_updates_arrive_by_webhook_with_the_secret(
    playground: tuple[Playground, str], webhook_worker: tuple[Worker, str]
) -> None:
    pg, _ = playground
    _, hook = webhook_worker
    info = pg.telegram.state.webhook.info()
    assert info["url"] == hook
    assert pg.telegram.state.webhook.secret_token == SECRET
    assert pg.telegram.calls_to("getUpdates") == []  # no polling at all
    await pg.telegram.customer_sends(7301, "what are your hours at riverside on saturday?")
    answer = await pg.telegram.wait_for_bot_message(7301)
    assert "Riverside" in text_of(answer)


async def test_webhook_refuses_requests_without_the_secret_and_drops_malformed_ones(
    playground: tuple[Playground, str], webhook_worker: tuple[Worker, str]
) -> None:
    pg, _ = playground
    _, hook = webhook_worker
    # The chat exists on the fake, as any real sender's does.
    await pg.telegram.customer_sends(7302, "what are your hours at riverside on saturday?")
    await pg.telegram.wait_for_bot_message(7302)
    forged = {
        "update_id": 990001,
        "message": {
            "message_id": 50,
            "date": 1,
            "chat": {"id": 7302, "type": "private"},
            "from": {"id": 7302, "is_bot": False, "first_name": "Eve"},
            "text": "what are your hours at riverside on saturday?",
        },
    }
    body = json.dumps(forged).encode()
    before = len(pg.telegram.bot_messages(7302))
    with ErrorLogs() as errors:
        async with httpx.AsyncClient(trust_env=False) as http:
            missing = await http.post(hook, content=body)
            wrong = await http.post(hook, content=body, headers={SECRET_HEADER: SECRET + "x"})
            empty = await http.post(hook, content=body, headers={SECRET_HEADER: ""})
            assert (missing.status_code, wrong.status_code, empty.status_code) == (403,) * 3
            headers = {SECRET_HEADER: SECRET}
            garbage = await http.post(hook, content=b"{not json", headers=headers)
            assert garbage.status_code == 400
            bad_updates: list[object] = [{"update_id": "x"}, [], {"update_id": 5, "message": {}}]
            for bad in bad_updates:
                dropped = await http.post(hook, content=json.dumps(bad).encode(), headers=headers)
                assert dropped.status_code == 200  # acknowledged, or Telegram redelivers forever
            huge = await http.post(hook, content=b" " * (2 * 1024 * 1024), headers=headers)
            assert huge.status_code == 413
    assert errors.records == []
    assert len(pg.telegram.bot_messages(7302)) == before  # nothing forged was answered
    # Still serving: the next real update is answered.
    await pg.telegram.customer_sends(7302, "what are your hours at riverside on saturday?")
    await pg.telegram.wait_for_bot_message(7302, after=before)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"TELEGRAM_WEBHOOK_URL": "https://bot.example.com/telegram/webhook"}, "SECRET: required"),
        (
            {"TELEGRAM_WEBHOOK_URL": "http://bot.example.com/hook", "TELEGRAM_WEBHOOK_SECRET": "a"},
            "TELEGRAM_WEBHOOK_URL: expected a public https:// URL",
        ),
        (
            {"TELEGRAM_WEBHOOK_URL": "https://b.example/h", "TELEGRAM_WEBHOOK_SECRET": "a b"},
            "TELEGRAM_WEBHOOK_SECRET: expected 1 to 256 characters",
        ),
        (
            {"TELEGRAM_WEBHOOK_URL": "https://b.example/h", "TELEGRAM_WEBHOOK_SECRET": "a" * 257},
            "TELEGRAM_WEBHOOK_SECRET: expected 1 to 256 characters",
        ),
        ({"CUSTOMER_RATE_LIMIT_PER_MINUTE": "0"}, "CUSTOMER_RATE_LIMIT_PER_MINUTE"),
    ],
)
def test_webhook_and_rate_limit_settings_are_validated(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], problem: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=problem) as raised:
        load_settings(_env_file=None)
    assert "a" * 20 not in str(raised.value)  # the secret is never echoed
