"""Runs the escalation ladder (handoff/core/escalation.py): at handoff, on expiry, on Pass.

Every move happens under the chat's lock, re-reads the conversation, and does
nothing when it was claimed, resolved or re-offered meanwhile, so a timer that fires
late or twice is harmless. The offer's timer always mirrors ``expires_at``.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from handoff.core.escalation import (
    Stage,
    Step,
    Team,
    advance,
    announcement,
    first_offer,
    may_pass,
    next_step,
)
from handoff.core.refusals import unreachable
from handoff.core.state import Conversation, Event, Status, ThreadRef, offer
from handoff.flows.cards import build_card
from handoff.flows.context import Context
from handoff.flows.waiting import record_claim
from handoff.queues.timers import TimerLoop, TimerStore

log = logging.getLogger(__name__)

TIMER_KIND = "offer"
# Transcript entries read back for a refusal since the customer's last message.
REFUSAL_LOOKBACK = 50
_REASONS = {
    Stage.PERSON: "expired",
    Stage.CHANNEL: "channel",
    Stage.SUPERVISOR: "supervisor",
    Stage.END: "expired",
}


def timer_store(ctx: Context) -> TimerStore:
    return TimerStore.of(ctx.store)


class Offers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.timers = timer_store(ctx)

    async def _team(self) -> Team:
        ctx = self.ctx
        return Team(ctx.stores, ctx.employees, await ctx.store.open_counts(), ctx.offer_timeout)

    async def plan_handoff(
        self, store_id: str | None, last_helper: str | None, language: str | None = None
    ) -> Step:
        """Whom a new handoff goes to: on shift now, or at the store's next opening; for a
        customer writing in ``language`` (not English), someone who speaks it first."""
        team = await self._team()
        now = self.ctx.now_dt()
        return first_offer(store_id, now=now, team=team, last_helper=last_helper, language=language)

    async def after_handoff(self, conv: Conversation, step: Step) -> None:
        """Start the offer's timer; with nobody on shift in opening hours, ping the channel."""
        await self.sync_timer(conv)
        if step.stage is Stage.CHANNEL and step.opens_at is None and conv.thread is not None:
            text = "Nobody is on shift to take this. Can anyone here take over?"
            await self.ctx.desk.post_alert(conv.thread, ("here",), text)

    async def sync_timer(self, conv: Conversation) -> None:
        if conv.status is Status.PENDING and conv.expires_at is not None:
            await self.timers.schedule(TIMER_KIND, conv.id, conv.expires_at)
        else:
            await self.timers.cancel(TIMER_KIND, conv.id)

    async def settle(self, before: Conversation, after: Conversation, event: Event) -> None:
        """After a desk transition (claim, back to bot, resolve): timer and measurements."""
        await self.sync_timer(after)
        if event.kind == "claim" and before.status is Status.PENDING:
            await record_claim(self.ctx, after, event.at)

    async def on_timer(self, conv_id: str) -> None:
        """The offer's timer fired: move one rung up, unless that is no longer due."""
        ctx = self.ctx
        found = await ctx.store.get(conv_id)
        if found is None:
            return
        async with ctx.store.chat_lock(found.chat_id):
            conv = await ctx.store.get(conv_id)
            if conv is None or conv.status is not Status.PENDING or conv.expires_at is None:
                log.info("offer timer no longer applies", extra={"conversation": conv_id})
                return
            if conv.expires_at > ctx.now():
                await self.sync_timer(conv)  # re-offered meanwhile; keep its own due time
                return
            if await self._unreachable(conv):
                await self._hold(conv)
                return
            await self._move(conv, passer=None)

    async def _unreachable(self, conv: Conversation) -> bool:
        """The customer blocked the bot (or their chat is gone) and has not written since
        (handoff/core/refusals.py): offering it to anyone else would help nobody."""
        return unreachable(await self.ctx.store.transcript(conv.id, last=REFUSAL_LOOKBACK))

    async def _hold(self, conv: Conversation) -> None:
        """Stay on this rung and look again in one offer's time: once the customer writes,
        the ladder goes on."""
        held = replace(conv, expires_at=self.ctx.now() + self.ctx.offer_timeout)
        await self.ctx.store.save(held)
        await self.sync_timer(held)
        log.info("offer held: the customer cannot be reached", extra={"conversation": conv.id})

    async def pass_on(self, thread: ThreadRef, user: str) -> str | None:
        """The Pass button; returns the private answer for the clicker, if any."""
        ctx = self.ctx
        async with ctx.store.locked_thread(thread) as conv:
            if conv is None:
                return "Tandem does not track this conversation any more."
            if conv.status is not Status.PENDING:
                return f"There is nothing to pass: the conversation is {conv.status.value}."
            if not ctx.employees.is_employee(user):
                return "Only employees in the Tandem directory can pass conversations."
            if not may_pass(conv, user, ctx.employees):
                return f"This is offered to {self._name(conv.offered_to)}; only they can pass it."
            if await self._unreachable(conv):
                return (
                    "The customer cannot be reached (they blocked the bot, or their chat is "
                    "gone): nobody is offered this until they write again."
                )
            if not await self._move(conv, passer=user):
                return "There is nobody left to pass it to; anyone here can take it over."
        return None

    async def _move(self, conv: Conversation, *, passer: str | None) -> bool:
        """Offer the conversation to the next rung; False when there was nowhere to go."""
        ctx = self.ctx
        step = next_step(conv, now=ctx.now_dt(), team=await self._team(), passed_by=passer)
        reason = "pass" if passer else "after_hours" if step.opens_at else _REASONS[step.stage]
        transition = offer(
            conv, to=step.to, expires_at=step.expires_at, now=ctx.now(), reason=reason
        )
        if transition.event is None:  # already there (the end of the ladder)
            await self.sync_timer(conv)
            return False
        new = advance(transition.conversation, step, previous=conv, passed_by=passer)
        event = replace(transition.event, by=passer) if passer else transition.event
        event.detail.update(stage=step.stage.value)
        if step.opens_at is not None:
            event.detail["opens_at"] = step.opens_at.isoformat()
        await ctx.store.append(conv.id, event)
        await ctx.store.save(new)
        await self.sync_timer(new)
        log.info(
            "conversation re-offered",
            extra={"conversation": conv.id, "reason": reason, "stage": step.stage.value},
        )
        await self._announce(new, step, passer)
        return True

    async def _announce(self, conv: Conversation, step: Step, passer: str | None) -> None:
        ctx = self.ctx
        if conv.thread is None:
            return
        names = {e.slack_user_id: e.name for e in ctx.employees}
        store_name = ctx.stores.get(conv.store_id).name if conv.store_id else None
        said = announcement(step, names=names, store_name=store_name, passer=passer)
        if said is not None:
            await ctx.desk.post_alert(conv.thread, said.mentions, said.text)
        await ctx.desk.refresh_card(conv.thread, await build_card(ctx, conv))

    def _name(self, slack_user: str | None) -> str:
        employee = self.ctx.employees.by_slack_id(slack_user) if slack_user else None
        return employee.name if employee else "someone else"


def offer_timer_loop(ctx: Context) -> TimerLoop:
    """The worker's timer loop, firing offer expiries on the context's clock."""
    return TimerLoop(timer_store(ctx), {TIMER_KIND: Offers(ctx).on_timer}, clock=ctx.clock)
