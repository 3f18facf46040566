"""The traffic and the checker without any fault: every invariant holds, so a failure in
the other fault tests comes from the fault, not from the harness."""

from __future__ import annotations

import pytest

from tests.faults.checker import settle
from tests.faults.conftest import Fakes, Valkey, Workers
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


async def test_every_message_arrives_once_and_in_order_without_faults(
    fakes: Fakes, valkey: Valkey, workers: Workers, rasa_url: str
) -> None:
    worker = await workers.start(redis_url=valkey.url, rasa_url=rasa_url)
    fakes.pg.slack.set_request_url(f"{worker.http_url}/slack/events")
    async with Traffic(fakes.pg) as traffic:
        traffic.customers(range(9), messages=6, over=10.0)
        await settle(traffic, after="no fault", within=30.0)
