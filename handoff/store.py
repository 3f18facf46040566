"""The Redis adapter: conversations, append-only transcripts, dedupe, locks, profiles.

Keys (all under the prefix, ``tandem:``; ``{tandem}:`` on a Redis Cluster, see
bot/redis_url.py ``key_prefix``):
  conv:{id}            JSON of the conversation's current state
  chat:{chat_id}       id of the chat's current conversation
  thread:{ch}:{ts}     id of the conversation a Slack thread belongs to
  log:{id}             the transcript, a Redis stream: entries are only ever appended
  convs                sorted set of conversation ids by opening time
  seen:{kind}:{id}     processed Telegram update_id / Slack event_id (dedupe)
  customer:{chat_id}   what we remember about a customer (hash)
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from bot.errors import RedisUnavailable
from bot.redis_url import key_prefix
from handoff.review.indexer import ReviewIndex
from handoff.state import Conversation, Event, ThreadRef

log = logging.getLogger(__name__)

SEEN_TTL_SECONDS = 7 * 24 * 3600
# How long one message may hold its chat's lock, and how long another waits for it. A
# message takes milliseconds (Rasa answers within 5 s or is skipped); a worker killed
# while holding the lock holds up the chat no longer than this.
LOCK_TIMEOUT_SECONDS = 15.0
LOCK_WAIT_SECONDS = 30.0
# An employee can click a card the moment Slack shows it, a moment before the outbox has
# recorded which conversation the new thread belongs to: look again for this long.
THREAD_WAIT_STEPS = 40
THREAD_WAIT_STEP_SECONDS = 0.05


class ConversationStore:
    def __init__(self, redis: Redis, *, prefix: str | None = None) -> None:
        self.redis = redis
        # Every key of Tandem's is built from this prefix, so one hash slot holds them all.
        self.prefix = key_prefix(redis) if prefix is None else prefix
        # Summary rows and search indexes for the supervisors' review (handoff/review/).
        self.review = ReviewIndex(redis, prefix=self.prefix)

    def _key(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(p) for p in parts)))

    async def check(self) -> None:
        try:
            await self.redis.ping()
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(f"REDIS_URL: Redis does not answer ({exc})") from exc

    @asynccontextmanager
    async def chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """Serialise all work on one chat across workers, so messages keep their order."""
        lock = self.redis.lock(
            self._key("lock", "chat", chat_id),
            timeout=LOCK_TIMEOUT_SECONDS,
            blocking_timeout=LOCK_WAIT_SECONDS,
        )
        try:
            acquired = await lock.acquire()
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(f"cannot lock chat {chat_id}: {exc}") from exc
        if not acquired:
            raise RedisUnavailable(f"chat {chat_id} stayed locked for {LOCK_WAIT_SECONDS:.0f}s")
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockError:
                log.warning("chat lock expired before release", extra={"chat_id": chat_id})

    async def seen(self, kind: str, key: str | int) -> bool:
        return bool(await self.redis.exists(self._key("seen", kind, key)))

    async def mark_seen(self, kind: str, key: str | int) -> None:
        await self.redis.set(self._key("seen", kind, key), 1, ex=SEEN_TTL_SECONDS)

    async def next_conversation_id(self) -> str:
        return f"c{await self.redis.incr(self._key('seq'))}"

    async def current(self, chat_id: int) -> Conversation | None:
        conv_id = await self.redis.get(self._key("chat", chat_id))
        return await self.get(_text(conv_id)) if conv_id else None

    async def get(self, conv_id: str) -> Conversation | None:
        raw = await self.redis.get(self._key("conv", conv_id))
        return Conversation.from_dict(json.loads(raw)) if raw else None

    async def save(self, conv: Conversation) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("conv", conv.id), json.dumps(conv.to_dict()))
            pipe.set(self._key("chat", conv.chat_id), conv.id)
            pipe.zadd(self._key("convs"), {conv.id: conv.opened_at}, nx=True)
            if conv.thread:
                pipe.set(self._key("thread", conv.thread.channel, conv.thread.ts), conv.id)
            await pipe.execute()
        await self.review.on_save(conv)

    @asynccontextmanager
    async def locked_thread(self, thread: ThreadRef) -> AsyncIterator[Conversation | None]:
        """The thread's conversation, re-read under its chat's lock; None when untracked."""
        found = await self.for_thread(thread)
        for _ in range(THREAD_WAIT_STEPS):  # a click on a card the outbox is still recording
            if found is not None:
                break
            await asyncio.sleep(THREAD_WAIT_STEP_SECONDS)
            found = await self.for_thread(thread)
        if found is None:
            yield None
            return
        async with self.chat_lock(found.chat_id):
            yield await self.get(found.id) or found

    async def for_thread(self, thread: ThreadRef) -> Conversation | None:
        conv_id = await self.conversation_id_for(thread)
        return await self.get(conv_id) if conv_id else None

    async def conversation_id_for(self, thread: ThreadRef) -> str | None:
        conv_id = await self.redis.get(self._key("thread", thread.channel, thread.ts))
        return _text(conv_id) if conv_id else None

    async def link_thread(self, thread: ThreadRef, conv_id: str) -> None:
        """Replies in this thread belong to the conversation (set when the outbox opens it)."""
        await self.redis.set(self._key("thread", thread.channel, thread.ts), conv_id)

    async def append(self, conv_id: str, event: Event) -> str:
        """Append one event to the transcript; entries are never rewritten."""
        entry_id = await self.redis.xadd(
            self._key("log", conv_id), {"e": json.dumps(asdict(event), ensure_ascii=False)}
        )
        await self.review.on_event(conv_id, event)
        return _text(entry_id)

    async def transcript(self, conv_id: str, *, last: int | None = None) -> list[Event]:
        key = self._key("log", conv_id)
        if last is None:
            rows: list[Any] = await self.redis.xrange(key) or []
        else:
            rows = list(reversed(await self.redis.xrevrange(key, count=last) or []))
        return [Event(**json.loads(fields[b"e"])) for _, fields in rows]

    async def customer(self, chat_id: int) -> dict[str, str]:
        raw = await self.redis.hgetall(self._key("customer", chat_id))
        return {_text(k): _text(v) for k, v in raw.items()}

    async def remember(self, chat_id: int, **fields: str) -> None:
        if fields:
            await self.redis.hset(self._key("customer", chat_id), mapping=cast(Any, fields))

    async def count_conversation(self, chat_id: int) -> int:
        """Count a new conversation of this customer (shown to employees as history)."""
        return int(await self.redis.hincrby(self._key("customer", chat_id), "conversations", 1))

    async def open_counts(self) -> dict[str, int]:
        """How many conversations each employee owns right now (for routing)."""
        raw = await self.redis.hgetall(self._key("open"))
        return {_text(k): int(v) for k, v in raw.items()}

    async def adjust_open(self, employee: str, delta: int) -> None:
        await self.redis.hincrby(self._key("open"), employee, delta)

    async def count_conversations(self) -> int:
        return int(await self.redis.zcard(self._key("convs")))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
