"""Measured response times per store: the last handoff-to-claim durations, in Redis.

Key ``response:{store_id}`` (handoff/storage/families.py), a list of the last ``KEEP``
durations in seconds, newest first. handoff/flows/waiting.py records and reads them.
"""

from __future__ import annotations

from handoff.storage.store import ConversationStore

KEEP = 50


class ResponseTimes:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.keys = store.keys

    async def record(self, store_id: str, seconds: float) -> None:
        key = self.keys.response_times(store_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(key, repr(seconds))
            pipe.ltrim(key, 0, KEEP - 1)
            await pipe.execute()

    async def recent(self, store_id: str) -> list[float]:
        key = self.keys.response_times(store_id)
        return [float(v) for v in await self.redis.lrange(key, 0, KEEP - 1)]
