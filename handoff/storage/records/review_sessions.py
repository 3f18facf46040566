"""Supervisors' signed-in sessions, kept server-side: revocable, with idle and total limits.

The cookie carries only a random session id; Redis keeps the session under the id's
SHA-256 (someone who can read the keys still cannot present a session). A session ends
when it is revoked (sign-out, "sign out everywhere", the account removed), after
``idle`` seconds without a request, or ``lifetime`` seconds after sign-in, whichever
comes first.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from handoff.storage.keys import Keys

IDLE_SECONDS = 30 * 60
LIFETIME_SECONDS = 8 * 3600


@dataclass(frozen=True)
class StoredSession:
    sid: str
    user: str
    csrf: str
    created: float


class SessionStore:
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        *,
        idle: float = IDLE_SECONDS,
        lifetime: float = LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    def _key(self, sid: str) -> str:
        return self.keys.review_session(_digest(sid))

    async def create(self, user: str, csrf: str) -> StoredSession:
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        ttl = int(self.lifetime) + 1
        fields: dict[FieldT, EncodableT] = {
            "user": user,
            "csrf": csrf,
            "created": repr(now),
            "seen": repr(now),
        }
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self._key(sid), mapping=fields)
            pipe.expire(self._key(sid), ttl)
            pipe.sadd(self.keys.review_user_sessions(user), _digest(sid))
            pipe.expire(self.keys.review_user_sessions(user), ttl)
            await pipe.execute()
        return StoredSession(sid, user, csrf, now)

    async def load(self, sid: str) -> StoredSession | None:
        """The live session with this id (its idle clock restarts), else None."""
        raw = await self.redis.hgetall(self._key(sid))
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        now = self.clock()
        try:
            created, seen = float(fields["created"]), float(fields["seen"])
            user, csrf = fields["user"], fields["csrf"]
        except (KeyError, ValueError):
            await self.redis.delete(self._key(sid))
            return None
        if now - seen > self.idle or now - created > self.lifetime:
            await self.revoke(sid, user)
            return None
        await self.redis.hset(self._key(sid), "seen", repr(now))
        return StoredSession(sid, user, csrf, created)

    async def revoke(self, sid: str, user: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(self._key(sid))
            pipe.srem(self.keys.review_user_sessions(user), _digest(sid))
            await pipe.execute()

    async def revoke_user(self, user: str) -> int:
        """Ends every session of this supervisor's; how many there were."""
        index = self.keys.review_user_sessions(user)
        digests = [_text(d) for d in await self.redis.smembers(index)]
        live = 0
        if digests:
            live = int(await self.redis.delete(*[self.keys.review_session(d) for d in digests]))
        await self.redis.delete(index)
        return live


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()[:43]


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
