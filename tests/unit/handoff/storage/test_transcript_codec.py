"""How transcripts, review rows, seen marks and the message map are stored, on a real Valkey."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis.asyncio import Redis

from handoff.core.state import Event, open_conversation
from handoff.storage.keys import Keys
from handoff.storage.message_map import MessageMap
from handoff.storage.store import SEEN_KEEP, ConversationStore
from handoff.storage.transcript_codec import NAME_MARK, TranscriptCorrupt
from tests.redis_text import text

ANSWER = (
    "Hi {name}, our Riverside hours are Mon–Sat 7 am–8 pm, Sun 9 am–5 pm. "
    "Closed Thu, Nov 26 for Thanksgiving Day."
)
NLU = {"intent": "ask_hours", "confidence": 0.99, "entities": {"store": "riverside"}}


def answer(name: str, at: float = 1000.25) -> Event:
    detail = {"text": ANSWER.format(name=name), "store_id": "riverside", "nlu": NLU}
    return Event("bot_answer", at, "bot", "answer", detail)


async def new_conversation(store: ConversationStore, chat_id: int) -> str:
    conv = open_conversation(await store.next_conversation_id(), str(chat_id), 1000.0)
    await store.save(conv)
    return conv.id


async def test_events_read_back_exactly(redis: Redis) -> None:
    store = ConversationStore(redis)
    conv_id = await new_conversation(store, 1)
    events = [
        Event("customer_message", 1000.125, "customer", None, {"text": "hrs?", "media": None}),
        answer("Ana"),
        Event("bot_notice", 1001.5, "bot", "rate_limited", {"text": "x" * 300}),
        Event("claimed", 1002.0, "U1", None, {}),
    ]
    for event in events:
        await store.append(conv_id, event, name="Ana")
    assert await store.transcript(conv_id) == events
    assert await store.transcript(conv_id, last=2) == events[2:]


async def test_a_bot_answer_is_stored_once_for_every_customer(redis: Redis) -> None:
    store = ConversationStore(redis)
    for chat, name in ((1, "Ana"), (2, "Bo"), (3, "Ana Lee")):
        conv_id = await new_conversation(store, chat)
        await store.append(conv_id, answer(name), name=name)
        assert (await store.transcript(conv_id))[0] == answer(name)
    shared = [k async for k in redis.scan_iter(match="tandem:text:*")]
    assert len(shared) == 1
    assert NAME_MARK in text(await redis.get(shared[0]))
    # Another worker, which has none of it in memory, reads the same.
    assert (await ConversationStore(redis).transcript(conv_id))[0] == answer("Ana Lee")


async def test_an_altered_shared_text_is_refused(redis: Redis) -> None:
    store = ConversationStore(redis)
    conv_id = await new_conversation(store, 1)
    await store.append(conv_id, answer("Ana"), name="Ana")
    [key] = [k async for k in redis.scan_iter(match="tandem:text:*")]
    await redis.set(key, "Hi \x00, we never close.")
    with pytest.raises(TranscriptCorrupt):
        await ConversationStore(redis).transcript(conv_id)


async def test_entries_written_before_the_codec_are_read(redis: Redis) -> None:
    store = ConversationStore(redis)
    old: dict[str, Any] = {"kind": "customer_message", "at": 5.5, "by": "customer", "reason": None,
           "detail": {"text": "hello"}}  # fmt: skip
    await redis.xadd(Keys().log("c9"), {"e": json.dumps(old)})
    assert await store.transcript("c9") == [Event(**old)]


async def test_review_rows_stay_right_when_two_workers_write(redis: Redis) -> None:
    one, two = ConversationStore(redis), ConversationStore(redis)
    conv_id = await new_conversation(one, 1)
    await one.append(conv_id, Event("customer_message", 1001.0, "customer", None, {"text": "a"}))
    await two.append(conv_id, Event("customer_message", 1002.0, "customer", None, {"text": "b"}))
    # `one` remembers the row before `two` wrote: its compare-and-set fails and it redoes.
    await one.append(conv_id, Event("customer_message", 1003.0, "customer", None, {"text": "c"}))
    row = await one.review.row(conv_id)
    assert row is not None
    assert (row.customer_messages, row.last) == (3, 1003.0)


async def test_seen_marks_are_per_chat_and_expire(redis: Redis) -> None:
    store = ConversationStore(redis)
    await store.mark_seen("tg", 7, chat_id="1")
    assert await store.seen("tg", 7, chat_id="1")
    assert not await store.seen("tg", 7, chat_id="2")
    assert not await store.seen("tg", 8, chat_id="1")
    assert 0 < await redis.ttl("tandem:seen:tg:1") <= 7 * 24 * 3600


async def test_a_chat_keeps_its_latest_seen_marks(redis: Redis) -> None:
    store = ConversationStore(redis)
    for update_id in range(100, 100 + SEEN_KEEP + 4):
        await store.mark_seen("tg", update_id, chat_id="1")
    kept = [u for u in range(100, 100 + SEEN_KEEP + 4) if await store.seen("tg", u, chat_id="1")]
    assert kept == list(range(104, 104 + SEEN_KEEP))


async def test_the_message_map_keeps_posts_and_the_latest_messages(redis: Redis) -> None:
    store = ConversationStore(redis)
    messages = MessageMap(store)
    await messages.record("1", 10, "c1", "1700.1")
    await messages.record("1", 10, "c1")  # the plain entry never hides the post
    found = await messages.find("1", 10)
    assert found is not None
    assert found.slack_ts == "1700.1"
    await redis.hset("tandem:tgmsg:1:3", mapping={"conv": "c0", "ts": "1600.1"})  # old layout
    old = await messages.find("1", 3)
    assert old is not None
    assert (old.conversation_id, old.slack_ts) == ("c0", "1600.1")
    assert await messages.find("1", 11) is None


async def test_the_message_map_forgets_the_oldest_past_its_size(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handoff.storage.message_map.KEEP_MESSAGES", 3)
    messages = MessageMap(ConversationStore(redis))
    for message_id in (9, 10, 11, 12):
        await messages.record("1", message_id, "c1")
    assert await messages.find("1", 9) is None
    assert [m for m in (10, 11, 12) if await messages.find("1", m)] == [10, 11, 12]
