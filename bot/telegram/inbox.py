"""Telegram updates are in Redis before Telegram hears they arrived: the inbox's Telegram half.

Long polling: ``poll_into`` asks getUpdates, puts each update into the inbox (once per
update_id) and only then asks for the next offset, which is what confirms the batch to
Telegram. A worker that dies mid-batch is sent the same updates again, and the inbox
drops the copies. Webhook mode puts the update into the inbox before answering 200.

Any worker's inbox pump then hands each update to PTB's Application, one chat's updates
in order (lane ``tg:{chat_id}``). When a handler fails for a passing reason (Redis gone
for a moment), the update stays at its lane's head and runs again; its sends are numbered
(``outbox.effects_of``), so a second run does not send them twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.telegram.app import TgApp
from bot.telegram.presses import answer_at_receipt, press_key
from handoff.queues.lanes import Job, Lanes
from handoff.queues.outbox import effects_of
from handoff.queues.pump import TRANSIENT, Backoff, RetryLater

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
# Polling tries again after these; anything else stops it.
POLL_PASSING: tuple[type[Exception], ...] = (TelegramError, *TRANSIENT)


class TelegramInbox:
    def __init__(
        self, lanes: Lanes, *, wake: Callable[[], None] = lambda: None, bot: Bot | None = None
    ) -> None:
        self.lanes = lanes
        self.wake = wake
        self.bot = bot  # answers button presses at receipt (bot/telegram/presses.py)

    async def put(self, update: Update) -> bool:
        """Keep the update until it is handled; False when it was kept before. A button
        press is answered here, once kept, before its work waits in the chat's lane."""
        chat = update.effective_chat
        lane = f"tg:{chat.id if chat else 'other'}"
        query = update.callback_query
        once = press_key(query) if query is not None else f"tg:{update.update_id}"
        put = await self.lanes.put(lane, {"update": update.to_dict()}, now=time.time(), once=once)
        if put.fresh:
            self.wake()
        if query is not None and self.bot is not None:
            await answer_at_receipt(self.bot, query, first=put.fresh)
        return put.fresh


async def poll_into(app: TgApp, inbox: TelegramInbox) -> None:
    """Long polling until cancelled; an offset moves on only past updates kept in Redis."""
    bot = app.bot
    await bot.delete_webhook()  # polling and a webhook cannot both be set
    offset: int | None = None
    backoff, failures = Backoff(first=1.0, most=30.0), 0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=Update.ALL_TYPES
            )
            for update in updates:
                await inbox.put(update)
        except InvalidToken:
            log.error("telegram rejected the token; polling stopped")
            raise
        except RetryAfter as exc:
            after = exc.retry_after
            await asyncio.sleep(after if isinstance(after, int | float) else after.total_seconds())
            continue
        except POLL_PASSING as exc:
            failures += 1
            log.warning("polling failed; trying again", extra={"error": type(exc).__name__})
            await asyncio.sleep(backoff.delay(failures))
            continue
        failures = 0
        if updates:
            offset = updates[-1].update_id + 1


class UpdateRunner:
    """Runs a queued update through PTB's handlers, and tells the pump how it went.

    PTB hands a handler's exception to the error handlers rather than raising it, so
    ``on_error`` (registered as one) notes it for ``deliver`` to act on.
    """

    def __init__(self, app: TgApp) -> None:
        self.app = app
        self._failed: dict[int, BaseException] = {}
        app.add_error_handler(self.on_error)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update) and context.error is not None:
            self._failed[update.update_id] = context.error

    async def deliver(self, job: Job) -> None:
        update = Update.de_json(job.body["update"], self.app.bot)
        with effects_of(f"tg:{update.update_id}"):
            await self.app.process_update(update)
        error = self._failed.pop(update.update_id, None)
        if error is None:
            return
        if isinstance(error, TRANSIENT) or _passing_telegram(error):  # a direct reply failed
            raise RetryLater(f"update handler: {type(error).__name__}") from error
        raise error


def _passing_telegram(error: BaseException) -> bool:
    return isinstance(error, TelegramError) and not isinstance(error, BadRequest | Forbidden)
