"""A worker (``tandem run``, a process of its own) killed with SIGKILL mid-stream and
started again: what it had taken from Telegram and Slack but not finished must not be
lost, and what it had finished must not be done twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nlu.rasa.local import free_port
from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, WorkerProcess
from tests.faults.traffic import Traffic, mark_in_flight

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


async def taken_from_telegram(fakes: Fakes, within: float = 10.0) -> None:
    """Until the worker has confirmed (getUpdates offset) every update sent so far."""
    async with asyncio.timeout(within):
        while len(fakes.pg.telegram.state.updates):  # noqa: ASYNC110 - confirming signals nothing
            await asyncio.sleep(0.002)


async def test_worker_killed_mid_stream_and_restarted(
    fakes: Fakes, valkey: Valkey, rasa_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = fakes.env(redis_url=valkey.url, rasa_url=rasa_url, http_port=port, state=tmp_path)
    worker = WorkerProcess(env, tmp_path / "worker.log", port)
    slack = fakes.pg.slack
    slack.set_request_url(f"{worker.url}/slack/events")
    await worker.start()
    try:
        async with Traffic(fakes.pg, seed=14) as traffic:
            traffic.customers(range(9), messages=6, over=16.0)
            await traffic.wait_sent(20)
            await taken_from_telegram(fakes)  # so the newest update is being worked on
            await worker.kill()
            mark_in_flight(traffic)  # a send cut off mid-way may arrive twice (checker)
            await worker.start()
            await settle(
                traffic,
                after="the worker was killed (SIGKILL) and started again",
                within=35.0,
                context=lambda: f"worker log (last lines):\n{worker.tail()}",
            )
    finally:
        await worker.stop()
