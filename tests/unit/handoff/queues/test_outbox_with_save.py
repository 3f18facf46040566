"""The bot's answer, and a message posted into its thread, are queued in the transaction
that records them (a transactional outbox): they go out if and only if the save runs,
once per update however often it is handled."""

from __future__ import annotations

import json

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ResponseError

from bot.telegram.outbox import QueuedCustomers
from handoff.core.state import ThreadRef, open_conversation
from handoff.queues.lanes import Lanes
from handoff.queues.outbox import QUEUED_PREFIX, Outbox, customer_lane, effects_of, slack_lane
from handoff.slack.outbox import QueuedDesk
from handoff.storage.store import ConversationStore
from tests.redis_text import text

T0 = 1_764_000_000.0


class Wakes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def customers(redis: Redis, wakes: Wakes) -> tuple[QueuedCustomers, Lanes]:
    lanes = Lanes(redis, prefix="tandem", name="out")
    # The channel is only for fetching a customer's files, not used here.
    return QueuedCustomers(Outbox(lanes, wake=wakes), channel=None), lanes  # type: ignore[arg-type]


async def queued(redis: Redis, lanes: Lanes, chat_id: int) -> list[dict[str, object]]:
    ids = await redis.lrange(lanes.key("lane", customer_lane(str(chat_id))), 0, -1)
    return [json.loads(await redis.hget(lanes.key("job", text(i)), "body") or "null") for i in ids]


async def test_the_answer_is_queued_by_the_save_and_the_pump_woken_after(redis: Redis) -> None:
    wakes = Wakes()
    channel, lanes = customers(redis, wakes)
    store = ConversationStore(redis)
    conv = open_conversation(await store.next_conversation_id(), "5", T0)
    with effects_of("tg:1"):
        send = channel.send_text_with_save("5", "We open at <9 am> on Sundays.")
    assert await queued(redis, lanes, 5) == []  # nothing before the save
    assert wakes.count == 0

    await store.save(conv, extra=[send])

    [job] = await queued(redis, lanes, 5)
    assert job == {
        "kind": "text",
        "chat_id": 5,
        "html": "We open at &lt;9 am&gt; on Sundays.",
        "buttons": [],
    }
    assert wakes.count == 1


async def test_a_save_that_fails_sends_nothing(redis: Redis) -> None:
    wakes = Wakes()
    channel, lanes = customers(redis, wakes)
    store = ConversationStore(redis)
    conv = open_conversation(await store.next_conversation_id(), "6", T0)

    def broken(pipe: Pipeline) -> None:
        pipe.execute_command("NO.SUCH.COMMAND")  # Redis refuses it: EXECABORT, nothing runs

    with effects_of("tg:2"), pytest.raises(ResponseError):
        await store.save(conv, extra=[channel.send_text_with_save("6", "Hello"), broken])
    assert await queued(redis, lanes, 6) == []
    assert await store.get(conv.id) is None
    assert wakes.count == 0


async def test_an_update_handled_twice_queues_its_answer_once(redis: Redis) -> None:
    channel, lanes = customers(redis, Wakes())
    store = ConversationStore(redis)
    conv = open_conversation(await store.next_conversation_id(), "7", T0)
    for _ in range(2):  # a worker died after the save; the update runs again
        with effects_of("tg:3"):
            await store.save(conv, extra=[channel.send_text_with_save("7", "Hello")])
    assert len(await queued(redis, lanes, 7)) == 1


async def test_a_thread_post_is_queued_by_the_save_under_its_stand_in_ts(redis: Redis) -> None:
    wakes = Wakes()
    lanes = Lanes(redis, prefix="tandem", name="out")
    store = ConversationStore(redis)
    # The direct desk is only for downloads, not used here.
    desk = QueuedDesk(Outbox(lanes, wake=wakes), store, direct=None)  # type: ignore[arg-type]
    conv = open_conversation(await store.next_conversation_id(), "8", T0)
    with effects_of("tg:4"):
        ts, post = desk.post_customer_message_with_save(
            ThreadRef("C0DESK", "1.5"), conv.id, "Al", "still broken"
        )
    lane = lanes.key("lane", slack_lane(conv.id))
    assert await redis.llen(lane) == 0

    await store.save(conv, extra=[post])

    [job_id] = await redis.lrange(lane, 0, -1)
    assert ts == QUEUED_PREFIX + text(job_id)  # an edit finds the post by it
    body = json.loads(text(await redis.hget(lanes.key("job", text(job_id)), "body")))
    assert (body["kind"], body["name"], body["text"]) == ("customer_message", "Al", "still broken")
    assert wakes.count == 1
