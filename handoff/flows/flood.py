"""A customer sending messages faster than anyone can read them.

Each chat may send ``Context.rate_limit_per_minute`` messages per clock minute (a fixed
window: one Redis counter per chat and minute, handoff/storage/live/flood.py, counted with its
expiry in one script in the message's first round trip, so every worker counts the same
messages). Above the limit nothing is dropped: the message is already in the
transcript; the customer gets one notice per window; the bot stops triaging message by
message and hands the conversation to a person, so every later message goes into the
Slack thread like any other while a person has it.
"""

from __future__ import annotations

import logging

from handoff.core.state import Conversation, Event
from handoff.flows.context import Context
from handoff.storage.arrival import Read
from handoff.storage.live.flood import FloodCounts
from nlu.triage.policy import Decision, handoff

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
FLOOD_NOTICE = (
    "You're sending messages faster than we can read them; "
    "we've got everything so far and will reply shortly."
)


class FloodGate:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.counts = FloodCounts(ctx.store)

    def counting(self, chat_id: str) -> Read:
        """Count one message of this chat in the current window, in the message's first
        round trip (store.arrive); its value is the count so far."""
        window = int(self.ctx.now() // WINDOW_SECONDS)
        # The counter outlives its window; then nobody needs it.
        return self.counts.counting(chat_id, window, keep_seconds=2 * WINDOW_SECONDS)

    def within(self, counted: int) -> bool:
        return counted <= self.ctx.rate_limit_per_minute

    async def admit(self, conv: Conversation, counted: int) -> bool:
        """False when the chat is over its limit (``counted``: its messages in the window
        so far); the first time in a window the customer is told (and the transcript
        notes it)."""
        ctx = self.ctx
        limit = ctx.rate_limit_per_minute
        if self.within(counted):
            return True
        if counted == limit + 1:  # INCR is atomic: exactly one message per window gets here
            await ctx.customers.send_text(conv.chat_id, FLOOD_NOTICE)
            await ctx.store.append(
                conv.id,
                Event("bot_notice", ctx.now(), "bot", "rate_limited", {"text": FLOOD_NOTICE}),
            )
            log.info("customer over the rate limit", extra={"conversation": conv.id})
        return False

    async def handoff(self, conv: Conversation) -> tuple[Decision, str | None]:
        """Why, and to which store, a flooding customer goes to a person."""
        profile = await self.ctx.store.customer(conv.chat_id)
        limit = self.ctx.rate_limit_per_minute
        decision = handoff("flood", detail=f"more than {limit} messages in a minute")
        return decision, conv.store_id or profile.get("store")
