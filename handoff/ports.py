"""The small typed interfaces the conversation service talks through.

Each outside system has one adapter implementing one of these: Telegram
(``bot.telegram_channel``) and Slack (``handoff.slack_desk``). Tests can run the
real adapters against the fake servers, or the service against anything that
fits these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from handoff.state import ThreadRef


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Signature:
    """Who speaks to the customer: shown above an employee's words."""

    name: str
    store: str | None = None


class CustomerChannel(Protocol):
    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        signature: Signature | None = None,
    ) -> None: ...


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
    ) -> None: ...

    async def post_status(self, thread: ThreadRef, text: str) -> None: ...

    async def tell_employee(self, thread: ThreadRef, user: str, text: str) -> None: ...
