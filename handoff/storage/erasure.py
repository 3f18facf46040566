"""Erasure of a customer, and retention: the only code that deletes transcripts.

Each run writes one audit record (who, when, which customer or cut-off, how many
conversations). Every conversation is erased under its chat's lock, so a message
being handled at that moment cannot bring half of it back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from handoff.core.summary import event_words
from handoff.errors import HandoffConfigError
from handoff.queues.periodic import run_periodically
from handoff.storage import word_index
from handoff.storage.audit import AuditLog
from handoff.storage.indexer import filter_keys
from handoff.storage.keys import Keys
from handoff.storage.store import ConversationStore

log = logging.getLogger(__name__)

DAY = 24 * 3600
BATCH = 500
# Other keys named after a chat: Telegram message ids mapped to Slack posts
# (handoff/storage/message_map.py; one per message before it kept one per chat), message-rate
# counters (handoff/flows/flood.py), and the chat's handled update and event ids (store.py).
CHAT_SCOPED = ("tgmsg", "flood")
CHAT_KEYS = ("tgmsg", "seen:tg", "seen:slack")


class Eraser:
    def __init__(self, store: ConversationStore, audit: AuditLog) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = Keys(store.prefix)
        self.audit = audit

    async def erase_customer(self, chat_id: int, *, by: str) -> int:
        """Everything about one customer: conversations, transcripts, profile, indexes."""
        async with self.store.chat_lock(chat_id):
            ids = await self._ids_of(chat_id)
            for conv_id in ids:
                await self._erase_conversation(conv_id)
            mapped = []
            for kind in CHAT_SCOPED:
                pattern = f"{self.keys.prefix}:{kind}:{chat_id}:*"
                mapped += [k async for k in self.redis.scan_iter(match=pattern, count=1000)]
            await self.redis.delete(
                self.keys.customer(chat_id),
                self.keys.by_chat(chat_id),
                self.keys.chat(chat_id),
                *(f"{self.keys.prefix}:{kind}:{chat_id}" for kind in CHAT_KEYS),
                *mapped,
            )
        await self.audit.record("erase_customer", by, customer=chat_id, count=len(ids))
        return len(ids)

    async def erase_older_than(self, days: int, *, by: str, now: float) -> int:
        """Conversations whose last activity is more than ``days`` days before ``now``."""
        if days < 1:
            raise HandoffConfigError("--older-than-days: expected a number of days of at least 1")
        cutoff = now - days * DAY
        erased = 0
        while batch := await self._older(cutoff):
            for conv_id in batch:
                erased += await self._erase_if_still_old(conv_id, cutoff)
        await self.audit.record("retention", by, older_than_days=days, cutoff=cutoff, count=erased)
        return erased

    async def _older(self, cutoff: float) -> list[str]:
        # Rows record the last activity; a conversation without one falls back to its opening.
        old: list[Any] = await self.redis.zrangebyscore(
            self.keys.last_activity, "-inf", cutoff, start=0, num=BATCH
        )
        if not old:
            old = [
                c
                for c in await self.redis.zrangebyscore(self.keys.convs, "-inf", cutoff, 0, BATCH)
                if await self.redis.zscore(self.keys.last_activity, _text(c)) is None
            ]
        return [_text(c) for c in old]

    async def _erase_if_still_old(self, conv_id: str, cutoff: float) -> int:
        conv = await self.store.get(conv_id)
        if conv is None:
            await self._erase_conversation(conv_id)  # only index entries were left
            return 0
        async with self.store.chat_lock(conv.chat_id):
            last = await self.redis.zscore(self.keys.last_activity, conv_id)
            if last is not None and last > cutoff:
                return 0  # the customer wrote again meanwhile
            await self._erase_conversation(conv_id)
            if not await self.redis.zcard(self.keys.by_chat(conv.chat_id)):
                await self.redis.delete(self.keys.customer(conv.chat_id))
        return 1

    async def _ids_of(self, chat_id: int) -> list[str]:
        ids = [_text(c) for c in await self.redis.zrange(self.keys.by_chat(chat_id), 0, -1)]
        current = await self.redis.get(self.keys.chat(chat_id))
        if current is not None and _text(current) not in ids:
            ids.append(_text(current))
        return ids

    async def _erase_conversation(self, conv_id: str) -> None:
        conv = await self.store.get(conv_id)
        row = await self.store.review.row(conv_id)
        events = await self.store.transcript(conv_id)
        index_keys = filter_keys(self.keys, row) if row is not None else set()
        index_keys.update((self.keys.convs, self.keys.last_activity))
        used: set[str] = set()
        for event in events:
            used |= event_words(event)
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in sorted(index_keys):
                pipe.zrem(key, conv_id)
            for key, offset in word_index.remove_ops(self.keys, conv_id, used):
                pipe.srem(key, offset)
            pipe.delete(self.keys.conv(conv_id), self.keys.log(conv_id), self.keys.summary(conv_id))
            if conv is not None and conv.thread is not None:
                pipe.delete(self.keys.thread(conv.thread.channel, conv.thread.ts))
            await pipe.execute()
        if conv is not None:
            current = await self.redis.get(self.keys.chat(conv.chat_id))
            if current is not None and _text(current) == conv_id:
                await self.redis.delete(self.keys.chat(conv.chat_id))
            if conv.status.value == "human" and conv.owner:
                await self.store.adjust_open(conv.owner, -1)
        async for field in self.redis.hscan_iter(self.keys.training, match=f"{conv_id}:*"):
            await self.redis.hdel(self.keys.training, field[0])
        log.info("conversation erased", extra={"conv_id": conv_id, "events": len(events)})


async def retention_loop(
    eraser: Eraser,
    days: int,
    clock: Callable[[], float] = time.time,
    *,
    every: float = 3600.0,
) -> None:
    """Once an hour, on one worker at a time (a Redis lease), erase what is past retention."""
    lease = max(1, int(every * 0.9))

    async def run_once() -> None:
        if await eraser.redis.set(eraser.keys.retention_lock, "1", nx=True, ex=lease):
            await eraser.erase_older_than(days, by="retention", now=clock())

    await run_periodically(run_once, every, "retention run")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
