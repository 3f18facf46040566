"""Sending to customers on Telegram: the outbound half of the Telegram adapter."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.errors import TelegramUnavailable
from bot.telegram.html import render_html
from bot.telegram.split import split_text
from handoff.core.addresses import BARE_CHANNEL, channel_of, chat_key, sender_of
from handoff.core.formatted import FormattedText
from handoff.core.media import Download, FileTooLarge, too_large
from handoff.core.ports import Button, ButtonRow, Signature

# Telegram's name in customers' addresses, lanes and seen marks (bot/channels.py): the
# channel whose addresses are its bare chat ids (handoff/core/addresses.py).
NAME = BARE_CHANNEL
TELEGRAM_CAPTION_LIMIT = 1024


def address(chat_id: int) -> str:
    """The customer's address of a Telegram chat."""
    return chat_key(NAME, str(chat_id))


def chat_of(address: str) -> int:
    """The Telegram chat of a customer's address; a ValueError for another channel's."""
    if channel_of(address) != NAME:
        raise ValueError(f"{address!r} is not a Telegram customer")
    return int(sender_of(address))


class TelegramChannel:
    """Implements ``CustomerChannel`` with PTB's ``Bot`` (held, not subclassed)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        buttons: Sequence[ButtonRow] = (),
        signature: Signature | None = None,
    ) -> None:
        chat = chat_of(chat_id)
        for i, part in enumerate(split_text(format_signed(text, signature))):
            await self.send_html(chat, part, buttons if i == 0 else ())  # buttons go first

    async def send_html(self, chat_id: int, html: str, buttons: Sequence[ButtonRow] = ()) -> int:
        """One message of at most 4096 characters, already HTML-escaped; returns its id."""
        markup = keyboard(buttons) if buttons else None
        try:
            sent = await self.bot.send_message(
                chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except TelegramError as exc:
            raise TelegramUnavailable(f"sendMessage to chat {chat_id} failed: {exc}") from exc
        return sent.message_id

    async def send_photo(
        self, chat_id: str, data: bytes, caption: str, signature: Signature | None = None
    ) -> None:
        html, overflow = caption_plan(caption, signature)
        await self.send_file("send_photo", chat_of(chat_id), html, photo=data)
        if overflow:
            await self.send_text(chat_id, caption, signature=signature)

    async def send_document(
        self,
        chat_id: str,
        data: bytes,
        file_name: str,
        caption: str,
        signature: Signature | None = None,
    ) -> None:
        html, overflow = caption_plan(caption, signature)
        chat = chat_of(chat_id)
        await self.send_file("send_document", chat, html, document=data, filename=file_name)
        if overflow:
            await self.send_text(chat_id, caption, signature=signature)

    async def send_file(self, method: str, chat_id: int, caption_html: str, **file: object) -> int:
        """``send_photo`` or ``send_document`` with a caption already planned; returns the
        message's id."""
        try:
            sent = await getattr(self.bot, method)(
                chat_id, caption=caption_html or None, parse_mode=ParseMode.HTML, **file
            )
        except TelegramError as exc:
            raise TelegramUnavailable(f"{method} to chat {chat_id} failed: {exc}") from exc
        return int(sent.message_id)

    async def fetch_file(self, chat_id: str, file_id: str) -> Download:
        try:
            file = await self.bot.get_file(file_id)
            if too_large(file.file_size):
                raise FileTooLarge(f"{file.file_size} bytes")
            data = await file.download_as_bytearray()
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise FileTooLarge(exc.message) from exc
            raise TelegramUnavailable(f"getFile failed: {exc}") from exc
        except TelegramError as exc:
            raise TelegramUnavailable(f"getFile failed: {exc}") from exc
        return Download(bytes(data), file.file_path)


def keyboard(buttons: Sequence[ButtonRow]) -> InlineKeyboardMarkup:
    """Inline buttons: a lone button gets its own row; a link button opens its URL."""
    rows = [[b] if isinstance(b, Button) else list(b) for b in buttons]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in rows
        ]
    )


def caption_plan(caption: str, signature: Signature | None) -> tuple[str, bool]:
    """The caption to send with a file, and whether the words must follow as a message:
    captions are capped at 1024 characters, so a longer one keeps only the signature."""
    signed = format_signed(caption, signature)
    if len(signed) <= TELEGRAM_CAPTION_LIMIT:
        return signed, False
    return (format_signed("", signature).rstrip("\n") if signature else ""), True


def format_signed(text: str, signature: Signature | None) -> str:
    """An employee's words appear under their name; everything is HTML-escaped once, and
    formatted text (an employee's Slack reply) keeps its bold, links, quotes..."""
    body = render_html(text) if isinstance(text, FormattedText) else escape(text, quote=False)
    if signature is None:
        return body
    where = f" · {escape(signature.store, quote=False)}" if signature.store else ""
    return f"<b>{escape(signature.name, quote=False)}</b>{where}\n{body}"
