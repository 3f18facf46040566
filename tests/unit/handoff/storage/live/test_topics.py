"""The conversation's topic in Redis: one conversation's, written with a save, erased with
the customer."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from handoff.storage.live.topics import TOPIC_TTL_SECONDS, Topics, last_topic
from handoff.storage.store import ConversationStore
from nlu.triage.topic import Topic

TOPIC = Topic(
    "ask_hours",
    "riverside",
    date(2026, 12, 25),
    datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("America/Detroit")),
    greeted=True,
)


async def test_saved_then_read_for_its_conversation_only(redis: Redis) -> None:
    store = ConversationStore(redis)
    topics = Topics(store)
    assert await topics.read("42", "c1") is None
    await topics.save("42", "c1", TOPIC)
    assert await topics.read("42", "c1") == TOPIC
    assert await topics.read("42", "c2") is None  # a new conversation starts afresh
    assert await last_topic(store, "42") == TOPIC  # whatever the conversation
    assert TOPIC_TTL_SECONDS - 10 < await redis.ttl("tandem:topic:42") <= TOPIC_TTL_SECONDS


async def test_written_in_a_saves_transaction(redis: Redis) -> None:
    store = ConversationStore(redis)
    write = Topics(store).save_in("42", "c1", TOPIC)
    async with redis.pipeline(transaction=True) as pipe:
        write(pipe)
        await pipe.execute()
    assert await last_topic(store, "42", "c1") == TOPIC


async def test_a_damaged_topic_is_no_topic(redis: Redis) -> None:
    store = ConversationStore(redis)
    await redis.set("tandem:topic:42", "{not json")
    assert await last_topic(store, "42") is None
    await redis.set("tandem:topic:42", '{"conv_id": "c1", "asked_at": "2026-12-05T10:00:00"}')
    assert await last_topic(store, "42", "c1") is None  # no UTC offset


async def test_erased_with_the_customer(redis: Redis) -> None:
    store = ConversationStore(redis)
    await Topics(store).save("42", "c1", TOPIC)
    assert "tandem:topic:42" in store.keys.of_chat("42").keys
