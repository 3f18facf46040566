"""A dashboard session ends when it should: sign-out (a copied cookie with it), the idle
timeout, the maximum lifetime, "sign out everywhere", and the account's removal."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from handoff.review.session import COOKIE
from handoff.storage.store import ConversationStore
from tests.hostile.dashboard import Clock, client_at, dashboard, form_token, sign_in
from tests.review.seed import T0


def _copy(client: httpx.AsyncClient, app: object) -> httpx.AsyncClient:
    """Another browser holding the same cookie (stolen, or copied before sign-out)."""
    thief = client_at(app, "198.51.100.66")  # type: ignore[arg-type]
    thief.cookies.set(COOKIE, client.cookies[COOKIE], domain="review.test")
    return thief


async def _in(client: httpx.AsyncClient) -> bool:
    page = await client.get("/review/")
    assert page.status_code in (200, 303)
    return page.status_code == 200


async def test_sign_out_ends_the_session_and_every_copy_of_its_cookie(redis: Redis) -> None:
    app = dashboard(ConversationStore(redis), Clock(T0))
    async with client_at(app, "203.0.113.7") as alice:
        assert (await sign_in(alice)).status_code == 303
        async with _copy(alice, app) as thief:
            assert await _in(thief)
            token = await form_token(alice, "/review/")
            assert (await alice.post("/review/logout", data={"csrf": token})).status_code == 303
            assert not await _in(thief)
        assert not await _in(alice)


async def test_a_session_ends_after_the_idle_timeout_and_the_maximum_lifetime(
    redis: Redis,
) -> None:
    clock = Clock(T0)
    app = dashboard(ConversationStore(redis), clock)
    async with client_at(app, "203.0.113.7") as alice:
        assert (await sign_in(alice)).status_code == 303
        clock.now += 29 * 60
        assert await _in(alice)  # used within the idle time
        clock.now += 31 * 60
        assert not await _in(alice)  # 31 minutes untouched
        assert (await sign_in(alice)).status_code == 303
        signed, ended = clock.now, False
        for _ in range(30):  # busy for ten hours, a page every 20 minutes
            clock.now += 20 * 60
            if not await _in(alice):
                ended = True
                break
        assert ended, "the session outlived 10 hours of use"
        assert clock.now - signed <= 8 * 3600 + 20 * 60


async def test_sign_out_everywhere_ends_the_other_devices_sessions(redis: Redis) -> None:
    app = dashboard(ConversationStore(redis), Clock(T0))
    async with client_at(app, "203.0.113.7") as desk, client_at(app, "192.0.2.44") as phone:
        assert (await sign_in(desk)).status_code == 303
        assert (await sign_in(phone)).status_code == 303
        token = await form_token(desk, "/review/")
        done = await desk.post("/review/logout/everywhere", data={"csrf": token})
        assert done.status_code == 303
        assert not await _in(phone)
        assert not await _in(desk)


async def test_a_supervisor_removed_from_the_config_loses_every_session(redis: Redis) -> None:
    store, clock = ConversationStore(redis), Clock(T0)
    before = dashboard(store, clock, "alice", "bob")
    async with client_at(before, "203.0.113.7") as alice:
        assert (await sign_in(alice)).status_code == 303
        after = dashboard(store, clock, "bob")  # REVIEW_USERS without alice: a restart
        async with _copy(alice, after) as same_cookie:
            assert not await _in(same_cookie)
        # Put back (say, by mistake reverted): the old session stays ended.
        assert not await _in(alice)
    assert [k for k in await redis.keys("tandem:review:session:*")] == []
