"""Durable, ordered work queues in Redis: a lane per conversation, one worker per lane.

Used twice: the inbox (Telegram updates and Slack events, in arrival order per chat or
thread) and the outbox (every send to Telegram and Slack, in order per chat or thread).

Keys under ``{prefix}:{name}:`` (the queue families of handoff/storage/families.py)
  due            sorted set: lane -> when it may next be worked; also the holder's lease
  owner          hash: lane -> token of the worker holding it
  lane:{lane}    list of job ids, oldest first
  job:{id}       hash: body (JSON), blob (bytes, optional), tries (once one failed),
                 taken (when a worker first took it)
  marks:{n}      sorted sets: dedupe mark (a Telegram update_id, a Slack event_id, a
                 numbered send) -> when it runs out; n is the mark's hash modulo
                 MARK_SETS, so each set stays small and compact. A job put with a mark
                 gets its id from it, so a repeated put names the first job without a
                 record of it.
  count          jobs waiting, for the queue-depth gauge
  dead           stream of jobs given up on, with the error

A worker claims due lanes with one Lua script that pushes each one's score a lease into
the future and records its token, so two workers never work one lane and order holds.
It does the lane's jobs head first and removes each only after it succeeded; a failed
job stays at the head and the lane is due again after a backoff. A worker that dies
leaves its lanes to be claimed when the lease runs out, and the job that was in flight
runs again: delivery is at least once, and the handlers are idempotent where they can be.

Each step is one round trip (handoff/queues/scripts.py): ``put``; ``claim``, which also
reads the depth; ``next``, which checks the holder still holds the lane, renews its
lease and reads the head job, or lets the lane go when it is empty; ``done_next``, which
pops the job just done and then does what ``next`` does.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
import secrets
import time
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from handoff.queues import scripts as lane_scripts
from handoff.storage.connection.redis_url import key_prefix
from handoff.storage.keys import Keys

# Redeliveries come within minutes (Slack) or a day (Telegram keeps updates 24 h).
ONCE_TTL_SECONDS = 24 * 3600
# Marks are spread over this many sorted sets per queue. Until ~130k marks live at once (a
# day's updates in, an hour's sends out) each set stays under Redis' 128-entry listpack
# limit: ~25 bytes a mark instead of ~115 for a key each. Not a set per lane: a numbered
# send's lane may differ when its update runs again, and a key named after a chat would
# outlive the customer's erasure.
MARK_SETS = 1024


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
    # When a worker first took it, if before this take: it may have run, in part or whole
    # (a worker died mid-job, or an attempt failed after the service acted), so a handler
    # that can look whether its effect happened should (handoff/slack/outbox.py).
    taken: float | None = None


@dataclass(frozen=True)
class Claim:
    lanes: list[str]  # taken for this worker, each for one lease
    depth: int  # jobs waiting in every lane


class LaneGone(enum.Enum):
    """Why ``next`` gave no job: the lane is let go, or no longer this worker's."""

    EMPTY = 0
    TAKEN = -1  # stalled past the lease, and another worker holds it now


