"""Summary rows and indexes kept by the store's writes, and the list queries over them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from handoff.core.state import Event, claim, hand_off
from handoff.review.query import ConversationQuery, Filters
from handoff.storage.keys import Keys
from handoff.storage.records import word_index
from handoff.storage.store import ConversationStore
from tests.redis_text import text
from tests.review.seed import AISHA, MARIA, T0, Script, nlu, seed

K = Keys()
DAY = 24 * 3600


async def members(redis: Redis, key: str) -> set[str]:
    return {text(m) for m in await redis.zrange(key, 0, -1)}


async def seed_three(store: ConversationStore) -> None:
    await seed(
        store,
        Script(
            1,
            "Alex",
            "downtown",
            messages=[(0, "My drill arrived broken"), (30, "anyone there?")],
            handoff=(1, "emotional", -0.7),
            claim=(1200, MARIA),
            replies=[(1300, "So sorry, a replacement is on its way")],
            resolve=2000,
            rating=(2100, 1),
        ),
    )
    await seed(
        store,
        Script(
            2,
            "Bea",
            "riverside",
            start=T0 + DAY,
            messages=[(0, "When do you open on Sunday?")],
            bot_answers=[(1, "We open at 10 on Sundays.", nlu("ask_hours", 0.0))],
        ),
    )
    await seed(store, Script(
        3, "Cal", "riverside", start=T0 + 2 * DAY,
        messages=[(0, "the paint you mixed is the wrong colour")],
        handoff=(2, "complaint", -0.4), claim=(60, AISHA), replies=[(90, "Bring it back")],
    ))  # fmt: skip


async def test_rows_and_indexes_follow_the_conversation(
    redis: Redis, store: ConversationStore
) -> None:
    conv = await seed(store, Script(5, "Dee", "northgate", messages=[(0, "Where is my refund?")]))
    assert await members(redis, K.index("status", "bot")) == {conv.id}
    handed = hand_off(conv, reason="refund_request", offered_to=None, expires_at=None, now=T0 + 5)
    assert handed.event is not None
    await store.append(conv.id, handed.event)
    await store.save(handed.conversation)
    taken = claim(handed.conversation, employee="U0TERRY01", now=T0 + 20 * 60)
    assert taken.event is not None
    await store.append(conv.id, taken.event)
    await store.save(taken.conversation)

    row = await store.review.row(conv.id)
    assert row is not None
    assert row.status == "human"
    assert row.time_to_human == 20 * 60 - 5
    assert await members(redis, K.index("status", "bot")) == set()
    assert await members(redis, K.index("status", "human")) == {conv.id}
    assert await members(redis, K.index("flag", "long_wait")) == {conv.id}
    assert await members(redis, K.index("emp", "U0TERRY01")) == {conv.id}
    assert await members(redis, K.index("reason", "refund_request")) == {conv.id}
    block, offset = word_index.place(conv.id)
    assert await redis.smembers(K.word("refund", block)) == {str(offset).encode()}
    assert await members(redis, K.by_chat("5")) == {conv.id}
    assert await redis.zscore(K.last_activity, conv.id) == T0 + 20 * 60


async def test_filters_search_dates_and_paging(redis: Redis, store: ConversationStore) -> None:
    await seed_three(store)
    query = ConversationQuery(redis, K, ZoneInfo("America/Detroit"))

    async def ids(**params: str) -> list[str]:
        page = await query.page(Filters.from_params(params))
        return [item.row.id for item in page.items]

    assert await ids() == ["c3", "c2", "c1"]  # newest first
    assert await ids(store="riverside") == ["c3", "c2"]
    assert await ids(store="riverside", status="human") == ["c3"]
    assert await ids(employee=MARIA) == ["c1"]
    assert await ids(reason="complaint") == ["c3"]
    assert await ids(sentiment="negative") == ["c3", "c1"]
    assert await ids(sentiment="neutral") == ["c2"]
    assert await ids(rating="1") == ["c1"]
    assert await ids(flag="low_rating") == ["c1"]
    assert await ids(flag="long_wait") == ["c1"]
    assert await ids(flag="any") == ["c1"]
    assert await ids(q="broken") == ["c1"]
    assert await ids(q="REPLACEMENT way") == ["c1"]  # employee words, all must match
    assert await ids(q="colour", store="downtown") == []
    assert await ids(q="sunday") == ["c2"]
    assert await ids(q="sunday nowhere") == []
    assert await ids(since="2026-11-25") == ["c3", "c2"]
    assert await ids(until="2026-11-25") == ["c2", "c1"]
    assert await ids(since="2026-11-25", until="2026-11-25", store="riverside") == ["c2"]
    assert await redis.keys("tandem:tmp:*") == []  # scratch intersections are removed

    only_stop_words = await query.page(Filters.from_params({"q": "the a"}))
    assert only_stop_words.ignored_query
    assert only_stop_words.total == 3

    first = await query.page(Filters(), 0, limit=2)
    assert (first.total, [i.row.id for i in first.items]) == (3, ["c3", "c2"])
    assert first.items[0].customer == "Cal"
    assert [i.row.id for i in (await query.page(Filters(), 2, limit=2)).items] == ["c1"]
    assert await query.reasons() == ["complaint", "emotional"]


async def test_marks_and_unknown_events_keep_rows_consistent(
    redis: Redis, store: ConversationStore
) -> None:
    conv = await seed(store, Script(9, "Eve", "downtown", messages=[(0, "hi")]))
    await store.append(conv.id, Event("marked_wrong", T0 + 9, "supervisor:alice", None, {}))
    await store.append(conv.id, Event("something_new", T0 + 10, "tandem", None, {}))
    row = await store.review.row(conv.id)
    assert row is not None
    assert row.flags == ("wrong_answer",)
    assert row.last == T0 + 10
    assert await members(redis, K.index("flag", "wrong_answer")) == {conv.id}
