"""REDIS_URL to a client. redis-py's ``from_url`` knows redis://, rediss:// and unix://;
Sentinel is added here, because ``from_url`` does not do it:

    redis+sentinel://[:password@]host1:26379[,host2:26379...]/service_name[/db]

The password is the Redis master's (the sentinels themselves run without auth). Redis
Cluster is not supported: Tandem's Lua scripts and transactions span several keys.
"""

from __future__ import annotations

from urllib.parse import unquote

from redis.asyncio import Redis
from redis.asyncio.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel://"
SENTINEL_PORT = 26379


def connect_redis(url: str) -> Redis:
    if not url.startswith(SENTINEL_SCHEME):
        return Redis.from_url(url)
    hosts, service, db, password = parse_sentinel_url(url)
    sentinel = Sentinel(hosts)  # type: ignore[no-untyped-call]
    # master_for follows a failover: each new connection asks the sentinels for the master.
    client = sentinel.master_for(service, redis_class=_SentinelRedis, db=db, password=password)
    assert isinstance(client, _SentinelRedis)
    client.sentinels = list(sentinel.sentinels)
    return client


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
