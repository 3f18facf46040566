"""The Telegram half of the outbox: ``QueuedCustomers`` queues, ``TelegramSender`` sends.

``QueuedCustomers`` implements ``CustomerChannel`` for the flows: each message (each
part of a long one) becomes a job in the chat's lane, so the flow returns at once and
a Telegram outage delays the reply instead of losing it. Files the customer sent are
fetched straight away: that is reading, not sending.

``TelegramSender`` sends the jobs with PTB's bot, whose ``AIORateLimiter`` keeps this
worker under the overall limit and waits out ``retry_after``. Telegram asks a bot for
about 30 messages a second in all and one a second per chat (a short burst is fine). Both
are token buckets kept in Redis (``{prefix}:out:pace``: chat, or ``bot`` -> allowance and
when it was counted), so they hold across any number of workers; one Lua script takes
the chat's turn and the bot's first turn at or after it, and the lane's holder waits for
that moment.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from redis.asyncio.client import Pipeline
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from bot.errors import TelegramUnavailable
from bot.telegram.channel import TelegramChannel, caption_plan, format_signed, split_text
from handoff.core.media import Download
from handoff.core.ports import ButtonRow, Signature
from handoff.queues.codec import decode_buttons, encode_buttons
from handoff.queues.lanes import Job, Lanes
from handoff.queues.outbox import Outbox, telegram_lane
from handoff.queues.pump import GiveUp, RetryLater
from handoff.storage.store import Extra

CHAT_RATE_PER_SECOND = 1.0
CHAT_BURST = 3.0

# Token buckets, the chats' under their ids and the bot's under "bot". KEYS: the pace
# hash. ARGV: chat, now, chat rate, chat burst, bot rate, bot burst. Takes the chat's next
# turn and the bot's first turn at or after it, both for that moment; returns the seconds
# to wait before sending. A bucket's stamp may lie in the future (turns taken ahead): its
# allowance then counts below zero until that moment.
_TURN = """
local function bucket(field, rate, burst)
  local b = {allowance = burst, stamp = 0, rate = rate, burst = burst}
  local raw = redis.call('HGET', KEYS[1], field)
  if raw then
    local a, s = string.match(raw, '^(%S+) (%S+)$')
    b.allowance, b.stamp = tonumber(a), tonumber(s)
  end
  return b
end
-- The first moment at or after t with a turn, and the allowance left after taking it.
local function slot(b, t)
  local allowance = math.min(b.burst, b.allowance + (t - b.stamp) * b.rate)
  if allowance >= 1 then return t, allowance - 1 end
  return t + (1 - allowance) / b.rate, 0
end
local now = tonumber(ARGV[2])
local chat = bucket(ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]))
local chat_at = slot(chat, now)
local at, bot_left = slot(bucket('bot', tonumber(ARGV[5]), tonumber(ARGV[6])), chat_at)
local _, chat_left = slot(chat, at)
redis.call('HSET', KEYS[1], 'bot', string.format('%.6f %.6f', bot_left, at),
  ARGV[1], string.format('%.6f %.6f', chat_left, at))
return string.format('%.6f', at - now)
"""


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

    def send_text_with_save(self, chat_id: int, text: str) -> Extra:
        """``send_text`` (unsigned, no buttons) as part of the caller's save: the message
        goes out if and only if the save's transaction runs (a transactional outbox)."""
        lane = telegram_lane(chat_id)
        puts = [
            self.outbox.put_with_save(
                lane, {"kind": "text", "chat_id": chat_id, "html": part, "buttons": []}
            )
            for part in split_text(format_signed(text, None))
        ]

        def queue(pipe: Pipeline) -> Callable[[], None]:
            wakes = [put.queue(pipe) for put in puts]
            return wakes[-1]

        return queue

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
    def __init__(
        self, outbox: Outbox, channel: TelegramChannel, *, bot_sends_per_second: float = 30.0
    ) -> None:
        self.outbox = outbox
        self.channel = channel
        self.pace = ChatPace(outbox.lanes, bot_sends_per_second)

    async def deliver(self, job: Job) -> None:
        body = job.body
        chat_id = int(body["chat_id"])
        wait = await self.pace.turn(chat_id, time.time())
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


class ChatPace:
    """Each chat's turns within the bot's, one round trip each; only the chat's lane's
    holder takes them. The bot's bucket holds a second's sends."""

    def __init__(self, lanes: Lanes, bot_sends_per_second: float = 30.0) -> None:
        self.key = lanes.key("pace")
        self.bot_rate = bot_sends_per_second
        self._turn = lanes.redis.register_script(_TURN)

    async def turn(self, chat_id: int, now: float) -> float:
        """Take the chat's next send; returns how long to wait before it."""
        chat: list[str | float] = [str(chat_id), repr(now), CHAT_RATE_PER_SECOND, CHAT_BURST]
        args = [*chat, self.bot_rate, max(1.0, self.bot_rate)]
        return float(await self._turn(keys=[self.key], args=args))


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
