"""The fault tests' world: the playground's fakes served on a real port, a Valkey server of
the test's own that can be stopped and started again, and workers, in this process (real
PTB, bolt, redis-py) or as ``tandem run`` processes that can be killed."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.endpoints import Endpoints
from bot.serve import serve_app
from bot.settings import Settings
from bot.worker import Worker
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from handoff.storage.connection.run_id import RUN_ID_ENV
from nlu.processes import die_with_parent
from nlu.project import PROJECT_ROOT
from nlu.rasa.local import free_port
from playground.app import SLACK_BOT_TOKEN, Playground
from tests.faults.traffic import DATA

# Offers stand for longer than any test: no re-offers mid-test (handoff/flows/offers.py).
OFFER_TIMEOUT = 600.0
READY = b"Tandem is running"  # what `tandem run` prints once the worker has started


class Fakes:
    """The fake Telegram and Slack, served at `url` for workers in and out of process."""

    def __init__(self, pg: Playground, url: str) -> None:
        self.pg = pg
        self.url = url

    def endpoints(self, *, redis_url: str, rasa_url: str, **extra: str) -> Endpoints:
        endpoints = Endpoints(**self.pg.endpoints(self.url, redis_url=redis_url, rasa_url=rasa_url))
        return dataclasses.replace(endpoints, **extra)

    def env(self, *, redis_url: str, rasa_url: str, http_port: int, state: Path) -> dict[str, str]:
        """`tandem run` in "real" mode pointed at the fakes (as tests/cli do)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=self.pg.telegram.token,
            TELEGRAM_API_BASE_URL=f"{self.url}/telegram",
            SLACK_BOT_TOKEN=SLACK_BOT_TOKEN,
            SLACK_API_URL=f"{self.url}/slack/api/",
            SLACK_SIGNING_SECRET=self.pg.signing_secret,
            SLACK_HANDOFF_CHANNEL="C0HANDOFF",
            REDIS_URL=redis_url,
            RASA_URL=rasa_url,
            HTTP_HOST="127.0.0.1",
            HTTP_PORT=str(http_port),
            STATE_DIR=str(state),
            OFFER_TIMEOUT_SECONDS=str(OFFER_TIMEOUT),
            LOG_LEVEL="INFO",
        )
        return env


@pytest_asyncio.fixture(loop_scope="session")
async def fakes() -> AsyncIterator[Fakes]:
    pg = Playground.for_business(DATA)
    # Slack retries an event the app failed at once, after 1 and after 5 minutes; here on a
    # clock ten times as fast (6 s, 30 s), which covers each fault. Clicks get one try, as
    # in Slack (the employees click again).
    pg.slack.set_retry_time_scale(0.1)
    async with serve_app(pg.app()) as url:
        yield Fakes(pg, url)
        await pg.telegram.aclose()
        await pg.slack.aclose()


class Valkey:
    """A Valkey server with append-only persistence on a fixed port, so it can be stopped
    and started again at the same URL with its data."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server = EmbeddedRedis(data_dir, port=self.port)

    async def start(self, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while True:  # the port may take a moment to be free again after a stop
            try:
                await self.server.start()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def stop(self) -> None:
        await self.server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def valkey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Valkey]:
    server = Valkey(tmp_path / "valkey")
    await server.start()
    # `tandem run` processes (their env is this one's) join this test's Valkey only.
    monkeypatch.setenv(RUN_ID_ENV, server.server.run_id)
    yield server
    await server.stop()


class Workers:
    """Workers in this process, each with its own settings; all stopped after the test."""

    def __init__(self, fakes: Fakes, tmp_path: Path) -> None:
        self.fakes = fakes
        self.tmp_path = tmp_path
        self.started: list[Worker] = []

    async def start(
        self, *, redis_url: str, rasa_url: str, http_port: int = 0, **extra: str
    ) -> Worker:
        """A worker in Slack HTTP mode; with `telegram_webhook_url` in `extra`, in Telegram
        webhook mode (else long polling). The caller points the fake Slack at it."""
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            http_host="127.0.0.1",
            http_port=http_port,
            state_dir=self.tmp_path / f"worker-{len(self.started)}",
            data_dir=DATA,
            offer_timeout_seconds=OFFER_TIMEOUT,
        )
        endpoints = self.fakes.endpoints(redis_url=redis_url, rasa_url=rasa_url, **extra)
        worker = Worker(settings, endpoints)
        await worker.start()
        self.started.append(worker)
        return worker

    async def stop_all(self) -> None:
        for worker in reversed(self.started):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(worker.stop(), 20)


@pytest_asyncio.fixture(loop_scope="session")
async def workers(fakes: Fakes, valkey: Valkey, tmp_path: Path) -> AsyncIterator[Workers]:
    pool = Workers(fakes, tmp_path)
    yield pool
    await pool.stop_all()


class WorkerProcess:
    """``python -m bot.cli run`` (what ``tandem run`` runs) as a child process, logging
    to a file; it can be killed with SIGKILL and started again on the same port."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int) -> None:
        self.env = env
        self.log_path = log_path
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, within: float = 30.0) -> None:
        """Start it and wait until it says it runs (after it polls Telegram and serves)."""
        with self.log_path.open("ab") as log:
            offset = log.tell()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=die_with_parent(),  # ends with the test run, even a killed one
            )
        deadline = time.monotonic() + within
        while READY not in self.log_path.read_bytes()[offset:]:
            if self.process.returncode is not None:
                raise AssertionError(f"the worker exited at start:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start in {within}s:\n{self.tail()}")
            await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no clean-up, whatever it was doing is cut off."""
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])
