"""Keeps each conversation's summary row and the secondary indexes current.

The conversation store writes each change of a row in the same transaction as the
transcript entry or the saved conversation that caused it: it folds the change into the
row this worker last wrote or read (``plan``) and queues a compare-and-set script that
writes the row and its index entries only if the row is still that one (``queue``). If
another worker changed the row meanwhile, or the row is not known here, ``settle``
falls back to reading, folding and writing it under WATCH, so no update is lost.
``index_ops`` is pure, so the benchmark's bulk loader and erasure use exactly the keys
the live path writes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from handoff.core.state import Conversation, Event
from handoff.core.summary import Row, event_words, with_conversation, with_event
from handoff.storage.connection.redis_url import key_prefix
from handoff.storage.keys import Keys
from handoff.storage.records import word_index

log = logging.getLogger(__name__)

# ("zadd", key, member, score) | ("zrem", key, member) | ("sadd", key, member)
Op = tuple[Any, ...]
MAX_ATTEMPTS = 8
# Rows remembered for the compare-and-set; a forgotten one costs one WATCH round.
KNOWN_ROWS = 10_000

# KEYS[1] the row, KEYS[2..] one index key per op. ARGV[1] the row as last known ('' for
# none), ARGV[2] the new row, then per op: command, member, score.
_CAS = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
for i = 2, #KEYS do
  local a = 3 * i - 3
  if ARGV[a] == 'zadd' then redis.call('ZADD', KEYS[i], ARGV[a + 2], ARGV[a + 1])
  elseif ARGV[a] == 'zrem' then redis.call('ZREM', KEYS[i], ARGV[a + 1])
  else redis.call('SADD', KEYS[i], ARGV[a + 1]) end
end
return 1
"""


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


def index_ops(keys: Keys, before: Row | None, after: Row, new_words: Collection[str]) -> list[Op]:
    old = filter_keys(keys, before) if before is not None else set()
    new = filter_keys(keys, after)
    ops: list[Op] = [("zrem", key, after.id) for key in sorted(old - new)]
    moved = before is None or before.opened != after.opened
    ops += [("zadd", key, after.id, after.opened) for key in sorted(new if moved else new - old)]
    ops += word_index.add_ops(keys, after.id, new_words)
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


@dataclass(frozen=True)
class Change:
    """One change of a row: how to fold it, and the words it adds to the search index."""

    conv_id: str
    fold: Callable[[Row], Row]
    words: frozenset[str]

    @classmethod
    def saved(cls, conv: Conversation) -> Change:
        return cls(conv.id, lambda row: with_conversation(row, conv), frozenset())

    @classmethod
    def event(cls, conv_id: str, event: Event) -> Change:
        return cls(conv_id, lambda row: with_event(row, event), frozenset(event_words(event)))

    @classmethod
    def all(cls, conv_id: str, changes: list[Change]) -> Change:
        """Several changes, folded in order (one transaction's)."""

        def fold(row: Row) -> Row:
            for change in changes:
                row = change.fold(row)
            return row

        return cls(conv_id, fold, frozenset().union(*(c.words for c in changes)))


@dataclass(frozen=True)
class Planned:
    change: Change
    known: str  # the row it was folded into, as stored ('' for none)
    after: str  # the new row
    ops: list[Op]


class ReviewIndex:
    def __init__(self, redis: Redis, *, prefix: str | None = None) -> None:
        self.redis = redis
        self.keys = Keys(key_prefix(redis) if prefix is None else prefix)
        self._known: OrderedDict[str, str] = OrderedDict()  # conv id -> row JSON

    def new_conversation(self, conv_id: str) -> None:
        """An id just handed out: nobody can have written its row yet."""
        self._remember(conv_id, "")

    def plan(self, change: Change) -> Planned | None:
        """The change folded into the row last known here; None when none is known (the
        caller then uses ``settle`` with no result)."""
        known = self._known.get(change.conv_id)
        if known is None:
            return None
        before = Row.from_json(known) if known else None
        after = change.fold(before or Row(change.conv_id))
        ops = index_ops(self.keys, before, after, change.words)
        if before == after and not ops:
            return Planned(change, known, known, [])
        return Planned(change, known, after.to_json(), ops)

    def queue(self, pipe: Pipeline, planned: Planned) -> bool:
        """Queue the compare-and-set; False when the change alters nothing."""
        if planned.known == planned.after and not planned.ops:
            return False
        keys = [self.keys.summary(planned.change.conv_id), *(op[1] for op in planned.ops)]
        args: list[Any] = [planned.known, planned.after]
        for op in planned.ops:
            args += [op[0], op[2], repr(op[3]) if len(op) > 3 else ""]
        pipe.eval(_CAS, len(keys), *keys, *args)
        return True

    async def settle(self, change: Change, planned: Planned | None, applied: Any) -> None:
        """After the transaction: remember the row written, or redo the change under WATCH
        when the compare-and-set did not apply (``applied`` is its result)."""
        if planned is not None and (applied is None or int(applied) == 1):
            self._remember(change.conv_id, planned.after)
            return
        self._known.pop(change.conv_id, None)
        await self._update(change.conv_id, change.fold, change.words)

    def _remember(self, conv_id: str, row: str) -> None:
        self._known[conv_id] = row
        self._known.move_to_end(conv_id)
        while len(self._known) > KNOWN_ROWS:
            self._known.popitem(last=False)

    async def row(self, conv_id: str) -> Row | None:
        raw = await self.redis.get(self.keys.summary(conv_id))
        return Row.from_json(raw) if raw else None

    async def _update(
        self, conv_id: str, change: Callable[[Row], Row], new_words: Collection[str]
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
                        self._remember(conv_id, after.to_json())
                        return
                    except WatchError:
                        continue
            log.warning("review index contended; row left as is", extra={"conv_id": conv_id})
        except RedisError:
            # The transcript entry is written; failing the flow now would only make the
            # retry append it twice. The row can be rebuilt from the transcript.
            log.exception("review index update failed", extra={"conv_id": conv_id})
