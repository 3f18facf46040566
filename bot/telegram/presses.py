"""Button presses are answered the moment they are taken in, before any work is queued.

Telegram's client shows a spinner on a pressed button until the bot calls
``answerCallbackQuery``, and refuses that call once the query is a few seconds old
("query is too old and response timeout expired or query ID is invalid"). Queued behind
a busy chat's lane, a handler could miss that window, and the press would look lost. So
the inbox answers each press as it keeps the update (bot/telegram/inbox.py), and the
handlers only do the work: anything they have to say goes to the chat as a message.

A press of the same button again (same chat, message and data) is kept once: the second
is answered "already done" and queues nothing.
"""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery
from telegram.error import TelegramError

log = logging.getLogger(__name__)

ALREADY_DONE = "Already done."


def press_key(query: CallbackQuery) -> str:
    """One key per button of one message: a repeat press of it is the same press."""
    message = query.message
    chat = message.chat.id if message is not None else query.from_user.id
    message_id = message.message_id if message is not None else 0
    return f"tg:press:{chat}:{message_id}:{query.data or ''}"


async def answer_at_receipt(bot: Bot, query: CallbackQuery, *, first: bool) -> None:
    """Stop the button's spinner now; a repeat press is told it was done already. A
    failure here (the query already expired, Telegram away) loses nothing: the work is
    kept and runs all the same."""
    try:
        await bot.answer_callback_query(query.id, text=None if first else ALREADY_DONE)
    except TelegramError as exc:
        log.warning("button press not answered", extra={"error": type(exc).__name__})
