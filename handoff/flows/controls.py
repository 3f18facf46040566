"""Supervisors' live controls, set from Slack and read by every worker: pauses and notices.

Keys (under ``tandem:``):
  pause:{store|all}   JSON of a pause; expires when the pause ends
  notices             hash notice id → Notice JSON; expired ones are dropped on read, and
                      the hash itself expires with the last of them
  notice_seq          counter for the ids of notices posted from Slack

The triage path reads both in the message's first round trip (``LiveControls.reading``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from redis.asyncio.client import Pipeline

from handoff.core.state import Conversation
from handoff.flows.context import Context
from nlu.facts.answer_models import Notice
from nlu.rasa.result import NluResult
from nlu.triage.policy import handoff
from nlu.triage.responder import Reply

ALL = "all"
PAUSED_TO_CUSTOMER = (
    "Our automatic assistant is switched off for the moment, so a member of our team "
    "will answer you personally. "
)


@dataclass(frozen=True)
class PauseState:
    scope: str  # a store id or "all"
    by: str  # the employee id of who set it
    since: float
    until: float
    why: str


@dataclass(frozen=True)
class Live:
    pauses: dict[str, PauseState]
    notices: tuple[Notice, ...]

    def pause_for(self, store_id: str | None) -> PauseState | None:
        """A chain-wide pause applies everywhere; a store's pause to its customers."""
        return self.pauses.get(ALL) or (self.pauses.get(store_id) if store_id else None)


class LiveControls:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.redis = ctx.store.redis
        self.prefix = ctx.store.prefix

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _scopes(self) -> tuple[str, ...]:
        return (ALL, *self.ctx.stores.ids())

    async def read(self) -> Live:
        async with self.redis.pipeline(transaction=False) as pipe:
            make = self.reading(pipe)
            return await make(await pipe.execute())

    def reading(self, pipe: Pipeline) -> Callable[[list[Any]], Awaitable[Live]]:
        """Queue the reads (e.g. into a message's first round trip, store.arrive)."""
        pipe.mget([self._key("pause", s) for s in self._scopes()])
        pipe.hgetall(self._key("notices"))
        return self._live

    async def _live(self, replies: list[Any]) -> Live:
        raw_pauses, raw_notices = replies
        now = self.ctx.now()
        pauses = {}
        for raw in raw_pauses:
            if raw:
                pause = PauseState(**json.loads(raw))
                if pause.until > now:  # the key's own expiry follows the wall clock
                    pauses[pause.scope] = pause
        return Live(pauses, await self._current(raw_notices))

    async def pause(self, scope: str, *, by: str, seconds: int, why: str) -> PauseState:
        now = self.ctx.now()
        state = PauseState(scope, by, now, now + seconds, why)
        await self.redis.set(self._key("pause", scope), json.dumps(asdict(state)), ex=seconds)
        return state

    async def resume(self, scope: str) -> list[PauseState]:
        """End the pause of one store, or every pause with "all"; returns what was ended."""
        live = await self.read()
        ended = [p for p in live.pauses.values() if scope in (ALL, p.scope)]
        keys = [self._key("pause", s) for s in self._scopes() if scope in (ALL, s)]
        await self.redis.delete(*keys)
        return ended

    async def add_notice(
        self, store: str, text: str, ends: datetime, intents: tuple[str, ...]
    ) -> Notice:
        number = await self.redis.incr(self._key("notice_seq"))
        notice = Notice(
            id=f"slack-{number}",
            store=store,
            starts=datetime.fromtimestamp(self.ctx.now(), tz=UTC),
            ends=ends,
            text=text,
            intents=intents,
        )
        key = self._key("notices")
        await self.redis.hset(key, notice.id, notice.model_dump_json())
        await self._expire_with_last(key)
        return notice

    async def remove_notice(self, notice_id: str) -> bool:
        return bool(await self.redis.hdel(self._key("notices"), notice_id))

    async def notices(self) -> tuple[Notice, ...]:
        return await self._current(await self.redis.hgetall(self._key("notices")))

    async def _current(self, raw: dict[Any, Any]) -> tuple[Notice, ...]:
        now = self.ctx.now_dt()
        current: list[Notice] = []
        stale: list[Any] = []
        for notice_id, value in raw.items():
            try:
                notice = Notice.model_validate_json(value)
            except ValidationError:
                stale.append(notice_id)  # unreadable: never applied, so not kept either
                continue
            if notice.ends > now:
                current.append(notice)
            else:
                stale.append(notice_id)
        if stale:
            await self.redis.hdel(self._key("notices"), *stale)
        return tuple(sorted(current, key=lambda n: (n.ends, n.id)))

    async def _expire_with_last(self, key: str) -> None:
        notices = await self.notices()
        if notices:
            last = max(n.ends.timestamp() for n in notices)
            await self.redis.expire(key, max(1, math.ceil(last - self.ctx.now())))


def paused_reply(live: Live, reply: Reply, nlu: NluResult | None) -> Reply:
    """While the store (or the chain) is paused, every message goes to a person."""
    pause = live.pause_for(reply.store_id)
    if pause is None:
        return reply
    where = "all stores" if pause.scope == ALL else pause.scope
    detail = f"the bot is paused for {where}: {pause.why}"
    return Reply(handoff("paused", nlu, detail), None, reply.store_id)


def paused_note(conv: Conversation) -> str:
    """The honest first sentence for a customer handed over because of a pause."""
    return PAUSED_TO_CUSTOMER if conv.handoff_reason == "paused" else ""
