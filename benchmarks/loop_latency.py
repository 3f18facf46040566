"""Latency of the foundation loop, through the playground path.

Real PTB and bolt in one worker, the fake Telegram and Slack servers, a real Valkey
and a real Rasa server (``RASA_URL``, or one started here). Prints the median, p90
and p99 of:
  - customer message → the bot's answer (factual questions);
  - upset message → its handoff card in Slack;
  - handed-off customer message → its post in the Slack thread.

    python -m benchmarks.loop_latency [--messages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bot.endpoints import Endpoints
from bot.serve import serve_app
from bot.settings import Settings
from bot.worker import Worker
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from nlu.project import PROJECT_ROOT
from nlu.rasa.local import start_local_rasa
from playground.app import DEFAULT_CHANNEL, Playground

FACTUAL = [
    "what time do you open on saturday at riverside?",
    "where is the downtown store?",
    "is there parking at northgate?",
    "can I return something without a receipt?",
    "do you take apple pay?",
    "do you cut keys?",
    "do you deliver?",
    "how do gift cards work?",
]
UPSET = "This is ridiculous, my order never arrived and nobody answers the phone!"


def saying(text: str) -> Callable[[dict[str, Any]], bool]:
    """A Slack message whose text has ``text`` in it."""
    return lambda message: text in str(message.get("text"))


def _summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p = statistics.quantiles(ms, n=100, method="inclusive")
    return (
        f"{name:<42} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   "
        f"p90 {p[89]:7.1f} ms   p99 {p[98]:7.1f} ms"
    )


async def main(messages: int) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    async with AsyncExitStack() as stack:
        state = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        redis = EmbeddedRedis(state / "valkey")
        redis_url = await redis.start()
        stack.push_async_callback(redis.stop)
        rasa_url = os.environ.get("RASA_URL") or await start_local_rasa(stack, state)
        pg = Playground.for_business(PROJECT_ROOT / "data")
        url = await stack.enter_async_context(serve_app(pg.app()))
        stack.push_async_callback(pg.telegram.aclose)
        stack.push_async_callback(pg.slack.aclose)
        worker = Worker(
            Settings(_env_file=None, http_port=0, state_dir=state),  # type: ignore[call-arg]
            Endpoints(**pg.endpoints(url, redis_url=redis_url, rasa_url=rasa_url)),
        )
        await worker.start()
        stack.push_async_callback(worker.stop)
        pg.slack.set_request_url(f"{worker.http_url}/slack/events")

        answers, cards, thread_posts = [], [], []
        for i in range(messages):
            chat = 10_000 + i
            started = time.perf_counter()
            await pg.telegram.customer_sends(chat, FACTUAL[i % len(FACTUAL)], first_name="Bea")
            await pg.telegram.wait_for_bot_message(chat, timeout=30)
            answers.append(time.perf_counter() - started)
        for i in range(max(messages // 4, 20)):
            chat, name = 20_000 + i, f"Cy{i}"
            started = time.perf_counter()
            await pg.telegram.customer_sends(chat, UPSET, first_name=name)
            await pg.slack.wait_for_message(
                DEFAULT_CHANNEL, saying(f"{name} needs a person"), timeout=30
            )
            cards.append(time.perf_counter() - started)
            await pg.telegram.wait_for_bot_message(chat, timeout=30)  # the holding message
            follow_up = f"are you there? ({i})"
            started = time.perf_counter()
            await pg.telegram.customer_sends(chat, follow_up, first_name=name)
            await pg.slack.wait_for_message(DEFAULT_CHANNEL, saying(follow_up), timeout=30)
            thread_posts.append(time.perf_counter() - started)
        print(_summary("customer message → bot answer", answers))
        print(_summary("upset message → handoff card in Slack", cards))
        print(_summary("handed-off message → post in the thread", thread_posts))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    asyncio.run(main(parser.parse_args().messages))
