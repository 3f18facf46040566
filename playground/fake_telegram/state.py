"""In-memory state of the fake Telegram: chats, their messages and what the bot did."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from playground.fake_telegram.faults import FaultInjector
from playground.fake_telegram.files import FileStore
from playground.fake_telegram.params import bad_request
from playground.fake_telegram.updates import Notifier, UpdateQueue, WebhookDelivery


class ApiCall(NamedTuple):
    """One Bot API call as received (JSON-object fields decoded, uploads as `Upload`)."""

    method: str
    params: dict[str, Any]


CALLBACK_DEADLINE_SECONDS = 10.0


def now() -> int:
    return int(time.time())


@dataclass
class StoredMessage:
    index: int  # position in the chat, customer and bot messages alike
    from_bot: bool
    api: dict[str, Any]  # the Bot API `Message` object as Telegram would return it now
    reply_markup: dict[str, Any] | None = None  # any markup the bot sent (not only inline)
    parse_mode: str | None = None
    disable_notification: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.api["message_id"])

    def view(self) -> dict[str, Any]:
        """The message for tests and the playground: API fields plus bookkeeping."""
        return {
            **copy.deepcopy(self.api),
            "index": self.index,
            "from_bot": self.from_bot,
            "reply_markup": copy.deepcopy(self.reply_markup),
            "parse_mode": self.parse_mode,
            "disable_notification": self.disable_notification,
            "edits": copy.deepcopy(self.edits),
            "deleted": self.deleted,
        }

    def summary(self) -> str:
        content = self.api.get("text") or self.api.get("caption") or _media_kind(self.api)
        return f"#{self.index} (message_id {self.message_id}): {content!r}"


def _media_kind(api: dict[str, Any]) -> str:
    return next((k for k in ("photo", "document", "voice") if k in api), "?")


@dataclass
class Chat:
    """A private chat with one customer; the chat id is the customer's user id."""

    user: dict[str, Any]  # the customer's Bot API `User` object
    messages: list[StoredMessage] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def api(self) -> dict[str, Any]:
        """The Bot API `Chat` object."""
        chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        chat.update({k: self.user[k] for k in ("last_name", "username") if k in self.user})
        return chat

    def find(self, message_id: int) -> StoredMessage | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.messages if m.from_bot]


class FakeState:
    """Everything the fake server knows; shared by the Bot API and the customer side."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.notifier = Notifier()
        self.updates = UpdateQueue(self.notifier)
        self.webhook = WebhookDelivery(self.updates)
        self.files = FileStore()
        self.faults = FaultInjector()
        self.chats: dict[int, Chat] = {}
        self.calls: list[ApiCall] = []
        self.callback_queries: dict[str, dict[str, Any]] = {}
        # A press must be answered this soon (seconds) or answerCallbackQuery fails, as on
        # the real server, whose client stops waiting and shows nothing (its window is not
        # documented; presses answered later than about 10 s are refused in practice).
        self.callback_deadline = CALLBACK_DEADLINE_SECONDS
        self.callback_answers: list[dict[str, Any]] = []
        self.chat_actions: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        # Called with each new message, as it is stored: an observer of many chats (the load
        # benchmark) learns which chat changed without scanning them all on every change.
        self.on_message: list[Callable[[Chat, StoredMessage], None]] = []

    def clear(self) -> None:
        self.updates.clear()
        self.updates.allowed_updates = []
        self.webhook.configure("", None)
        self.files.clear()
        self.faults.clear()
        for store in (self.chats, self.callback_queries, self.commands):
            store.clear()
        for log in (self.calls, self.callback_answers, self.chat_actions):
            log.clear()
        self.notifier.notify()

    def chat_for(self, chat_id: int | None) -> Chat:
        """The chat a Bot API call targets, or the real server's error."""
        if chat_id is None:
            raise bad_request("chat_id is empty")
        refusal = self.faults.chat_refusal(chat_id)  # blocked by the customer, or gone
        if refusal is not None:
            raise refusal
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def add_message(
        self, chat: Chat, *, from_bot: bool, fields: dict[str, Any], **extra: Any
    ) -> StoredMessage:
        """Appends a message; private chats number both sides' messages in one sequence."""
        message_id = chat.messages[-1].message_id + 1 if chat.messages else 1
        api = {
            "message_id": message_id,
            "from": dict(self.bot_user if from_bot else chat.user),
            "chat": chat.api(),
            "date": now(),
            **fields,
        }
        message = StoredMessage(len(chat.messages), from_bot, api, **extra)
        chat.messages.append(message)
        for listener in self.on_message:
            listener(chat, message)
        self.notifier.notify()
        return message

    def edit_message(
        self, message: StoredMessage, method: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Applies changes (None removes a field), records the edit, returns the API message."""
        before = {name: message.api.get(name) for name in changes}
        for name, value in changes.items():
            if value is None:
                message.api.pop(name, None)
            else:
                message.api[name] = value
        message.api["edit_date"] = now()
        message.edits.append(
            {"date": message.api["edit_date"], "method": method, "before": before, "after": changes}
        )
        self.notifier.notify()
        return copy.deepcopy(message.api)

    def queue_update(self, kind: str, payload: dict[str, Any]) -> None:
        if self.updates.push(kind, copy.deepcopy(payload)) is not None:
            self.webhook.kick()
