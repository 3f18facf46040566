"""Telegram handlers for ratings and the customer's own memory: ``/profile``, ``/forget``.

Presses are answered as they come in (bot/telegram/presses.py); what a handler has to
say about one (already rated, not on file) reaches the customer as a message.

Registered next to the main handlers (bot/telegram/app.py). The rating comment is
caught in an earlier handler group, so an armed comment never reaches triage. Replies go
through the outbox like every message to a customer (handoff/queues/outbox.py): queued in the
chat's lane, in order, and once however often the update is handled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.telegram.app import TgApp, to_customer_message
from bot.telegram.channel import address
from handoff.core.ports import Button, CustomerChannel
from handoff.flows.context import Context
from handoff.flows.memory import Memory
from handoff.flows.ratings import Outcome, RatingFlow
from handoff.texts.memory import FORGET_CANCELLED, FORGET_EXPIRED, FORGET_WINDOW_SECONDS
from handoff.texts.ratings import COMMENT, RATE, parse_rate

log = logging.getLogger(__name__)

FORGET = "forget:"
FORGET_YES, FORGET_NO = FORGET + "yes:", FORGET + "no"


def forget_buttons(now: float) -> tuple[Button, Button]:
    """The confirmation carries when it was asked, so an old button cannot erase later."""
    return Button("Yes, forget me", f"{FORGET_YES}{int(now)}"), Button("No, keep it", FORGET_NO)


def confirmation_fresh(data: str, now: float, window: float = FORGET_WINDOW_SECONDS) -> bool:
    asked = data.removeprefix(FORGET_YES)
    return asked.isdigit() and 0 <= now - int(asked) <= window


def register_care(app: TgApp, ctx: Context, *, review_base: str, retention_days: int) -> None:
    """``review_base``: where supervisors open the dashboard (for low-rating alerts)."""
    ratings = RatingFlow(ctx, review_base)
    memory = Memory(ctx, retention_days)
    CareHandlers(ratings, memory, ctx.customers, ctx.now).register(app)


class CareHandlers:
    def __init__(
        self,
        ratings: RatingFlow,
        memory: Memory,
        customers: CustomerChannel,
        clock: Callable[[], float],
    ) -> None:
        self.ratings = ratings
        self.memory = memory
        self.customers = customers
        self.clock = clock

    def register(self, app: TgApp) -> None:
        private = filters.ChatType.PRIVATE
        texts = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & private
        app.add_handler(MessageHandler(texts, self.comment), group=-1)
        app.add_handler(CommandHandler("profile", self.profile, filters=private))
        app.add_handler(CommandHandler("forget", self.forget, filters=private))
        app.add_handler(CallbackQueryHandler(self.rated, pattern=f"^{RATE}"))
        app.add_handler(CallbackQueryHandler(self.comment_pressed, pattern=f"^{COMMENT}"))
        app.add_handler(CallbackQueryHandler(self.forget_pressed, pattern=f"^{FORGET}"))

    async def comment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        if await self.ratings.take_comment(to_customer_message(update.update_id, message)):
            raise ApplicationHandlerStop  # the comment is not a question for triage

    async def rated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, chat = update.callback_query, update.effective_chat
        if query is None or query.data is None or chat is None:
            return
        press = parse_rate(query.data)
        if press is None:
            await self.customers.send_text(address(chat.id), "That button is not valid any more.")
            return
        outcome = await self.ratings.rate(address(chat.id), press, context.bot.username)
        await self._settle(query, address(chat.id), outcome)

    async def _settle(self, query: CallbackQuery, chat_id: str, outcome: Outcome) -> None:
        """The press was answered as it came in (bot/telegram/presses.py), so a notice goes
        as a message; once it counted, its buttons go, so it cannot be pressed again."""
        if outcome.notice:
            await self.customers.send_text(chat_id, outcome.notice)
        if outcome.accepted:
            await _drop_buttons(query)

    async def comment_pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, chat = update.callback_query, update.effective_chat
        if query is None or query.data is None or chat is None:
            return
        comment = query.data.removeprefix(COMMENT)
        outcome = await self.ratings.arm_comment(address(chat.id), comment)
        if outcome.notice:  # its message keeps the review and share links
            await self.customers.send_text(address(chat.id), outcome.notice)

    async def profile(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (chat := update.effective_chat) is not None:
            chat_id = address(chat.id)
            await self.customers.send_text(chat_id, await self.memory.profile_text(chat_id))

    async def forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (chat := update.effective_chat) is None:
            return
        chat_id = address(chat.id)
        question, anything = await self.memory.forget_question(chat_id)
        buttons = forget_buttons(self.clock()) if anything else ()
        await self.customers.send_text(chat_id, question, buttons=buttons)

    async def forget_pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, chat = update.callback_query, update.effective_chat
        if query is None or query.data is None or chat is None:
            return
        await _drop_buttons(query)
        if query.data == FORGET_NO:
            text = FORGET_CANCELLED
        elif not confirmation_fresh(query.data, self.clock()):
            text = FORGET_EXPIRED
        else:
            text = await self.memory.forget(address(chat.id))
        await self.customers.send_text(address(chat.id), text)


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as exc:  # e.g. the message is too old to edit: nothing to undo
        log.warning("buttons not removed", extra={"error": type(exc).__name__})