class Lanes:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str | None = None,  # None: the store's (handoff/storage/connection/redis_url.py)
        name: str,
        lease_seconds: float = 15.0,
        once_seconds: int = ONCE_TTL_SECONDS,
    ) -> None:
        self.redis = redis
        self.name = name
        self.keys = Keys(prefix or key_prefix(redis))
        self.lease_seconds = lease_seconds
        self.once_seconds = once_seconds
        self.token = uuid.uuid4().hex  # this worker, as a lane holder
        self._put = redis.register_script(lane_scripts.PUT)
        self._claim = redis.register_script(lane_scripts.CLAIM)
        self._next = redis.register_script(lane_scripts.NEXT)
        self._release = redis.register_script(lane_scripts.RELEASE)
        self._renew = redis.register_script(lane_scripts.RENEW)

    def key(self, part: str, *rest: str) -> str:
        """The queue's key named by ``part`` (``due``, ``lane``, ``job``, ...) and its values."""
        return self.keys.queue(self.name, part, *rest)

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
        keys, args = self._put_call(lane, body, now, blob, once)
        result = _text(await self._put(keys=keys, args=args))
        if result.startswith("-"):
            return Put(result[1:], fresh=False)
        return Put(result, fresh=True)

    def put_in(
        self,
        pipe: Pipeline,
        lane: str,
        body: dict[str, Any],
        *,
        now: float,
        once: str | None,
        job_id: str,
    ) -> None:
        """``put``, queued into the caller's transaction: the job exists if and only if
        the transaction runs (the script's text, not its SHA: a pipeline that holds a
        registered script asks SCRIPT EXISTS first, one more round trip). ``job_id`` is
        what ``job_id()`` gave beforehand; a ``once`` key put before keeps its first job."""
        keys, args = self._put_call(lane, body, now, None, once, job_id)
        pipe.eval(lane_scripts.PUT, len(keys), *keys, *args)

    def job_id(self, once: str | None, now: float) -> str:
        """The id a put at ``now`` gives a new job, known before it runs: with a ``once``
        key, its mark's hash, as the script makes it (lane_scripts._MARK_ID); else a
        random one, unique among live jobs and ``posted`` records."""
        if not once:
            return secrets.token_hex(8)
        mark = f"{self.marks_key(once)}\n{once}\n{math.ceil(now + self.once_seconds)}"
        return hashlib.sha1(mark.encode(), usedforsecurity=False).hexdigest()[:16]

    def _put_call(
        self,
        lane: str,
        body: dict[str, Any],
        now: float,
        blob: bytes | None,
        once: str | None,
        job_id: str | None = None,
    ) -> tuple[list[str], list[Any]]:
        keys = [
            self.key("lane", lane),
            self.key("due"),
            self.key("count"),
            self.marks_key(once or ""),
            self.key("job", ""),
        ]
        args: list[Any] = [
            json.dumps(body, ensure_ascii=False),
            blob or b"",
            repr(now),
            lane,
            once or "",
            math.ceil(now + self.once_seconds),
            job_id or self.job_id(None, now),
        ]
        return keys, args

    def marks_key(self, once: str) -> str:
        """The sorted set that holds a ``once`` key's mark."""
        return self.key("marks", str(zlib.crc32(once.encode()) % MARK_SETS))

    async def claim(self, now: float, limit: int) -> Claim:
        """Take up to ``limit`` due lanes for this worker (none for 0), and read the depth."""
        raw: list[Any] = await self._claim(
            keys=[self.key("due"), self.key("owner"), self.key("count")],
            args=[repr(now), repr(now + self.lease_seconds), self.token, limit],
        )
        return Claim([_text(lane) for lane in raw[1:]], int(raw[0]))

    async def next(self, lane: str, now: float) -> Job | LaneGone:
        """The head job of a lane this worker holds, its lease renewed; or why there is none."""
        return await self._step(lane, now, "")

    async def done_next(self, job: Job, now: float) -> Job | LaneGone:
        """The job succeeded: drop it, then as ``next``."""
        return await self._step(job.lane, now, job.id)

    async def _step(self, lane: str, now: float, done: str) -> Job | LaneGone:
        keys = [
            self.key("due"),
            self.key("owner"),
            self.key("lane", lane),
            self.key("count"),
            self.key("job", ""),
        ]
        args = [lane, self.token, repr(now + self.lease_seconds), done, repr(now)]
        raw = await self._next(keys=keys, args=args)
        return _job(lane, raw) if isinstance(raw, list) else LaneGone(int(raw))

    async def head(self, lane: str) -> Job | None:
        """A look at the lane's head job, holding it or not (tools and tests)."""
        job_id = await self.redis.lindex(self.key("lane", lane), 0)
        if job_id is None:
            return None
        fields: list[Any] = await self.redis.hmget(
            self.key("job", _text(job_id)), ["body", "blob", "tries", "taken"]
        )
        return None if fields[0] is None else _job(lane, [job_id, *fields])

    async def failed(self, job: Job) -> int:
        """Count a failed attempt; returns the attempts so far."""
        return int(await self.redis.hincrby(self.key("job", job.id), "tries", 1))

    async def release(self, lane: str, *, due_at: float) -> bool:
        """Let the lane go; True when jobs are left (due again at ``due_at``)."""
        keys = [self.key("due"), self.key("owner"), self.key("lane", lane)]
        left = await self._release(keys=keys, args=[lane, self.token, repr(due_at)])
        return int(left) == 1

    async def renew(self, lanes: list[str], now: float) -> list[str]:
        """Push out the lease of every lane named; returns those another worker holds now."""
        if not lanes:
            return []
        keys = [self.key("due"), self.key("owner")]
        args = [self.token, repr(now + self.lease_seconds), *lanes]
        return [_text(lane) for lane in await self._renew(keys=keys, args=args)]

    async def bury(self, job: Job, error: str, now: float | None = None) -> Job | LaneGone:
        """Give up on the head job: keep it in the dead-letter stream, drop it, as ``next``."""
        fields = {"lane": job.lane, "body": json.dumps(job.body), "error": error[:500]}
        await self.redis.xadd(self.key("dead"), fields)  # type: ignore[arg-type]
        return await self.done_next(job, time.time() if now is None else now)

    async def depth(self) -> int:
        """Jobs waiting in every lane."""
        return int(await self.redis.get(self.key("count")) or 0)

    async def dead(self, count: int = 100) -> list[dict[str, str]]:
        rows: list[Any] = await self.redis.xrevrange(self.key("dead"), count=count) or []
        return [{_text(k): _text(v) for k, v in fields.items()} for _, fields in rows]

    async def waiting(self, lane: str) -> int:
        return int(await self.redis.llen(self.key("lane", lane)))


def _job(lane: str, raw: list[Any]) -> Job:
    """A job from its id, body, blob, tries and first take (the last three may be missing)."""
    job_id, body, blob, tries, taken = raw
    first = float(taken) if taken else None
    return Job(_text(job_id), lane, json.loads(body), blob or None, int(tries or 0), first)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
