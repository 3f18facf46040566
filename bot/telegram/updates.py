"""Screening raw Telegram updates before PTB parses them.

PTB parses a whole ``getUpdates`` batch at once: one update it cannot parse fails the
batch, the offset never moves past it, and polling fetches the same batch forever (and
logs its raw JSON, message bodies included). So each update is checked here first; a
malformed one is logged by id and reason only and replaced by its bare ``update_id``,
which PTB confirms and no handler matches. Webhook mode screens with the same function.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import Bot, Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

# Telegram caps texts at 4096 and captions at 1024 characters; this bound is far above
# either however they are counted, and keeps a forged giant out of Rasa and Slack.
MAX_TEXT_CHARS = 16_384
_MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")
_FILE_KINDS = ("document", "voice", "audio", "video", "video_note", "animation", "sticker")
_OPTIONAL_STR = ("text", "caption", "media_group_id")
_USER_STR = ("last_name", "username", "language_code")


class Malformed(ValueError):
    """The update does not have the shape the Bot API documents."""


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise Malformed(what)


def _check_user(user: object, where: str) -> None:
    _need(isinstance(user, Mapping), where)
    assert isinstance(user, Mapping)
    _need(_int(user.get("id")), f"{where}.id")
    _need(isinstance(user.get("is_bot"), bool), f"{where}.is_bot")
    _need(isinstance(user.get("first_name"), str), f"{where}.first_name")
    for name in _USER_STR:
        _need(user.get(name) is None or isinstance(user[name], str), f"{where}.{name}")


def _check_file(file: object, where: str) -> None:
    _need(isinstance(file, Mapping), where)
    assert isinstance(file, Mapping)
    _need(isinstance(file.get("file_id"), str) and bool(file["file_id"]), f"{where}.file_id")
    size = file.get("file_size")
    _need(size is None or (_int(size) and size >= 0), f"{where}.file_size")
    for name in ("mime_type", "file_name"):
        _need(file.get(name) is None or isinstance(file[name], str), f"{where}.{name}")


def _check_message(message: object, where: str) -> None:
    _need(isinstance(message, Mapping), where)
    assert isinstance(message, Mapping)
    _need(_int(message.get("message_id")), f"{where}.message_id")
    _need(_int(message.get("date")), f"{where}.date")
    chat = message.get("chat")
    _need(isinstance(chat, Mapping) and _int(chat.get("id")), f"{where}.chat")
    assert isinstance(chat, Mapping)
    _need(isinstance(chat.get("type"), str), f"{where}.chat.type")
    if "from" in message:
        _check_user(message["from"], f"{where}.from")
    for name in _OPTIONAL_STR:
        value = message.get(name)
        _need(value is None or isinstance(value, str), f"{where}.{name}")
        _need(value is None or len(value) <= MAX_TEXT_CHARS, f"{where}.{name} too long")
    photo = message.get("photo")
    if photo is not None:
        _need(isinstance(photo, list) and bool(photo), f"{where}.photo")
        for i, size in enumerate(photo):
            _check_file(size, f"{where}.photo[{i}]")
    for kind in _FILE_KINDS:
        if message.get(kind) is not None:
            _check_file(message[kind], f"{where}.{kind}")


def check(raw: object) -> None:
    """Raise ``Malformed`` naming the first field Tandem reads that is missing or wrong."""
    _need(isinstance(raw, Mapping), "update")
    assert isinstance(raw, Mapping)
    _need(_int(raw.get("update_id")) and raw["update_id"] >= 0, "update_id")
    for kind in _MESSAGE_KINDS:
        if kind in raw:
            _check_message(raw[kind], kind)
    if "callback_query" in raw:
        query = raw["callback_query"]
        _need(isinstance(query, Mapping), "callback_query")
        assert isinstance(query, Mapping)
        _need(isinstance(query.get("id"), str), "callback_query.id")
        _check_user(query.get("from"), "callback_query.from")
        data = query.get("data")
        _need(data is None or isinstance(data, str), "callback_query.data")
        if query.get("message") is not None:
            _check_message(query["message"], "callback_query.message")


def parse_update(raw: object, bot: Bot) -> Update | None:
    """The update, or None (logged without its content) when it is malformed."""
    try:
        check(raw)
        assert isinstance(raw, dict)
        return Update.de_json(raw, bot)
    except Exception as exc:  # PTB raises KeyError, TypeError, ValueError... on bad shapes
        update_id = raw.get("update_id") if isinstance(raw, Mapping) else None
        log.warning(
            "malformed telegram update dropped",
            extra={
                "update_id": update_id if _int(update_id) else None,
                "problem": str(exc) if isinstance(exc, Malformed) else type(exc).__name__,
            },
        )
        return None


def screen_batch(raw: object, bot: Bot) -> Any:
    """getUpdates' result with each malformed update reduced to its bare id."""
    if not isinstance(raw, list):
        return raw
    screened: list[Any] = []
    for item in raw:
        if parse_update(item, bot) is not None:
            screened.append(item)
        elif isinstance(item, Mapping) and _int(item.get("update_id")):
            screened.append({"update_id": item["update_id"]})  # confirmed, handled by nobody
    return screened


class TandemBot(ExtBot[int]):
    """PTB's ``ExtBot`` whose ``getUpdates`` answers are screened (``_do_post`` is the
    hook PTB itself overrides in ``ExtBot`` for rate limiting)."""

    async def _do_post(
        self,
        endpoint: str,
        data: JSONDict,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> bool | JSONDict | list[JSONDict]:
        result = await super()._do_post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if endpoint == "getUpdates":
            screened: list[JSONDict] = screen_batch(result, self)
            return screened
        return result
