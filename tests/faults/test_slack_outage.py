"""Slack's Web API answering 500 for a while, then 429 with Retry-After for a while: longer
than slack_sdk's own retries absorb (handoff/slack/app.py build_web_client; the outbox's
posts leave 5xx to the outbox altogether), so the sends must wait and be retried by
Tandem itself, each post once."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, Workers
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

ERRORS_SECONDS = 8.0  # slack_sdk retries a 500 three times, within about 4 s (not a post)
RATE_LIMITED_SECONDS = 6.0
RETRY_AFTER = 1


async def test_slack_failing_then_rate_limiting_mid_stream(
    fakes: Fakes, valkey: Valkey, workers: Workers, rasa_url: str
) -> None:
    slack = fakes.pg.slack
    worker = await workers.start(redis_url=valkey.url, rasa_url=rasa_url)
    slack.set_request_url(f"{worker.http_url}/slack/events")
    async with Traffic(fakes.pg, seed=12) as traffic:
        traffic.customers(range(9), messages=6, over=18.0)
        await traffic.wait_sent(8)
        slack.fail_for("*", status=500, seconds=ERRORS_SECONDS)
        await asyncio.sleep(ERRORS_SECONDS)  # the fault's script, not a wait for the system
        slack.fail_for("*", status=429, seconds=RATE_LIMITED_SECONDS, retry_after=RETRY_AFTER)
        await asyncio.sleep(RATE_LIMITED_SECONDS)
        await settle(
            traffic,
            after=(
                f"Slack answered 500 for {ERRORS_SECONDS:.0f}s, then 429 (Retry-After: "
                f"{RETRY_AFTER}) for {RATE_LIMITED_SECONDS:.0f}s"
            ),
            within=35.0,
        )
