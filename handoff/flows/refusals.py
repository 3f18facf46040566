"""A send the customer's channel refused for good is made visible, never only logged.

The outbox pump gives such a job up (handoff/queues/pump.py) and tells its listeners; the
channel's listener (bot/telegram/outbox.py) names the refusal (handoff/core/refusals.py)
and hands it here. Then: counted in /metrics by reason, written to the transcript (the
dashboard's conversation page flags it), and posted into the conversation's Slack thread
through the desk's outbox, so the employee who wrote the reply learns it did not arrive.
"""

from __future__ import annotations

import logging

from handoff.core.addresses import channel_of
from handoff.core.refusals import UNREACHABLE, Refusal
from handoff.flows.context import Context

log = logging.getLogger(__name__)


class Refusals:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def refused(self, chat_id: str, refusal: Refusal) -> None:
        ctx = self.ctx
        ctx.metrics.refused(channel_of(chat_id), refusal.reason)
        conv = await ctx.store.current(chat_id)
        if conv is None:  # e.g. erased meanwhile: nobody left to tell
            log.warning("refused send without a conversation", extra={"reason": refusal.reason})
            return
        await ctx.store.append(conv.id, refusal.event(ctx.now()))
        if conv.thread is not None:
            await ctx.desk.post_status(conv.thread, refusal.notice())
        log.warning(
            "send refused",
            extra={
                "conversation": conv.id,
                "reason": refusal.reason,
                "unreachable": refusal.reason in UNREACHABLE,
            },
        )
