"""Telegram answering the bot's sends with 429 and retry_after for a while: longer than
PTB's rate limiter retries (5 retries of retry_after each), so the sends must wait and be
retried by Tandem itself."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, Workers
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

LIMITED_SECONDS = 12.0  # PTB's limiter gives up on a send after about 5.5 s
RETRY_AFTER = 1
SENDS = ("sendMessage", "sendPhoto")  # answers, notices and replies; the intro's photo


async def test_telegram_rate_limiting_sends_mid_stream(
    fakes: Fakes, valkey: Valkey, workers: Workers, rasa_url: str
) -> None:
    telegram = fakes.pg.telegram
    worker = await workers.start(redis_url=valkey.url, rasa_url=rasa_url)
    fakes.pg.slack.set_request_url(f"{worker.http_url}/slack/events")
    async with Traffic(fakes.pg, seed=13) as traffic:
        traffic.customers(range(9), messages=6, over=16.0)
        await traffic.wait_sent(8)
        for method in SENDS:
            telegram.state.faults.add_window(
                method, status=429, seconds=LIMITED_SECONDS, retry_after=RETRY_AFTER
            )
        await asyncio.sleep(LIMITED_SECONDS)  # the fault's script, not a wait for the system
        await settle(
            traffic,
            after=(
                f"Telegram answered sends with 429 (retry_after {RETRY_AFTER}) for "
                f"{LIMITED_SECONDS:.0f}s"
            ),
            within=35.0,
        )
