"""The review dashboard for the hostile tests: apps on the session's Valkey, clients that
come from a chosen address, and the sign-in form's round trip."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette

from handoff.review.accounts import Accounts
from handoff.review.app import build_review_app
from handoff.storage.connection.redis_url import connect_redis
from handoff.storage.store import ConversationStore
from tests.review.conftest import _HASH, PASSWORD, Clock, config, csrf_of, worker_app

__all__ = ["PASSWORD", "Clock", "client_at", "dashboard", "form_token", "pooled", "sign_in"]


@contextlib.asynccontextmanager
async def pooled(redis_url: str) -> AsyncIterator[Redis]:
    """A client as the worker has it (a blocking pool: a burst waits for a connection)."""
    client = connect_redis(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


def dashboard(store: ConversationStore, clock: Clock, *names: str) -> Starlette:
    """The worker's HTTP app with the dashboard; every account's password is PASSWORD."""
    accounts = Accounts(dict.fromkeys(names or ("alice",), _HASH))
    return worker_app(build_review_app(config(store, clock, accounts)))


def client_at(app: Starlette, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 5000))
    return httpx.AsyncClient(transport=transport, base_url="https://review.test")


async def form_token(client: httpx.AsyncClient, path: str = "/review/login") -> str:
    return csrf_of((await client.get(path)).text)


async def sign_in(
    client: httpx.AsyncClient, name: str = "alice", password: str = PASSWORD
) -> httpx.Response:
    token = await form_token(client)
    return await client.post(
        "/review/login", data={"csrf": token, "name": name, "password": password}
    )
