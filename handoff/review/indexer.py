"""Keeps each conversation's summary row and the secondary indexes current.

The conversation store calls ``on_save`` / ``on_event`` after each write. A row is
read, folded and written back under WATCH, so two workers touching one conversation
cannot lose an update. ``index_ops`` is pure, so the benchmark's bulk loader and
erasure use exactly the keys the live path writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from bot.redis_url import key_prefix
from handoff.review.keys import Keys
from handoff.review.summary import Row, event_words, with_conversation, with_event
from handoff.state import Conversation, Event

log = logging.getLogger(__name__)

# ("zadd", key, member, score) | ("zrem", key, member) | ("sadd", key, member)
Op = tuple[Any, ...]
MAX_ATTEMPTS = 8


def filter_keys(keys: Keys, row: Row) -> set[str]:
    """Every sorted set (scored by opening time) the row belongs to."""
    found = {keys.index("status", row.status), keys.by_chat(row.chat_id)}
    if row.store:
        found.add(keys.index("store", row.store))
    found.update(keys.index("emp", e) for e in row.employees)
    found.update(keys.index("reason", r) for r in row.reasons)
    if row.sentiment:
        found.add(keys.index("sent", row.sentiment))
    if row.rating is not None:
        found.add(keys.index("rating", row.rating))
    found.update(keys.index("flag", f) for f in row.flags)
    if row.flags:
        found.add(keys.index("flag", "any"))
    return found


def index_ops(keys: Keys, before: Row | None, after: Row, new_words: Iterable[str]) -> list[Op]:
    old = filter_keys(keys, before) if before is not None else set()
    new = filter_keys(keys, after)
    ops: list[Op] = [("zrem", key, after.id) for key in sorted(old - new)]
    moved = before is None or before.opened != after.opened
    ops += [("zadd", key, after.id, after.opened) for key in sorted(new if moved else new - old)]
    ops += [("zadd", keys.word(w), after.id, after.opened) for w in sorted(new_words)]
    if before is None or before.last != after.last:
        ops.append(("zadd", keys.last_activity, after.id, after.last))
    ops += [
        ("sadd", keys.reasons, r)
        for r in after.reasons
        if before is None or r not in before.reasons
    ]
    return ops


def queue(pipe: Pipeline, ops: Iterable[Op]) -> None:
    for op in ops:
        if op[0] == "zadd":
            pipe.zadd(op[1], {op[2]: op[3]})
        elif op[0] == "zrem":
            pipe.zrem(op[1], op[2])
        else:
            pipe.sadd(op[1], op[2])


def fold(conv: Conversation | None, events: Iterable[Event], conv_id: str) -> tuple[Row, set[str]]:
    """The row and words of a whole conversation (bulk load, reindexing, the page)."""
    row = Row(conv_id)
    if conv is not None:
        row = with_conversation(row, conv)
    found: set[str] = set()
    for event in events:
        row = with_event(row, event)
        found |= event_words(event)
    if conv is not None:  # the saved state wins over what the events implied
        row = with_conversation(row, conv)
    return row, found


class ReviewIndex:
    def __init__(self, redis: Redis, *, prefix: str | None = None) -> None:
        self.redis = redis
        self.keys = Keys(key_prefix(redis) if prefix is None else prefix)

    async def on_save(self, conv: Conversation) -> None:
        await self._update(conv.id, lambda row: with_conversation(row, conv), ())

    async def on_event(self, conv_id: str, event: Event) -> None:
        await self._update(conv_id, lambda row: with_event(row, event), event_words(event))

    async def row(self, conv_id: str) -> Row | None:
        raw = await self.redis.get(self.keys.summary(conv_id))
        return Row.from_json(raw) if raw else None

    async def _update(
        self, conv_id: str, change: Callable[[Row], Row], new_words: Iterable[str]
    ) -> None:
        key = self.keys.summary(conv_id)
        try:
            for _ in range(MAX_ATTEMPTS):
                async with self.redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(key)
                        raw = await pipe.get(key)
                        before = Row.from_json(raw) if raw else None
                        after = change(before or Row(conv_id))
                        pipe.multi()  # type: ignore[no-untyped-call]
                        pipe.set(key, after.to_json())
                        queue(pipe, index_ops(self.keys, before, after, new_words))
                        await pipe.execute()
                        return
                    except WatchError:
                        continue
            log.warning("review index contended; row left as is", extra={"conv_id": conv_id})
        except RedisError:
            # The transcript entry is written; failing the flow now would only make the
            # retry append it twice. The row can be rebuilt from the transcript.
            log.exception("review index update failed", extra={"conv_id": conv_id})
