"""The compact word index: conversations numbered across blocks of 512, searched with the
filters, kept as Redis intsets, and moved once from the old one-sorted-set-per-word layout."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from handoff.review.query import ConversationQuery, Filters
from handoff.storage.keys import Keys
from handoff.storage.records import word_index
from handoff.storage.store import ConversationStore
from tests.review.seed import T0, Script, seed

K = Keys()


async def test_a_search_finds_conversations_on_both_sides_of_a_block_edge(
    redis: Redis, store: ConversationStore
) -> None:
    await redis.set(K.sequence, 509)  # the next ids are c510, c511, then c512 (block 1)
    for n in range(5):
        text = "my drill is broken" if n % 2 == 0 else "is my drill on sale"
        await seed(store, Script(100 + n, "Al", "downtown", start=T0 + n, messages=[(0, text)]))
    query = ConversationQuery(redis, K, ZoneInfo("America/Detroit"))

    async def ids(**params: str) -> list[str]:
        page = await query.page(Filters.from_params(params))
        return [item.row.id for item in page.items]

    every = ["c514", "c513", "c512", "c511", "c510"]
    assert await ids(q="drill") == every
    assert await ids(q="drill broken") == ["c514", "c512", "c510"]  # newest opened first
    assert await ids(q="sale", store="downtown") == ["c513", "c511"]
    assert await ids(q="sale", store="riverside") == []
    assert await ids(q="drill", since="2026-11-24", until="2026-11-24") == every
    assert (await query.page(Filters.from_params({"q": "drill"}), 1, limit=2)).total == 5
    assert await ids(q="nowhere") == []
    assert await redis.keys("tandem:tmp:*") == []  # the scratch keys are removed
    assert await redis.object("encoding", K.word("drill", 0)) == b"intset"
    assert await redis.smembers(K.word("drill", 1)) == {b"0", b"1", b"2"}


async def test_a_frequent_word_costs_about_two_bytes_a_conversation(redis: Redis) -> None:
    key = K.word("hours", 3)
    await redis.sadd(key, *range(word_index.BLOCK))  # the fullest a block's set gets
    assert await redis.object("encoding", key) == b"intset"
    used = await redis.memory_usage(key, samples=0)
    assert used is not None
    assert used <= 2 * word_index.BLOCK + 100


def test_only_the_store_s_numbered_ids_are_placed() -> None:
    assert word_index.place("c1023") == (1, 511)
    assert word_index.add_ops(K, "c7", {"b", "a"}) == [
        ("sadd", K.word("a", 0), 7),
        ("sadd", K.word("b", 0), 7),
    ]
    assert word_index.add_ops(K, "conv-1", set()) == []  # nothing to place, nothing asked
    with pytest.raises(word_index.NotNumbered, match="'conv-1'"):
        word_index.add_ops(K, "conv-1", {"drill"})


async def test_the_old_layout_is_moved_once(redis: Redis, caplog: pytest.LogCaptureFixture) -> None:
    await redis.zadd(K.old_word("drill"), {"c1": T0, "c600": T0 + 9, "legacy": T0})
    await redis.zadd(K.old_word("sale"), {"c600": T0 + 9})
    await redis.set(K.sequence, 600)

    with caplog.at_level(logging.WARNING):
        assert await word_index.upgrade(redis, K) == 2
    assert "ids without a number" in caplog.text
    assert await redis.smembers(K.word("drill", 0)) == {b"1"}
    assert await redis.smembers(K.word("drill", 1)) == {b"88"}  # 600 = 512 + 88
    assert await redis.smembers(K.word("sale", 1)) == {b"88"}
    assert not await redis.exists(K.old_word("drill"), K.old_word("sale"))

    await redis.zadd(K.old_word("late"), {"c2": T0})  # after the move: not looked for again
    assert await word_index.upgrade(redis, K) == 0
    assert await redis.exists(K.old_word("late"))
