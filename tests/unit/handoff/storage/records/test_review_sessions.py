"""Server-side review sessions: found by id, ended by revocation, idleness or age."""

from __future__ import annotations

from redis.asyncio import Redis

from handoff.storage.keys import Keys
from handoff.storage.records.review_sessions import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_session_is_found_by_its_id_and_not_stored_under_it(redis: Redis) -> None:
    store = SessionStore(redis, Keys(), clock=Clock())
    made = await store.create("alice", "token")
    found = await store.load(made.sid)
    assert found is not None
    assert (found.user, found.csrf) == ("alice", "token")
    assert await store.load("made-up") is None
    keys = [k.decode() if isinstance(k, bytes) else k for k in await redis.keys("tandem:review:*")]
    assert all(made.sid not in key for key in keys)
    assert 0 < await redis.ttl(keys[0]) <= 8 * 3600 + 1


async def test_idle_and_lifetime_limits_end_a_session(redis: Redis) -> None:
    clock = Clock()
    store = SessionStore(redis, Keys(), idle=100, lifetime=250, clock=clock)
    made = await store.create("alice", "t")
    clock.now += 90
    assert await store.load(made.sid) is not None  # restarts the idle clock
    clock.now += 90
    assert await store.load(made.sid) is not None
    clock.now += 90  # 270 s after sign-in
    assert await store.load(made.sid) is None
    idle = await store.create("alice", "t")
    clock.now += 101
    assert await store.load(idle.sid) is None
    assert await redis.keys("tandem:review:session:*") == []


async def test_revoking_a_user_ends_all_their_sessions_only(redis: Redis) -> None:
    store = SessionStore(redis, Keys(), clock=Clock())
    one, two = await store.create("alice", "a"), await store.create("alice", "b")
    bob = await store.create("bob", "c")
    assert await store.revoke_user("alice") == 2
    assert await store.load(one.sid) is None
    assert await store.load(two.sid) is None
    assert await store.load(bob.sid) is not None
    await store.revoke(bob.sid, "bob")
    assert await store.load(bob.sid) is None
