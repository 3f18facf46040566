"""Which store a handoff goes to (handoff/core/store_choice.py), and the customer's answer
when nobody knows: "Which store is this about?" with one button per store and "Not sure".

While the question is open the card waits in the general channel, offered to everyone.
A tap on a store moves the offer to that store's on-shift people: Slack cannot move a
message between channels, and the store's team watches its own channel, so a new card
opens a new thread there; the general card is updated to point at it and loses its
buttons. The conversation, and so its transcript, stays one: the new card's recent
messages carry what was said, and later messages go to the new thread. "Not sure"
leaves it with everyone, where it already is.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from handoff.core.escalation import begin
from handoff.core.ports import Button
from handoff.core.state import Conversation, Event, Status, attach_thread, offer
from handoff.core.store_choice import Basis, StoreChoice, answered, choose
from handoff.flows.cards import build_card
from handoff.flows.context import Context
from handoff.flows.meeting import recent_helper
from handoff.flows.offers import Offers
from handoff.flows.waiting import holding_text
from handoff.storage.live.topics import last_topic
from handoff.texts.stores import NOT_SURE, WHICH_STORE, moved_status, not_sure_reply, too_late_reply
from nlu.triage.topic import Topic

log = logging.getLogger(__name__)

CALLBACK = "about:"  # Telegram callback data: "about:riverside", or "about:" for not sure


class StoreQuestion:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def choice(
        self, conv: Conversation, named: str | None, home: str | None, topic: Topic | None = None
    ) -> StoreChoice:
        """The store a new handoff of ``conv`` is about, from what is known now; ``topic``,
        when the caller has the conversation's (just saved), is not read again."""
        if topic is None:
            topic = await last_topic(self.ctx.store, conv.chat_id, conv.id)
        asked = topic.store_id if topic is not None else None
        if asked is None and conv.store_basis not in (None, Basis.ASKING, Basis.UNSURE):
            asked = conv.store_id  # an earlier handoff of this conversation (after Back to bot)
        return choose(named=named, asked=asked, home=home, store_ids=self.ctx.stores.ids())

    def buttons(self) -> list[Button]:
        stores = self.ctx.stores
        return [Button(stores.get(sid).name, data=CALLBACK + sid) for sid in stores.ids()] + [
            Button(NOT_SURE, data=CALLBACK)
        ]

    async def ask(self, conv: Conversation) -> None:
        ctx = self.ctx
        await ctx.customers.send_text(conv.chat_id, WHICH_STORE, buttons=self.buttons())
        await ctx.store.append(
            conv.id, Event("bot_notice", ctx.now(), "bot", "store_question", {"text": WHICH_STORE})
        )

    async def answer(self, chat_id: str, store_id: str | None) -> None:
        """The customer's tap; ``store_id`` None is "Not sure". A tap on an old question,
        or a second tap, changes nothing and is answered kindly."""
        ctx = self.ctx
        if store_id is not None and store_id not in ctx.stores.ids():
            store_id = None  # a store removed since the buttons were sent: nobody in particular
        async with ctx.store.chat_lock(chat_id):
            conv = await ctx.store.current(chat_id)
            if conv is None or conv.store_basis != Basis.ASKING:
                await ctx.customers.send_text(chat_id, too_late_reply())
                return
            choice = answered(store_id)
            detail = {"store_id": choice.store_id}
            event = Event("store_chosen", ctx.now(), "customer", str(choice.basis), detail)
            await ctx.store.append(conv.id, event)
            conv = replace(conv, store_id=choice.store_id, store_basis=choice.basis)
            if choice.store_id is None or conv.status is not Status.PENDING or conv.thread is None:
                # "Not sure", or someone already took it: it stays where it is.
                await ctx.store.save(conv)
                if conv.thread is not None:
                    await ctx.desk.refresh_card(conv.thread, await build_card(ctx, conv))
                said = not_sure_reply() if choice.store_id is None else too_late_reply()
                await ctx.customers.send_text(chat_id, said)
                return
            await self._move(conv, choice.store_id)

    async def _move(self, conv: Conversation, store_id: str) -> None:
        """Offer the conversation to the store's on-shift people, in the store's channel."""
        ctx = self.ctx
        assert conv.thread is not None
        offers = Offers(ctx)
        profile = await ctx.store.customer(conv.chat_id)
        language = profile.get("writes_in")  # someone who speaks it first, as at the handoff
        step = await offers.plan_handoff(store_id, recent_helper(profile, ctx.now()), language)
        transition = offer(
            conv, to=step.to, expires_at=step.expires_at, now=ctx.now(), reason="store_chosen"
        )
        moved = begin(transition.conversation, step)
        if transition.event is not None:
            transition.event.detail.update(stage=step.stage.value, store_id=store_id)
            await ctx.store.append(conv.id, transition.event)
        channel = ctx.channel_for(store_id)
        old = conv.thread
        if channel != old.channel:
            await ctx.store.save(moved)  # the card reads the conversation's store
            thread = await ctx.desk.open_thread(channel, await build_card(ctx, moved))
            moved = attach_thread(moved, thread)
        await ctx.store.save(moved)  # before the customer can answer, replies must find it
        if moved.thread != old:
            card = await build_card(ctx, moved)
            await ctx.desk.refresh_card(old, replace(card, extra={**card.extra, "moved": "1"}))
            await ctx.desk.post_status(old, moved_status(ctx.stores.get(store_id).name))
        else:
            await ctx.desk.refresh_card(old, await build_card(ctx, moved))
        await offers.after_handoff(moved, step)
        employee = ctx.employees.by_slack_id(step.to) if step.to else None
        name = employee.name if employee else None
        text = await holding_text(ctx, moved, profile.get("first_name"), name, language)
        await ctx.customers.send_text(conv.chat_id, text)
        await ctx.store.append(
            conv.id, Event("bot_notice", ctx.now(), "bot", detail={"text": text})
        )
        log.info(
            "handoff moved to the chosen store",
            extra={"conversation": conv.id, "store_id": store_id, "stage": step.stage.value},
        )
