"""Supervisors' live controls in Redis: pauses and notices, as every worker reads them.

Keys (families of handoff/storage/families.py):
  pause:{store|all}   JSON of a pause; expires when the pause ends
  notices             hash notice id → Notice JSON; the hash itself expires with the last
                      of them (the flow drops expired ones on read)
  notice_seq          counter for the ids of notices posted from Slack

The flow (handoff/flows/controls.py) reads both in a message's first round trip
(``reading``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError
from redis.asyncio.client import Pipeline

from handoff.storage.arrival import Read
from handoff.storage.store import ConversationStore
from nlu.facts.answer_models import Notice


@dataclass(frozen=True)
class PauseState:
    scope: str  # a store id or "all"
    by: str  # the employee id of who set it
    since: float
    until: float
    why: str


@dataclass(frozen=True)
class Stored:
    pauses: list[PauseState]  # as stored: the key's own expiry follows the wall clock
    notices: dict[str, Notice | None]  # notice id -> the notice; None when unreadable


class ControlStore:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.keys = store.keys

    def reading(self, scopes: Sequence[str], then: Callable[[Stored], Awaitable[Any]]) -> Read:
        """The pauses of ``scopes`` and the notices, queued into the caller's pipeline (a
        message's first round trip, handoff/storage/arrival.py); ``then`` makes the
        read's value of them."""

        def queue(pipe: Pipeline) -> Callable[[list[Any]], Awaitable[Any]]:
            pipe.mget([self.keys.pause(s) for s in scopes])
            pipe.hgetall(self.keys.notices)

            async def make(replies: list[Any]) -> Any:
                raw_pauses, raw_notices = replies
                return await then(Stored(_pauses(raw_pauses), _notices(raw_notices)))

            return make

        return queue

    async def read(self, scopes: Sequence[str]) -> Stored:
        async with self.redis.pipeline(transaction=False) as pipe:
            make = self.reading(scopes, _itself)(pipe)
            stored: Stored = await make(await pipe.execute())
            return stored

    async def set_pause(self, pause: PauseState, seconds: int) -> None:
        await self.redis.set(self.keys.pause(pause.scope), json.dumps(asdict(pause)), ex=seconds)

    async def end_pauses(self, scopes: Sequence[str]) -> None:
        await self.redis.delete(*(self.keys.pause(s) for s in scopes))

    async def next_notice_number(self) -> int:
        return int(await self.redis.incr(self.keys.notice_seq))

    async def put_notice(self, notice: Notice) -> None:
        await self.redis.hset(self.keys.notices, notice.id, notice.model_dump_json())

    async def notices(self) -> dict[str, Notice | None]:
        return _notices(await self.redis.hgetall(self.keys.notices))

    async def drop_notices(self, *notice_ids: str) -> int:
        """Remove notices; how many there were."""
        return int(await self.redis.hdel(self.keys.notices, *notice_ids))

    async def expire_notices(self, seconds: int) -> None:
        """The notices go, all at once, in ``seconds`` (when the last of them ends)."""
        await self.redis.expire(self.keys.notices, seconds)


def _pauses(raw: list[Any]) -> list[PauseState]:
    return [PauseState(**json.loads(value)) for value in raw if value]


def _notices(raw: dict[Any, Any]) -> dict[str, Notice | None]:
    found: dict[str, Notice | None] = {}
    for notice_id, value in raw.items():
        try:
            found[_text(notice_id)] = Notice.model_validate_json(value)
        except ValidationError:
            found[_text(notice_id)] = None
    return found


async def _itself(stored: Stored) -> Stored:
    return stored


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
