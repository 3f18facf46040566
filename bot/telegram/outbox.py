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
import re
import time
from collections.abc import Sequence
from datetime import timedelta
from html import unescape
from typing import Any

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.errors import TelegramUnavailable
from bot.telegram import edits
from bot.telegram.channel import (
    TelegramChannel,
    address,
    caption_plan,
    chat_of,
    format_signed,
)
from bot.telegram.split import split_text
from handoff.core.media import Download, photo_file_name, photo_fits
from handoff.core.ports import ButtonRow, Signature
from handoff.core.refusals import Refusal, known, preview
from handoff.flows.refusals import Refusals
from handoff.queues.codec import decode_buttons, encode_buttons
from handoff.queues.lanes import Job
from handoff.queues.outbox import Outbox, customer_lane, reply_ref
from handoff.queues.pacing import ChatPace
from handoff.queues.pump import GiveUp, GiveUpListener, RetryLater
from handoff.storage.message_map import DeskReplies
from handoff.storage.store import Extra

LANE = "tg"  # the Telegram lanes' kind (handoff/queues/outbox.py's customer_lane)
_TAG = re.compile(r"<[^<>]+>")


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
        ref = reply_ref() if signature is not None else None  # an employee's reply
        for i, part in enumerate(split_text(format_signed(text, signature))):
            rows = encode_buttons(buttons) if i == 0 else []  # buttons go with the first part
            body = {"kind": "text", "chat_id": chat_of(chat_id), "html": part, "buttons": rows}
            if ref:
                body["ref"] = ref  # the sender records the message for later edits
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
        if signature is not None and (ref := reply_ref()):
            body["ref"] = ref
        await self.outbox.put(customer_lane(chat_id), body, blob=data)
        if overflow:
            await self.send_text(chat_id, caption, signature=signature)

    async def fetch_file(self, chat_id: str, file_id: str) -> Download:
        return await self.channel.fetch_file(chat_id, file_id)

    async def edit_reply(
        self, chat_id: str, slack_ts: str, text: str, signature: Signature, *, caption: bool
    ) -> None:
        body = edits.edit_job(chat_of(chat_id), slack_ts, text, signature, caption=caption)
        await self.outbox.put(customer_lane(chat_id), body)

    async def withdraw_reply(
        self, chat_id: str, slack_ts: str, notice: str, signature: Signature, *, delete: bool
    ) -> None:
        body = edits.withdraw_job(chat_of(chat_id), slack_ts, notice, signature, delete=delete)
        await self.outbox.put(customer_lane(chat_id), body)


class TelegramSender:
    def __init__(
        self, outbox: Outbox, channel: TelegramChannel, *, bot_sends_per_second: float = 30.0
    ) -> None:
        self.outbox = outbox
        self.channel = channel
        self.pace = ChatPace(outbox.lanes, bot_sends_per_second)
        replies = DeskReplies(outbox.lanes.redis, outbox.lanes.keys)
        self.changes = edits.ReplyChanges(channel, replies)  # employees' edits (edits.py)

    async def deliver(self, job: Job) -> None:
        body = job.body
        chat_id = int(body["chat_id"])
        wait = await self.pace.turn(address(chat_id), time.time())
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            if body["kind"] == "text":
                sent = await self.channel.send_html(
                    chat_id, body["html"], decode_buttons(body["buttons"])
                )
            elif body["kind"] == "send_photo":
                sent = await self._photo(chat_id, body["caption"], job.blob or b"")
            elif body["kind"] == "send_document":
                sent = await self.channel.send_file(
                    "send_document",
                    chat_id,
                    body["caption"],
                    document=job.blob,
                    filename=body["name"],
                )
            elif body["kind"] == edits.EDIT_KIND:
                await self.changes.edit(body)
                return
            elif body["kind"] == edits.WITHDRAW_KIND:
                await self.changes.withdraw(body)
                return
            else:
                raise GiveUp(f"unknown Telegram job {body['kind']!r}")
        except TelegramUnavailable as exc:
            raise classify(exc.__cause__ or exc, file=body["kind"] != "text") from exc
        if body.get("ref"):  # an employee's reply: kept for their edits and deletions
            kind = "text" if body["kind"] == "text" else "caption"
            await self.changes.record(chat_id, str(body["ref"]), sent, kind)

    async def _photo(self, chat_id: int, caption: str, data: bytes) -> Any:
        """A photo Telegram would refuse (too big, too wide, too tall: handoff/core/media.py)
        goes as a document, whole; so does one Telegram refuses all the same."""
        if photo_fits(data):
            try:
                return await self.channel.send_file("send_photo", chat_id, caption, photo=data)
            except TelegramUnavailable as exc:
                if not _photo_refused(exc.__cause__):
                    raise
        return await self.channel.send_file(
            "send_document", chat_id, caption, document=data, filename=photo_file_name(data)
        )


