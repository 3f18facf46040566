"""Guessing a supervisor's password: parallel guesses cannot outrun the limit, and an
attacker's guesses never lock the supervisor out from their own address."""

from __future__ import annotations

import asyncio

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette

from handoff.storage.store import ConversationStore
from tests.hostile.dashboard import Clock, client_at, dashboard, form_token, pooled, sign_in
from tests.review.seed import T0

LIMIT = 5  # attempts per account and address before the back-off (records/login_backoff.py)
ATTACKER, OFFICE = "198.51.100.66", "203.0.113.7"


async def _guess(client: httpx.AsyncClient, token: str, n: int) -> int:
    form = {"csrf": token, "name": "alice", "password": f"guess number {n}"}
    return (await client.post("/review/login", data=form)).status_code


async def test_parallel_guesses_check_at_most_the_limit_and_the_supervisor_still_signs_in(
    redis: Redis, redis_url: str
) -> None:
    async with pooled(redis_url) as worker_redis:
        app = dashboard(ConversationStore(worker_redis), Clock(T0))
        await _attack(app)


async def _attack(app: Starlette) -> None:
    async with client_at(app, ATTACKER) as attacker, client_at(app, OFFICE) as office:
        token = await form_token(attacker)
        attack = asyncio.gather(*(_guess(attacker, token, n) for n in range(250)))
        supervisor = asyncio.create_task(sign_in(office))  # during the attack
        statuses = await attack
        checked = statuses.count(401)  # a password was verified (and was wrong)
        assert checked <= LIMIT, f"{checked} passwords checked in parallel, limit {LIMIT}"
        assert statuses.count(429) == 250 - checked
        assert (await supervisor).status_code == 303
        assert (await office.get("/review/")).status_code == 200


async def test_wrong_passwords_from_one_address_do_not_lock_the_account_elsewhere(
    redis: Redis,
) -> None:
    clock = Clock(T0)
    app = dashboard(ConversationStore(redis), clock)
    async with client_at(app, ATTACKER) as attacker:
        for _ in range(3 * LIMIT):
            await sign_in(attacker, password="not the password")
        blocked = await sign_in(attacker)  # even the right password, from there
        assert blocked.status_code == 429
        assert "Try again in" in blocked.text
    async with client_at(app, OFFICE) as office:
        assert (await sign_in(office)).status_code == 303
    async with client_at(app, "192.0.2.44") as laptop:  # any other address, too
        assert (await sign_in(laptop)).status_code == 303
