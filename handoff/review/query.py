"""The filtered, searched list of conversations, straight from the indexes.

A single filter reads its sorted set directly; several filters are intersected by Redis
into a short-lived scratch key. Search words first find their conversations in the word
index (handoff/storage/records/word_index.py, one SINTER per 512 conversations); those ids join
the intersection as a plain set, which takes its scores, the opening times, from the
filters or from the list of all conversations.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from handoff.core.summary import FLAGS, Row, words
from handoff.storage.keys import Keys
from handoff.storage.records import word_index

STATUSES = ("bot", "pending", "human", "resolved")
SENTIMENTS = ("negative", "neutral", "positive")
RATINGS = ("1", "2", "3", "4", "5")
PAGE = 50
SCRATCH_SECONDS = 300


class BadFilter(ValueError):
    """A filter value the list does not know; shown to the supervisor as is."""


@dataclass(frozen=True)
class Filters:
    store: str = ""
    employee: str = ""
    status: str = ""
    reason: str = ""
    sentiment: str = ""
    rating: str = ""
    flag: str = ""
    since: str = ""  # YYYY-MM-DD in the business's timezone
    until: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Filters:
        found = cls(**{k: params.get(k, "").strip()[:200] for k in cls.__dataclass_fields__})
        found._check()
        return found

    def _check(self) -> None:
        choices = {
            "status": STATUSES,
            "sentiment": SENTIMENTS,
            "rating": RATINGS,
            "flag": ("any", *FLAGS),
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value and value not in allowed:
                raise BadFilter(f"{name} must be one of {', '.join(allowed)}")
        for name in ("since", "until"):
            if getattr(self, name):
                try:
                    date.fromisoformat(getattr(self, name))
                except ValueError:
                    raise BadFilter(f"{name} must be a date like 2025-03-31") from None

    def params(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    def span(self, tz: ZoneInfo) -> tuple[float | str, float | str]:
        """Opening-time bounds for ZRANGEBYSCORE: the whole of both days, local time."""
        low: float | str = "-inf"
        high: float | str = "+inf"
        if self.since:
            low = datetime.combine(date.fromisoformat(self.since), time(), tz).timestamp()
        if self.until:
            end = date.fromisoformat(self.until) + timedelta(days=1)
            high = f"({datetime.combine(end, time(), tz).timestamp()}"
        return low, high

    def sets(self, keys: Keys) -> list[str]:
        """The filters' sorted sets to intersect."""
        return [
            keys.index(field, value)
            for field, value in (
                ("store", self.store),
                ("emp", self.employee),
                ("status", self.status),
                ("reason", self.reason),
                ("sent", self.sentiment),
                ("rating", self.rating),
                ("flag", self.flag),
            )
            if value
        ]


@dataclass(frozen=True)
class Listed:
    row: Row
    customer: str  # the customer's first name, or the chat id when unknown


@dataclass(frozen=True)
class Page:
    items: list[Listed]
    total: int
    offset: int
    ignored_query: bool  # the search had only stop words or one-letter words

    @property
    def next_offset(self) -> int | None:
        return self.offset + PAGE if self.offset + PAGE < self.total else None


class ConversationQuery:
    def __init__(self, redis: Redis, keys: Keys, tz: ZoneInfo) -> None:
        self.redis = redis
        self.keys = keys
        self.tz = tz

    async def page(self, filters: Filters, offset: int = 0, limit: int = PAGE) -> Page:
        async with self._matching(filters) as (source, searched):
            low, high = filters.span(self.tz)
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.zrevrangebyscore(source, high, low, start=offset, num=limit)
                pipe.zcount(source, low, high)
                ids, total = await pipe.execute()
        items = await self.rows([_text(i) for i in ids])
        return Page(items, int(total), offset, bool(filters.q.strip()) and not searched)

    async def all(self, filters: Filters, chunk: int = 1000) -> AsyncIterator[list[Listed]]:
        """Every match, newest first, a chunk at a time (exports)."""
        async with self._matching(filters) as (source, _):
            low, high = filters.span(self.tz)
            offset = 0
            while ids := await self.redis.zrevrangebyscore(
                source, high, low, start=offset, num=chunk
            ):
                yield await self.rows([_text(i) for i in ids])
                offset += chunk

    async def rows(self, ids: list[str]) -> list[Listed]:
        if not ids:
            return []
        raw = await self.redis.mget([self.keys.summary(i) for i in ids])
        rows = [Row.from_json(r) for r in raw if r]
        async with self.redis.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.hget(self.keys.customer(row.chat_id), "first_name")
            names: list[Any] = await pipe.execute()
        return [
            Listed(row, _text(name) if name else f"chat {row.chat_id}")
            for row, name in zip(rows, names, strict=True)
        ]

    async def reasons(self) -> list[str]:
        return sorted(_text(r) for r in await self.redis.smembers(self.keys.reasons))

    def _matching(self, filters: Filters) -> _Matching:
        return _Matching(self, filters)


class _Matching:
    """Yields the sorted set holding the matches; removes a scratch intersection after."""

    def __init__(self, query: ConversationQuery, filters: Filters) -> None:
        self.query = query
        self.filters = filters
        self.scratch: str | None = None

    async def __aenter__(self) -> tuple[str, bool]:
        keys, redis = self.query.keys, self.query.redis
        sets = self.filters.sets(keys)
        searched = words(self.filters.q)
        if not searched and len(sets) <= 1:
            return (sets[0] if sets else keys.convs), False
        weights = {key: 1 for key in sets or [keys.convs]}
        token = secrets.token_hex(8)
        self.scratch, found = keys.scratch(token), keys.scratch_words(token)
        last = int(await redis.get(keys.sequence) or 0) if searched else 0
        async with redis.pipeline(transaction=True) as pipe:
            if searched:
                word_index.queue_matches(pipe, keys, searched, last, found)
                weights[found] = 0  # a plain set: its members score 1, weighted away
            pipe.zinterstore(self.scratch, weights, aggregate="MAX")
            pipe.delete(found)
            pipe.expire(self.scratch, SCRATCH_SECONDS)
            await pipe.execute()
        return self.scratch, bool(searched)

    async def __aexit__(self, *exc: object) -> None:
        if self.scratch is not None:
            await self.query.redis.delete(self.scratch)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
