"""Held replies: kept with a TTL, taken once, and the first click's answer remembered."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from handoff.storage.live.guard_holds import GuardHolds
from handoff.storage.store import ConversationStore

HELD = {"id": "h1", "conversation_id": "c1", "chat_id": 42, "text": "u will recieve it"}


async def test_a_hold_is_peeked_then_taken_once(redis: Redis) -> None:
    holds = GuardHolds(ConversationStore(redis))
    await holds.hold("h1", HELD, 3600)
    assert 3590 < await redis.ttl("tandem:guard:held:h1") <= 3600
    assert await holds.peek("h1") == HELD

    taken = await asyncio.gather(holds.take("h1"), holds.take("h1"))  # a double click
    assert sorted(taken) == [False, True]
    assert await holds.peek("h1") is None


async def test_the_first_clicks_answer_is_remembered(redis: Redis) -> None:
    holds = GuardHolds(ConversationStore(redis))
    assert await holds.answered("h2") is None
    await holds.answer("h2", "Sent to the customer as you wrote it.", 3600)
    assert await holds.answered("h2") == "Sent to the customer as you wrote it."
    assert 3590 < await redis.ttl("tandem:guard:answered:h2") <= 3600
