"""The Telegram half of the outbox: ``QueuedCustomers`` queues, ``TelegramSender`` sends.

``QueuedCustomers`` implements ``CustomerChannel`` for the flows: each message (each
part of a long one) becomes a job in the chat's lane, so the flow returns at once and
a Telegram outage delays the reply instead of losing it. Files the customer sent are
fetched straight away: that is reading, not sending.

``TelegramSender`` sends the jobs with PTB's bot, whose ``AIORateLimiter`` keeps this
worker under the overall limit and waits out ``retry_after``. Before each send it takes
the chat's turn, and the bot's, from the token buckets in Redis that every worker shares
(handoff/queues/pacing.py), and waits for that moment.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from bot.errors import TelegramUnavailable
from bot.telegram.channel import (
    TelegramChannel,
    address,
    caption_plan,
    chat_of,
    format_signed,
    split_text,
)
from handoff.core.media import Download
from handoff.core.ports import ButtonRow, Signature
from handoff.queues.codec import decode_buttons, encode_buttons
from handoff.queues.lanes import Job
from handoff.queues.outbox import Outbox, customer_lane
from handoff.queues.pacing import ChatPace
from handoff.queues.pump import GiveUp, RetryLater
from handoff.storage.store import Extra


class QueuedCustomers:
    """Queues sends to Telegram customers (addresses of bot/telegram/channel.py's ``NAME``);
    a job carries Telegram's own chat id."""

    def __init__(self, outbox: Outbox, channel: TelegramChannel) -> None:
        self.outbox = outbox
        self.channel = channel

    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        buttons: Sequence[ButtonRow] = (),
        signature: Signature | None = None,
    ) -> None:
        for i, part in enumerate(split_text(format_signed(text, signature))):
            rows = encode_buttons(buttons) if i == 0 else []  # buttons go with the first part
            body = {"kind": "text", "chat_id": chat_of(chat_id), "html": part, "buttons": rows}
            await self.outbox.put(customer_lane(chat_id), body)

    def send_text_with_save(self, chat_id: str, text: str) -> Extra:
        """``send_text`` (unsigned, no buttons) as part of the caller's save: the message
        goes out if and only if the save's transaction runs (a transactional outbox)."""
        lane = customer_lane(chat_id)
        puts = [
            self.outbox.put_with_save(
                lane, {"kind": "text", "chat_id": chat_of(chat_id), "html": part, "buttons": []}
            )
            for part in split_text(format_signed(text, None))
        ]
        # One Extra for all the parts: each put in the save's transaction; the last part's
        # wake is called once it has run.
        return lambda pipe: [put.queue(pipe) for put in puts][-1]

    async def send_photo(
        self, chat_id: str, data: bytes, caption: str, signature: Signature | None = None
    ) -> None:
        await self._file("send_photo", chat_id, data, caption, signature, {})

    async def send_document(
        self,
        chat_id: str,
        data: bytes,
        file_name: str,
        caption: str,
        signature: Signature | None = None,
    ) -> None:
        await self._file("send_document", chat_id, data, caption, signature, {"name": file_name})

    async def _file(
        self,
        method: str,
        chat_id: str,
        data: bytes,
        caption: str,
        signature: Signature | None,
        extra: dict[str, str],
    ) -> None:
        html, overflow = caption_plan(caption, signature)
        body = {"kind": method, "chat_id": chat_of(chat_id), "caption": html, **extra}
        await self.outbox.put(customer_lane(chat_id), body, blob=data)
        if overflow:
            await self.send_text(chat_id, caption, signature=signature)

    async def fetch_file(self, chat_id: str, file_id: str) -> Download:
        return await self.channel.fetch_file(chat_id, file_id)


class TelegramSender:
    def __init__(
        self, outbox: Outbox, channel: TelegramChannel, *, bot_sends_per_second: float = 30.0
    ) -> None:
        self.outbox = outbox
        self.channel = channel
        self.pace = ChatPace(outbox.lanes, bot_sends_per_second)

    async def deliver(self, job: Job) -> None:
        body = job.body
        chat_id = int(body["chat_id"])
        wait = await self.pace.turn(address(chat_id), time.time())
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            if body["kind"] == "text":
                await self.channel.send_html(chat_id, body["html"], decode_buttons(body["buttons"]))
            elif body["kind"] == "send_photo":
                await self.channel.send_file("send_photo", chat_id, body["caption"], photo=job.blob)
            elif body["kind"] == "send_document":
                await self.channel.send_file(
                    "send_document",
                    chat_id,
                    body["caption"],
                    document=job.blob,
                    filename=body["name"],
                )
            else:
                raise GiveUp(f"unknown Telegram job {body['kind']!r}")
        except TelegramUnavailable as exc:
            raise classify(exc.__cause__ or exc) from exc


def classify(error: BaseException) -> Exception:
    """A failed send: worth retrying (``RetryLater``) or never going to work (``GiveUp``)."""
    if isinstance(error, RetryAfter):
        after = error.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return RetryLater("Telegram: retry_after", seconds)
    if isinstance(error, Forbidden | BadRequest | ChatMigrated):  # blocked, no such chat
        return GiveUp(f"Telegram refused: {type(error).__name__}")
    if isinstance(error, TelegramError | OSError | TimeoutError):
        return RetryLater(f"Telegram: {type(error).__name__}")
    return RetryLater(f"Telegram: {type(error).__name__}")
