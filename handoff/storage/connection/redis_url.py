"""REDIS_URL to a client. redis-py's ``from_url`` knows redis://, rediss:// and unix://;
Sentinel and Cluster are added here, because ``from_url`` does not do them:

    redis+sentinel://[:password@]host1:26379[,host2:26379...]/service_name[/db]
    redis+cluster://[[username]:password@]host1:6379[,host2:6379...][/][?option=value...]
    rediss+cluster://...  (the same over TLS)

The sentinel password is the Redis master's (the sentinels themselves run without auth).
The cluster's hosts are where the client starts; it learns the other nodes from them. The
query options are redis-py's ``from_url`` options (e.g. ``ssl_cert_reqs=none``).

Every Tandem key starts with ``key_prefix(redis)``: ``tandem`` on a single Redis (the key
names Tandem has always used), ``{tandem}`` on a cluster. The braces are a hash tag: the
cluster puts every key in the one hash slot of "tandem", so the MULTI/EXEC transactions,
WATCHes, Lua scripts and locks that span several keys work unchanged. It also means that
all of Tandem's data lives on one shard: a cluster gives Tandem failover and lets it run on
a managed cluster, not more capacity.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import unquote, urlsplit

import redis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import (
    ClusterNode,
    ClusterPipeline,
    PipelineCommand,
    RedisCluster,
    TransactionStrategy,
)
from redis.asyncio.sentinel import Sentinel
from redis.commands.core import BasicKeyCommands
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException

SENTINEL_SCHEME = "redis+sentinel://"
SENTINEL_PORT = 26379
CLUSTER_SCHEMES = ("redis+cluster://", "rediss+cluster://")
CLUSTER_PORT = 6379

KEY_PREFIX = "tandem"
CLUSTER_KEY_PREFIX = "{tandem}"


def key_prefix(redis: Redis) -> str:
    """The prefix of every Tandem key (``{prefix}:conv:c12``) on this client's server."""
    return CLUSTER_KEY_PREFIX if isinstance(redis, RedisCluster) else KEY_PREFIX


# Connections one worker keeps to a plain Redis, and how long a command waits for one.
POOL_CONNECTIONS = 200
POOL_WAIT_SECONDS = 20.0


def connect_redis(url: str) -> Redis:
    if url.startswith(CLUSTER_SCHEMES):
        return connect_cluster(url)
    if not url.startswith(SENTINEL_SCHEME):
        # Under load a burst wants more connections than the pool holds: wait for one
        # rather than fail (redis-py's default pool raises MaxConnectionsError).
        pool = BlockingConnectionPool.from_url(
            url, max_connections=POOL_CONNECTIONS, timeout=POOL_WAIT_SECONDS
        )
        return Redis.from_pool(pool)
    hosts, service, db, password = parse_sentinel_url(url)
    sentinel = Sentinel(hosts)  # type: ignore[no-untyped-call]
    # master_for follows a failover: each new connection asks the sentinels for the master.
    client = sentinel.master_for(service, redis_class=_SentinelRedis, db=db, password=password)
    assert isinstance(client, _SentinelRedis)
    client.sentinels = list(sentinel.sentinels)
    return client


def connect_cluster(url: str) -> Redis:
    """A RedisCluster, typed as Redis: it is no subclass of it, but has the same command
    methods, pipelines (transactions with WATCH on one slot), scripts and locks, which is
    all Tandem calls (tests/unit/handoff/storage/test_redis_cluster.py runs them on a real
    cluster)."""
    first, hosts = parse_cluster_url(url)
    cluster = _ClusterRedis.from_url(
        first, startup_nodes=[ClusterNode(host, port) for host, port in hosts[1:]]
    )
    check_cluster_internals(cluster)
    return cast(Redis, cluster)


# The parts of redis-py's cluster pipeline that _Transaction below relies on: private, so a
# release may drop or rename them (pyproject.toml bounds redis-py below its next major).
STRATEGY_INTERNALS = (
    "_watching",
    "_explicit_transaction",
    "_command_queue",
    "_pipe",
    "_pipeline_slots",
    "_execute_command",
    "IMMEDIATE_EXECUTE_COMMANDS",
)
CLIENT_INTERNALS = ("_initialize", "_determine_slot")


def check_cluster_internals(cluster: RedisCluster) -> None:
    """Fail at start-up, naming the attribute, rather than in the first transaction."""
    pipe = cluster.pipeline(transaction=True)
    strategy = getattr(pipe, "_execution_strategy", None)
    found: list[tuple[object, str]] = [(pipe, "_execution_strategy")]
    if strategy is not None:
        found += [(strategy, name) for name in STRATEGY_INTERNALS]
        found += [(getattr(strategy, "_pipe", None), "cluster_client")]
    found += [(cluster, name) for name in CLIENT_INTERNALS]
    missing = [name for owner, name in found if not hasattr(owner, name)]
    if missing:
        raise RuntimeError(
            f"redis-py {redis.__version__}'s cluster pipeline has no {', '.join(missing)}: "
            "handoff/storage/connection/redis_url.py's _Transaction needs them; "
            "install the redis-py version of uv.lock"
        )


