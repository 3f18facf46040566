"""Redis down for longer than Slack retries an event: the employee's replies written in the
meantime are answered 200, kept in the worker's local spool, and reach the customer once
Redis is back: every one, once, in order (handoff/slack/spool.py)."""

from __future__ import annotations

import asyncio

import pytest

from playground.fake_slack.delivery import SLACK_RETRY_DELAYS
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, hand_off, is_intro, text_of
from tests.faults.conftest import Fakes, Valkey, Workers

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

# Slack's minutes run this much faster here: its whole retry schedule (0 s, 1 min, 5 min)
# takes 3.6 s, and the outage of 10 minutes the spool must bridge takes 6 s.
TIME_SCALE = 0.01
SCHEDULE = sum(SLACK_RETRY_DELAYS) * TIME_SCALE
DOWN_SECONDS = 600 * TIME_SCALE
REPLIES = [f"Update {n}: your order {4470 + n} is on its way." for n in range(1, 6)]


async def test_replies_written_while_redis_is_down_arrive_once_in_order(
    fakes: Fakes, valkey: Valkey, workers: Workers, rasa_url: str
) -> None:
    assert DOWN_SECONDS > SCHEDULE  # the outage outlasts every retry Slack would make
    pg = fakes.pg
    pg.slack.set_retry_time_scale(TIME_SCALE)
    worker = await workers.start(redis_url=valkey.url, rasa_url=rasa_url)
    pg.slack.set_request_url(f"{worker.http_url}/slack/events")
    chat = 9501
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    before = len(pg.telegram.bot_messages(chat))
    deliveries = len(pg.slack.deliveries)

    await valkey.stop()
    started = asyncio.get_running_loop().time()
    for text in REPLIES:
        await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, text, thread_ts=card["ts"])
    # Down for longer than Slack would have kept retrying a refused event.
    await asyncio.sleep(max(0.0, DOWN_SECONDS - (asyncio.get_running_loop().time() - started)))
    posted = [
        d for d in pg.slack.deliveries[deliveries:] if d.payload.get("type") == "event_callback"
    ]
    replies = [d for d in posted if d.payload["event"].get("user") == AISHA]
    assert len(replies) == len(REPLIES)
    assert all(d.ok and len(d.attempts) == 1 for d in replies)  # 200 at once: no retry needed
    assert [m for m in pg.telegram.bot_messages(chat)[before:]] == []
    await valkey.start()

    async def arrived() -> list[str]:
        return [text_of(m) for m in pg.telegram.bot_messages(chat)[before:]]

    deadline = asyncio.get_running_loop().time() + 30.0
    while len([r for r in REPLIES if any(r in t for t in await arrived())]) < len(REPLIES):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not every reply arrived: {await arrived()}")
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a duplicate would come right behind
    got = [
        next(r for r in REPLIES if r in t) for t in await arrived() if any(r in t for r in REPLIES)
    ]
    assert got == REPLIES  # each once, in the order written
    assert worker.spool_drain is not None
    assert worker.spool_drain.moved == len(REPLIES)
