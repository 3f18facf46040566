"""Satisfaction: after a resolve the customer rates the conversation 1-5, and may comment.

A rating is written to the transcript once (``rating``, detail ``rating``/``score``);
the transcript itself is the record of "already rated", so there is no extra key. 4-5
invites a review and a word to a friend; 1-2 pings the store's supervisor in the
conversation's Slack thread with the transcript link and reopens nothing: the customer
is told to just write if they still need help.

Callback data is the customer's to forge. A press counts only from the conversation's own
customer, once it was resolved (a resolve asks for the rating, so its ``resolve`` event is
the record that it was asked), and only once; anything else gets a short answer and a log
line (the conversation id and why, nothing the customer wrote) and is not counted.

Comments: the "Add a comment" button arms capture of the customer's next text message
for ten minutes (one Redis key with a TTL, handoff/storage/live/rating_comments.py). Only a
message the customer chose to send as a comment is taken out of triage; anything else
is a new question as usual.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from handoff.core.messages import CustomerMessage
from handoff.core.ports import ButtonRow
from handoff.core.state import Conversation, Event, Status
from handoff.errors import SlackUnavailable
from handoff.flows.context import Context
from handoff.storage.live.rating_comments import CommentCaptures
from handoff.texts.ratings import (
    ALREADY_COMMENTED,
    ALREADY_RATED,
    COMMENT_THANKS,
    COMMENT_WINDOW_SECONDS,
    NOT_ON_FILE,
    NOT_RATEABLE,
    RATE_FIRST,
    RatingPress,
    comment_button,
    comment_prompt,
    low_rating_alert,
    promotion_buttons,
    rating_buttons,
    rating_question,
    staff_line,
    thanks,
    transcript_url,
)

log = logging.getLogger(__name__)

LOW, HIGH = 2, 4


async def ask_for_rating(ctx: Context, conv: Conversation) -> None:
    """Right after the goodbye of a resolved conversation."""
    person = ctx.employees.by_slack_id(conv.owner) if conv.owner else None
    await ctx.customers.send_text(
        conv.chat_id,
        rating_question(person.name if person else None),
        buttons=rating_buttons(conv.id),
    )


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    notice: str | None = None  # a short answer to the button press, when it changed nothing


class RatingFlow:
    def __init__(self, ctx: Context, review_base: str) -> None:
        self.ctx = ctx
        self.review_base = review_base  # REVIEW_BASE_URL, else the worker's own address
        self.captures = CommentCaptures(ctx.store)

    async def rate(self, chat_id: str, press: RatingPress, bot_username: str) -> Outcome:
        ctx = self.ctx
        async with ctx.store.chat_lock(chat_id):
            conv = await self._own(chat_id, press.conversation_id)
            if conv is None:
                return _refused(press, "not this customer's", NOT_ON_FILE)
            kinds = {e.kind for e in await ctx.store.transcript(conv.id)}
            if "rating" in kinds:
                return Outcome(False, ALREADY_RATED)
            if conv.status is not Status.RESOLVED or "resolve" not in kinds:
                return _refused(press, "not asked", NOT_RATEABLE)
            detail = {"rating": press.score, "score": press.score}
            await ctx.store.append(conv.id, Event("rating", ctx.now(), "customer", detail=detail))
            profile = await ctx.store.customer(chat_id)
            await self._thank(conv, press.score, profile, bot_username)
        await self._tell_staff(conv, press.score, _name(profile))
        log.info("rating recorded", extra={"conv_id": conv.id, "score": press.score})
        return Outcome(True)

    async def _thank(
        self, conv: Conversation, score: int, profile: dict[str, str], bot_username: str
    ) -> None:
        ctx = self.ctx
        person = ctx.employees.by_slack_id(conv.owner) if conv.owner else None
        text = thanks(score, profile.get("first_name"), person.name if person else None)
        buttons: list[ButtonRow] = [comment_button(conv.id)]
        if score >= HIGH:
            store_id = conv.store_id or profile.get("store")
            store_name = ctx.stores.get(store_id).name if store_id else None
            buttons = [
                *promotion_buttons(
                    ctx.stores.review_link(store_id),
                    store_name,
                    bot_username,
                    ctx.stores.business_name,
                ),
                *buttons,
            ]
        await ctx.customers.send_text(conv.chat_id, text, buttons=buttons)

    async def _tell_staff(self, conv: Conversation, score: int, customer: str) -> None:
        """After the customer is answered: a Slack outage loses this post, not the rating
        (the dashboard flags ratings of 2 or less from the transcript)."""
        ctx = self.ctx
        if conv.thread is None:
            return
        try:
            if score > LOW:
                await ctx.desk.post_status(conv.thread, staff_line(customer, score))
                return
            store = ctx.stores.get(conv.store_id) if conv.store_id else None
            supervisor = store.supervisor_slack_id if store else None
            link = transcript_url(self.review_base, conv.id)
            await ctx.desk.post_alert(
                conv.thread, [supervisor or "here"], low_rating_alert(customer, score, link)
            )
        except SlackUnavailable:
            log.warning("rating not posted to Slack", extra={"conv_id": conv.id})

    async def arm_comment(self, chat_id: str, conv_id: str) -> Outcome:
        ctx = self.ctx
        async with ctx.store.chat_lock(chat_id):
            conv = await self._own(chat_id, conv_id)
            if conv is None:
                return Outcome(False, NOT_ON_FILE)
            if not await self._has(conv.id, "rating"):
                return Outcome(False, RATE_FIRST)
            if await self._has(conv.id, "rating_comment"):
                return Outcome(False, ALREADY_COMMENTED)
            await self.captures.arm(chat_id, conv.id, COMMENT_WINDOW_SECONDS)
            await ctx.customers.send_text(chat_id, comment_prompt())
        return Outcome(True)

    async def take_comment(self, msg: CustomerMessage) -> bool:
        """True when the message was the armed comment (then it is not triaged)."""
        ctx = self.ctx
        if msg.media or not await self.captures.armed(msg.chat_id):
            return False
        async with ctx.store.chat_lock(msg.chat_id):
            if await ctx.store.seen(msg.channel, msg.event_id, chat_id=msg.chat_id):
                return True
            armed = await self.captures.take(msg.chat_id)
            conv = await self._own(msg.chat_id, armed) if armed else None
            if conv is None:
                return False
            detail = {"text": msg.text, "message_id": msg.message_id}
            await ctx.store.append(
                conv.id, Event("rating_comment", ctx.now(), "customer", detail=detail)
            )
            await ctx.customers.send_text(msg.chat_id, COMMENT_THANKS)
            await ctx.store.mark_seen(msg.channel, msg.event_id, chat_id=msg.chat_id)
            profile = await ctx.store.customer(msg.chat_id)
        await self._post_comment(conv, _name(profile), msg.text)
        return True

    async def _post_comment(self, conv: Conversation, customer: str, text: str) -> None:
        if conv.thread is None:
            return
        try:
            await self.ctx.desk.post_customer_message(
                conv.thread, f"{customer} (comment on their rating)", text
            )
        except SlackUnavailable:
            log.warning("rating comment not posted to Slack", extra={"conv_id": conv.id})

    async def disarm(self, chat_id: str) -> None:
        """Forget a pending comment capture (``/forget``)."""
        await self.captures.disarm(chat_id)

    async def _own(self, chat_id: str, conv_id: str) -> Conversation | None:
        """The conversation, only if it is this chat's: callback data is not trusted."""
        conv = await self.ctx.store.get(conv_id)
        return conv if conv is not None and conv.chat_id == chat_id else None

    async def _has(self, conv_id: str, kind: str) -> bool:
        return any(e.kind == kind for e in await self.ctx.store.transcript(conv_id))


def _refused(press: RatingPress, why: str, notice: str) -> Outcome:
    """A press that does not count: logged (never the chat), answered, not recorded."""
    log.warning("rating refused", extra={"conv_id": press.conversation_id[:40], "why": why})
    return Outcome(False, notice)


def _name(profile: dict[str, str]) -> str:
    return " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p) or (
        "The customer"
    )
