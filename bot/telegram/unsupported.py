"""Messages Tandem cannot read (stickers, locations, contacts, polls, dice, video notes...).

Without this handler PTB matches nothing and the customer hears nothing. Instead they
are told, once per message, what Tandem can read; the transcript records what came,
and the people in the thread learn of it when they have the conversation.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.telegram.app import MEDIA, TgApp
from bot.telegram.channel import NAME, address
from handoff.core.state import Event, Status
from handoff.flows.context import Context

log = logging.getLogger(__name__)

UNSUPPORTED_REPLY = (
    "Sorry, I can only read text messages, photos, documents and voice notes. "
    "Could you tell me in words what you need?"
)
_KINDS = (
    "sticker",
    "location",
    "venue",  # before contact/location: a venue carries a location too
    "contact",
    "poll",
    "dice",
    "video_note",
    "game",
    "story",
    "invoice",
    "paid_media",
)
UNSUPPORTED = (
    filters.ChatType.PRIVATE
    & filters.UpdateType.MESSAGE
    & ~filters.TEXT
    & ~MEDIA
    & ~filters.StatusUpdate.ALL
)


def kind_of(message: Message) -> str:
    kind = next((k for k in _KINDS if getattr(message, k, None)), "message")
    return "location" if kind == "venue" else kind


def register_unsupported(app: TgApp, ctx: Context) -> None:
    app.add_handler(MessageHandler(UNSUPPORTED, UnsupportedKinds(ctx).handle))


class UnsupportedKinds:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        ctx, kind = self.ctx, kind_of(message)
        chat_id = address(message.chat_id)
        async with ctx.store.chat_lock(chat_id):
            if await ctx.store.seen(NAME, update.update_id, chat_id=chat_id):
                return
            await ctx.customers.send_text(chat_id, UNSUPPORTED_REPLY)
            conv = await ctx.store.current(chat_id)
            if conv is not None and conv.status is not Status.RESOLVED:
                detail = {"kind": kind, "message_id": message.message_id}
                await ctx.store.append(
                    conv.id, Event("unsupported_message", ctx.now(), "customer", detail=detail)
                )
                await ctx.store.append(
                    conv.id,
                    Event("bot_notice", ctx.now(), "bot", detail={"text": UNSUPPORTED_REPLY}),
                )
                if conv.thread is not None and conv.status is not Status.BOT:
                    name = message.from_user.first_name
                    await ctx.desk.post_status(
                        conv.thread,
                        f"{name} sent a {kind.replace('_', ' ')}, which Tandem cannot pass on; "
                        "they were asked to write instead.",
                    )
            await ctx.store.mark_seen(NAME, update.update_id, chat_id=chat_id)
        log.info("unsupported message answered", extra={"kind": kind})
