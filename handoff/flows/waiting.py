"""Measured response times per store, and the holding message built from them.

The measurements are kept per store in Redis (handoff/storage/live/response_times.py).
"""

from __future__ import annotations

import logging

from handoff.core.escalation import utc
from handoff.core.state import Conversation
from handoff.flows.context import Context
from handoff.storage.live.response_times import ResponseTimes
from handoff.texts.languages import holding_in
from handoff.texts.promises import Holding, holding_message, response_seconds, typical_wait

log = logging.getLogger(__name__)


def response_times(ctx: Context) -> ResponseTimes:
    return ResponseTimes(ctx.store)


async def record_claim(ctx: Context, conv: Conversation, claimed_at: float) -> None:
    """Measure handoff to claim for the store, from the conversation's latest handoff."""
    events = await ctx.store.transcript(conv.id)
    handoff = next((e for e in reversed(events) if e.kind == "handoff"), None)
    if handoff is None:
        return
    ctx.metrics.claimed(claimed_at - handoff.at)  # wall clock; the store figure skips closed hours
    if conv.store_id is None:
        return
    seconds = response_seconds(
        conv.store_id, handed_off=utc(handoff.at), claimed=utc(claimed_at), stores=ctx.stores
    )
    if seconds is not None:
        await response_times(ctx).record(conv.store_id, seconds)
        log.info(
            "response time recorded",
            extra={"conversation": conv.id, "store_id": conv.store_id, "seconds": seconds},
        )


async def holding_text(
    ctx: Context,
    conv: Conversation,
    first_name: str | None,
    employee_name: str | None,
    language: str | None = None,
) -> str:
    """The customer's holding message: who, where, and only the waiting time we can back;
    in the customer's ``language`` when we have its wording (handoff/texts/languages.py)."""
    holding = await _holding(ctx, conv, first_name, employee_name)
    return holding_in(language, holding) or holding_message(holding)


async def _holding(
    ctx: Context, conv: Conversation, first_name: str | None, employee_name: str | None
) -> Holding:
    store_id = conv.store_id
    if store_id is None:
        return Holding(first_name, employee_name, None)
    store_name = ctx.stores.get(store_id).name
    now = ctx.now_dt()
    if not ctx.stores.is_open(store_id, now):
        opens_at = ctx.stores.next_opening(store_id, now)
        local = ctx.stores.local(now)
        return Holding(first_name, employee_name, store_name, opens_at=opens_at, now=local)
    wait = typical_wait(await response_times(ctx).recent(store_id))
    return Holding(first_name, employee_name, store_name, typical_wait=wait)
