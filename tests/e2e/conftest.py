"""The whole loop in-process: the playground's fake Telegram and Slack, real PTB and bolt
workers, the session's Valkey and Rasa servers, and a clock the tests control."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from bot.endpoints import Endpoints
from bot.serve import serve_app
from bot.settings import Settings
from bot.worker import Worker
from nlu.project import PROJECT_ROOT
from playground.app import (
    Playground,
)

DATA = PROJECT_ROOT / "data"
DETROIT = ZoneInfo("America/Detroit")


class Clock:
    """A settable clock; starts on a Tuesday at 11:00 in the stores' timezone."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 11, 0, tzinfo=DETROIT).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest_asyncio.fixture(loop_scope="session")
async def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture(loop_scope="session")
async def playground() -> AsyncIterator[tuple[Playground, str]]:
    pg = Playground.for_business(DATA)
    async with serve_app(pg.app(), ws="websockets-sansio") as url:  # FakeSlack's Socket Mode
        yield pg, url
    await pg.telegram.aclose()
    await pg.slack.aclose()


SlackMode = Literal["http", "socket"]


@pytest.fixture
def slack_mode() -> SlackMode:
    """How workers get Slack's events: `parametrize("slack_mode", ...)` to run in Socket Mode."""
    return "http"


class StartWorker(Protocol):
    def __call__(
        self,
        *,
        slack_mode: SlackMode | None = None,
        data_dir: Path | None = None,
        rasa: str | None = None,
    ) -> Awaitable[Worker]: ...


@pytest_asyncio.fixture(loop_scope="session")
async def start_worker(
    playground: tuple[Playground, str],
    redis: Redis,
    redis_url: str,
    rasa_url: str,
    clock: Clock,
    tmp_path: Path,
    slack_mode: SlackMode,
) -> AsyncIterator[StartWorker]:
    """Starts a worker wired to the playground; every worker is stopped after the test."""
    pg, url = playground
    workers: list[Worker] = []
    default_mode = slack_mode

    async def start(
        *,
        slack_mode: SlackMode | None = None,
        data_dir: Path | None = None,
        rasa: str | None = None,
    ) -> Worker:
        """`data_dir`: other business data; `rasa`: another Rasa URL (e.g. one a test stops)."""
        socket_mode = (slack_mode or default_mode) == "socket"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, http_port=0, state_dir=tmp_path, data_dir=data_dir or DATA
        )
        endpoints = Endpoints(
            **pg.endpoints(
                url, redis_url=redis_url, rasa_url=rasa or rasa_url, socket_mode=socket_mode
            )
        )
        worker = Worker(settings, endpoints, clock=clock)
        await worker.start()
        workers.append(worker)
        if socket_mode:
            pg.slack.set_request_url(None)  # so nothing reaches the worker but the socket
            await pg.slack.wait_for_socket()
        else:
            pg.slack.set_request_url(f"{worker.http_url}/slack/events")
        return worker

    yield start
    for worker in workers:
        await worker.stop()


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 5.0) -> None:
    """Wait for something the worker finishes just after its visible effect."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {within}s")
        await asyncio.sleep(0.02)