class _ClusterRedis(RedisCluster):
    """A cluster none of whose nodes answers fails like an unreachable Redis.

    redis-py raises RedisClusterException then, which is no RedisError, so Tandem's
    ``except RedisError`` (store checks, the timer and retention loops) would not see it.
    """

    async def initialize(
        self,
        additional_startup_nodes_info: list[tuple[str, int]] | None = None,
        last_failed_node_name: str | None = None,
    ) -> RedisCluster:
        try:
            return await super().initialize(additional_startup_nodes_info, last_failed_node_name)
        except RedisClusterException as exc:
            raise RedisConnectionError(str(exc)) from exc

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> ClusterPipeline:
        if shard_hint:
            raise RedisClusterException("shard_hint is not supported in cluster mode")
        return _ClusterPipeline(self, transaction)  # type: ignore[abstract]  # as redis-py's


class _ClusterPipeline(ClusterPipeline):
    """redis-py blocks MGET in cluster pipelines, for keys that may lie in several slots.
    Tandem's all share one; a key of another slot is still refused, at ``execute``."""

    mget = BasicKeyCommands.mget

    def __init__(self, client: RedisCluster, transaction: bool | None = None) -> None:
        super().__init__(client, transaction)
        if transaction:
            self._execution_strategy = _Transaction(self)


class _Transaction(TransactionStrategy):
    """MULTI/EXEC (and WATCH) on one slot, all on the caller's event loop.

    redis-py 8.1's TransactionStrategy finds each queued command's slot on a new thread
    running its own event loop (``asyncio.run``). A command whose keys it must ask the
    server for (ZINTERSTORE) then uses this loop's connection there and fails; a client
    that re-initialises there (after a connection error) keeps connections of a closed
    loop and fails from then on; and every queued command costs a thread. This one
    queues commands as a plain pipeline does and finds their slots in ``execute``.
    """

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        if (
            self._watching or args[0] in self.IMMEDIATE_EXECUTE_COMMANDS
        ) and not self._explicit_transaction:
            return self._immediately(*args, **kwargs)  # WATCH, and reads between it and MULTI
        self._command_queue.append(PipelineCommand(len(self._command_queue), *args, **kwargs))
        return self._pipe

    async def _immediately(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._execute_command(*args, **kwargs))

    async def execute(self, raise_on_error: bool = True, allow_redirections: bool = True) -> Any:
        client = self._pipe.cluster_client
        if client._initialize:
            await client.initialize()
        for command in self._command_queue:
            self._pipeline_slots.add(await client._determine_slot(*command.args))
        return await super().execute(raise_on_error, allow_redirections)


def parse_cluster_url(url: str) -> tuple[str, list[tuple[str, int]]]:
    """A redis:// (or rediss://) URL of the first node, with the credentials and options,
    and every node given."""
    parts = urlsplit(url)
    credentials, at, addresses = parts.netloc.rpartition("@")
    nodes = [urlsplit(f"//{address}") for address in addresses.split(",")]
    hosts = [(node.hostname or "", node.port or CLUSTER_PORT) for node in nodes]
    if not all(host for host, _ in hosts):
        raise ValueError(f"expected {CLUSTER_SCHEMES[0]}host:6379[,host:6379...]")
    if parts.path.strip("/") not in ("", "0"):
        raise ValueError("a Redis Cluster has database 0 only: leave the path out")
    scheme = parts.scheme.removesuffix("+cluster")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{credentials}{at}{nodes[0].netloc}/0{query}", hosts


class _SentinelRedis(Redis):
    """Closing the client closes its connections to the sentinels too."""

    sentinels: list[Redis]

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        for sentinel in self.sentinels:
            await sentinel.aclose()


def parse_sentinel_url(url: str) -> tuple[list[tuple[str, int]], str, int, str | None]:
    netloc, _, path = url.removeprefix(SENTINEL_SCHEME).partition("/")
    credentials, _, addresses = netloc.rpartition("@")
    password = unquote(credentials.partition(":")[2]) or None
    hosts = []
    for address in addresses.split(","):
        host, _, port = address.rpartition(":") if ":" in address else (address, "", "")
        hosts.append((host, int(port) if port else SENTINEL_PORT))
    service, _, db = path.strip("/").partition("/")
    if not service or not all(host for host, _ in hosts):
        raise ValueError(f"expected {SENTINEL_SCHEME}host:26379/service_name[/db]")
    return hosts, service, int(db or 0), password
