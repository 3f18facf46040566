"""A customer sending messages faster than anyone can read them.

Each chat may send ``Context.rate_limit_per_minute`` messages per clock minute (a fixed
window: one Redis counter per chat and minute, INCR then EXPIRE in one transaction, so
every worker counts the same messages). Above the limit nothing is dropped: the message
is already in the transcript; the customer gets one notice per window; the bot stops
triaging message by message and hands the conversation to a person, so every later
message goes into the Slack thread like any other while a person has it.
"""

from __future__ import annotations

import logging

from handoff.context import Context
from handoff.state import Conversation, Event
from nlu.triage import Decision, handoff

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
FLOOD_NOTICE = (
    "You're sending messages faster than we can read them; "
    "we've got everything so far and will reply shortly."
)


class FloodGate:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _key(self, chat_id: int, window: int) -> str:
        return f"{self.ctx.store.prefix}:flood:{chat_id}:{window}"

    async def count(self, chat_id: int) -> int:
        """Count one message of this chat in the current window; returns the count so far."""
        window = int(self.ctx.now() // WINDOW_SECONDS)
        key = self._key(chat_id, window)
        async with self.ctx.store.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 2 * WINDOW_SECONDS)  # outlives its window; then nobody needs it
            counted, _ = await pipe.execute()
        return int(counted)

    async def admit(self, conv: Conversation) -> bool:
        """False when the chat is over its limit; the first time in a window the customer
        is told (and the transcript notes it)."""
        ctx = self.ctx
        limit = ctx.rate_limit_per_minute
        counted = await self.count(conv.chat_id)
        if counted <= limit:
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