def _photo_refused(error: BaseException | None) -> bool:
    """Telegram's answers to a photo it will not take as a photo (but would as a file)."""
    words = ("photo_invalid_dimensions", "photo_save_file_invalid", "image_process_failed")
    return isinstance(error, BadRequest) and any(w in error.message.lower() for w in words)


def classify(error: BaseException, *, file: bool = False) -> Exception:
    """A failed send: worth retrying (``RetryLater``) or never going to work (``GiveUp``,
    with the refusal's reason, which the thread is told: handoff/core/refusals.py)."""
    if isinstance(error, RetryAfter):
        after = error.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return RetryLater("Telegram: retry_after", seconds)
    if isinstance(error, Forbidden | BadRequest | ChatMigrated):  # blocked, no such chat
        return GiveUp(f"Telegram refused: {type(error).__name__}", refusal=refusal_of(error, file))
    if isinstance(error, NetworkError) and "entity too large" in error.message.lower():
        return GiveUp("Telegram refused: the upload is too large", refusal="file_too_large")
    if isinstance(error, TelegramError | OSError | TimeoutError):
        return RetryLater(f"Telegram: {type(error).__name__}")
    return RetryLater(f"Telegram: {type(error).__name__}")


def refusal_of(error: TelegramError, file: bool) -> str:
    """The reason (a key of handoff/core/refusals.py's REASONS) Telegram's words give."""
    said = error.message.lower()
    if isinstance(error, Forbidden):
        return "deactivated" if "deactivated" in said else "blocked"
    if isinstance(error, ChatMigrated) or "chat not found" in said:
        return "chat_not_found"
    if "too long" in said and not file:
        return "too_long"
    if "text is empty" in said:
        return "empty"
    return "file_refused" if file else "refused"


def refusal_listener(refusals: Refusals) -> GiveUpListener:
    """Told of each Telegram send given up as refused: the thread, the dashboard and
    /metrics hear of it (handoff/flows/refusals.py)."""

    async def told(job: Job, error: GiveUp) -> None:
        body = job.body
        if not job.lane.startswith(f"{LANE}:") or error.refusal is None or "chat_id" not in body:
            return
        refusal = Refusal(known(error.refusal), _what(body), preview(_words(body)))
        await refusals.refused(address(int(body["chat_id"])), refusal)

    return told


def _what(body: dict[str, Any]) -> str:
    kind = body.get("kind")
    if kind == "send_photo":
        return "a photo"
    if kind == "send_document":
        return f"the file {body.get('name') or ''}".strip()
    if kind == "text":
        return "a message"
    return "a change to a message"  # an edit or a withdrawal (bot/telegram/edits.py)


def _words(body: dict[str, Any]) -> str:
    """The words of a job as the customer would have read them (its HTML undone), without
    the employee's signature line (channel.py's ``format_signed``: ``<b>Name</b> · Store``)."""
    html = str(body.get("html") or body.get("caption") or "")
    signature, newline, rest = html.partition("\n")
    if newline and signature.startswith("<b>"):  # plain texts are escaped: never "<b>"
        html = rest
    return unescape(_TAG.sub(" ", html))
