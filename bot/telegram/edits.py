"""An employee's edit or deletion in Slack, carried out in the customer's Telegram chat.

The desk flow (handoff/flows/desk_edits.py) queues an ``edit_reply`` or ``withdraw_reply``
job into the chat's lane, after the reply's own sends. The sender records each message
it sends for a reply (the job's ``ref``, the reply's Slack ts) in ``DeskReplies``
(handoff/storage/message_map.py); these jobs find them there and change them with
editMessageText / editMessageCaption / deleteMessage.

Telegram lets a bot edit its messages at any time, but delete them only within 48 hours
("message can't be deleted for everyone" after that): a message that cannot be deleted
stays, and the customer gets the notice that the employee withdrew it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.errors import TelegramUnavailable
from bot.telegram.channel import TelegramChannel, address, caption_plan, format_signed
from bot.telegram.split import split_text
from handoff.core.ports import Signature
from handoff.storage.message_map import Delivered, DeskReplies

log = logging.getLogger(__name__)

DELETE_WINDOW_SECONDS = 48 * 3600  # Bot API deleteMessage: "sent less than 48 hours ago"
EDIT_KIND, WITHDRAW_KIND = "edit_reply", "withdraw_reply"


def edit_job(
    chat: int, ref: str, text: str, signature: Signature, *, caption: bool
) -> dict[str, Any]:
    """The edited reply as the customer will read it: a file's caption and/or text parts,
    planned as a new reply would be (channel.py)."""
    signed = format_signed(text, signature)
    if caption:
        html, overflow = caption_plan(text, signature)
        parts = split_text(signed) if overflow else []
    else:
        html, parts = "", split_text(signed)
    return {"kind": EDIT_KIND, "chat_id": chat, "ref": ref, "caption": html, "parts": parts}


def withdraw_job(
    chat: int, ref: str, notice: str, signature: Signature, *, delete: bool
) -> dict[str, Any]:
    notice_parts = split_text(format_signed(notice, signature))
    return {
        "kind": WITHDRAW_KIND,
        "chat_id": chat,
        "ref": ref,
        "delete": delete,
        "notice": notice_parts,
    }


class ReplyChanges:
    """The sender's half: records what it sent for a reply, and edits or deletes it."""

    def __init__(
        self,
        channel: TelegramChannel,
        replies: DeskReplies,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.channel = channel
        self.replies = replies
        self.clock = clock

    async def record(self, chat: int, ref: str, message_id: int, kind: str) -> None:
        await self.replies.add(address(chat), ref, Delivered(message_id, kind, self.clock()))

    async def edit(self, body: dict[str, Any]) -> None:
        chat, ref = int(body["chat_id"]), str(body["ref"])
        old = await self.replies.find(address(chat), ref)
        if not old:  # sent before replies were recorded, or withdrawn since
            log.info("edited reply has no messages to change", extra={"chat": chat})
            return
        captions = [m for m in old if m.kind == "caption"]
        texts = [m for m in old if m.kind == "text"]
        if captions:  # the words went with the first file; the others keep the signature
            await self._edit(chat, captions[0].message_id, caption=str(body["caption"]))
        parts = [str(p) for p in body["parts"]]
        kept = list(captions)
        for message, part in zip(texts, parts, strict=False):
            await self._edit(chat, message.message_id, text=part)
            kept.append(message)
        for part in parts[len(texts) :]:  # longer now: the rest as new messages
            kept.append(Delivered(await self.channel.send_html(chat, part), "text", self.clock()))
        for message in texts[len(parts) :]:  # shorter now: the parts left over go
            if not await self._delete(chat, message.message_id):
                kept.append(message)
        await self.replies.set(address(chat), ref, kept)

    async def withdraw(self, body: dict[str, Any]) -> None:
        chat, ref = int(body["chat_id"]), str(body["ref"])
        old = await self.replies.find(address(chat), ref)
        gone = bool(old) and bool(body["delete"])
        if body["delete"]:
            for message in old:
                gone = await self._delete(chat, message.message_id) and gone
        if not gone:
            for part in body["notice"]:
                await self.channel.send_html(chat, str(part))
        await self.replies.set(address(chat), ref, [])
        log.info("employee reply withdrawn", extra={"chat": chat, "deleted": gone})

    async def _edit(self, chat: int, message_id: int, *, text: str = "", caption: str = "") -> None:
        bot = self.channel.bot
        try:
            if text:
                await bot.edit_message_text(
                    text, chat_id=chat, message_id=message_id, parse_mode=ParseMode.HTML
                )
            else:
                await bot.edit_message_caption(
                    chat_id=chat,
                    message_id=message_id,
                    caption=caption or None,
                    parse_mode=ParseMode.HTML,
                )
        except BadRequest as exc:
            problem = exc.message.lower()
            if "not modified" in problem:
                return  # a retry, or an edit Telegram shows the same: done
            if "not found" in problem:  # the customer deleted it; nothing to correct
                log.info("edited message not found", extra={"chat": chat})
                return
            raise TelegramUnavailable(f"edit of message {message_id} failed: {exc}") from exc
        except TelegramError as exc:
            raise TelegramUnavailable(f"edit of message {message_id} failed: {exc}") from exc

    async def _delete(self, chat: int, message_id: int) -> bool:
        """True when the message is gone from the chat; False when Telegram keeps it."""
        try:
            await self.channel.bot.delete_message(chat, message_id)
        except BadRequest as exc:
            problem = exc.message.lower()
            if "not found" in problem:
                return True  # gone already (a retry, or the customer deleted it)
            log.info("message not deleted", extra={"chat": chat, "problem": exc.message})
            return False  # "message can't be deleted for everyone": past 48 hours
        except TelegramError as exc:
            raise TelegramUnavailable(f"deleteMessage {message_id} failed: {exc}") from exc
        return True
