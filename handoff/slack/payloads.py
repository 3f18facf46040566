"""The shapes of what Slack sends, checked before anything reads them. Pure, no I/O.

bolt trusts a signed body: an ``event`` that is not an object, or a ``user`` that is a
list, makes its own middleware raise and the request end in a 500 with a traceback. So
the HTTP endpoint refuses such bodies first (``envelope_problem``), and the listeners
read their fields through ``employee_message`` and ``thread_and_user``, which raise
``MalformedPayload`` (logged in one line, no traceback) instead of a ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handoff.core.media import shared_files
from handoff.core.messages import EmployeeMessage
from handoff.core.state import ThreadRef
from handoff.flows.desk_edits import DeskChange
from handoff.slack.mrkdwn import Names, decode_message

# Thread messages an employee writes; edits, joins and bot posts are not replies.
REPLY_SUBTYPES = {None, "file_share", "thread_broadcast"}
_REFS = ("user", "team", "channel", "enterprise")  # an id string, or an object with an id
_OBJECTS = ("container", "message", "view", "state", "item")
_EVENT_STRINGS = ("type", "subtype", "ts", "thread_ts", "event_ts", "text", "bot_id")


class MalformedPayload(ValueError):
    """A signed request whose fields are missing or of the wrong type."""


def _ref_problem(node: Mapping[str, Any], where: str) -> str | None:
    for name in _REFS:
        value = node.get(name)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, Mapping) or not isinstance(value.get("id", ""), str):
            return f"{where}{name}"
    for name in _OBJECTS:
        if node.get(name) is not None and not isinstance(node[name], Mapping):
            return f"{where}{name}"
    return None


def _event_problem(event: object) -> str | None:
    if not isinstance(event, Mapping):
        return "event"
    for name in _EVENT_STRINGS:
        if event.get(name) is not None and not isinstance(event[name], str):
            return f"event.{name}"
    if not event.get("type"):
        return "event.type"
    if event.get("files") is not None and not isinstance(event["files"], list):
        return "event.files"
    return _ref_problem(event, "event.")


def envelope_problem(body: object) -> str | None:
    """The first field bolt would trip over, or None when the body is fit to dispatch."""
    if not isinstance(body, Mapping):
        return "body"
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "type"
    auths = body.get("authorizations")
    if auths is not None and not (
        isinstance(auths, list) and all(isinstance(a, Mapping) for a in auths)
    ):
        return "authorizations"
    if body.get("is_ext_shared_channel") not in (None, True, False):
        return "is_ext_shared_channel"
    if (kind == "event_callback" or "event" in body) and (
        problem := _event_problem(body.get("event"))
    ):
        return problem
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "actions"
        for action in actions:
            if not isinstance(action, Mapping) or not isinstance(action.get("action_id"), str):
                return "actions.action_id"
            if not isinstance(action.get("block_id", ""), str):
                return "actions.block_id"
    return _ref_problem(body, "")


def _text(node: Mapping[str, Any], name: str, where: str) -> str:
    value = node.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{where}{name}")
    return value


def employee_message(
    event: Mapping[str, Any], body: Mapping[str, Any], names: Names | None = None
) -> EmployeeMessage | None:
    """A reply inside a thread, or None for anything else (edits, bots, top-level posts).
    Its text is what the employee wrote, decoded from Slack's encoding (handoff/slack/mrkdwn.py):
    plain to read, formatted for the channels that can show it; ``names`` names the mentions."""
    if event.get("subtype") not in REPLY_SUBTYPES or event.get("bot_id"):
        return None
    thread_ts, user = event.get("thread_ts"), event.get("user")
    if not thread_ts or not user or thread_ts == event.get("ts"):
        return None  # only replies inside a conversation's thread matter
    channel, ts = _text(event, "channel", "event."), _text(event, "ts", "event.")
    if not isinstance(thread_ts, str) or not isinstance(user, str):
        raise MalformedPayload("event.thread_ts or event.user")
    text = event.get("text") or ""
    files = event.get("files") or ()
    if not isinstance(text, str) or not isinstance(files, list | tuple):
        raise MalformedPayload("event.text or event.files")
    event_id = body.get("event_id")
    return EmployeeMessage(
        event_id=event_id if isinstance(event_id, str) and event_id else f"{channel}:{ts}",
        thread=ThreadRef(channel, thread_ts),
        user=user,
        text=decode_message(event, names or Names()),
        ts=ts,
        files=shared_files(f for f in files if isinstance(f, Mapping)),
    )


def changed_message(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The message a ``message_changed`` / ``message_deleted`` event is about (or {})."""
    name = "message" if event.get("subtype") == "message_changed" else "previous_message"
    node = event.get(name)
    return node if isinstance(node, Mapping) else {}


def desk_change(
    event: Mapping[str, Any], body: Mapping[str, Any], names: Names | None = None
) -> DeskChange | None:
    """An employee's thread reply edited (``message_changed``: ``message`` and
    ``previous_message``) or deleted (``message_deleted``: ``deleted_ts`` and
    ``previous_message``); None for any other event (a bot's post changed, a top-level
    message, Slack updating a thread's reply count). The new text is decoded as a reply's."""
    subtype = event.get("subtype")
    if subtype not in ("message_changed", "message_deleted"):
        return None
    if event.get("message") is not None and not isinstance(event.get("message"), Mapping):
        raise MalformedPayload("event.message")
    node = changed_message(event)
    if not node or node.get("bot_id") or node.get("subtype") not in REPLY_SUBTYPES:
        return None
    thread_ts, user, ts = node.get("thread_ts"), node.get("user"), node.get("ts")
    if not thread_ts or not user or not ts or thread_ts == ts:
        return None  # only replies inside a thread
    if subtype == "message_deleted" and event.get("deleted_ts") not in (None, ts):
        raise MalformedPayload("event.deleted_ts")
    for value, name in ((thread_ts, "thread_ts"), (user, "user"), (ts, "ts")):
        if not isinstance(value, str):
            raise MalformedPayload(f"event.message.{name}")
    channel = _text(event, "channel", "event.")
    edited = node.get("edited")
    editor = edited.get("user") if isinstance(edited, Mapping) else None
    text = node.get("text") or ""
    if not isinstance(text, str) or not isinstance(editor or user, str):
        raise MalformedPayload("event.message.text or event.message.edited")
    event_id = body.get("event_id")
    fallback_id = f"{channel}:{subtype}:{ts}"
    return DeskChange(
        event_id=event_id if isinstance(event_id, str) and event_id else fallback_id,
        thread=ThreadRef(channel, thread_ts),
        user=user,
        editor=str(editor or user),
        ts=ts,
        text=decode_message(node, names or Names()) if subtype == "message_changed" else None,
    )


def thread_and_user(body: Mapping[str, Any]) -> tuple[ThreadRef, str]:
    """The card a button sits on is the thread's parent message; and who clicked."""
    container = body.get("container")
    container = container if isinstance(container, Mapping) else {}
    channel, message, user = body.get("channel"), body.get("message"), body.get("user")
    channel_id = container.get("channel_id") or (
        channel.get("id") if isinstance(channel, Mapping) else None
    )
    ts = container.get("message_ts") or (
        message.get("ts") if isinstance(message, Mapping) else None
    )
    user_id = user.get("id") if isinstance(user, Mapping) else None
    for value, name in ((channel_id, "channel"), (ts, "message_ts"), (user_id, "user.id")):
        if not isinstance(value, str) or not value:
            raise MalformedPayload(name)
    assert isinstance(channel_id, str)
    assert isinstance(ts, str)
    assert isinstance(user_id, str)
    return ThreadRef(channel_id, ts), user_id
