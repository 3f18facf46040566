"""The Redis adapter: conversations, append-only transcripts, dedupe, locks, profiles.

Its keys (the conversation, the chat's current one, a Slack thread's, the transcript
stream, shared bot answers, the list of conversations, seen marks, the customer's
profile) are families of the registry, handoff/storage/families.py, which spells each name
under the prefix (``tandem:``; ``{tandem}:`` on a Redis Cluster, see
handoff/storage/connection/redis_url.py ``key_prefix``).

Each write also updates the conversation's review row in the same transaction
(handoff/storage/records/indexer.py), and a save can carry the message's other bookkeeping
(``Extra``), so handling a message costs a few round trips, not dozens.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from handoff.core.state import Conversation, Event, ThreadRef
from handoff.errors import RedisUnavailable
from handoff.storage.chat_lock import (
    LOCK_RETRY_SECONDS,
    LOCK_TIMEOUT_SECONDS,
    LOCK_WAIT_SECONDS,
    ChatLock,
)
from handoff.storage.connection.redis_url import key_prefix
from handoff.storage.keys import Keys
from handoff.storage.records.indexer import Change, ReviewIndex
from handoff.storage.shared_texts import SharedTexts
from handoff.storage.transcript_codec import decode, encode, references, shared_text

log = logging.getLogger(__name__)

SEEN_TTL_SECONDS = 7 * 24 * 3600
SEEN_KEEP = 16
# An employee can click a card the moment Slack shows it, a moment before the outbox has
# recorded which conversation the new thread belongs to: look again for this long.
THREAD_WAIT_STEPS = 40
THREAD_WAIT_STEP_SECONDS = 0.05

# More writes for a save's transaction (a message's map entry, its seen mark, an answer's
# send). One may return a callable, called once the transaction has run (to wake a pump).
Extra = Callable[[Pipeline], object]


class ConversationStore:
    def __init__(self, redis: Redis, *, prefix: str | None = None) -> None:
        self.redis = redis
        # Every key of Tandem's is built from this prefix, so one hash slot holds them all.
        self.prefix = key_prefix(redis) if prefix is None else prefix
        self.keys = Keys(self.prefix)  # every key name (handoff/storage/families.py)
        # Summary rows and search indexes for the supervisors' review (handoff/review/).
        self.review = ReviewIndex(redis, prefix=self.prefix)
        self.texts = SharedTexts(redis, self.keys)

    async def check(self) -> None:
        try:
            await self.redis.ping()
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(f"REDIS_URL: Redis does not answer ({exc})") from exc

    @asynccontextmanager
    async def chat_lock(self, chat_id: str, *, take: bool = True) -> AsyncIterator[ChatLock]:
        """Serialise all work on one chat across workers, so messages keep their order.
        ``take=False``: the block takes it itself (a message's first read, arrival.py)."""
        lock = ChatLock(
            self.redis.lock(
                self.keys.chat_lock(chat_id),
                timeout=LOCK_TIMEOUT_SECONDS,
                sleep=LOCK_RETRY_SECONDS,
                blocking_timeout=LOCK_WAIT_SECONDS,
            ),
            chat_id,
            self.redis,
        )
        if take:
            await lock.take()
        failed = True
        try:
            yield lock
            failed = False
        finally:
            await lock.leave(failed)

    async def seen(self, kind: str, key: str | int, *, chat_id: str) -> bool:
        return await self.redis.lpos(self.keys.seen(kind, chat_id), str(key)) is not None

    def seen_mark(self, kind: str, key: str | int, *, chat_id: str) -> Extra:
        """Queue the mark that the update was handled. A chat's updates are handled in
        order (its inbox lane), so only its latest can come again (a job run twice after
        a worker died): a chat keeps its last ``SEEN_KEEP`` marks, for a week."""
        seen_key = self.keys.seen(kind, chat_id)

        def queue(pipe: Pipeline) -> None:
            pipe.lpush(seen_key, str(key))
            pipe.ltrim(seen_key, 0, SEEN_KEEP - 1)
            pipe.expire(seen_key, SEEN_TTL_SECONDS)

        return queue

    async def mark_seen(self, kind: str, key: str | int, *, chat_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            self.seen_mark(kind, key, chat_id=chat_id)(pipe)
            await pipe.execute()

    async def next_conversation_id(self) -> str:
        conv_id = f"c{await self.redis.incr(self.keys.sequence)}"
        self.review.new_conversation(conv_id)
        return conv_id

    async def current(self, chat_id: str) -> Conversation | None:
        conv_id = await self.redis.get(self.keys.chat(chat_id))
        return await self.get(_text(conv_id)) if conv_id else None

    async def get(self, conv_id: str) -> Conversation | None:
        raw = await self.redis.get(self.keys.conv(conv_id))
        return Conversation.from_dict(json.loads(raw)) if raw else None

    async def save(
        self,
        conv: Conversation,
        *,
        events: Iterable[Event] = (),
        name: str | None = None,
        extra: Iterable[Extra] = (),
    ) -> None:
        """Save the conversation, with ``events`` appended before (see ``append``), its
        review row and ``extra``, in one transaction."""
        events = list(events)
        change = Change.all(
            conv.id, [*(Change.event(conv.id, e) for e in events), Change.saved(conv)]
        )
        planned = self.review.plan(change)
        async with self.redis.pipeline(transaction=True) as pipe:
            shared = [self._queue_event(pipe, conv.id, event, name) for event in events]
            pipe.set(self.keys.conv(conv.id), json.dumps(conv.to_dict(), separators=(",", ":")))
            pipe.set(self.keys.chat(conv.chat_id), conv.id)
            pipe.zadd(self.keys.convs, {conv.id: conv.opened_at}, nx=True)
            if conv.thread:
                pipe.set(self.keys.thread(conv.thread.channel, conv.thread.ts), conv.id)
            after = [then for queue in extra if callable(then := queue(pipe))]
            row_queued = planned is not None and self.review.queue(pipe, planned)
            done = await pipe.execute()
        for then in after:
            then()
        self.texts.stored(*(digest for digest in shared if digest))
        await self.review.settle(change, planned, done[-1] if row_queued else None)

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
        conv_id = await self.redis.get(self.keys.thread(thread.channel, thread.ts))
        return _text(conv_id) if conv_id else None

    async def link_thread(self, thread: ThreadRef, conv_id: str) -> None:
        """Replies in this thread belong to the conversation (set when the outbox opens it)."""
        await self.redis.set(self.keys.thread(thread.channel, thread.ts), conv_id)

    async def append(self, conv_id: str, event: Event, *, name: str | None = None) -> str:
        """Append one event to the transcript; entries are never rewritten. ``name``: the
        customer's first name, which a shared bot answer stores apart from its text."""
        change = Change.event(conv_id, event)
        planned = self.review.plan(change)
        async with self.redis.pipeline(transaction=True) as pipe:
            digest = self._queue_event(pipe, conv_id, event, name)
            at = len(pipe) - 1
            row_queued = planned is not None and self.review.queue(pipe, planned)
            done = await pipe.execute()
        self.texts.stored(digest)
        await self.review.settle(change, planned, done[-1] if row_queued else None)
        return _text(done[at])

    def _queue_event(self, pipe: Pipeline, conv_id: str, event: Event, name: str | None) -> str:
        """Queue the entry (XADD last), and its shared text if it has one (its digest)."""
        shared = shared_text(event, name)
        if shared is not None:
            self.texts.queue(pipe, *shared)
        pipe.xadd(self.keys.log(conv_id), encode(event, shared, name))
        return shared[0] if shared is not None else ""

    async def transcript(self, conv_id: str, *, last: int | None = None) -> list[Event]:
        key = self.keys.log(conv_id)
        if last is None:
            rows: list[Any] = await self.redis.xrange(key) or []
        else:
            rows = list(reversed(await self.redis.xrevrange(key, count=last) or []))
        digests = {d for _, fields in rows if (d := references(fields)) is not None}
        texts = await self.texts.get(digests)
        return [decode(fields, texts) for _, fields in rows]

    async def customer(self, chat_id: str) -> dict[str, str]:
        raw = await self.redis.hgetall(self.keys.customer(chat_id))
        return {_text(k): _text(v) for k, v in raw.items()}

    async def remember(self, chat_id: str, **fields: str) -> None:
        if fields:
            await self.redis.hset(self.keys.customer(chat_id), mapping=cast(Any, fields))

    def conversation_counted(self, chat_id: str) -> Extra:
        """Count a new conversation of this customer (shown to employees as history), in
        the transaction of its first save."""
        key = self.keys.customer(chat_id)

        def queue(pipe: Pipeline) -> None:
            pipe.hincrby(key, "conversations", 1)

        return queue

    async def open_counts(self) -> dict[str, int]:
        """How many conversations each employee owns right now (for routing)."""
        raw = await self.redis.hgetall(self.keys.open_counts)
        return {_text(k): int(v) for k, v in raw.items()}

    async def adjust_open(self, employee: str, delta: int) -> None:
        await self.redis.hincrby(self.keys.open_counts, employee, delta)

    async def count_conversations(self) -> int:
        return int(await self.redis.zcard(self.keys.convs))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
