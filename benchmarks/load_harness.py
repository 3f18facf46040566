"""The load benchmark's set-up: Valkey, Rasa, the playground fakes and one real worker,
plus the instruments that watch them without touching product code."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bot.settings import PROJECT_ROOT, Settings
from bot.worker import Endpoints, Worker
from handoff.embedded_redis import EmbeddedRedis
from nlu.local_rasa import start_local_rasa
from nlu.rasa_client import RasaClient
from nlu.result import NluResult
from playground.app import DEFAULT_CHANNEL, SLACK_BOT_TOKEN, TELEGRAM_TOKEN, Playground
from playground.serve import serve_app

JSON = dict[str, Any]
# Customer messages meant for a thread carry q<chat>x<n>, employee replies r<chat>x<n>.
TOKEN = re.compile(r"\b[qr]\d+x\d+\b")


@dataclass
class ParseLog:
    """Every ``RasaClient.parse`` the worker made: (text, started, finished), perf_counter."""

    calls: list[tuple[str, float, float]] = field(default_factory=list)


@contextmanager
def timing_parse(log: ParseLog) -> Iterator[None]:
    """Wrap ``RasaClient.parse`` for the benchmark process only (the worker builds its client
    inside ``start()`` and keeps no reference to it, so the class is wrapped, and restored)."""
    original = RasaClient.parse

    async def timed(self: RasaClient, text: str) -> NluResult:
        started = time.perf_counter()
        try:
            return await original(self, text)
        finally:
            log.calls.append((text, started, time.perf_counter()))

    RasaClient.parse = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        RasaClient.parse = original  # type: ignore[method-assign]


class SlackIndex:
    """An incremental index of the fake Slack's channels, so thousands of waiters can each
    look up their own card or thread post in O(1) instead of scanning every channel."""

    def __init__(self, pg: Playground) -> None:
        self.pg = pg
        self._seen: dict[str, int] = {}
        self.cards: dict[str, JSON] = {}  # first name → top-level handoff card
        self.posts: dict[str, list[JSON]] = {}  # token (q1x2, r1x2) → messages carrying it

    def refresh(self) -> None:
        for channel in self.pg.slack.workspace.channels.values():
            start = self._seen.get(channel.id, 0)
            for message in channel.messages[start:]:
                message = {**message, "channel": channel.id}
                text = str(message.get("text") or "")
                for token in set(TOKEN.findall(text)):
                    self.posts.setdefault(token, []).append(message)
                top = message.get("thread_ts") in (None, message["ts"])
                if top and " needs a person" in text:
                    self.cards.setdefault(text.split(" needs a person", 1)[0].split()[-1], message)
            self._seen[channel.id] = len(channel.messages)

    async def wait(self, probe: Any, timeout: float) -> Any:  # noqa: ASYNC109
        def indexed() -> Any:
            self.refresh()
            return probe()

        return await self.pg.slack.workspace.wait_for(indexed, timeout, lambda: "timed out")


@dataclass
class Bench:
    pg: Playground
    worker: Worker
    redis: Redis
    rasa_url: str
    parses: ParseLog
    slack: SlackIndex


@asynccontextmanager
async def running(rate_limit: int) -> AsyncIterator[Bench]:
    """Everything the load runs against, wired like benchmarks/loop_latency.py."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    async with AsyncExitStack() as stack:
        state = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tandem-load-")))
        embedded = EmbeddedRedis(state / "valkey")
        redis_url = await embedded.start()
        stack.push_async_callback(embedded.stop)
        rasa_url = os.environ.get("RASA_URL") or await start_local_rasa(stack, state)
        pg = Playground.for_business(PROJECT_ROOT / "data")
        url = await stack.enter_async_context(serve_app(pg.app()))
        stack.push_async_callback(pg.telegram.aclose)
        stack.push_async_callback(pg.slack.aclose)
        parses = ParseLog()
        stack.enter_context(timing_parse(parses))
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            http_port=0,
            state_dir=state,
            customer_rate_limit_per_minute=rate_limit,
        )
        worker = Worker(
            settings,
            Endpoints(
                redis_url=redis_url,
                rasa_url=rasa_url,
                telegram_token=TELEGRAM_TOKEN,
                telegram_api=f"{url}/telegram",
                slack_token=SLACK_BOT_TOKEN,
                slack_api=f"{url}/slack/api/",
                slack_channel=DEFAULT_CHANNEL,
                slack_signing_secret=pg.signing_secret,
            ),
        )
        await worker.start()
        stack.push_async_callback(worker.stop)
        pg.slack.set_request_url(f"{worker.http_url}/slack/events")
        redis = Redis.from_url(redis_url)
        stack.push_async_callback(redis.aclose)
        yield Bench(pg, worker, redis, rasa_url, parses, SlackIndex(pg))


def peak_rss_mb() -> tuple[float, float]:
    """(VmHWM, VmRSS) of this process in MB, from /proc/self/status."""
    found = {"VmHWM": 0.0, "VmRSS": 0.0}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in found:
            found[name] = int(value.split()[0]) / 1024
    return found["VmHWM"], found["VmRSS"]
