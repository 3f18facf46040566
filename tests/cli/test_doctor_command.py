"""``tandem doctor`` as an operator runs it, against the fake Telegram and Slack servers,
the session's Valkey and the shared Rasa server: one verdict per line, exit 1 on FAIL."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.serve import serve_app
from handoff.queues.lanes import Lanes
from handoff.slack.doctor import manifest_scopes
from playground.app import Playground
from playground.fake_slack.api import MANIFEST_SCOPES
from tests.cli.test_run_command import ROOT, _real_mode

pytestmark = pytest.mark.rasa


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[Playground, str]]:
    pg = Playground.for_business(ROOT / "data")
    async with serve_app(pg.app()) as url:
        yield pg, url
    await pg.telegram.aclose()
    await pg.slack.aclose()


async def _doctor(env: dict[str, str]) -> tuple[int, dict[str, str]]:
    """The exit code and each line's verdict by check name: {"slack scopes": "ok", ...}."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "doctor", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert "Traceback" not in err.decode(), err.decode()
    verdicts = {}
    for line in out.decode().splitlines():
        level, _, rest = line.partition(" ")
        name, _, why = rest.strip().partition(": ")
        verdicts[name] = f"{level} {why}"
    assert process.returncode is not None
    return process.returncode, verdicts


def _current_data(tmp_path: Path) -> str:
    """The business data with its demo of an expired answer made current."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    answers = data / "answers.yml"
    text = re.sub(r"(?m)^(\s+valid_until:) \S+", r"\1 2099-12-31", answers.read_text())
    answers.write_text(text)
    return str(data)


def test_the_fake_slack_grants_the_manifests_scopes() -> None:
    assert set(MANIFEST_SCOPES) == manifest_scopes()


async def test_doctor_passes_when_everything_is_in_place(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str, redis: Redis
) -> None:
    pg, url = fakes
    env = _real_mode(
        tmp_path, url, pg, REDIS_URL=redis_url, RASA_URL=rasa_url, DATA_DIR=_current_data(tmp_path)
    )
    code, verdicts = await _doctor(env)
    assert code == 0, verdicts
    assert verdicts["slack scopes"].startswith("ok "), verdicts
    for label in ("handoff channel C0HANDOFF", "downtown channel C0DOWNTOWN",
                  "riverside channel C0RIVERSIDE", "northgate channel C0NORTHGATE"):  # fmt: skip
        assert verdicts[f"slack {label}"] == "ok the bot is a member"
    assert verdicts["rasa"].startswith("ok ")
    aof = (await redis.config_get("appendonly"))["appendonly"]
    expected = "ok answers PING; AOF is on" if aof in ("yes", b"yes") else "WARN answers PING, but"
    assert verdicts["redis"].startswith(expected), verdicts["redis"]
    assert verdicts["queues"] == "ok inbox 0 waiting, outbox 0 waiting; none given up"


async def test_doctor_warns_about_sends_given_up(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str, redis: Redis
) -> None:
    pg, url = fakes
    outbox = Lanes(redis, name="out")
    await outbox.put("tg:42", {"kind": "text"}, now=time.time())
    job = await outbox.head("tg:42")
    assert job is not None
    await outbox.bury(job, "gave up: Telegram refused: Forbidden")
    await outbox.put("tg:43", {"kind": "text"}, now=time.time())
    env = _real_mode(tmp_path, url, pg, REDIS_URL=redis_url, RASA_URL=rasa_url)
    try:
        _, verdicts = await _doctor(env)
    finally:
        await redis.flushdb()  # the made-up job must not reach a later test's worker
    assert verdicts["queues"] == (
        "WARN inbox 0 waiting, outbox 1 waiting; 1 given up (see the dead-letter streams)"
    )


async def test_doctor_fails_on_a_missing_scope_and_a_channel_without_the_bot(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str
) -> None:
    pg, url = fakes
    pg.slack.set_scopes([s for s in MANIFEST_SCOPES if s != "files:read"])
    pg.slack.workspace.channel("C0NORTHGATE").members.discard(pg.slack.identity.bot_user_id)
    env = _real_mode(tmp_path, url, pg, REDIS_URL=redis_url, RASA_URL=rasa_url)
    code, verdicts = await _doctor(env)
    assert code == 1
    assert verdicts["slack scopes"].startswith("FAIL missing files:read: update the app")
    assert verdicts["slack northgate channel C0NORTHGATE"].startswith(
        "FAIL the bot is not a member"
    )
    assert verdicts["slack riverside channel C0RIVERSIDE"] == "ok the bot is a member"


async def test_doctor_warns_on_scopes_tandem_does_not_use(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str
) -> None:
    pg, url = fakes
    pg.slack.set_scopes([*MANIFEST_SCOPES, "users:read.email"])
    env = _real_mode(tmp_path, url, pg, REDIS_URL=redis_url, RASA_URL="http://127.0.0.1:1")
    code, verdicts = await _doctor(env)
    assert code == 1  # the unreachable Rasa fails; the extra scope only warns
    assert verdicts["slack scopes"] == (
        "WARN also granted users:read.email, which Tandem does not use"
    )
    assert verdicts["rasa"].startswith("FAIL RASA_URL: no Rasa server answers")


async def test_a_stale_answer_warns_and_a_broken_data_file_fails(
    tmp_path: Path, fakes: tuple[Playground, str], redis_url: str, rasa_url: str
) -> None:
    pg, url = fakes
    env = _real_mode(tmp_path, url, pg, REDIS_URL=redis_url, RASA_URL=rasa_url)
    code, verdicts = await _doctor(env)  # the shipped data: one fact expired on purpose
    assert code == 0, verdicts
    assert verdicts["data files"].startswith("WARN valid, but not current"), verdicts
    assert "ask_services.facts.riverside.valid_until: expired" in verdicts["data files"]

    broken = tmp_path / "broken"
    shutil.copytree(ROOT / "data", broken)
    answers = broken / "answers.yml"
    typo = re.sub(r"(?m)^(\s+)review_by:", r"\1review_bye:", answers.read_text(), count=1)
    answers.write_text(typo)
    code, verdicts = await _doctor({**env, "DATA_DIR": str(broken)})
    assert code == 1
    assert verdicts["data files"].startswith("FAIL "), verdicts
    assert "review_bye" in verdicts["data files"]
