"""Durable, ordered work queues in Redis: a lane per conversation, one worker per lane.

Used twice: the inbox (Telegram updates and Slack events, in arrival order per chat or
thread) and the outbox (every send to Telegram and Slack, in order per chat or thread).

Keys under ``{prefix}:{name}:``
  due          sorted set: lane -> when it may next be worked; also the holder's lease
  owner        hash: lane -> token of the worker holding it
  lane:{lane}  list of job ids, oldest first
  job:{id}     hash: body (JSON), blob (bytes, optional), tries
  once:{key}   dedupe marks (a Telegram update_id, a Slack event_id, a numbered send)
  count        jobs waiting, for the queue-depth gauge
  dead         stream of jobs given up on, with the error

A worker claims due lanes with one Lua script that pushes each one's score a lease into
the future and records its token, so two workers never work one lane and order holds.
It does the lane's jobs head first and removes each only after it succeeded; a failed
job stays at the head and the lane is due again after a backoff. A worker that dies
leaves its lanes to be claimed when the lease runs out, and the job that was in flight
runs again: delivery is at least once, and the handlers are idempotent where they can be.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.redis_url import key_prefix

# Redeliveries come within minutes (Slack) or a day (Telegram keeps updates 24 h).
ONCE_TTL_SECONDS = 24 * 3600

# KEYS: job, lane list, due, count, once.
# ARGV: body, blob or "", now, lane, use-once flag, once TTL, job id.
# Returns the job's id; for a ``once`` key put before, the id of that first job, negated
# by a leading "-" so the caller knows nothing was added.
_PUT = """
if ARGV[5] == '1' and not redis.call('SET', KEYS[5], ARGV[7], 'NX', 'EX', ARGV[6]) then
  return '-' .. (redis.call('GET', KEYS[5]) or '')
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'body', ARGV[1], 'blob', ARGV[2], 'tries', 0)
else
  redis.call('HSET', KEYS[1], 'body', ARGV[1], 'tries', 0)
