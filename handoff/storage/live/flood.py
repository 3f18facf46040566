"""Each customer's messages per clock minute: one counter per chat and window, in Redis.

The count is taken in the message's first round trip (handoff/storage/arrival.py), with
the counter's expiry in one script, so every worker counts the same messages. The
limit and what happens above it are the flow's (handoff/flows/flood.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio.client import Pipeline

from handoff.storage.arrival import Read
from handoff.storage.store import ConversationStore

_COUNT = "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n"


class FloodCounts:
    def __init__(self, store: ConversationStore) -> None:
        self.keys = store.keys

    def counting(self, chat_id: str, window: int, keep_seconds: int) -> Read:
        """Count one message of this chat in ``window`` (the clock's minute number); the
        read's value is the count so far. The counter lives ``keep_seconds``."""
        key = self.keys.flood(chat_id, window)

        def queue(pipe: Pipeline) -> Callable[[list[Any]], Awaitable[int]]:
            pipe.eval(_COUNT, 1, key, keep_seconds)

            async def count(replies: list[Any]) -> int:
                return int(replies[0])

            return count

        return queue
