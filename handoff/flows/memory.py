"""Personal memory the customer controls: ``/profile`` shows it, ``/forget`` erases it.

Erasure is the review side's (handoff/storage/erasure.py), the one code path that
deletes transcripts, so ``/forget`` and ``tandem erase --customer`` erase exactly the
same keys and both write the audit record (``erase_customer``, here by "customer"),
which names the chat and the count, never content.
"""

from __future__ import annotations

import logging
from typing import Any

from handoff.core.state import Status
from handoff.errors import SlackUnavailable
from handoff.flows.context import Context
from handoff.storage.audit import AuditLog
from handoff.storage.erasure import Eraser
from handoff.storage.keys import Keys
from handoff.texts.memory import Kept, describe, forget_question, forgotten

log = logging.getLogger(__name__)

OPEN_THREAD_NOTICE = (
    "The customer asked to be forgotten: Tandem erased this conversation, and replies "
    "here no longer reach them."
)


class Memory:
    def __init__(self, ctx: Context, retention_days: int) -> None:
        self.ctx = ctx
        self.retention_days = retention_days
        self.keys = Keys(ctx.store.prefix)

    async def kept(self, chat_id: int) -> Kept:
        ctx = self.ctx
        return Kept(
            profile=await ctx.store.customer(chat_id),
            transcripts=len(await self.conversation_ids(chat_id)),
            retention_days=self.retention_days,
            store_name=lambda s: ctx.stores.get(s).name if s in ctx.stores else None,
            helper_name=self._helper_name,
            tz=ctx.stores.tz,
        )

    async def profile_text(self, chat_id: int) -> str:
        return describe(await self.kept(chat_id))

    async def forget_question(self, chat_id: int) -> tuple[str, bool]:
        """The question, and whether there is anything to forget (then: ask to confirm)."""
        kept = await self.kept(chat_id)
        anything = bool(kept.profile or kept.transcripts)
        return forget_question(anything), anything

    async def forget(self, chat_id: int) -> str:
        ctx = self.ctx
        fields = len(await ctx.store.customer(chat_id))
        await self._tell_open_threads(await self.conversation_ids(chat_id))
        # A comment capture armed after a rating (handoff/flows/ratings.py).
        await ctx.store.redis.delete(f"{ctx.store.prefix}:rating:comment:{chat_id}")
        audit = AuditLog(ctx.store.redis, prefix=ctx.store.prefix, clock=ctx.clock)
        erased = await Eraser(ctx.store, audit).erase_customer(chat_id, by="customer")
        log.info("customer forgotten", extra={"chat_id": chat_id, "count": erased})
        return forgotten(erased, fields)

    async def conversation_ids(self, chat_id: int) -> list[str]:
        """The customer's conversations, as the erasure finds them (index plus current)."""
        redis = self.ctx.store.redis
        ids = [_text(c) for c in await redis.zrange(self.keys.by_chat(chat_id), 0, -1)]
        current = await redis.get(self.keys.chat(chat_id))
        if current is not None and _text(current) not in ids:
            ids.append(_text(current))
        return [c for c in ids if await redis.exists(self.keys.conv(c))]

    async def _tell_open_threads(self, ids: list[str]) -> None:
        """Staff still working on it must know why the customer no longer hears them."""
        for conv_id in ids:
            conv = await self.ctx.store.get(conv_id)
            if conv is None or conv.thread is None or conv.status is Status.RESOLVED:
                continue
            try:
                await self.ctx.desk.post_status(conv.thread, OPEN_THREAD_NOTICE)
            except SlackUnavailable:
                log.warning("forget notice not posted to Slack", extra={"conv_id": conv_id})

    def _helper_name(self, employee_id: str) -> str | None:
        try:
            return self.ctx.employees.get(employee_id).name
        except KeyError:
            return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
