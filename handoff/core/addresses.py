"""A customer's address: the channel they write on and their id there, as one string.

Everything a customer owns (conversations, profile, lanes, dedupe marks) is keyed by this
string, the ``chat_id`` of storage and the flows. Telegram's chat ids were stored bare
before channels had names, and stay so, so data written then is read as it is: a Telegram
address is the bare chat id (``"5551234"``, ``"-1001234"``); any other channel's is
qualified by the channel's name (``"web:3f2a9c"``). Pure.
"""

from __future__ import annotations

import re

# Telegram: the one channel whose addresses are bare (see above).
BARE_CHANNEL = "tg"
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
_TELEGRAM_CHAT = re.compile(r"^-?[0-9]+$")


class BadAddress(ValueError):
    """A channel name or sender id that cannot make an address."""


def chat_key(channel: str, sender_id: str) -> str:
    """The address of ``sender_id`` on ``channel``."""
    if not _CHANNEL_NAME.match(channel):
        raise BadAddress(f"channel name {channel!r}: expected lower-case letters and digits")
    if not sender_id or ":" in sender_id or any(c.isspace() for c in sender_id):
        raise BadAddress(f"sender id {sender_id!r} on {channel}: expected a word without ':'")
    return sender_id if channel == BARE_CHANNEL else f"{channel}:{sender_id}"


def channel_of(chat_id: str) -> str:
    channel, sep, _ = chat_id.partition(":")  # a sender id holds no ":"
    return channel if sep else BARE_CHANNEL


def sender_of(chat_id: str) -> str:
    _, sep, sender = chat_id.partition(":")
    return sender if sep else chat_id


def parse_address(text: str) -> str:
    """An address as a person types it (``tandem erase --customer``): a Telegram chat id,
    or ``channel:sender``; a ``BadAddress`` says what is wrong."""
    channel, sep, sender = text.strip().partition(":")
    if not sep:
        if not _TELEGRAM_CHAT.match(channel):
            raise BadAddress(f"{text!r}: expected a Telegram chat id (a number) or channel:id")
        return channel
    return chat_key(channel, sender)