end
redis.call('RPUSH', KEYS[2], ARGV[7])
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[4])
redis.call('INCR', KEYS[4])
return ARGV[7]
"""
# KEYS: due, owner. ARGV: now, lease until, token, limit.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[4])
for _, lane in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], lane)
  redis.call('HSET', KEYS[2], lane, ARGV[3])
end
return due
"""
# The head job is done: pop it if it is still the head. KEYS: lane list, job, count.
_DONE = """
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  redis.call('DEL', KEYS[2])
  redis.call('DECR', KEYS[3])
  return 1
end
return 0
"""
# Let the lane go: gone from ``due`` when empty, else due at ARGV[3]. Only by its holder.
# KEYS: due, owner, lane list. ARGV: lane, token, due at.
_RELEASE = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return -1 end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('LLEN', KEYS[3]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""
# Keep holding: push the lease out. KEYS: due, owner. ARGV: lane, token, lease until.
_RENEW = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
"""


@dataclass(frozen=True)
class Put:
    job_id: str
    fresh: bool  # False: its ``once`` key was put before, and job_id is that first job


@dataclass(frozen=True)
class Job:
    id: str
    lane: str
    body: dict[str, Any]
    blob: bytes | None
    tries: int  # failed attempts so far


class Lanes:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str | None = None,  # None: the store's (bot/redis_url.key_prefix)
        name: str,
        lease_seconds: float = 15.0,
        once_seconds: int = ONCE_TTL_SECONDS,
    ) -> None:
        self.redis = redis
        self.base = f"{prefix or key_prefix(redis)}:{name}:"
        self.lease_seconds = lease_seconds
        self.once_seconds = once_seconds
        self.token = uuid.uuid4().hex  # this worker, as a lane holder
        self._put = redis.register_script(_PUT)
        self._claim = redis.register_script(_CLAIM)
        self._done = redis.register_script(_DONE)
        self._release = redis.register_script(_RELEASE)
        self._renew = redis.register_script(_RENEW)

    def key(self, *parts: str) -> str:
        return self.base + ":".join(parts)

    async def put(
        self,
        lane: str,
        body: dict[str, Any],
        *,
        now: float,
        blob: bytes | None = None,
        once: str | None = None,
    ) -> Put:
        """Append a job to its lane, unless its ``once`` key was put before."""
        job_id = uuid.uuid4().hex
        keys = [
            self.key("job", job_id),
            self.key("lane", lane),
            self.key("due"),
            self.key("count"),
            self.key("once", once or "-"),
        ]
        args: list[Any] = [
            json.dumps(body, ensure_ascii=False),
            blob or b"",
            repr(now),
            lane,
            "1" if once else "0",
            self.once_seconds,
            job_id,
        ]
        result = _text(await self._put(keys=keys, args=args))
        if result.startswith("-"):
            return Put(result[1:], fresh=False)
        return Put(result, fresh=True)

    async def claim(self, now: float, limit: int) -> list[str]:
        """Take up to ``limit`` due lanes for this worker, each for one lease."""
        raw: list[Any] = await self._claim(
            keys=[self.key("due"), self.key("owner")],
            args=[repr(now), repr(now + self.lease_seconds), self.token, limit],
        )
        return [_text(lane) for lane in raw]

    async def head(self, lane: str) -> Job | None:
        job_id = await self.redis.lindex(self.key("lane", lane), 0)
        if job_id is None:
            return None
        job_id = _text(job_id)
        raw = await self.redis.hgetall(self.key("job", job_id))
        fields = {_text(k): v for k, v in raw.items()}
        if "body" not in fields:  # a job hash lost (e.g. erased): skip its id
            await self._done(keys=self._done_keys(lane, job_id), args=[job_id])
            return await self.head(lane)
        blob = fields.get("blob")
        return Job(
            job_id,
            lane,
            json.loads(fields["body"]),
            blob if isinstance(blob, bytes) and blob else None,
            int(fields.get("tries", 0)),
        )

    async def done(self, job: Job) -> None:
        await self._done(keys=self._done_keys(job.lane, job.id), args=[job.id])

    def _done_keys(self, lane: str, job_id: str) -> list[str]:
        return [self.key("lane", lane), self.key("job", job_id), self.key("count")]

    async def failed(self, job: Job) -> int:
        """Count a failed attempt; returns the attempts so far."""
        return int(await self.redis.hincrby(self.key("job", job.id), "tries", 1))

    async def release(self, lane: str, *, due_at: float) -> bool:
        """Let the lane go; True when jobs are left (due again at ``due_at``)."""
        keys = [self.key("due"), self.key("owner"), self.key("lane", lane)]
        left = await self._release(keys=keys, args=[lane, self.token, repr(due_at)])
        return int(left) == 1

    async def renew(self, lane: str, now: float) -> bool:
        keys = [self.key("due"), self.key("owner")]
        args = [lane, self.token, repr(now + self.lease_seconds)]
        return bool(await self._renew(keys=keys, args=args))

    async def bury(self, job: Job, error: str) -> None:
        """Give up on the head job: keep it in the dead-letter stream, then drop it."""
        fields = {"lane": job.lane, "body": json.dumps(job.body), "error": error[:500]}
        await self.redis.xadd(self.key("dead"), fields)  # type: ignore[arg-type]
        await self.done(job)

    async def depth(self) -> int:
        """Jobs waiting in every lane."""
        return int(await self.redis.get(self.key("count")) or 0)

    async def dead(self, count: int = 100) -> list[dict[str, str]]:
        rows: list[Any] = await self.redis.xrevrange(self.key("dead"), count=count) or []
        return [{_text(k): _text(v) for k, v in fields.items()} for _, fields in rows]

    async def waiting(self, lane: str) -> int:
        return int(await self.redis.llen(self.key("lane", lane)))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
