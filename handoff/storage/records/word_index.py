"""The search words' inverted index, kept compact.

Conversations are numbered (``c{n}``, handoff/storage/store.py), so a word keeps, for each block
of 512 numbers, a Redis set of the offsets within the block that use it. Redis stores a
set of at most 512 small integers as an intset: about 2 bytes per (word, conversation),
where a sorted set of ids costs about 64 once it holds more than 128 members.

A search intersects each block's sets of all its words in one script (a SINTER per
block) that turns the offsets back into ids; ordering by opening time and the other
filters stay with the sorted sets that have them (handoff/review/query.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from handoff.storage.keys import Keys

log = logging.getLogger(__name__)

BLOCK = 512  # Redis's set-max-intset-entries: a block's set never outgrows the intset
_ID = re.compile(r"c([0-9]+)")
# KEYS[1] the set to fill, then each block's key of every word, block by block. ARGV[1]
# the words per block, then each block's first conversation number. Runs in Redis, so a
# common word's thousands of ids never travel to the worker and back.
_GATHER = """
local per = tonumber(ARGV[1])
for b = 2, #ARGV do
  local first = 2 + (b - 2) * per
  local offsets = redis.call('SINTER', unpack(KEYS, first, first + per - 1))
  if #offsets > 0 then
    local base = tonumber(ARGV[b])
    for i = 1, #offsets do offsets[i] = 'c' .. (base + tonumber(offsets[i])) end
    redis.call('SADD', KEYS[1], unpack(offsets))
  end
end
return 0
"""
_UPGRADED = "2"  # the index's layout version, kept in Keys.word_layout


class NotNumbered(ValueError):
    """A conversation id not handed out by the store (``c`` and its number)."""


def place(conv_id: str) -> tuple[int, int]:
    """The conversation's block, and its offset in the block."""
    found = _ID.fullmatch(conv_id)
    if found is None:
        raise NotNumbered(f"conversation id {conv_id!r} is not one the store hands out (c<n>)")
    block, offset = divmod(int(found[1]), BLOCK)
    return block, offset


def add_ops(keys: Keys, conv_id: str, words: Collection[str]) -> list[tuple[str, str, int]]:
    """("sadd", key, offset) for each word (the indexer's op form)."""
    if not words:
        return []
    block, offset = place(conv_id)
    return [("sadd", keys.word(w, block), offset) for w in sorted(words)]


def remove_ops(keys: Keys, conv_id: str, words: Collection[str]) -> list[tuple[str, int]]:
    """(key, offset) to SREM, so that no word leads to the conversation any more."""
    if not words:
        return []
    block, offset = place(conv_id)
    return [(keys.word(w, block), offset) for w in sorted(words)]


def queue_matches(pipe: Pipeline, keys: Keys, words: Collection[str], last: int, into: str) -> None:
    """Queue the script that fills the set ``into`` with the ids of every conversation
    numbered up to ``last`` that uses all the words (an empty search adds none)."""
    chosen = sorted(words)
    if not chosen:
        return
    blocks = range(last // BLOCK + 1)
    block_keys = [keys.word(w, block) for block in blocks for w in chosen]
    firsts = [block * BLOCK for block in blocks]
    pipe.eval(_GATHER, 1 + len(block_keys), into, *block_keys, len(chosen), *firsts)


async def upgrade(redis: Redis, keys: Keys) -> int:
    """Moves an index written before the blocks (one sorted set of ids per word,
    ``idx:w:{word}``) into them, once per Redis; returns the words moved. Safe to run on
    several workers at once: adding to a set is idempotent and each old key goes last."""
    if _text(await redis.get(keys.word_layout)) == _UPGRADED:
        return 0
    moved = 0
    async for old in redis.scan_iter(match=keys.old_word("*"), count=1000, _type="zset"):
        word = _text(old).removeprefix(keys.old_word(""))
        ids = [_text(m) for m in await redis.zrange(old, 0, -1)]
        numbered = [i for i in ids if _ID.fullmatch(i)]
        if len(numbered) < len(ids):
            log.warning(
                "word index: ids without a number left out",
                extra={"count": len(ids) - len(numbered)},
            )
        async with redis.pipeline(transaction=True) as pipe:
            for conv_id in numbered:
                block, offset = place(conv_id)
                pipe.sadd(keys.word(word, block), offset)
            pipe.delete(old)
            await pipe.execute()
        moved += 1
    await redis.set(keys.word_layout, _UPGRADED)
    if moved:
        log.info("word index moved to blocks", extra={"words": moved})
    return moved


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
