"""REDIS_URL naming a Redis Cluster (redis+cluster://), on a real three-master Valkey cluster:
the store, locks, transcripts, the timers' Lua claim, the review indexes and erasure, with
every key in the one hash slot of the ``{tandem}`` hash tag."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import RedisClusterException, RedisError

from bot.doctor import _redis as doctor_redis_check
from bot.settings import Settings
from handoff.core.state import Conversation, Event, Status, ThreadRef
from handoff.errors import RedisUnavailable
from handoff.queues.timers import TimerLoop, TimerStore
from handoff.review.query import ConversationQuery, Filters
from handoff.storage.connection.redis_url import (
    CLUSTER_KEY_PREFIX,
    connect_redis,
    key_prefix,
    parse_cluster_url,
)
from handoff.storage.keys import Keys
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.erasure import Eraser
from handoff.storage.store import ConversationStore
from tests.review.seed import MARIA, T0, Script, seed
from tests.support.valkey_cluster import running_cluster

SLOT = key_slot(b"tandem")


def test_cluster_url_names_nodes_credentials_and_options() -> None:
    first, hosts = parse_cluster_url(
        "rediss+cluster://u:p%40ss@n1:7000,n2,[::1]:7002/?ssl_cert_reqs=none"
    )
    assert first == "rediss://u:p%40ss@n1:7000/0?ssl_cert_reqs=none"
    assert hosts == [("n1", 7000), ("n2", 6379), ("::1", 7002)]
    assert parse_cluster_url("redis+cluster://n1")[0] == "redis://n1/0"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("redis+cluster:///", "host:6379"),
        ("redis+cluster://n1:7000,/", "host:6379"),
        ("redis+cluster://n1:7000/2", "database 0 only"),
    ],
)
def test_cluster_url_without_host_or_with_a_database_is_refused(url: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_cluster_url(url)


def test_settings_accept_a_cluster_url() -> None:
    settings = Settings(_env_file=None, redis_url="redis+cluster://n1:7000,n2:7001")  # type: ignore[call-arg]
    assert settings.redis_url == "redis+cluster://n1:7000,n2:7001"


def test_a_single_redis_keeps_the_key_names_tandem_always_used() -> None:
    assert key_prefix(Redis()) == "tandem"
    assert ConversationStore(Redis()).keys.conv("c1") == "tandem:conv:c1"
    assert TimerStore(Redis()).key == "tandem:timers"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with running_cluster(tmp_path_factory.mktemp("valkey-cluster")) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def cluster(cluster_url: str) -> AsyncIterator[Redis]:
    client = connect_redis(cluster_url)
    await client.flushdb()  # on every master
    yield client
    await client.aclose()


async def all_keys(redis: Redis) -> list[str]:
    """Every key on every master."""
    return sorted([k.decode() async for k in redis.scan_iter(match="*", count=1000)])


async def assert_one_slot(redis: Redis) -> list[str]:
    keys = await all_keys(redis)
    assert keys
    assert all(k.startswith(f"{CLUSTER_KEY_PREFIX}:") for k in keys), keys
    assert {key_slot(k.encode()) for k in keys} == {SLOT}
    return keys


async def test_cluster_url_connects_with_the_hash_tagged_prefix(cluster: Redis) -> None:
    assert isinstance(cluster, RedisCluster)
    assert len(cluster.get_primaries()) == 3  # the client found every master
    assert key_prefix(cluster) == CLUSTER_KEY_PREFIX
    store = ConversationStore(cluster)
    assert store.prefix == "{tandem}"
    await store.check()


async def test_store_conversations_transcripts_and_profiles(cluster: Redis) -> None:
    store = ConversationStore(cluster)
    conv_id = await store.next_conversation_id()
    conv = Conversation(conv_id, "42", Status.BOT, T0, thread=ThreadRef("C0DESK", "1.5"))
    # MULTI/EXEC over conv, chat, convs, thread and the customer's count, then the row
    await store.save(conv, extra=(store.conversation_counted("42"),))
    assert await store.current("42") == conv
    assert await store.for_thread(ThreadRef("C0DESK", "1.5")) == conv
    for n in range(3):
        await store.append(conv_id, Event("customer_message", T0 + n, "customer", None, {"n": n}))
    assert [e.detail["n"] for e in await store.transcript(conv_id)] == [0, 1, 2]
    assert [e.detail["n"] for e in await store.transcript(conv_id, last=2)] == [1, 2]
    await store.remember("42", first_name="Alex")
    assert await store.customer("42") == {"first_name": "Alex", "conversations": "1"}
    await store.adjust_open("U0AISHA01", 1)
    assert await store.open_counts() == {"U0AISHA01": 1}
    assert not await store.seen("tg", 7, chat_id="42")
    await store.mark_seen("tg", 7, chat_id="42")
    assert await store.seen("tg", 7, chat_id="42")
    row = await store.review.row(conv_id)
    assert row is not None
    assert row.chat_id == "42"
    assert await store.count_conversations() == 1
    keys = await assert_one_slot(cluster)
    assert f"{{tandem}}:log:{conv_id}" in keys
    assert f"{{tandem}}:sum:{conv_id}" in keys


async def test_chat_lock_serialises_two_workers(cluster: Redis, cluster_url: str) -> None:
    other = connect_redis(cluster_url)
    try:
        order: list[str] = []

        async def work(store: ConversationStore, name: str) -> None:
            async with store.chat_lock("42"):
                order.append(f"{name} in")
                await asyncio.sleep(0.1)
                order.append(f"{name} out")

        await asyncio.gather(
            work(ConversationStore(cluster), "a"), work(ConversationStore(other), "b")
        )
        assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
        async with ConversationStore(cluster).locked_thread(ThreadRef("C0", "9")) as found:
            assert found is None
    finally:
        await other.aclose()


async def test_timers_lua_claim_fires_each_timer_once_across_two_clients(
    cluster: Redis, cluster_url: str
) -> None:
    other = connect_redis(cluster_url)
    try:
        fired: list[str] = []

        async def handler(ident: str) -> None:
            await asyncio.sleep(0)
            fired.append(ident)

        now = [1_000.0]
        a = TimerLoop(TimerStore(cluster), {"offer": handler}, clock=lambda: now[0])
        b = TimerLoop(TimerStore(other), {"offer": handler}, clock=lambda: now[0])
        assert a.timers.key == "{tandem}:timers"
        for n in range(20):
            await a.timers.schedule("offer", f"c{n}", 900.0 + n)
        await a.timers.schedule("offer", "later", 2_000.0)
        for _ in range(2):
            await asyncio.gather(a.run_due(), b.run_due())
        assert sorted(fired) == sorted(f"c{n}" for n in range(20))
        assert await a.timers.due_at("offer", "later") == 2_000.0
        assert await cluster.zcard("{tandem}:timers") == 1
    finally:
        await other.aclose()


async def test_review_search_and_erasure(cluster: Redis) -> None:
    store = ConversationStore(cluster)
    keys = Keys(store.prefix)
    first = await seed(store, Script(
        42, "Alex", "downtown", messages=[(0, "my drill arrived broken")],
        handoff=(1, "emotional", -0.6), claim=(30, MARIA), replies=[(40, "on it")], resolve=60,
    ))  # fmt: skip
    other = await seed(store, Script(43, "Bea", "riverside", messages=[(0, "a broken hammer")]))
    await cluster.set(f"{store.prefix}:tgmsg:42:1", "x")
    query = ConversationQuery(cluster, keys, ZoneInfo("America/Detroit"))

    async def ids(**params: str) -> list[str]:
        return [i.row.id for i in (await query.page(Filters.from_params(params))).items]

    assert await ids(q="broken") == [other.id, first.id]
    assert await ids(q="broken", store="downtown") == [first.id]  # ZINTERSTORE in MULTI
    await assert_one_slot(cluster)

    audit = AuditLog(cluster, clock=lambda: T0 + 999)
    assert await Eraser(store, audit).erase_customer("42", by="supervisor:alice") == 1
    left = await all_keys(cluster)
    assert not [k for k in left if first.id in k.split(":") or ":42" in k], left
    assert await ids(q="broken") == [other.id]
    [record] = await audit.recent()
    assert (record.action, record.detail["customer"]) == ("erase_customer", "42")
    await assert_one_slot(cluster)


async def test_transactions_run_on_the_callers_event_loop(cluster: Redis) -> None:
    """redis-py 8.1 finds the slots of a MULTI's commands on a thread with its own event
    loop; handoff/storage/connection/redis_url.py keeps them on ours. Closing the client
    makes the next command re-initialise it (as a lost connection does): here inside a
    WATCH/MULTI block."""
    await cluster.zadd("{tandem}:a", {"c1": 1, "c2": 2})
    await cluster.zadd("{tandem}:b", {"c2": 5})
    await cluster.aclose()
    async with cluster.pipeline(transaction=True) as pipe:
        await pipe.watch("{tandem}:a")
        assert await pipe.zcard("{tandem}:a") == 2
        pipe.multi()  # type: ignore[no-untyped-call]
        pipe.zinterstore("{tandem}:both", ["{tandem}:a", "{tandem}:b"], aggregate="MAX")
        pipe.expire("{tandem}:both", 60)
        assert await pipe.execute() == [1, True]
    assert await cluster.zrange("{tandem}:both", 0, -1, withscores=True) == [(b"c2", 5.0)]
    async with cluster.pipeline(transaction=True) as pipe:
        pipe.set("{tandem}:x", 1)
        pipe.set("elsewhere", 1)  # a key without the hash tag: refused, not half done
        with pytest.raises(RedisClusterException, match="same slot"):
            await pipe.execute()
    assert await cluster.get("{tandem}:x") is None


async def test_doctor_checks_a_cluster(cluster_url: str) -> None:
    assert await doctor_redis_check(cluster_url) == "answers PING; AOF is on"


async def test_an_unreachable_cluster_fails_like_an_unreachable_redis() -> None:
    """A RedisError (what the store and the periodic loops catch), not redis-py's
    RedisClusterException."""
    redis = connect_redis(f"redis+cluster://127.0.0.1:{_closed_port()}")
    try:
        with pytest.raises(RedisUnavailable, match="REDIS_URL"):
            await ConversationStore(redis).check()
        with pytest.raises(RedisError):
            await TimerStore(redis).claim_due(0.0)
        with pytest.raises(RedisUnavailable, match="cannot lock chat 1"):
            async with ConversationStore(redis).chat_lock("1"):
                pass
    finally:
        await redis.aclose()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
