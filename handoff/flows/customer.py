"""The customer's side of a conversation: each Telegram message, in order, exactly once.

Under the chat's lock: record the message, then either let triage answer it (only
while the bot owns the conversation) or pass it to the people in the Slack thread.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from dataclasses import replace

from handoff.core.escalation import begin
from handoff.core.messages import CustomerMessage
from handoff.core.state import (
    Conversation,
    Event,
    Status,
    attach_thread,
    hand_off,
    open_conversation,
)
from handoff.flows.cards import build_card
from handoff.flows.context import Context
from handoff.flows.controls import Live, LiveControls, paused_note, paused_reply
from handoff.flows.early_parse import EarlyParses, Parsed
from handoff.flows.edits import EditFlow
from handoff.flows.flood import FloodGate
from handoff.flows.media import CustomerPosts
from handoff.flows.meeting import recent_helper
from handoff.flows.offers import Offers
from handoff.flows.store_question import StoreQuestion
from handoff.flows.waiting import holding_text
from handoff.metrics import timed_message
from handoff.storage.arrival import Arrival, arrive
from handoff.storage.live.topics import Topics
from handoff.storage.store import Extra
from nlu.errors import NluUnavailable
from nlu.triage.policy import Decision, handoff
from nlu.triage.responder import Reply
from nlu.triage.smalltalk import store_chosen_reply
from nlu.triage.topic import Topic

log = logging.getLogger(__name__)


class CustomerFlow:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.posts = CustomerPosts(ctx)  # texts and files into the thread (media_flow)
        self.edits = EditFlow(ctx)
        self.flood = FloodGate(ctx)  # per-customer rate limit (flood.py)
        self.parses = EarlyParses(ctx.nlu, counted=ctx.metrics.early_parse)
        self.stores = StoreQuestion(ctx)  # which store a handoff is about (store_question.py)

    @timed_message  # whole, Rasa and own time per message into ctx.metrics (handoff/metrics.py)
    async def on_message(self, msg: CustomerMessage) -> None:
        ctx = self.ctx
        # The lock is taken with the first read and given back by the last save.
        async with ctx.store.chat_lock(msg.chat_id, take=False) as lock:
            # Notices and pauses set from Slack are read with the rest, for triage.
            reads = (self.flood.counting(msg.chat_id), LiveControls(ctx).reading)
            profile = _profile_of(msg)
            read = arrive(
                ctx.store, msg.chat_id, msg.channel, msg.event_id, profile, reads, lock=lock
            )
            parsed: Parsed = None
            if self.parses.worth(msg.chat_id, msg.text, media=msg.media is not None):
                # Rasa parses while the read is under way (early_parse.py); the read decides.
                arrival, parsed = await self.parses.alongside(read, msg.text, self._bot_may_answer)
            else:
                arrival = await read
            counted, live = arrival.read
            if arrival.seen:
                log.info(
                    "duplicate message skipped",
                    extra={"channel": msg.channel, "event_id": msg.event_id},
                )
                return
            conv = await self._current_or_new(msg, arrival.conversation)
            detail = {"text": msg.text, "message_id": msg.message_id, "media": msg.media}
            said = Event("customer_message", ctx.now(), "customer", detail=detail)
            unsaved: list[Event] = []  # saved with the conversation, below
            sends: list[Extra] = []  # the answer, or the post into the thread: with the save
            entry: Extra | None = None  # the message's map entry, when it has a post
            within = self.flood.within(counted)
            if conv.status is Status.BOT and within:
                conv, unsaved, sends = await self._bot_turn(
                    conv, msg, arrival.profile, live, said, parsed
                )
                await self.posts.follow_card(conv, msg)
            elif within and conv.thread is not None and msg.attachment is None:
                post, entry = self.posts.post_text_with_save(conv, msg)
                unsaved, sends = [said], [post]
            else:
                await ctx.store.append(conv.id, said)
                within = await self.flood.admit(conv, counted)  # over: one notice (flood.py)
                if conv.status is Status.BOT and not within:  # not triaged one by one: a person
                    decision, _ = await self.flood.handoff(conv)  # the store: _hand_off's
                    conv = await self._hand_off(conv, decision, None)
                    await self.posts.follow_card(conv, msg)
                elif conv.thread is None:  # a handoff interrupted before its thread was opened
                    conv = await self._open_thread(conv)
                    await self.posts.follow_card(conv, msg)
                else:
                    await self.posts.post(conv, msg)
            # The message's bookkeeping in the same transaction: its edits find the
            # conversation, and a redelivery of the update is skipped. Its answer or post
            # goes out if and only if all that is on record.
            extra = (
                entry or self.posts.remember(conv, msg),
                ctx.store.seen_mark(msg.channel, msg.event_id, chat_id=msg.chat_id),
                lock.give_back_in,
                *sends,
            )
            # Where this message leaves the chat: does the bot answer its next one?
            self.parses.note(msg.chat_id, bot_answers=conv.status is Status.BOT and within)
            name = arrival.profile.get("first_name")
            await ctx.store.save(conv, events=unsaved, name=name, extra=extra)

    def _bot_may_answer(self, arrival: Arrival) -> bool:
        """Whether the message may need its parse, as far as its first read tells."""
        conv, counted = arrival.conversation, arrival.read[0]
        bot_owns = conv is None or conv.status in (Status.BOT, Status.RESOLVED)
        return not arrival.seen and bot_owns and self.flood.within(counted)

    async def _current_or_new(
        self, msg: CustomerMessage, current: Conversation | None
    ) -> Conversation:
        ctx = self.ctx
        if current is not None and current.status is not Status.RESOLVED:
            return current
        conv = open_conversation(await ctx.store.next_conversation_id(), msg.chat_id, ctx.now())
        await ctx.store.save(conv, extra=(ctx.store.conversation_counted(msg.chat_id),))
        return conv

    async def _bot_turn(
        self,
        conv: Conversation,
        msg: CustomerMessage,
        profile: dict[str, str],
        live: Live,
        said: Event,
        parsed: Parsed,
    ) -> tuple[Conversation, list[Event], list[Extra]]:
        """Answer, or hand off; returns the events left for the message's save (``said``,
        the customer's words, and the answer) and the answer's send: one transaction for
        the three, so the answer goes out once it is on record, and only then."""
        ctx = self.ctx
        reply = await self._decide(conv, msg, profile, live, parsed)
        ctx.metrics.decided(reply.decision.route, reply.decision.reason)
        if reply.decision.route == "answer" and reply.answer is not None:
            if reply.decision.reason == "store_choice" and reply.store_id:
                await ctx.store.remember(msg.chat_id, store=reply.store_id)
            send = ctx.customers.send_text_with_save(msg.chat_id, reply.answer)
            detail = {"text": reply.answer, "store_id": reply.store_id, "nlu": reply.decision.nlu}
            answered = Event("bot_answer", ctx.now(), "bot", reply.decision.reason, detail)
            # The conversation's topic (storage/live/topics.py) is saved with the answer.
            sends = [send]
            if reply.topic is not None:
                sends.append(Topics(ctx.store).save_in(msg.chat_id, conv.id, reply.topic))
            return conv, [said, answered], sends
        await ctx.store.append(conv.id, said)  # the card shows it
        if reply.topic is not None:  # kept: a later handoff (after Back to bot) reads it
            await Topics(ctx.store).save(msg.chat_id, conv.id, reply.topic)
        # The store the message itself names (the reply's may be the home store).
        named = reply.store_id
        if named is None or named == profile.get("store"):
            named = ctx.responder.store_for(msg.text, None, None)
        if reply.language and reply.language != profile.get("writes_in"):
            # Recorded for the card and /profile (erased by /forget with the rest).
            await ctx.store.remember(msg.chat_id, writes_in=reply.language)
        handed = await self._hand_off(conv, reply.decision, named, reply.language, reply.topic)
        return handed, [], []

    async def _decide(
        self,
        conv: Conversation,
        msg: CustomerMessage,
        profile: dict[str, str],
        live: Live,
        parsed: Parsed,
    ) -> Reply:
        """Triage; a file, or Rasa being down, goes straight to a person."""
        ctx = self.ctx
        home = profile.get("store")
        if msg.media:
            reason = handoff("media", detail=f"the customer sent a {msg.media}")
            return Reply(reason, None, ctx.responder.store_for(msg.text, None, home))
        try:  # the conversation's topic is read while Rasa parses
            nlu, topic = await asyncio.gather(
                self.parses.parse(parsed, msg.text), Topics(ctx.store).read(msg.chat_id, conv.id)
            )
        except NluUnavailable:
            reason = handoff("nlu_unavailable", detail="Rasa did not answer")
            return Reply(reason, None, ctx.responder.store_for(msg.text, None, home))
        reply = ctx.responder.respond(
            nlu,
            home_store=home,
            first_name=profile.get("first_name"),
            now=ctx.now_dt(),
            seed=zlib.crc32(f"{conv.id}:{msg.message_id}".encode()),
            extra_notices=live.notices,
            topic=topic,
            language_code=msg.language,
        )
        return paused_reply(live, reply, nlu)

    async def _hand_off(
        self,
        conv: Conversation,
        decision: Decision,
        named: str | None,
        language: str | None = None,
        topic: Topic | None = None,
    ) -> Conversation:
        """To the store the conversation is about (``named``: the one the message names),
        or, when nobody knows which, to everyone while the customer is asked; a customer
        writing in ``language`` (not English) to someone who speaks it first, and told
        in it who will reply."""
        ctx = self.ctx
        profile = await ctx.store.customer(conv.chat_id)
        choice = await self.stores.choice(conv, named, profile.get("store"), topic)
        store_id = choice.store_id
        conv = replace(conv, store_basis=choice.basis)
        offers = Offers(ctx)  # on shift now, or at the next opening; the ladder starts here
        step = await offers.plan_handoff(store_id, recent_helper(profile, ctx.now()), language)
        employee = ctx.employees.by_slack_id(step.to) if step.to else None
        now = ctx.now()
        transition = hand_off(
            conv, reason=decision.reason, offered_to=step.to, expires_at=step.expires_at, now=now
        )
        conv = begin(transition.conversation, step) if transition.changed else conv
        if transition.event is not None:
            transition.event.detail.update(nlu=decision.nlu, explanation=decision.detail)
            await ctx.store.append(conv.id, transition.event)
        conv = await self._open_thread(conv, store_id)
        await offers.after_handoff(conv, step)
        await self._tell_customer_who(
            conv,
            profile.get("first_name"),
            employee_name=(employee.name if employee else None),
            language=language,
        )
        if choice.ask:  # the card waits in the general channel meanwhile
            await self.stores.ask(conv)
        return conv

    async def _open_thread(self, conv: Conversation, store_id: str | None = None) -> Conversation:
        ctx = self.ctx
        conv = replace(conv, store_id=store_id or conv.store_id)
        await ctx.store.save(conv)  # the card reads the conversation's store
        thread = await ctx.desk.open_thread(
            ctx.channel_for(conv.store_id), await build_card(ctx, conv)
        )
        conv = attach_thread(conv, thread)
        await ctx.store.save(conv)  # before the customer can answer, replies must find it
        return conv

    async def _tell_customer_who(
        self,
        conv: Conversation,
        first_name: str | None,
        *,
        employee_name: str | None,
        language: str | None = None,
    ) -> None:
        ctx = self.ctx
        holding = await holding_text(ctx, conv, first_name, employee_name, language)
        text = paused_note(conv) + holding
        await ctx.customers.send_text(conv.chat_id, text)
        await ctx.store.append(
            conv.id, Event("bot_notice", ctx.now(), "bot", detail={"text": text})
        )

    async def choose_store(self, chat_id: str, store_id: str) -> None:
        """The customer picked their home store (buttons at /start or /store)."""
        ctx = self.ctx
        store = ctx.stores.get(store_id)
        async with ctx.store.chat_lock(chat_id):
            await ctx.store.remember(chat_id, store=store_id)
        await ctx.customers.send_text(chat_id, store_chosen_reply(store.name))


def _profile_of(msg: CustomerMessage) -> dict[str, str]:
    """What each message tells us about the customer, remembered as it arrives."""
    profile = {"first_name": msg.first_name}
    if msg.last_name:
        profile["last_name"] = msg.last_name
    if msg.language:
        profile["language"] = msg.language
    return profile
