"""Builders for what Slack sends an app: Events API envelopes, block_actions, slash commands.

Shapes follow Slack's documented payloads closely enough that bolt's parsers, matchers and
context extraction (user, channel, thread) behave as they do against real Slack.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

from playground.fake_slack.state import JSON, Channel, FakeSlackError, Identity

EVENTS_API = "events_api"
INTERACTIVE = "interactive"
SLASH_COMMANDS = "slash_commands"


def trigger_id() -> str:
    return f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def event_callback(identity: Identity, event: JSON) -> JSON:
    return {
        "token": identity.verification_token,
        "team_id": identity.team_id,
        "context_team_id": identity.team_id,
        "context_enterprise_id": None,
        "api_app_id": identity.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": identity.team_id,
                "user_id": identity.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }


def message_event(channel: Channel, message: JSON) -> JSON:
    """A `message` event for a stored message, as message.channels delivers it."""
    event = copy.deepcopy(message)
    event.update(channel=channel.id, event_ts=message["ts"], channel_type="channel")
    return event


def message_changed_event(channel: Channel, message: JSON, previous: JSON) -> JSON:
    ts = message.get("edited", {}).get("ts", message["ts"])
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": copy.deepcopy(message),
        "previous_message": previous,
        "channel": channel.id,
        "hidden": True,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


def message_deleted_event(channel: Channel, deleted: JSON, ts: str) -> JSON:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": deleted,
        "channel": channel.id,
        "hidden": True,
        "deleted_ts": deleted["ts"],
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


def iter_buttons(blocks: list[JSON]) -> Iterator[tuple[str, JSON]]:
    """(block_id, element) for every button in actions blocks and section accessories."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            elements = [*elements, accessory]
        for element in elements:
            if isinstance(element, dict) and element.get("type") == "button":
                yield block_id, element


def find_button(message: JSON, action_id: str, value: str | None) -> tuple[str, JSON]:
    for block_id, button in iter_buttons(message.get("blocks") or []):
        if button.get("action_id") == action_id and value in (None, button.get("value")):
            return block_id, button
    wanted = action_id if value is None else f"{action_id} (value={value!r})"
    raise FakeSlackError("button_not_found", f"no button {wanted} in message {message['ts']}")


def user_ref(identity: Identity, user: JSON) -> JSON:
    return {
        "id": user["id"],
        "username": user["name"],
        "name": user["name"],
        "team_id": identity.team_id,
    }


def block_actions(
    identity: Identity,
    *,
    user: JSON,
    channel: Channel,
    message: JSON,
    button: tuple[str, JSON],
    response_url: str,
    is_ephemeral: bool,
) -> JSON:
    block_id, element = button
    container: JSON = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel.id,
        "is_ephemeral": is_ephemeral,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    action = {
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "text": element.get("text", {"type": "plain_text", "text": ""}),
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    if "value" in element:
        action["value"] = element["value"]
    payload: JSON = {
        "type": "block_actions",
        "user": user_ref(identity, user),
        "api_app_id": identity.app_id,
        "token": identity.verification_token,
        "container": container,
        "trigger_id": trigger_id(),
        "team": {"id": identity.team_id, "domain": identity.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel.id, "name": channel.name},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if not is_ephemeral:  # Slack omits the message for clicks on ephemeral messages
        payload["message"] = copy.deepcopy(message)
    return payload


def slash_command(
    identity: Identity, *, user: JSON, channel: Channel, command: str, text: str, response_url: str
) -> JSON:
    """Form fields, all strings, exactly as Slack posts them."""
    return {
        "token": identity.verification_token,
        "team_id": identity.team_id,
        "team_domain": identity.team_domain,
        "channel_id": channel.id,
        "channel_name": channel.name,
        "user_id": user["id"],
        "user_name": user["name"],
        "command": command,
        "text": text,
        "api_app_id": identity.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id(),
    }


def http_body(kind: str, payload: JSON) -> tuple[bytes, str]:
    """The raw body and content type Slack uses for each delivery kind over HTTP."""
    if kind == EVENTS_API:
        return json.dumps(payload).encode(), "application/json"
    form = {"payload": json.dumps(payload)} if kind == INTERACTIVE else payload
    return urlencode(form).encode(), "application/x-www-form-urlencoded"
