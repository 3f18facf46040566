"""The Telegram half of the outbox: ``QueuedCustomers`` queues, ``TelegramSender`` sends.

``QueuedCustomers`` implements ``CustomerChannel`` for the flows: each message (each
part of a long one) becomes a job in the chat's lane, so the flow returns at once and
a Telegram outage delays the reply instead of losing it. Files the customer sent are
fetched straight away: that is reading, not sending.

``TelegramSender`` sends the jobs with PTB's bot, whose ``AIORateLimiter`` keeps the bot
under Telegram's overall limit and waits out ``retry_after``. Per chat, Telegram asks
for about one message a second; a short burst is fine. The lane's holder paces its
chat with a small token bucket kept in Redis, so the pace holds across workers.
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
from bot.telegram_channel import TelegramChannel, caption_plan, format_signed, split_text
from handoff.lane_pump import GiveUp, RetryLater
from handoff.lanes import Job
from handoff.media import Download
from handoff.outbox import Outbox, telegram_lane
from handoff.outbox_codec import decode_buttons, encode_buttons
from handoff.ports import ButtonRow, Signature

CHAT_RATE_PER_SECOND = 1.0
CHAT_BURST = 3.0


class QueuedCustomers:
    def __init__(self, outbox: Outbox, channel: TelegramChannel) -> None:
        self.outbox = outbox
        self.channel = channel

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[ButtonRow] = (),
        signature: Signature | None = None,
    ) -> None:
        for i, part in enumerate(split_text(format_signed(text, signature))):
            rows = encode_buttons(buttons) if i == 0 else []  # buttons go with the first part
            body = {"kind": "text", "chat_id": chat_id, "html": part, "buttons": rows}
            await self.outbox.put(telegram_lane(chat_id), body)

    async def send_photo(
        self, chat_id: int, data: bytes, caption: str, signature: Signature | None = None
    ) -> None:
        await self._file("send_photo", chat_id, data, caption, signature, {})

    async def send_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        caption: str,
        signature: Signature | None = None,
    ) -> None:
        await self._file("send_document", chat_id, data, caption, signature, {"name": file_name})

    async def _file(
        self,
        method: str,
        chat_id: int,
        data: bytes,
        caption: str,
        signature: Signature | None,
        extra: dict[str, str],
    ) -> None:
        html, overflow = caption_plan(caption, signature)
        body = {"kind": method, "chat_id": chat_id, "caption": html, **extra}
        await self.outbox.put(telegram_lane(chat_id), body, blob=data)
        if overflow:
            await self.send_text(chat_id, caption, signature=signature)

    async def fetch_file(self, file_id: str) -> Download:
        return await self.channel.fetch_file(file_id)


class TelegramSender:
    def __init__(self, outbox: Outbox, channel: TelegramChannel) -> None:
        self.outbox = outbox
        self.channel = channel
        self.pace_key = outbox.lanes.key("pace")

    async def deliver(self, job: Job) -> None:
        body = job.body
        chat_id = int(body["chat_id"])
        await self._pace(chat_id)
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

    async def _pace(self, chat_id: int) -> None:
        """Wait for the chat's turn; only this lane's holder reads or writes its bucket."""
        raw = await self.outbox.redis.hget(self.pace_key, str(chat_id))
        allowance, stamp = (float(x) for x in raw.split()) if raw else (CHAT_BURST, 0.0)
        now = time.time()
        allowance, wait = take_turn(allowance, stamp, now)
        if wait > 0:
            await asyncio.sleep(wait)
        await self.outbox.redis.hset(self.pace_key, str(chat_id), f"{allowance} {now + wait}")


def take_turn(allowance: float, stamp: float, now: float) -> tuple[float, float]:
    """A token bucket: returns the allowance left after this send and the wait before it."""
    allowance = min(CHAT_BURST, allowance + (now - stamp) * CHAT_RATE_PER_SECOND)
    if allowance >= 1.0:
        return allowance - 1.0, 0.0
    return 0.0, (1.0 - allowance) / CHAT_RATE_PER_SECOND


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
