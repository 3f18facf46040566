"""redis-py's private cluster-pipeline parts that redis_url.py's _Transaction relies on are
there in the installed redis-py, and their absence fails at start-up naming the part."""

from __future__ import annotations

import pytest
from redis.asyncio.cluster import RedisCluster, TransactionStrategy

from handoff.storage.connection.redis_url import (
    STRATEGY_INTERNALS,
    check_cluster_internals,
    connect_redis,
)


def test_the_installed_redis_py_has_every_internal_used() -> None:
    # No server is asked: a cluster client connects on its first command.
    cluster = connect_redis("redis+cluster://127.0.0.1:1")
    assert isinstance(cluster, RedisCluster)
    check_cluster_internals(cluster)


@pytest.mark.parametrize("name", ["_pipeline_slots", "IMMEDIATE_EXECUTE_COMMANDS"])
def test_a_missing_internal_is_named(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert name in STRATEGY_INTERNALS
    original = TransactionStrategy.__init__

    def without(self: TransactionStrategy, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        if name in vars(self):
            delattr(self, name)

    monkeypatch.setattr(TransactionStrategy, "__init__", without)
    if hasattr(TransactionStrategy, name):
        monkeypatch.delattr(TransactionStrategy, name)
    with pytest.raises(RuntimeError, match=rf"redis-py \S+'s cluster pipeline has no {name}"):
        connect_redis("redis+cluster://127.0.0.1:1")  # checks them as it connects
