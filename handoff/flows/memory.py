"""Personal memory the customer controls: ``/profile`` shows it, ``/forget`` erases it.

Erasure is the review side's (handoff/storage/records/erasure.py), the one code path that
deletes transcripts, so ``/forget`` and ``tandem erase --customer`` erase exactly the
same keys and both write the audit record (``erase_customer``, here by "customer"),
which names the chat and the count, never content.
"""

from __future__ import annotations

import logging

from handoff.core.state import Status
from handoff.errors import SlackUnavailable
from handoff.flows.context import Context
from handoff.storage.records.erasure import Eraser
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
        self.eraser = Eraser.of(ctx.store, clock=ctx.clock)

    async def kept(self, chat_id: str) -> Kept:
        ctx = self.ctx
        return Kept(
            profile=await ctx.store.customer(chat_id),
            transcripts=len(await self.conversation_ids(chat_id)),
            retention_days=self.retention_days,
            store_name=lambda s: ctx.stores.get(s).name if s in ctx.stores else None,
            helper_name=self._helper_name,
            tz=ctx.stores.tz,
        )

    async def profile_text(self, chat_id: str) -> str:
        return describe(await self.kept(chat_id))

    async def forget_question(self, chat_id: str) -> tuple[str, bool]:
        """The question, and whether there is anything to forget (then: ask to confirm)."""
        kept = await self.kept(chat_id)
        anything = bool(kept.profile or kept.transcripts)
        return forget_question(anything), anything

    async def forget(self, chat_id: str) -> str:
        ctx = self.ctx
        fields = len(await ctx.store.customer(chat_id))
        await self._tell_open_threads(await self.conversation_ids(chat_id))
        # Every key of the customer's goes, a comment capture armed after a rating too.
        erased = await self.eraser.erase_customer(chat_id, by="customer")
        log.info("customer forgotten", extra={"chat_id": chat_id, "count": erased})
        return forgotten(erased, fields)

    async def conversation_ids(self, chat_id: str) -> list[str]:
        """The customer's conversations, as the erasure finds them (index plus current)."""
        return await self.eraser.conversations_of(chat_id)

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
