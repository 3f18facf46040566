"""Erasure of a customer, and retention: the only code that deletes transcripts.

What goes is what the key registry (handoff/storage/families.py) says is theirs: a
customer's families (``Scope.CHAT``) with the customer, a conversation's
(``Scope.CONVERSATION``) with the conversation, and the conversation's entries in the
shared indexes. Each run writes one audit record (who, when, which customer or cut-off,
how many conversations). Every conversation is erased under its chat's lock, so a
message being handled at that moment cannot bring half of it back. The hourly retention
job that calls ``erase_older_than`` is handoff/queues/retention.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from handoff.core.summary import event_words
from handoff.errors import HandoffConfigError
from handoff.storage.records import word_index
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.indexer import filter_keys
from handoff.storage.store import ConversationStore

log = logging.getLogger(__name__)

DAY = 24 * 3600
BATCH = 500


class Eraser:
    def __init__(self, store: ConversationStore, audit: AuditLog) -> None:
        self.store = store
        self.redis = store.redis
        self.keys = store.keys
        self.audit = audit

    @classmethod
    def of(cls, store: ConversationStore, *, clock: Callable[[], float] = time.time) -> Eraser:
        """An eraser that writes its audit records beside the store's data."""
        return cls(store, AuditLog(store.redis, prefix=store.prefix, clock=clock))

    async def conversations_of(self, chat_id: str) -> list[str]:
        """The customer's conversations that exist, as erasure finds them."""
        ids = await self._ids_of(chat_id)
        return [c for c in ids if await self.redis.exists(self.keys.conv(c))]

    async def erase_customer(self, chat_id: str, *, by: str) -> int:
        """Everything about one customer: conversations, transcripts, profile, indexes."""
        async with self.store.chat_lock(chat_id):
            ids = await self._ids_of(chat_id)
            for conv_id in ids:
                await self._erase_conversation(conv_id)
            await self._erase_chat(chat_id, scan=True)
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
            if not await self._ids_of(conv.chat_id):
                # Nothing of theirs left, so the profile and the rest of the customer's
                # keys go too; not by SCAN, once per conversation: what only a SCAN finds
                # expires on its own (a minute's flood count, the old per-message maps).
                await self._erase_chat(conv.chat_id, scan=False)
        return 1

    async def _erase_chat(self, chat_id: str, *, scan: bool) -> None:
        """The keys of every family of the customer's, as the registry names them."""
        named = self.keys.of_chat(chat_id)
        found: list[Any] = list(named.keys)
        for pattern in named.patterns if scan else ():
            found += [k async for k in self.redis.scan_iter(match=pattern, count=1000)]
        await self.redis.delete(*found)

    async def retention_lease(self, seconds: int) -> bool:
        """Take the retention run's lease for ``seconds``; False while another holds it."""
        return bool(await self.redis.set(self.keys.retention_lock, "1", nx=True, ex=seconds))

    async def _ids_of(self, chat_id: str) -> list[str]:
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
            named = self.keys.of_conversation(conv_id, conv.thread if conv else None)
            pipe.delete(*named.keys)  # conv, sum, thread and the transcript
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


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
