"""The Bot API method table of the fake Telegram, and the methods not about messages."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from playground.fake_telegram import editing, sending
from playground.fake_telegram.params import ApiError, Params, bad_request
from playground.fake_telegram.state import FakeState, now

Handler = Callable[[FakeState, Params], Awaitable[Any]]

MAX_POLL_TIMEOUT = 50.0  # seconds; Telegram caps long polls similarly
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_CALLBACK_ANSWER = 200  # characters of answerCallbackQuery's text
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


async def get_me(state: FakeState, p: Params) -> dict[str, Any]:
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def no_op(state: FakeState, p: Params) -> bool:
    return True


async def set_webhook(state: FakeState, p: Params) -> bool:
    url = p.get_str("url") or ""
    if url and not url.startswith(("https://", "http://")):  # http allowed: it is all local
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    _apply_allowed_updates(state, p)
    if p.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.webhook.configure(url, secret)
    state.webhook.max_connections = p.get_int("max_connections") or 40
    state.webhook.ip_address = p.get_str("ip_address")
    state.notifier.notify()  # a waiting long poll now answers 409
    state.webhook.kick()
    return True


async def delete_webhook(state: FakeState, p: Params) -> bool:
    if p.get_bool("drop_pending_updates"):
        state.updates.clear()
    state.webhook.configure("", None)
    return True


async def get_webhook_info(state: FakeState, p: Params) -> dict[str, Any]:
    return state.webhook.info()


async def get_updates(state: FakeState, p: Params) -> list[dict[str, Any]]:
    if state.webhook.url:
        raise ApiError(409, _WEBHOOK_CONFLICT)
    state.updates.poll_generation += 1
    generation = state.updates.poll_generation
    state.notifier.notify()  # an older long poll now answers 409
    state.updates.confirm(p.get_int("offset") or 0)
    _apply_allowed_updates(state, p)
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    timeout = min(max(p.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)

    def outcome() -> str | None:
        if state.updates.poll_generation != generation:
            return "superseded"
        if state.webhook.url:
            return "webhook"
        return "updates" if state.updates.peek(limit) else None

    result = await _wait_unless_disconnected(state, outcome, timeout, p)
    if result == "superseded":
        raise ApiError(409, _POLL_CONFLICT)
    if result == "webhook":
        raise ApiError(409, _WEBHOOK_CONFLICT)
    return copy.deepcopy(state.updates.peek(limit))


async def _wait_unless_disconnected(
    state: FakeState, probe: Callable[[], str | None], seconds: float, p: Params
) -> str | None:
    """Long-poll wait that ends early when the client hangs up (e.g. PTB stopping)."""
    if seconds <= 0 or p.wait_disconnect is None:
        return probe()
    waiter = asyncio.ensure_future(state.notifier.wait_for(probe, seconds))
    hangup = asyncio.ensure_future(p.wait_disconnect())
    try:
        await asyncio.wait({waiter, hangup}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, hangup):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return waiter.result() if waiter.done() and not waiter.cancelled() else None


def _apply_allowed_updates(state: FakeState, p: Params) -> None:
    """allowed_updates persists across calls; omitting it keeps the previous setting."""
    allowed = p.get_json("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise bad_request("can't parse allowed_updates JSON array")
    state.updates.allowed_updates = allowed


async def send_chat_action(state: FakeState, p: Params) -> bool:
    chat = state.chat_for(p.get_int("chat_id"))
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.chat_actions.append({"chat_id": chat.id, "action": action, "date": now()})
    state.notifier.notify()
    return True


async def answer_callback_query(state: FakeState, p: Params) -> bool:
    query_id = p.get_str("callback_query_id")
    query = state.callback_queries.get(query_id or "")
    pressed = query.get("pressed_at", time.monotonic()) if query is not None else 0.0
    waited = time.monotonic() - pressed if query is not None else 0.0
    if query is None or query["answered"] or waited > state.callback_deadline:
        raise bad_request(_QUERY_TOO_OLD)
    _check_answer(p)
    query["answered"] = True
    state.callback_answers.append(
        {
            "callback_query_id": query_id,
            "chat_id": query["chat_id"],
            "message_id": query["message_id"],
            "data": query["data"],
            "text": p.get_str("text"),
            "show_alert": p.get_bool("show_alert"),
            "url": p.get_str("url"),
            "cache_time": p.get_int("cache_time") or 0,
            "answered_after": waited,  # seconds from the press (the fake's own bookkeeping)
        }
    )
    state.notifier.notify()
    return True


def _check_answer(p: Params) -> None:
    text = p.get_str("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    cache_time = p.get_int("cache_time")
    if cache_time is not None and cache_time < 0:
        raise bad_request("CACHE_TIME_INVALID")


async def get_file(state: FakeState, p: Params) -> dict[str, Any]:
    stored = state.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.api()


async def get_chat(state: FakeState, p: Params) -> dict[str, Any]:
    chat = state.chat_for(p.get_int("chat_id"))
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
    return {
        **chat.api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {**dict.fromkeys(gifts, True), "gifts_from_channels": True},
    }


async def set_my_commands(state: FakeState, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON array")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description is empty or too long")
    state.commands[_commands_key(p)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(state: FakeState, p: Params) -> list[dict[str, Any]]:
    return copy.deepcopy(state.commands.get(_commands_key(p), []))


async def delete_my_commands(state: FakeState, p: Params) -> bool:
    state.commands.pop(_commands_key(p), None)
    return True


def _commands_key(p: Params) -> str:
    scope = p.get_json("scope") or {"type": "default"}
    return json.dumps([scope, p.get_str("language_code") or ""], sort_keys=True)


_METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": no_op,
    "close": no_op,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "getUpdates": get_updates,
    "sendMessage": sending.send_message,
    "sendPhoto": sending.send_photo,
    "sendDocument": sending.send_document,
    "sendVoice": sending.send_voice,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
    "editMessageText": sending.edit_message_text,
    "editMessageCaption": sending.edit_message_caption,
    "editMessageReplyMarkup": sending.edit_message_reply_markup,
    "deleteMessage": editing.delete_message,  # the 48-hour limit (editing.py)
    "getFile": get_file,
    "getChat": get_chat,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
}
# Lower-cased name -> (canonical name, handler); the real API matches names case-insensitively.
METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler) for name, handler in _METHODS.items()
}
