"""Sign-in attempts per account and client address, counted atomically with back-off.

One Lua script checks the back-off and counts the attempt *before* the password is
verified, so parallel guesses cannot slip past the limit: of any number of simultaneous
attempts for one account from one address, at most ``limit`` are let through. From the
``limit``-th attempt on, each further one waits ``base * 2**(n - limit)`` seconds (at most
``cap``). The pair is the key: guesses from one address never hold the account back
elsewhere. A correct password clears the pair's count.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.typing import EncodableT

from handoff.storage.keys import Keys

LIMIT = 5  # attempts let through before the back-off starts
BASE_SECONDS = 60  # the first wait; it doubles with each further attempt
CAP_SECONDS = 3600  # the longest wait
FORGET_SECONDS = 24 * 3600  # a pair's count is forgotten a day after its last attempt

# KEYS[1]: the pair's hash (n: attempts counted, until: no attempt before this time).
# ARGV: now, limit, base, cap, forget. Returns 0 (go ahead, counted) or seconds to wait.
_ATTEMPT = """
local now = tonumber(ARGV[1])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < blocked then
  return math.max(1, math.ceil(blocked - now))
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local limit = tonumber(ARGV[2])
if n >= limit then
  local wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (n - limit))
  redis.call('HSET', KEYS[1], 'until', tostring(now + wait))
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 0
"""


class LoginBackoff:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        *,
        limit: int = LIMIT,
        base: float = BASE_SECONDS,
        cap: float = CAP_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.limit = limit
        self.base = base
        self.cap = cap
        self.clock = clock
        self._attempt = redis.register_script(_ATTEMPT)

    def _key(self, ip: str, name: str) -> str:
        # Hashed: whatever someone types must not shape a Redis key.
        pair = f"{name.strip().casefold()}\n{ip}".encode()
        return self.keys.login_backoff(hashlib.sha256(pair).hexdigest()[:40])

    async def attempt(self, ip: str, name: str) -> int:
        """0 when this attempt may check its password (it is counted now); else the
        seconds to wait before the next one."""
        args: list[EncodableT] = [
            repr(self.clock()),
            self.limit,
            self.base,
            self.cap,
            FORGET_SECONDS,
        ]
        wait = await self._attempt(keys=[self._key(ip, name)], args=args)
        return int(wait)

    async def succeeded(self, ip: str, name: str) -> None:
        await self.redis.delete(self._key(ip, name))
