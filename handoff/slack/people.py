"""Names for the people and channels a Slack message mentions, for handoff/slack/mrkdwn.py.

An employee's first name comes from the employee directory (the name customers already
know them by); anyone else's from ``users.info``, and a channel's from the message's own
``<#C1|name>`` or ``conversations.info``. A lookup that fails leaves the id: the message is
still delivered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handoff.slack.mrkdwn import Names
from nlu.facts.directory import EmployeeDirectory

log = logging.getLogger(__name__)

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_FAILURES = (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError)


def mentioned(event: Mapping[str, Any]) -> tuple[set[str], dict[str, str]]:
    """The user ids and the channels (id → name as written, "" when not) in the message."""
    text = event.get("text")
    text = text if isinstance(text, str) else ""
    users = set(_USER.findall(text))
    channels = {cid: name for cid, name in _CHANNEL.findall(text)}
    for element in _rich_elements(event.get("blocks")):
        if element.get("type") == "user" and isinstance(element.get("user_id"), str):
            users.add(element["user_id"])
        if element.get("type") == "channel" and isinstance(element.get("channel_id"), str):
            channels.setdefault(element["channel_id"], "")
    return users, channels


async def names_for(
    event: Mapping[str, Any], directory: EmployeeDirectory, client: AsyncWebClient
) -> Names:
    users, channels = mentioned(event)
    user_names: dict[str, str] = {}
    for user_id in sorted(users):
        employee = directory.by_slack_id(user_id)
        name = employee.name if employee is not None else await _user_name(client, user_id)
        if name:
            user_names[user_id] = name
    channel_names = {cid: name for cid, name in channels.items() if name}
    for channel_id in sorted(cid for cid, name in channels.items() if not name):
        if name := await _channel_name(client, channel_id):
            channel_names[channel_id] = name
    return Names(user_names, channel_names)


async def _user_name(client: AsyncWebClient, user_id: str) -> str | None:
    try:
        response = await client.users_info(user=user_id)
    except _FAILURES as exc:
        log.info("mentioned user not looked up", extra={"user": user_id, "error": repr(exc)})
        return None
    user = response.get("user") or {}
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("name")
    return name if isinstance(name, str) and name else None


async def _channel_name(client: AsyncWebClient, channel_id: str) -> str | None:
    try:
        response = await client.conversations_info(channel=channel_id)
    except _FAILURES as exc:
        log.info("channel not looked up", extra={"channel": channel_id, "error": repr(exc)})
        return None
    name = (response.get("channel") or {}).get("name")
    return name if isinstance(name, str) and name else None


def _rich_elements(blocks: object) -> list[Mapping[str, Any]]:
    """Every element inside rich_text blocks, however deeply nested (lists hold sections)."""
    found: list[Mapping[str, Any]] = []
    stack = list(blocks) if isinstance(blocks, list) else []
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            found.append(node)
            if isinstance(node.get("elements"), list):
                stack.extend(node["elements"])
    return found
