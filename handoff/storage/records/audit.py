"""The audit log: a Redis stream that is only ever appended to.

Records who did what to which conversation or customer, never what anyone wrote.
Failed sign-ins are counted apart, per client address and hour, so a burst of them
cannot bury the record of who read which transcript; the log is read a page at a time,
filtered by person, action and date, or exported whole.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from handoff.storage.connection.redis_url import key_prefix
from handoff.storage.keys import Keys

log = logging.getLogger(__name__)

Detail = str | int | float | bool | None
CHUNK = 500  # stream entries read per round trip
FAILED_KEEP_SECONDS = 400 * 86400  # a day's failed sign-in counts are kept this long


@dataclass(frozen=True)
class AuditRecord:
    id: str
    action: str
    by: str
    at: float
    detail: dict[str, Any]


@dataclass(frozen=True)
class FailedLogins:
    """Failed sign-ins from one address in one hour."""

    ip: str
    hour: float  # the hour's start (epoch seconds)
    count: int


@dataclass(frozen=True)
class AuditSearch:
    """Which entries a page shows: all that match (empty fields match anything)."""

    by: str = ""  # the person, as recorded (exact, any case)
    action: str = ""
    since: float | None = None  # at or after (epoch seconds)
    until: float | None = None  # before

    def matches(self, record: AuditRecord) -> bool:
        return (
            (not self.by or record.by.casefold() == self.by.casefold())
            and (not self.action or record.action == self.action)
            and (self.since is None or record.at >= self.since)
            and (self.until is None or record.at < self.until)
        )


class AuditLog:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.keys = Keys(key_prefix(redis) if prefix is None else prefix)
        self.key = self.keys.audit
        self.clock = clock

    async def record(self, action: str, by: str, **detail: Detail) -> str:
        fields = {
            "action": action,
            "by": by,
            "at": repr(self.clock()),
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
        }
        entry = await self.redis.xadd(self.key, fields)  # type: ignore[arg-type]
        log.info("audit", extra={"action": action, "by": by, **_ids(detail)})
        return entry.decode() if isinstance(entry, bytes) else str(entry)

    async def recent(self, count: int = 100) -> list[AuditRecord]:
        rows: list[Any] = await self.redis.xrevrange(self.key, count=count) or []
        return [_record(entry_id, fields) for entry_id, fields in rows]

    async def page(
        self, search: AuditSearch, *, size: int = 50, before: str | None = None
    ) -> tuple[list[AuditRecord], str | None]:
        """The newest ``size`` entries that match, older than the entry ``before``; and
        the id to pass as ``before`` for the next page (None: no older entries match)."""
        found: list[AuditRecord] = []
        high = f"({before}" if before else "+"
        while True:
            rows: list[Any] = await self.redis.xrevrange(self.key, high, "-", count=CHUNK) or []
            for entry_id, fields in rows:
                record = _record(entry_id, fields)
                if search.matches(record):
                    if len(found) == size:
                        return found, found[-1].id
                    found.append(record)
            if len(rows) < CHUNK:
                return found, None
            high = f"({_text(rows[-1][0])}"

    async def everything(self) -> AsyncIterator[AuditRecord]:
        """Every entry, oldest first (the export)."""
        low = "-"
        while True:
            rows: list[Any] = await self.redis.xrange(self.key, low, "+", count=CHUNK) or []
            for entry_id, fields in rows:
                yield _record(entry_id, fields)
            if len(rows) < CHUNK:
                return
            low = f"({_text(rows[-1][0])}"

    async def failed_login(self, ip: str) -> None:
        """Counts a failed sign-in for its address and hour (not a stream entry)."""
        now = self.clock()
        key = self.keys.failed_logins(_day(now))
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(key, f"{int(now // 3600 * 3600)}|{ip}", 1)
            pipe.expire(key, FAILED_KEEP_SECONDS)
            await pipe.execute()
        log.info("audit", extra={"action": "login_failed"})

    async def failed_logins(self, days: int = 30) -> list[FailedLogins]:
        """The counts of the last ``days`` days, newest hour first, then most first."""
        now = self.clock()
        keys = [self.keys.failed_logins(_day(now - d * 86400)) for d in range(days)]
        found: list[FailedLogins] = []
        for key in keys:
            counts: dict[Any, Any] = await self.redis.hgetall(key)
            for field, count in counts.items():
                hour, _, ip = _text(field).partition("|")
                found.append(FailedLogins(ip, float(hour), int(count)))
        return sorted(found, key=lambda f: (-f.hour, -f.count, f.ip))


def _record(entry_id: bytes, fields: dict[bytes, bytes]) -> AuditRecord:
    return AuditRecord(
        id=entry_id.decode(),
        action=fields[b"action"].decode(),
        by=fields[b"by"].decode(),
        at=float(fields[b"at"]),
        detail=json.loads(fields[b"detail"]),
    )


def _day(ts: float) -> int:
    return int(datetime.fromtimestamp(ts, UTC).strftime("%Y%m%d"))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _ids(detail: dict[str, Detail]) -> dict[str, Detail]:
    """Only identifiers and counts go to the log lines."""
    return {k: v for k, v in detail.items() if k in ("conversation", "customer", "count", "format")}
