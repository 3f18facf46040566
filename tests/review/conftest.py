"""The review app on the session's real Valkey, mounted in the worker's HTTP app, and
an httpx client that talks to it in-process (https, so the Secure cookie is sent)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from redis.asyncio import Redis
from starlette.applications import Starlette

from bot.http_app import build_http_app
from handoff.review.accounts import Accounts, hash_password
from handoff.review.app import build_review_app
from handoff.review.web import ReviewConfig
from handoff.review.wiring import load_intents
from handoff.storage.store import ConversationStore
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from tests.review.seed import T0

DATA = Path(__file__).resolve().parents[2] / "data"
PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + 6 * 3600)


@pytest.fixture
def store(redis: Redis) -> ConversationStore:
    return ConversationStore(redis)


def config(store: ConversationStore, clock: Clock, accounts: Accounts) -> ReviewConfig:
    stores = StoreDirectory.load(DATA / "stores.yml")
    return ReviewConfig(
        store=store,
        stores=stores,
        employees=EmployeeDirectory.load(DATA / "employees.yml", stores),
        accounts=accounts,
        secret="test-secret-test-secret-test-secret",
        intents=load_intents(DATA / "nlu.yml"),
        clock=clock,
    )


def worker_app(review: Starlette) -> Starlette:
    async def ready() -> dict[str, str]:
        return {"redis": "ok"}

    return build_http_app(None, ready, review=review)


@pytest.fixture
def app(store: ConversationStore, clock: Clock) -> Starlette:
    return worker_app(build_review_app(config(store, clock, Accounts({"alice": _HASH}))))


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://review.test") as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has a CSRF field"
    return found.group(1)


async def login(
    client: httpx.AsyncClient, name: str = "alice", password: str = PASSWORD
) -> httpx.Response:
    form = await client.get("/review/login")
    return await client.post(
        "/review/login", data={"csrf": csrf_of(form.text), "name": name, "password": password}
    )


@pytest_asyncio.fixture(loop_scope="session")
async def signed_in(client: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await login(client)
    assert response.status_code == 303, response.text
    return client
