"""The audit log: a Redis stream that is only ever appended to.

Records who did what to which conversation or customer, never what anyone wrote.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from handoff.storage.connection.redis_url import key_prefix
from handoff.storage.keys import Keys

log = logging.getLogger(__name__)

Detail = str | int | float | bool | None


@dataclass(frozen=True)
class AuditRecord:
    id: str
    action: str
    by: str
    at: float
    detail: dict[str, Any]


class AuditLog:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.key = Keys(key_prefix(redis) if prefix is None else prefix).audit
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


def _record(entry_id: bytes, fields: dict[bytes, bytes]) -> AuditRecord:
    return AuditRecord(
        id=entry_id.decode(),
        action=fields[b"action"].decode(),
        by=fields[b"by"].decode(),
        at=float(fields[b"at"]),
        detail=json.loads(fields[b"detail"]),
    )


def _ids(detail: dict[str, Detail]) -> dict[str, Detail]:
    """Only identifiers and counts go to the log lines."""
    return {k: v for k, v in detail.items() if k in ("conversation", "customer", "count", "format")}
