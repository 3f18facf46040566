"""Real servers for the tests: a Valkey server and a Rasa server, started once per session.

``TEST_REDIS_URL`` / ``RASA_URL`` point the tests at servers that already run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from handoff.storage.connection.embedded_redis import EmbeddedRedis
from nlu.rasa.local import start_local_rasa

# PTB 22 opts in to timedelta durations (retry_after, voice.duration) with this;
# without it PTB warns, and warnings are errors here. `tandem` sets it too.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def redis_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("valkey"))
    yield await server.start()
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if os.environ.get("RASA_URL"):
        yield os.environ["RASA_URL"]
        return
    async with AsyncExitStack() as stack:
        yield await start_local_rasa(stack, tmp_path_factory.mktemp("rasa-state"))
