"""Erasure of a customer and retention: everything goes, except one audit record each."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from redis.asyncio import Redis

from handoff.queues.retention import retention_loop
from handoff.review.training import Example, TrainingList
from handoff.storage.keys import Keys
from handoff.storage.records import word_index
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.erasure import DAY, Eraser
from handoff.storage.store import ConversationStore
from tests.redis_text import text
from tests.review.seed import MARIA, T0, Script, seed

K = Keys()
ROOT = Path(__file__).resolve().parents[2]


async def keys_mentioning(redis: Redis, *needles: str) -> list[str]:
    """Every key, or sorted-set / set member, that still names one of the needles."""
    found = []
    for raw in await redis.keys("*"):
        key = text(raw)
        kind = text(await redis.type(key))
        if any(re.search(rf"\b{n}\b", key) for n in needles):
            found.append(key)
        elif kind == "zset":
            names = {text(m) for m in await redis.zrange(key, 0, -1)}
            found += [f"{key}∋{n}" for n in needles if n in names]
    return found


async def searched(redis: Redis, word: str) -> set[str]:
    """The conversations the word index (not the list, which also drops them) gives."""
    block_keys = [text(k) for k in await redis.keys(K.word(word, 0).replace(":0:", ":*:"))]
    return {
        f"c{int(key.split(':')[-2]) * word_index.BLOCK + int(offset)}"
        for key in block_keys
        for offset in await redis.smembers(key)
    }


async def test_erase_customer_leaves_only_the_audit_record(
    redis: Redis, store: ConversationStore
) -> None:
    first = await seed(
        store,
        Script(
            42,
            "Alex",
            "downtown",
            messages=[(0, "my secret order 7788")],
            handoff=(1, "emotional", -0.6),
            claim=(30, MARIA),
            replies=[(40, "on it")],
            resolve=60,
        ),
    )
    second = await seed(
        store, Script(42, "Alex", "downtown", start=T0 + 100, messages=[(0, "me again about 7788")])
    )
    other = await seed(store, Script(43, "Bea", "riverside", messages=[(0, "order 7788 too")]))
    await redis.set("tandem:tgmsg:42:1", "x")
    await redis.set("tandem:flood:42:29925600", 3)
    await TrainingList(redis, K).add(Example(first.id, 0, "my secret order", "order_problem",
                                             None, "supervisor:alice", T0))  # fmt: skip
    audit = AuditLog(redis, clock=lambda: T0 + 999)

    erased = await Eraser(store, audit).erase_customer("42", by="dpo")

    assert erased == 2
    assert await keys_mentioning(redis, first.id, second.id) == []
    assert not await redis.exists(
        K.customer("42"),
        K.chat("42"),
        K.by_chat("42"),
        "tandem:tgmsg:42:1",
        "tandem:flood:42:29925600",
    )
    assert await redis.hlen(K.training) == 0
    assert await store.get(other.id) is not None
    assert await searched(redis, "order") == {other.id}  # the erased' words are gone too
    assert await searched(redis, "secret") == set()
    [record] = await audit.recent()
    assert (record.action, record.by, record.at) == ("erase_customer", "dpo", T0 + 999)
    assert record.detail == {"customer": "42", "count": 2}


async def test_retention_erases_only_what_is_idle_past_the_limit(
    redis: Redis, store: ConversationStore
) -> None:
    old = await seed(store, Script(1, "Old", "downtown", messages=[(0, "last year")]))
    kept = await seed(
        store, Script(2, "Kept", "downtown", messages=[(0, "long ago"), (300 * DAY, "still here")])
    )
    recent = await seed(store, Script(3, "New", "downtown", start=T0 + 360 * DAY,
                                      messages=[(0, "hello")]))  # fmt: skip
    audit = AuditLog(redis)
    now = T0 + 400 * DAY

    erased = await Eraser(store, audit).erase_older_than(365, by="retention", now=now)

    assert erased == 1
    assert await store.get(old.id) is None
    assert await store.transcript(old.id) == []
    assert await store.customer("1") == {}  # nothing of theirs left, so the profile goes too
    assert await store.get(kept.id) is not None
    assert await store.get(recent.id) is not None
    assert await store.customer("2") != {}
    [record] = await audit.recent()
    assert record.action == "retention"
    assert record.detail["count"] == 1
    assert record.detail["older_than_days"] == 365


async def test_the_retention_loop_runs_once_per_lease(
    redis: Redis, store: ConversationStore
) -> None:
    await seed(store, Script(1, "Old", "downtown", messages=[(0, "last year")]))
    audit = AuditLog(redis)
    loops = [
        asyncio.create_task(retention_loop(Eraser(store, audit), 30, lambda: T0 + 31 * DAY))
        for _ in range(2)
    ]  # two workers
    for _ in range(100):
        if await redis.xlen(K.audit):
            break
        await asyncio.sleep(0.02)
    for task in loops:
        task.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    records = await audit.recent()
    assert [r.action for r in records] == ["retention"]
    assert records[0].detail["count"] == 1
    assert await redis.ttl(K.retention_lock) > 3000


def test_only_erasure_deletes_transcripts() -> None:
    """The transcript stream is append-only: nothing else trims, caps or deletes it. A
    transcript is deleted by name (``keys.log``) or with its conversation's families
    (``keys.of_conversation``, the registry in handoff/storage/families.py)."""
    trims, deletes = [], []
    for path in [
        *ROOT.glob("bot/**/*.py"),
        *ROOT.glob("handoff/**/*.py"),
        *ROOT.glob("nlu/**/*.py"),
    ]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            if re.search(r"\b(xdel|xtrim|maxlen)\b", line, re.IGNORECASE):
                trims.append(where)
            deleting = re.search(r"delete\(.*(\.log\(|\"log\")", line)
            if deleting or re.search(r"\.of_conversation\(", line):
                deletes.append(where.split(":")[0])
    assert trims == []
    assert sorted(set(deletes)) == ["handoff/storage/records/erasure.py"]
