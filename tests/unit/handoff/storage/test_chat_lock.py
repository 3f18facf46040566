"""A customer's message takes its chat's lock with its first read and gives it back in its
last save; a busy lock is waited for, and the chat read again under it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from handoff.core.state import open_conversation
from handoff.storage.arrival import Arrival, arrive
from handoff.storage.store import ConversationStore

T0 = 1_764_000_000.0


def lock_key(store: ConversationStore, chat_id: int) -> str:
    return store.keys.chat_lock(str(chat_id))


def counting(pipe: Pipeline) -> Callable[[list[Any]], Awaitable[int]]:
    """A read that writes, like the flood count: it must run once per message."""
    pipe.incr("test:count")

    async def value(replies: list[Any]) -> int:
        return int(replies[0])

    return value


async def test_the_first_read_takes_the_lock_and_the_last_save_gives_it_back(
    redis: Redis,
) -> None:
    store = ConversationStore(redis)
    async with store.chat_lock("7", take=False) as lock:
        assert not lock.held
        arrival = await arrive(store, "7", "tg", "100", {"first_name": "Al"}, [counting], lock=lock)
        assert lock.held
        assert await redis.get(lock_key(store, 7)) is not None
        assert (arrival.seen, arrival.profile, arrival.read) == (False, {"first_name": "Al"}, [1])
        conv = open_conversation(await store.next_conversation_id(), 7, T0)
        await store.save(conv, extra=[lock.give_back_in])
        assert not await redis.exists(lock_key(store, 7))  # gone with the save
    assert not lock.held


async def test_a_busy_lock_is_waited_for_and_the_chat_read_again_under_it(
    redis: Redis,
) -> None:
    store = ConversationStore(redis)

    async def message() -> Arrival:
        async with store.chat_lock("7", take=False) as lock:
            return await arrive(store, "7", "tg", "100", {}, [counting], lock=lock)

    async with store.chat_lock("7"):  # another worker's work on the chat holds the lock
        waiting = asyncio.create_task(message())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        conv = open_conversation(await store.next_conversation_id(), "7", T0)
        # The other work starts a conversation meanwhile, and handles the same update.
        await store.save(conv, extra=[store.seen_mark("tg", 100, chat_id="7")])
    arrival = await waiting  # the message took the lock once it was given back
    assert arrival.conversation == conv
    assert arrival.seen
    assert arrival.read == [1]  # counted once, not once per try
    assert not await redis.exists(lock_key(store, 7))


async def test_a_block_that_fails_gives_the_lock_back(redis: Redis) -> None:
    store = ConversationStore(redis)

    async def failing_flow() -> None:
        async with store.chat_lock("7", take=False) as lock:
            await arrive(store, "7", "tg", "100", {}, lock=lock)
            raise RuntimeError("the flow failed")

    with pytest.raises(RuntimeError, match="the flow failed"):
        await failing_flow()
    assert not await redis.exists(lock_key(store, 7))


async def test_an_expired_lock_another_took_is_left_to_it(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    store = ConversationStore(redis)
    async with store.chat_lock("7") as lock:
        assert lock.held
        # Our lock expired and another worker took the chat meanwhile.
        await redis.set(lock_key(store, 7), b"another-workers-token")
    assert not lock.held
    assert await redis.get(lock_key(store, 7)) == b"another-workers-token"
    assert "chat lock expired before release" in caplog.text
