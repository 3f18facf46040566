"""Slack events kept on local disk while Redis cannot take them: the inbox's spool.

Slack retries an event three times over about five minutes, then drops it. So when the
inbox (handoff/slack/inbox.py) cannot put an event into its lane, it writes it here,
answers 200, and ``SpoolDrain`` moves it into the lanes once Redis answers again. The
spool is one SQLite file under the worker's state directory (``STATE_DIR``), written
with ``synchronous=FULL``, so a spooled event survives a crash of the worker too.

Order: rows are drained oldest first; while any row waits, the inbox spools new events
too instead of putting them straight into Redis, so a thread's events keep their order.
Duplicates: each row carries the lane's ``once`` key (``slack:{event_id}``); the spool
keeps a key once, and the lane's own dedupe drops a row put before (a put that timed out
after Redis had taken it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handoff.errors import HandoffConfigError
from handoff.queues.lanes import Lanes
from handoff.queues.periodic import background
from handoff.queues.pump import TRANSIENT

log = logging.getLogger(__name__)

FILE_NAME = "slack-spool.sqlite3"
BATCH = 100  # rows moved per read
RETRY_FIRST, RETRY_MAX = 0.2, 5.0  # seconds between tries while Redis stays away
IDLE_POLL = 1.0  # a drain with nothing to do looks again (rows another process added)
# What a put into Redis raises while it is away (the pump's transient errors: redis-py's
# RedisError, OSError, TimeoutError).
UNREACHABLE: tuple[type[Exception], ...] = TRANSIENT

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    once TEXT NOT NULL UNIQUE,
    lane TEXT NOT NULL,
    body TEXT NOT NULL,
    spooled_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class Spooled:
    seq: int
    once: str
    lane: str
    body: dict[str, Any]
    spooled_at: float


class Spool:
    """The SQLite file; each call runs in a thread (``asyncio.to_thread``), one at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pending = 0  # rows waiting, as of the last write or count
        self.added = asyncio.Event()  # set by ``add``, so the drain need not wait a poll
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # on disk before Slack hears 200
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise HandoffConfigError(
                f"STATE_DIR: cannot open the Slack spool {path}: {exc}"
            ) from exc
        self.pending = self._count()

    @classmethod
    def in_dir(cls, state_dir: Path) -> Spool:
        return cls(state_dir / FILE_NAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _count(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0])

    async def count(self) -> int:
        self.pending = await asyncio.to_thread(self._count)
        return self.pending

    async def add(self, lane: str, body: dict[str, Any], once: str) -> bool:
        """Keep an event; False when its ``once`` key is already here (a Slack retry)."""

        def write() -> bool:
            with self._lock:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO events (once, lane, body, spooled_at) "
                    "VALUES (?, ?, ?, ?)",
                    (once, lane, json.dumps(body), time.time()),
                )
                return cursor.rowcount == 1

        fresh = await asyncio.to_thread(write)
        if fresh:
            self.pending += 1
        self.added.set()
        return fresh

    async def oldest(self, limit: int = BATCH) -> list[Spooled]:
        def read() -> list[Spooled]:
            with self._lock:
                rows = self._db.execute(
                    "SELECT seq, once, lane, body, spooled_at FROM events ORDER BY seq LIMIT ?",
                    (limit,),
                ).fetchall()
            return [Spooled(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

        return await asyncio.to_thread(read)

    async def remove(self, seq: int) -> None:
        def delete() -> int:
            with self._lock:
                return self._db.execute("DELETE FROM events WHERE seq = ?", (seq,)).rowcount

        if await asyncio.to_thread(delete):
            self.pending = max(0, self.pending - 1)


class SpoolDrain:
    """Moves spooled events into the inbox's lanes, oldest first, once Redis takes them."""

    def __init__(
        self,
        spool: Spool,
        lanes: Lanes,
        *,
        wake: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.spool = spool
        self.lanes = lanes
        self.wake = wake  # the inbox pump's wake, so a moved event is worked at once
        self.clock = clock
        self.moved = 0  # events moved into the lanes, for tests and logs

    async def drain_once(self) -> int:
        """Move what is spooled now; raises one of ``UNREACHABLE`` when Redis is still away."""
        moved = 0
        while rows := await self.spool.oldest():
            for row in rows:
                put = await self.lanes.put(row.lane, row.body, now=self.clock(), once=row.once)
                await self.spool.remove(row.seq)
                moved += 1
                if put.fresh:
                    self.wake()
        await self.spool.count()
        self.moved += moved
        return moved

    async def run(self) -> None:
        delay = RETRY_FIRST
        while True:
            if self.spool.pending == 0:
                self.spool.added.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.spool.added.wait(), IDLE_POLL)
                await self.spool.count()  # rows another process of this directory added
                if self.spool.pending == 0:
                    continue
            try:
                moved = await self.drain_once()
            except UNREACHABLE as exc:
                log.info("slack spool waits for redis", extra={"error": type(exc).__name__})
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            delay = RETRY_FIRST
            if moved:
                log.info("spooled slack events moved into the inbox", extra={"events": moved})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SpoolDrain]:
        async with background(self.run(), "slack-spool-drain"):
            yield self
