"""A chat's lock: all work on one chat, across workers, one piece at a time.

redis-py's ``Lock`` waits for it (its public ``acquire``, with a token of ours). Most users
take it on entering the block and give it back on leaving. A customer's message saves two
round trips of its few: it tries for the lock in the pipeline of its first reads
(handoff/storage/arrival.py), waiting the usual way only when the lock is busy, and gives it
back in the transaction of its last save.

The lock is a key holding its holder's token (SET NX PX, as redis-py's). Whether this
holder has it and the release script are kept here, not taken from ``Lock``'s insides
(``Lock.local``, ``Lock.LUA_RELEASE_SCRIPT``), so a redis-py upgrade cannot change them.
"""

from __future__ import annotations

import logging
import time
import uuid

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.lock import Lock
from redis.exceptions import RedisError

from handoff.errors import RedisUnavailable

log = logging.getLogger(__name__)

# How long one message may hold its chat's lock, and how long another waits for it. A
# message takes milliseconds (Rasa answers within 5 s or is skipped); a worker killed
# while holding the lock holds up the chat no longer than this.
LOCK_TIMEOUT_SECONDS = 15.0
LOCK_WAIT_SECONDS = 30.0
# A held lock is asked for again this often (redis-py's default, 0.1 s, added up to that to
# a message that met an employee's reply in its chat).
LOCK_RETRY_SECONDS = 0.01

# Delete the lock only if it still holds our token: after it expired another may hold it.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class ChatLock:
    def __init__(self, lock: Lock, chat_id: str, redis: Redis) -> None:
        self.lock = lock
        self.chat_id = chat_id
        self.redis = redis  # the client ``lock`` was made with
        self._token = uuid.uuid1().hex.encode()  # as Lock.acquire makes one
        self._held = False
        self._taken_at = 0.0
        self._given_back = False  # queued into a transaction that then ran

    @property
    def held(self) -> bool:
        return self._held

    def try_in(self, pipe: Pipeline) -> None:
        """Queue one try for the lock (Lock.do_acquire's SET NX PX); ``tried`` reads it."""
        pipe.set(self.lock.name, self._token, nx=True, px=int(LOCK_TIMEOUT_SECONDS * 1000))

    def tried(self, reply: object) -> bool:
        if reply:
            self._took()
        return bool(reply)

    async def take(self) -> None:
        """Wait for the lock (redis-py's Lock.acquire, polling every 10 ms)."""
        try:
            acquired = await self.lock.acquire(token=self._token)
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(f"cannot lock chat {self.chat_id}: {exc}") from exc
        if not acquired:
            raise RedisUnavailable(
                f"chat {self.chat_id} stayed locked for {LOCK_WAIT_SECONDS:.0f}s"
            )
        self._took()

    def give_back_in(self, pipe: Pipeline) -> None:
        """An ``Extra`` for the block's last save: the release (``RELEASE_SCRIPT``) runs in
        its transaction. Ending the block without error then counts it as given back."""
        pipe.eval(RELEASE_SCRIPT, 1, self.lock.name, self._token)
        self._given_back = True

    async def leave(self, failed: bool) -> None:
        """At the end of the block: give the lock back unless its last save did."""
        if not self.held:
            return
        self._held = False
        if self._given_back and not failed:
            if time.monotonic() - self._taken_at > LOCK_TIMEOUT_SECONDS:
                log.warning("chat lock expired before release", extra={"chat_id": self.chat_id})
            return
        released = await self.redis.eval(RELEASE_SCRIPT, 1, self.lock.name, self._token)
        if not released:
            log.warning("chat lock expired before release", extra={"chat_id": self.chat_id})

    def _took(self) -> None:
        self._held = True
        self._taken_at = time.monotonic()
