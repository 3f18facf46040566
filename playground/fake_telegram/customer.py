"""What customers do in the fake Telegram: write, send media, edit, press buttons."""

from __future__ import annotations

import copy
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from playground.fake_telegram.files import image_size, photo_sizes
from playground.fake_telegram.sending import MAX_CAPTION, MAX_TEXT
from playground.fake_telegram.state import Chat, FakeState

DEFAULT_FIRST_NAME = "Alex"
MAX_CUSTOMER_FILE = 50 * 1024 * 1024


class CustomerActionError(ValueError):
    """A customer action the Telegram app would not allow (bad chat, message, button...)."""


@dataclass(frozen=True)
class Profile:
    """Who is writing. None keeps the chat's current value (or the default for a new chat)."""

    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"


def send_text(state: FakeState, chat_id: int, text: str, profile: Profile) -> dict[str, Any]:
    if not text.strip():
        raise CustomerActionError("text must not be empty")
    # Refused rather than split or truncated: tests should not pass by accident.
    if len(text) > MAX_TEXT:
        raise CustomerActionError(f"text is longer than {MAX_TEXT} characters")
    fields: dict[str, Any] = {"text": text}
    if entities := command_entities(text):
        fields["entities"] = entities
    return _post(state, chat_id, profile, fields)


_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?!\S)")


def command_entities(text: str) -> list[dict[str, Any]]:
    """Telegram marks "/start" and the like as bot_command entities; PTB's
    CommandHandler relies on them. Offsets and lengths count UTF-16 code units."""

    def utf16(part: str) -> int:
        return len(part.encode("utf-16-le")) // 2

    return [
        {"type": "bot_command", "offset": utf16(text[: m.start()]), "length": utf16(m.group())}
        for m in _COMMAND.finditer(text)
    ]


def send_photo(
    state: FakeState, chat_id: int, data: bytes, caption: str | None, profile: Profile
) -> dict[str, Any]:
    _check_file(data)
    if image_size(data) is None:
        raise CustomerActionError("photo must be a PNG, JPEG, GIF or WebP image")
    stored = state.files.add(data, "photo")
    return _post(state, chat_id, profile, {"photo": photo_sizes(stored), **_caption(caption)})


def send_document(
    state: FakeState,
    chat_id: int,
    data: bytes,
    file_name: str,
    mime_type: str,
    caption: str | None,
    profile: Profile,
) -> dict[str, Any]:
    _check_file(data)
    stored = state.files.add(data, "document", mime_type=mime_type, file_name=file_name)
    document = {
        "file_name": file_name,
        "mime_type": stored.mime_type,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(data),
    }
    return _post(state, chat_id, profile, {"document": document, **_caption(caption)})


def send_voice(
    state: FakeState, chat_id: int, data: bytes, duration: int, profile: Profile
) -> dict[str, Any]:
    _check_file(data)
    if duration < 1:
        raise CustomerActionError("duration must be at least 1 second")
    stored = state.files.add(data, "voice", mime_type="audio/ogg")
    voice = {
        "duration": duration,
        "mime_type": stored.mime_type,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(data),
    }
    return _post(state, chat_id, profile, {"voice": voice})


def edit(state: FakeState, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
    message = _chat(state, chat_id).find(message_id)
    if message is None or message.from_bot:
        raise CustomerActionError(f"chat {chat_id} has no customer message {message_id}")
    if "text" not in message.api:
        raise CustomerActionError(f"message {message_id} has no text to edit")
    if not text.strip() or len(text) > MAX_TEXT:
        raise CustomerActionError(f"text must have 1 to {MAX_TEXT} characters")
    if text == message.api["text"]:
        raise CustomerActionError("text is unchanged")
    edited = state.edit_message(message, "customer_edit", {"text": text})
    state.queue_update("edited_message", edited)
    return message.view()


def press(state: FakeState, chat_id: int, message_id: int, data: str) -> str:
    chat = _chat(state, chat_id)
    message = chat.find(message_id)
    if message is None or not message.from_bot:
        raise CustomerActionError(f"chat {chat_id} has no bot message {message_id}")
    rows = (message.api.get("reply_markup") or {}).get("inline_keyboard", [])
    offered = [b.get("callback_data") for row in rows for b in row if "callback_data" in b]
    if data not in offered:
        raise CustomerActionError(
            f"message {message_id} has no button with callback_data {data!r}; it offers {offered}"
        )
    query_id = str(secrets.randbits(62))
    state.callback_queries[query_id] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "data": data,
        "answered": False,
        "pressed_at": time.monotonic(),
    }
    query = {
        "id": query_id,
        "from": copy.deepcopy(chat.user),
        "message": copy.deepcopy(message.api),
        "chat_instance": str(chat_id * 7919 % 2**63),  # stable per chat, like the real one
        "data": data,
    }
    state.queue_update("callback_query", query)
    return query_id


def _post(
    state: FakeState, chat_id: int, profile: Profile, fields: dict[str, Any]
) -> dict[str, Any]:
    chat = _upsert_chat(state, chat_id, profile)
    # Writing again restarts the chat: a customer who blocked the bot unblocks it so.
    state.faults.refuse_chat(chat_id, None)
    message = state.add_message(chat, from_bot=False, fields=fields)
    state.queue_update("message", message.api)
    return message.view()


def _upsert_chat(state: FakeState, chat_id: int, profile: Profile) -> Chat:
    if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id <= 0:
        raise CustomerActionError(f"chat_id must be a positive integer, got {chat_id!r}")
    chat = state.chats.get(chat_id)
    if chat is None:
        chat = state.chats[chat_id] = Chat(
            {"id": chat_id, "is_bot": False, "first_name": DEFAULT_FIRST_NAME}
        )
    user = chat.user
    for name in ("first_name", "last_name", "username", "language_code"):
        value = getattr(profile, name)
        if value:
            user[name] = value
    return chat


def _chat(state: FakeState, chat_id: int) -> Chat:
    chat = state.chats.get(chat_id)
    if chat is None:
        raise CustomerActionError(f"chat {chat_id} does not exist yet")
    return chat


def _caption(caption: str | None) -> dict[str, Any]:
    if caption is None or caption == "":
        return {}
    if len(caption) > MAX_CAPTION:
        raise CustomerActionError(f"caption is longer than {MAX_CAPTION} characters")
    return {"caption": caption}


def _check_file(data: bytes) -> None:
    if not data:
        raise CustomerActionError("file is empty")
    if len(data) > MAX_CUSTOMER_FILE:
        raise CustomerActionError("file is too big")
