"""What arrives from either side, as plain data: a customer's message or edit, an employee's
thread reply. The channel adapters build them; the flows take them. Pure: no I/O.

A customer's message is channel-neutral, as Rasa's ``UserMessage(sender_id,
input_channel)``: it names its channel (its name in bot/channels.py, ``"tg"`` for
Telegram) and the sender's id there, as a string; ``chat_id`` is the address the rest of
Tandem keys the customer by (handoff/core/addresses.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from handoff.core.addresses import chat_key
from handoff.core.media import Attachment, SharedFile
from handoff.core.state import ThreadRef


@dataclass(frozen=True)
class CustomerMessage:
    channel: str  # the channel's name ("tg": Telegram)
    sender_id: str  # the customer's id on that channel (Telegram: the chat id)
    event_id: str  # the channel's id of this delivery, deduplicated (Telegram: update_id)
    message_id: int  # the channel's number for the message; an edit names it
    text: str
    first_name: str
    last_name: str | None = None
    language: str | None = None
    media: str | None = None  # "photo", "document", "voice": the text is then the caption
    attachment: Attachment | None = None  # the file itself, when media is set

    @cached_property  # read often while the message is handled; made (and checked) once
    def chat_id(self) -> str:
        return chat_key(self.channel, self.sender_id)


@dataclass(frozen=True)
class CustomerEdit:
    channel: str
    sender_id: str
    event_id: str
    message_id: int
    text: str  # the new text, or the new caption of a file
    first_name: str

    @cached_property  # read often while the message is handled; made (and checked) once
    def chat_id(self) -> str:
        return chat_key(self.channel, self.sender_id)


@dataclass(frozen=True)
class EmployeeMessage:
    event_id: str
    thread: ThreadRef
    user: str
    text: str
    ts: str
    files: tuple[SharedFile, ...] = ()  # a file_share message; the text is then the comment
