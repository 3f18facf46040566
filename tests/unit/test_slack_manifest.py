"""slack-manifest.yml asks for exactly what the code uses: the scopes of every Slack Web
API method called in bot/ and handoff/, the events and commands bolt listens to, and
interactivity when there are buttons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from slack_sdk.web.async_client import AsyncWebClient

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for folder in ("bot", "handoff") for p in sorted((ROOT / folder).rglob("*.py"))]

# The bot scope each Web API method needs (https://api.slack.com/methods); None: no scope.
# A method missing here fails the test: add it here and its scope to the manifest.
METHOD_SCOPES: dict[str, str | None] = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_delete": "chat:write",
    "files_upload_v2": "files:write",
    "files_info": "files:read",
    # `tandem doctor`'s membership check, and the outbox's look for a post an earlier try
    # made (groups:history for private channels, also asked).
    "conversations_history": "channels:history",
    "conversations_replies": "channels:history",
    # A mention or a channel link in an employee's reply, named for the customer
    # (handoff/slack/people.py) when the employee directory does not know it.
    "users_info": "users:read",
    "conversations_info": "channels:read",
}
# Bot events per bolt event type: desk channels may be public or private.
EVENT_SUBSCRIPTIONS = {"message": {"message.channels", "message.groups"}}
EVENT_SCOPES = {"message.channels": "channels:history", "message.groups": "groups:history"}
_FAMILIES = "apps|auth|bookmarks|bots|chat|conversations|files|pins|reactions|team|users|views"
_METHOD = re.compile(rf"\b((?:{_FAMILIES})_[A-Za-z0-9_]+)")


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "slack-manifest.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def source() -> str:
    return "\n".join(path.read_text() for path in CODE)


def methods_used(code: str) -> set[str]:
    """Names in the code that are slack_sdk Web API methods (not chat_id, chat_lock…)."""
    return {name for name in _METHOD.findall(code) if callable(getattr(AsyncWebClient, name, None))}


def test_scopes_are_exactly_those_of_the_methods_and_events_used() -> None:
    code = source()
    used = methods_used(code)
    unknown = used - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} to METHOD_SCOPES and the manifest"
    events = set(re.findall(r"app\.event\(\"([\w.]+)\"\)", code))
    needed = {METHOD_SCOPES[m] for m in used} - {None}
    needed |= {EVENT_SCOPES[e] for kind in events for e in EVENT_SUBSCRIPTIONS[kind]}
    if re.search(r"app\.command\(", code):  # slash commands need the `commands` scope
        needed.add("commands")
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_events_commands_and_interactivity_match_the_listeners() -> None:
    code, settings = source(), manifest()["settings"]
    events = set(re.findall(r"app\.event\(\"([\w.]+)\"\)", code))
    assert events, "the app listens to thread replies"
    expected = {e for kind in events for e in EVENT_SUBSCRIPTIONS[kind]}
    assert set(settings["event_subscriptions"]["bot_events"]) == expected
    assert settings["interactivity"]["is_enabled"] is bool(re.search(r"app\.action\(", code))
    commands = set(re.findall(r"app\.command\(\"(/[\w-]+)\"\)", code))
    listed = {c["command"] for c in manifest()["features"].get("slash_commands", [])}
    assert listed == commands


def test_socket_mode_by_default_without_request_urls() -> None:
    settings = manifest()["settings"]
    assert settings["socket_mode_enabled"] is True
    assert "request_url" not in settings["event_subscriptions"]
    assert "request_url" not in settings["interactivity"]


def test_the_method_finder_sees_calls_and_ignores_lookalikes() -> None:
    code = 'await client.chat_postMessage(x)\nself._call("chat_update")\nchat_id = chat_lock()'
    assert methods_used(code) == {"chat_postMessage", "chat_update"}
