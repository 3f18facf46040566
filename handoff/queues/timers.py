"""Timers that fire once, whichever worker is up: a Redis sorted set polled by every worker.

``tandem:timers`` (handoff/storage/families.py) holds members like ``offer:c12`` scored by
their due time. A poller claims due members with one Lua script that pushes their score
a lease into the future, so two workers never take the same one; the owner removes it
when its handler has run. A worker that dies mid-handler leaves the member to be
retried when the lease runs out (handlers are idempotent). A handler may re-schedule
its own member; finishing then leaves the new due time alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from redis.asyncio import Redis

from handoff.queues.periodic import run_periodically
from handoff.storage.connection.redis_url import key_prefix
from handoff.storage.keys import Keys
from handoff.storage.store import ConversationStore

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
LEASE_SECONDS = 60.0
BATCH = 50

# KEYS[1] the set; ARGV: now, lease score, batch size.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], member)
end
return due
"""
# Remove a member only if it still carries our lease (it was not re-scheduled meanwhile).
_FINISH = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
"""

Handler = Callable[[str], Awaitable[None]]


class TimerStore:
    def __init__(self, redis: Redis, *, prefix: str | None = None) -> None:
        self.redis = redis
        self.key = Keys(key_prefix(redis) if prefix is None else prefix).timers
        self._claim = redis.register_script(_CLAIM)
        self._finish = redis.register_script(_FINISH)

    @classmethod
    def of(cls, store: ConversationStore) -> TimerStore:
        """The timers beside the store's data."""
        return cls(store.redis, prefix=store.prefix)

    async def schedule(self, kind: str, ident: str, due: float) -> None:
        """Set (or move) the one timer of this kind for this id."""
        await self.redis.zadd(self.key, {f"{kind}:{ident}": due})

    async def cancel(self, kind: str, ident: str) -> None:
        await self.redis.zrem(self.key, f"{kind}:{ident}")

    async def due_at(self, kind: str, ident: str) -> float | None:
        score = await self.redis.zscore(self.key, f"{kind}:{ident}")
        return None if score is None else float(score)

    async def claim_due(self, now: float) -> tuple[float, list[str]]:
        """Take the due members for this caller; returns the lease score and the members."""
        lease = now + LEASE_SECONDS
        raw: list[Any] = await self._claim(keys=[self.key], args=[now, repr(lease), BATCH])
        return lease, [m.decode() if isinstance(m, bytes) else str(m) for m in raw]

    async def finish(self, member: str, lease: float) -> bool:
        return bool(await self._finish(keys=[self.key], args=[member, repr(lease)]))


class TimerLoop:
    """Polls the timer store and runs each due member's handler, by the member's kind."""

    def __init__(
        self, timers: TimerStore, handlers: Mapping[str, Handler], *, clock: Callable[[], float]
    ) -> None:
        self.timers = timers
        self.handlers = dict(handlers)
        self.clock = clock
        self._tick = asyncio.Lock()  # run_due() from a test waits for the loop's own tick

    async def run_due(self) -> int:
        """One tick: run every timer due by the clock's now; returns how many this worker ran."""
        async with self._tick:
            lease, members = await self.timers.claim_due(self.clock())
            for member in members:
                await self._run(member, lease)
            return len(members)

    async def _run(self, member: str, lease: float) -> None:
        kind, _, ident = member.partition(":")
        handler = self.handlers.get(kind)
        if handler is None:
            log.warning("timer of unknown kind dropped", extra={"timer": member})
        else:
            try:
                await handler(ident)
            except Exception:
                # Left leased, so another try follows once the lease runs out.
                log.exception("timer handler failed", extra={"timer": member})
                return
        await self.timers.finish(member, lease)

    async def _forever(self) -> None:
        await run_periodically(self.run_due, POLL_SECONDS, "timer poll")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[TimerLoop]:
        task = asyncio.create_task(self._forever(), name="tandem-timers")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
