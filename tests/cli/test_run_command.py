"""``tandem run`` as an operator meets it: one clear line for bad settings and unreachable
services, and a clean start and stop of the whole product."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.serve import serve_app
from playground.app import Playground

TANDEM = [sys.executable, "-m", "bot.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.pop("REDIS_URL", None)
    env.pop("RASA_URL", None)
    env.update(STATE_DIR=str(tmp_path / "state"), HTTP_PORT="0", PLAYGROUND_PORT="0")
    env.update(values)
    return env


async def _tandem(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *TANDEM,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, err.decode()


def _one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("tandem: ")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN: expected a bot token"),
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL: expected a URL such as redis://"),
        ("HTTP_PORT", "eighty", "HTTP_PORT: Input should be a valid integer"),
        ("TRIAGE_MIN_CONFIDENCE", "2", "TRIAGE_MIN_CONFIDENCE: Input should be less than"),
        ("SLACK_BOT_TOKEN", "xoxb-1", "TELEGRAM_BOT_TOKEN: required when SLACK_BOT_TOKEN"),
    ],
)
async def test_malformed_setting_is_one_line_naming_the_variable(
    tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    code, stderr = await _tandem(_env(tmp_path, **{variable: value}), "run")
    assert code == 2
    assert expected in _one_clear_line(stderr)


@pytest.mark.rasa
async def test_unreachable_redis_is_one_line(tmp_path: Path, rasa_url: str) -> None:
    env = _env(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", RASA_URL=rasa_url)
    code, stderr = await _tandem(env, "run")
    assert code == 4
    assert _one_clear_line(stderr).startswith("tandem: REDIS_URL: Redis does not answer")


async def test_unreachable_rasa_is_one_line(tmp_path: Path, redis_url: str) -> None:
    env = _env(tmp_path, REDIS_URL=redis_url, RASA_URL="http://127.0.0.1:1")
    code, stderr = await _tandem(env, "run")
    assert code == 4
    assert "RASA_URL: no Rasa server answers at http://127.0.0.1:1" in _one_clear_line(stderr)


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[Playground, str]]:
    pg = Playground.for_business(ROOT / "data")
    async with serve_app(pg.app()) as url:
        yield pg, url
    await pg.telegram.aclose()
    await pg.slack.aclose()


def _real_mode(tmp_path: Path, url: str, pg: Playground, **values: str) -> dict[str, str]:
    """Settings for "real" Telegram and Slack, pointed at the fake servers."""
    settings = {
        "TELEGRAM_BOT_TOKEN": pg.telegram.token,
        "TELEGRAM_API_BASE_URL": f"{url}/telegram",
        "SLACK_BOT_TOKEN": "xoxb-playground-local-only",
        "SLACK_API_URL": f"{url}/slack/api/",
        "SLACK_SIGNING_SECRET": pg.signing_secret,
        "SLACK_HANDOFF_CHANNEL": "C0HANDOFF",
    }
    settings.update(values)
    return _env(tmp_path, **settings)


@pytest.mark.rasa
async def test_wrong_telegram_token_is_one_line(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str
) -> None:
    pg, url = fakes
    env = _real_mode(
        tmp_path,
        url,
        pg,
        REDIS_URL=redis_url,
        RASA_URL=rasa_url,
        TELEGRAM_BOT_TOKEN="5550001234:WRONG-token-rejected-by-the-server",
    )
    code, stderr = await _tandem(env, "run")
    assert code == 2
    assert _one_clear_line(stderr) == "tandem: TELEGRAM_BOT_TOKEN: Telegram rejected the token"


@pytest.mark.rasa
async def test_wrong_slack_token_is_one_line(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str
) -> None:
    pg, url = fakes
    env = _real_mode(
        tmp_path, url, pg, REDIS_URL=redis_url, RASA_URL=rasa_url, SLACK_BOT_TOKEN="xoxb-wrong"
    )
    code, stderr = await _tandem(env, "run")
    assert code == 2
    assert "SLACK_BOT_TOKEN: Slack rejected the token (invalid_auth)" in _one_clear_line(stderr)


@pytest.mark.rasa
@pytest.mark.e2e
async def test_run_serves_the_playground_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, rasa_url: str
) -> None:
    """No REDIS_URL: the embedded Valkey starts with persistence, and stops with Ctrl-C."""
    env = _env(tmp_path, RASA_URL=rasa_url)
    process = await asyncio.create_subprocess_exec(
        *TANDEM,
        "run",
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert process.stderr is not None
    url = ""
    async with asyncio.timeout(60):
        while not url:
            line = (await process.stderr.readline()).decode()
            assert line, "tandem run exited before printing the playground's address"
            if found := re.search(r"open (http://\S+)", line):
                url = found.group(1)
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        assert (await http.get("/")).status_code == 200
        sent = await http.post(
            "/telegram/_fake/chats/42/messages",
            json={"text": "where is the downtown store?", "first_name": "Ana"},
        )
        assert sent.status_code == 200
        reply: list[dict[str, object]] = []
        async with asyncio.timeout(20):
            while not reply:
                await asyncio.sleep(0.2)
                chat = (await http.get("/telegram/_fake/chats/42/messages")).json()
                reply = [m for m in chat["messages"] if m["from_bot"]]
    assert "Downtown" in str(reply[0]["text"])

    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(30):
        code = await process.wait()
    assert code == 0
    assert (tmp_path / "state" / "valkey" / "appendonlydir").is_dir()  # persistence was on
    leftovers = await asyncio.create_subprocess_exec(
        "pgrep", "-f", str(tmp_path / "state"), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await leftovers.communicate()
    assert not out.strip(), "a process started by tandem run outlived it"
