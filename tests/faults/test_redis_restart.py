"""Redis (Valkey, append-only persistence on) stopped for a few seconds mid-stream and
started again on the same port with its data: nothing is lost, doubled or reordered."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, Workers
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

DOWN_SECONDS = 4.0


async def test_redis_restarted_mid_stream(
    fakes: Fakes, valkey: Valkey, workers: Workers, rasa_url: str
) -> None:
    worker = await workers.start(redis_url=valkey.url, rasa_url=rasa_url)
    fakes.pg.slack.set_request_url(f"{worker.http_url}/slack/events")
    async with Traffic(fakes.pg, seed=11) as traffic:
        traffic.customers(range(9), messages=6, over=16.0)
        await traffic.wait_sent(12)
        await valkey.stop()  # SIGTERM: Valkey writes its append-only file and exits
        await asyncio.sleep(DOWN_SECONDS)  # the fault's length, not a wait for the system
        await valkey.start()
        await settle(
            traffic, after=f"Redis stopped for {DOWN_SECONDS:.0f}s and restarted", within=35.0
        )
