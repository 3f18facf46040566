"""Supervisors' live controls, set from Slack and read by every worker: pauses and notices.

They live in Redis (handoff/storage/live/controls.py); the triage path reads both in the
message's first round trip (``LiveControls.reading``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from handoff.core.state import Conversation
from handoff.flows.context import Context
from handoff.storage.arrival import Read
from handoff.storage.live.controls import ControlStore, PauseState, Stored
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
class Live:
    pauses: dict[str, PauseState]
    notices: tuple[Notice, ...]

    def pause_for(self, store_id: str | None) -> PauseState | None:
        """A chain-wide pause applies everywhere; a store's pause to its customers."""
        return self.pauses.get(ALL) or (self.pauses.get(store_id) if store_id else None)


class LiveControls:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.stored = ControlStore(ctx.store)

    def _scopes(self) -> tuple[str, ...]:
        return (ALL, *self.ctx.stores.ids())

    async def read(self) -> Live:
        return await self._live(await self.stored.read(self._scopes()))

    @property
    def reading(self) -> Read:
        """The read, for a message's first round trip (store.arrive); its value is Live."""
        return self.stored.reading(self._scopes(), self._live)

    async def _live(self, stored: Stored) -> Live:
        now = self.ctx.now()
        # The key's own expiry follows the wall clock; the pause ends by the context's.
        pauses = {p.scope: p for p in stored.pauses if p.until > now}
        return Live(pauses, await self._current(stored.notices))

    async def pause(self, scope: str, *, by: str, seconds: int, why: str) -> PauseState:
        now = self.ctx.now()
        state = PauseState(scope, by, now, now + seconds, why)
        await self.stored.set_pause(state, seconds)
        return state

    async def resume(self, scope: str) -> list[PauseState]:
        """End the pause of one store, or every pause with "all"; returns what was ended."""
        live = await self.read()
        ended = [p for p in live.pauses.values() if scope in (ALL, p.scope)]
        await self.stored.end_pauses([s for s in self._scopes() if scope in (ALL, s)])
        return ended

    async def add_notice(
        self, store: str, text: str, ends: datetime, intents: tuple[str, ...]
    ) -> Notice:
        number = await self.stored.next_notice_number()
        notice = Notice(
            id=f"slack-{number}",
            store=store,
            starts=datetime.fromtimestamp(self.ctx.now(), tz=UTC),
            ends=ends,
            text=text,
            intents=intents,
        )
        await self.stored.put_notice(notice)
        await self._expire_with_last()
        return notice

    async def remove_notice(self, notice_id: str) -> bool:
        return bool(await self.stored.drop_notices(notice_id))

    async def notices(self) -> tuple[Notice, ...]:
        return await self._current(await self.stored.notices())

    async def _current(self, stored: dict[str, Notice | None]) -> tuple[Notice, ...]:
        now = self.ctx.now_dt()
        current: list[Notice] = []
        stale: list[str] = []
        for notice_id, notice in stored.items():
            if notice is not None and notice.ends > now:
                current.append(notice)
            else:
                stale.append(notice_id)  # ended, or unreadable: never applied, so not kept
        if stale:
            await self.stored.drop_notices(*stale)
        return tuple(sorted(current, key=lambda n: (n.ends, n.id)))

    async def _expire_with_last(self) -> None:
        notices = await self.notices()
        if notices:
            last = max(n.ends.timestamp() for n in notices)
            await self.stored.expire_notices(max(1, math.ceil(last - self.ctx.now())))


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
