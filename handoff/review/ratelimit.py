"""Login attempts, limited per client address and per account name (Redis counters).

Only failed attempts count, in a fixed window that starts with the first failure.
"""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from handoff.storage.keys import Keys

LIMIT = 5
WINDOW_SECONDS = 15 * 60


class LoginLimiter:
    def __init__(
        self, redis: Redis, keys: Keys, *, limit: int = LIMIT, window: int = WINDOW_SECONDS
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.limit = limit
        self.window = window

    def _counters(self, ip: str, name: str) -> tuple[str, str]:
        # The name is hashed: whatever someone types must not shape a Redis key.
        account = hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:32]
        return self.keys.attempts("ip", ip), self.keys.attempts("user", account)

    async def wait(self, ip: str, name: str) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        keys = self._counters(ip, name)
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.get(key)
                pipe.ttl(key)
            got = await pipe.execute()
        waits = [
            max(int(ttl), 1)
            for count, ttl in zip(got[0::2], got[1::2], strict=True)
            if count is not None and int(count) >= self.limit
        ]
        return max(waits, default=0)

    async def failed(self, ip: str, name: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in self._counters(ip, name):
                pipe.incr(key)
                pipe.expire(key, self.window, nx=True)
            await pipe.execute()

    async def succeeded(self, ip: str, name: str) -> None:
        await self.redis.delete(self._counters(ip, name)[1])
