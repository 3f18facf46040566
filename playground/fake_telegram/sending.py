"""Bot API methods that create, change or delete messages in a chat."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from playground.fake_telegram.entities import visible_text
from playground.fake_telegram.files import StoredFile, image_size, photo_sizes
from playground.fake_telegram.params import ApiError, Params, bad_request
from playground.fake_telegram.state import Chat, FakeState, StoredMessage

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # any file a bot uploads (multipart)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


async def send_message(state: FakeState, p: Params) -> dict[str, Any]:
    fields = {"text": _text(p)}  # parameters are checked before the chat is looked up
    chat = state.chat_for(p.get_int("chat_id"))
    fields |= _echoed(p, "entities", "link_preview_options")
    return _send(state, chat, p, fields)


async def send_photo(state: FakeState, p: Params) -> dict[str, Any]:
    chat = state.chat_for(p.get_int("chat_id"))
    stored = await _input_file(state, p, "photo")
    _check_photo(stored.data)
    return _send(state, chat, p, {"photo": photo_sizes(stored), **_caption(p)})


def _check_photo(data: bytes) -> None:
    """sendPhoto's documented limits: at most 10 MB, width + height at most 10,000, a side
    at most 20 times the other; refused with the real server's error names."""
    if len(data) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    size = image_size(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width < 1 or height < 1:
        raise bad_request("IMAGE_PROCESS_FAILED")
    if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(
        width, height
    ):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")


async def send_document(state: FakeState, p: Params) -> dict[str, Any]:
    chat = state.chat_for(p.get_int("chat_id"))
    stored = await _input_file(state, p, "document")
    document = _file_fields(stored)
    if stored.file_name:
        document = {"file_name": stored.file_name, **document}
    return _send(state, chat, p, {"document": document, **_caption(p)})


async def send_voice(state: FakeState, p: Params) -> dict[str, Any]:
    chat = state.chat_for(p.get_int("chat_id"))
    stored = await _input_file(state, p, "voice")
    voice = {"duration": p.get_int("duration") or 1, **_file_fields(stored)}
    return _send(state, chat, p, {"voice": voice, **_caption(p)})


async def edit_message_text(state: FakeState, p: Params) -> dict[str, Any]:
    message = _editable(state, p)
    if "text" not in message.api:
        raise bad_request("there is no text in the message to edit")
    changes = {"text": _text(p), "entities": None, "link_preview_options": None}
    changes |= _echoed(p, "entities", "link_preview_options")
    return _edit(state, message, "editMessageText", changes, p)


async def edit_message_caption(state: FakeState, p: Params) -> dict[str, Any]:
    message = _editable(state, p)
    if "text" in message.api:
        raise bad_request("there is no caption in the message to edit")
    changes = {"caption": None, "caption_entities": None, **_caption(p)}
    return _edit(state, message, "editMessageCaption", changes, p)


async def edit_message_reply_markup(state: FakeState, p: Params) -> dict[str, Any]:
    return _edit(state, _editable(state, p), "editMessageReplyMarkup", {}, p)


def _send(state: FakeState, chat: Chat, p: Params, fields: dict[str, Any]) -> dict[str, Any]:
    markup = _markup(p)
    reply = _replied_message(chat, p)
    if reply is not None:
        fields["reply_to_message"] = reply
    if markup is not None and "inline_keyboard" in markup:
        fields["reply_markup"] = markup  # only inline keyboards are echoed by Telegram
    if p.get_bool("protect_content"):
        fields["has_protected_content"] = True
    message = state.add_message(
        chat,
        from_bot=True,
        fields=fields,
        reply_markup=markup,
        parse_mode=p.get_str("parse_mode"),
        disable_notification=p.get_bool("disable_notification"),
    )
    return copy.deepcopy(message.api)


def _edit(
    state: FakeState, message: StoredMessage, method: str, changes: dict[str, Any], p: Params
) -> dict[str, Any]:
    # As on the real server, an edit without reply_markup removes the inline keyboard.
    markup = _markup(p)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("only inline keyboards can be used when editing messages")
    changes["reply_markup"] = markup
    if all(message.api.get(name) == value for name, value in changes.items()):
        raise bad_request(_NOT_MODIFIED)
    message.reply_markup = markup
    message.parse_mode = p.get_str("parse_mode") or message.parse_mode
    return state.edit_message(message, method, changes)


def _editable(state: FakeState, p: Params) -> StoredMessage:
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in the fake
    chat = state.chat_for(p.get_int("chat_id"))
    message_id = p.get_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.find(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _text(p: Params) -> str:
    """The text as sent; its limits count what the customer reads, after entity parsing."""
    text = p.require_str("text", "message text is empty")
    shown = visible_text(text, p.get_str("parse_mode"))
    if not shown.strip():
        raise bad_request("message text is empty")
    if len(shown) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def _caption(p: Params) -> dict[str, Any]:
    caption = p.get_str("caption")
    if caption is None:
        return {}
    if len(visible_text(caption, p.get_str("parse_mode"))) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return {"caption": caption, **_echoed(p, "caption_entities")}


def _echoed(p: Params, *names: str) -> dict[str, Any]:
    """Optional JSON parameters Telegram returns unchanged in the message."""
    return {name: p.get_json(name) for name in names if p.has(name)}


def _markup(p: Params) -> dict[str, Any] | None:
    markup = p.get_json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be '
            "an Array of Arrays"
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text must be a String")
        if len(button) < 2:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")


def _replied_message(chat: Chat, p: Params) -> dict[str, Any] | None:
    reply = p.get_json("reply_parameters") or {}
    if not isinstance(reply, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = reply.get("message_id", p.get_int("reply_to_message_id"))
    if message_id is None:
        return None
    if not isinstance(message_id, int):
        raise bad_request("message to be replied not found")
    target = chat.find(message_id)
    if target is None:
        allow = reply.get("allow_sending_without_reply") or p.get_bool(
            "allow_sending_without_reply"
        )
        if allow:
            return None
        raise bad_request("message to be replied not found")
    replied = copy.deepcopy(target.api)
    replied.pop("reply_to_message", None)  # Telegram nests replies one level only
    return replied


async def _input_file(state: FakeState, p: Params, name: str) -> StoredFile:
    """Resolves an upload, an attach:// reference, a file_id or an HTTP URL."""
    upload = p.uploads.get(name)
    reference = p.get_str(name)
    if upload is None and reference and reference.startswith("attach://"):
        upload = p.uploads.get(reference.removeprefix("attach://"))
    if upload is not None:
        if len(upload.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        return state.files.add(
            upload.data, name, mime_type=upload.content_type, file_name=upload.filename
        )
    if reference is None:
        raise bad_request(f"there is no {name} in the request")
    if reference.startswith(("http://", "https://")):
        return state.files.add(await _fetch(reference), name, file_name=reference.rsplit("/")[-1])
    stored = state.files.get(reference)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


async def _fetch(url: str) -> bytes:
    """Downloads a URL the way Telegram would; offline hosts fail like unreachable ones."""
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(url)
    except httpx.HTTPError:
        raise bad_request("failed to get HTTP URL content") from None
    if not response.is_success:
        raise bad_request("failed to get HTTP URL content")
    return response.content


def _file_fields(stored: StoredFile) -> dict[str, Any]:
    return {
        "mime_type": stored.mime_type,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
