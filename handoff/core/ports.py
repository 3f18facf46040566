"""The small typed interfaces the conversation service talks through.

Each outside system has one adapter implementing one of these: Telegram
(``bot.telegram.channel``) and Slack (``handoff.slack.desk``). Tests can run the
real adapters against the fake servers, or the service against anything that
fits these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from handoff.core.media import Download, SharedFile
from handoff.core.state import ThreadRef


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # callback data, sent back when pressed
    url: str | None = None  # or a link the button opens instead


@dataclass(frozen=True)
class Choice:
    """A button in Slack: ``action`` is the listener's action id, ``value`` comes back."""

    label: str
    action: str
    value: str
    style: str | None = None  # "primary" or "danger"


# A button on its own row, or a row of buttons side by side (e.g. ratings 1-5).
ButtonRow = Button | Sequence[Button]


@dataclass(frozen=True)
class Signature:
    """Who speaks to the customer: shown above an employee's words."""

    name: str
    store: str | None = None


class CustomerChannel(Protocol):
    async def send_text(
        self,
        chat_id: str,
        text: str,
        *,
        buttons: Sequence[ButtonRow] = (),
        signature: Signature | None = None,
    ) -> None: ...

    async def send_photo(
        self, chat_id: str, data: bytes, caption: str, signature: Signature | None = None
    ) -> None: ...

    async def send_document(
        self,
        chat_id: str,
        data: bytes,
        file_name: str,
        caption: str,
        signature: Signature | None = None,
    ) -> None: ...

    async def fetch_file(self, chat_id: str, file_id: str) -> Download:
        """A file ``chat_id`` sent; raises ``FileTooLarge`` over ``media.MAX_FILE_BYTES``."""
        ...


@dataclass(frozen=True)
class TranscriptLine:
    who: str
    text: str


@dataclass(frozen=True)
class HandoffCard:
    """Everything an employee needs to know, shown at the top of the Slack thread."""

    conversation_id: str
    customer_name: str
    store_name: str | None
    language: str | None
    past_conversations: int
    notes: tuple[str, ...]
    reason: str
    reason_detail: str
    nlu: dict[str, object]
    recent: tuple[TranscriptLine, ...]
    status: str
    offered_to: str | None = None  # Slack user id, mentioned by name
    owner: str | None = None
    owner_name: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Desk(Protocol):
    async def open_thread(self, channel: str, card: HandoffCard) -> ThreadRef: ...

    async def refresh_card(self, thread: ThreadRef, card: HandoffCard) -> None: ...

    async def post_customer_message(
        self, thread: ThreadRef, customer_name: str, text: str
    ) -> str | None:
        """Returns the post's ts, so a later edit of the message can update it."""
        ...

    async def update_customer_message(
        self, thread: ThreadRef, ts: str, customer_name: str, text: str
    ) -> None: ...

    async def upload_file(
        self, thread: ThreadRef, data: bytes, file_name: str, comment: str
    ) -> None: ...

    async def download_file(self, file: SharedFile) -> bytes:
        """An employee's file; raises ``FileTooLarge`` over ``media.MAX_FILE_BYTES``."""
        ...

    async def post_status(self, thread: ThreadRef, text: str) -> None: ...

    async def tell_employee(self, thread: ThreadRef, user: str, text: str) -> None: ...

    async def ask_employee(
        self, thread: ThreadRef, user: str, text: str, choices: Sequence[Choice]
    ) -> None:
        """A private message with buttons (e.g. the reply guard's Send anyway / Edit)."""
        ...

    async def post_alert(self, thread: ThreadRef, mentions: Sequence[str], text: str) -> None:
        """A thread post that pings: ``mentions`` are Slack user ids, or "here" for @here."""
        ...
