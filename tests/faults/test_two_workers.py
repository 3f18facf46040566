"""Two workers sharing one Redis behind a round-robin load balancer, in Telegram webhook
mode and Slack HTTP mode: consecutive updates of one chat, and the employees' events, go to
different workers, which race on the same conversations."""

from __future__ import annotations

import pytest

from bot.serve import serve_app
from tests.faults.balancer import RoundRobin
from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, Workers
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

SECRET = "fault-tests-webhook-secret"


async def test_two_workers_racing_on_the_same_conversations(
    fakes: Fakes, valkey: Valkey, workers: Workers, rasa_url: str
) -> None:
    balancer = RoundRobin()
    try:
        async with serve_app(balancer.app()) as public:
            for _ in range(2):
                worker = await workers.start(
                    redis_url=valkey.url,
                    rasa_url=rasa_url,
                    telegram_webhook_url=f"{public}/telegram/webhook",
                    telegram_webhook_secret=SECRET,
                )
                balancer.targets.append(worker.http_url)
            fakes.pg.slack.set_request_url(f"{public}/slack/events")
            async with Traffic(fakes.pg, seed=15) as traffic:
                traffic.customers(range(12), messages=6, over=12.0)
                await settle(traffic, after="two workers raced", within=35.0)
            served = [balancer.served[t] for t in balancer.targets]
            assert min(served) > 20, f"the load balancer did not spread the traffic: {served}"
    finally:
        await balancer.aclose()
