"""Web API methods over the workspace: auth, chat, conversations, users, reactions.

Messages the bot posts, edits or deletes are echoed back to the app as events, as Slack does
(bolt's self-event filter is what drops them).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

from playground.fake_slack.api import (
    ApiCall,
    Handler,
    param_flag,
    param_json_list,
    param_opt,
    param_str,
)
from playground.fake_slack.blockkit import check_blocks
from playground.fake_slack.payloads import (
    message_changed_event,
    message_deleted_event,
    message_event,
)
from playground.fake_slack.state import JSON, MAX_TEXT_LENGTH, Channel, FakeSlackError, Workspace

Echo = Callable[[JSON], None]


class Methods:
    def __init__(self, workspace: Workspace, echo: Echo, *, app_name: str = "Tandem") -> None:
        self.ws = workspace
        self.echo = echo
        self.app_name = app_name

    def handlers(self) -> dict[str, Handler]:
        return {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "users.info": self.users_info,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.members": self.conversations_members,
            "conversations.replies": self.conversations_replies,
            "conversations.history": self.conversations_history,
            "reactions.add": self.reactions_add,
        }

    # -- helpers ---------------------------------------------------------------------------

    def member_channel(self, params: JSON, name: str = "channel") -> Channel:
        channel = self.ws.channel(param_str(params, name, "channel_not_found"))
        if self.ws.identity.bot_user_id not in channel.members:
            raise FakeSlackError("not_in_channel", channel.id)
        return channel

    def content(self, params: JSON) -> JSON:
        """text/blocks/attachments of a message; Slack needs at least one of them."""
        text = str(params.get("text") or "")
        blocks = param_json_list(params, "blocks", "invalid_blocks")
        attachments = param_json_list(params, "attachments", "invalid_attachments")
        if not text and not blocks and not attachments:
            raise FakeSlackError("no_text")
        if len(text) > MAX_TEXT_LENGTH:
            raise FakeSlackError("msg_too_long")
        if blocks:
            check_blocks(blocks)  # invalid_blocks / msg_blocks_too_long (blockkit.py)
        content: JSON = {"text": text}
        if blocks:
            content["blocks"] = blocks
        if attachments:
            content["attachments"] = attachments
        return content

    def bot_fields(self) -> JSON:
        ident = self.ws.identity
        profile = {
            "id": ident.bot_id,
            "app_id": ident.app_id,
            "name": self.app_name,
            "deleted": False,
            "team_id": ident.team_id,
            "icons": {"image_72": f"https://avatars.invalid/{ident.bot_id}_72.png"},
        }
        return {
            "user": ident.bot_user_id,
            "bot_id": ident.bot_id,
            "app_id": ident.app_id,
            "team": ident.team_id,
            "bot_profile": profile,
        }

    async def post_as_bot(self, channel: Channel, content: JSON, thread_ts: str | None) -> JSON:
        message = await self.ws.post(channel, {**self.bot_fields(), **content}, thread_ts=thread_ts)
        self.echo(message_event(channel, message))
        return message

    # -- methods ---------------------------------------------------------------------------

    async def auth_test(self, call: ApiCall) -> JSON:
        ident = self.ws.identity
        return {
            "url": f"https://{ident.team_domain}.slack.com/",
            "team": ident.team_domain,
            "user": self.ws.user(ident.bot_user_id)["name"],
            "team_id": ident.team_id,
            "user_id": ident.bot_user_id,
            "bot_id": ident.bot_id,
            "is_enterprise_install": False,
        }

    async def chat_post_message(self, call: ApiCall) -> JSON:
        params = call.params
        channel = self.member_channel(params)
        content = self.content(params)
        thread_ts = param_opt(params, "thread_ts")
        if thread_ts and param_flag(params, "reply_broadcast"):
            content["subtype"] = "thread_broadcast"
        if params.get("metadata"):
            content["metadata"] = parse_metadata(params["metadata"])
        if param_opt(params, "username"):
            content["username"] = params["username"]
        if param_opt(params, "icon_url"):
            content["icons"] = {"image_48": params["icon_url"]}
        if param_opt(params, "icon_emoji"):
            content["icons"] = {"emoji": params["icon_emoji"]}
        message = await self.post_as_bot(channel, content, thread_ts)
        return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}

    async def chat_update(self, call: ApiCall) -> JSON:
        params = call.params
        channel = self.member_channel(params)
        ts = param_str(params, "ts", "message_not_found")
        if self.ws.find(channel, ts).get("bot_id") != self.ws.identity.bot_id:
            raise FakeSlackError("cant_update_message")
        changes = self.content(params)
        message, previous = await self.ws.update(channel, ts, changes, self.ws.identity.bot_user_id)
        self.echo(message_changed_event(channel, message, previous))
        return {
            "channel": channel.id,
            "ts": ts,
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    async def chat_post_ephemeral(self, call: ApiCall) -> JSON:
        params = call.params
        channel = self.member_channel(params)
        user = self.ws.user(param_str(params, "user", "user_not_found"))
        if user["id"] not in channel.members:
            raise FakeSlackError("user_not_in_channel")
        ephemeral = {**self.bot_fields(), **self.content(params), "channel": channel.id}
        ephemeral["recipient"] = user["id"]
        thread_ts = param_opt(params, "thread_ts")
        if thread_ts:
            ephemeral["thread_ts"] = thread_ts
        stored = await self.ws.add_ephemeral(ephemeral)
        return {"message_ts": stored["ts"]}

    async def chat_delete(self, call: ApiCall) -> JSON:
        channel = self.member_channel(call.params)
        ts = param_str(call.params, "ts", "message_not_found")
        if self.ws.find(channel, ts).get("bot_id") != self.ws.identity.bot_id:
            raise FakeSlackError("cant_delete_message")
        deleted = await self.ws.delete(channel, ts)
        self.echo(message_deleted_event(channel, deleted, self.ws.next_ts()))
        return {"channel": channel.id, "ts": ts}

    async def chat_get_permalink(self, call: ApiCall) -> JSON:
        channel = self.ws.channel(param_str(call.params, "channel", "channel_not_found"))
        message = self.ws.find(channel, param_str(call.params, "message_ts", "message_not_found"))
        domain = self.ws.identity.team_domain
        link = f"https://{domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            link += f"?thread_ts={thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    async def users_info(self, call: ApiCall) -> JSON:
        user = self.ws.user(param_str(call.params, "user", "user_not_found"))
        return {"user": copy.deepcopy(user)}

    async def conversations_info(self, call: ApiCall) -> JSON:
        channel = self.ws.channel(param_str(call.params, "channel", "channel_not_found"))
        return {"channel": channel.info(self.ws.identity.bot_user_id)}

    async def conversations_join(self, call: ApiCall) -> JSON:
        channel = self.ws.channel(param_str(call.params, "channel", "channel_not_found"))
        channel.members.add(self.ws.identity.bot_user_id)
        return {"channel": channel.info(self.ws.identity.bot_user_id)}

    async def conversations_members(self, call: ApiCall) -> JSON:
        channel = self.ws.channel(param_str(call.params, "channel", "channel_not_found"))
        return {"members": sorted(channel.members), "response_metadata": {"next_cursor": ""}}

    async def conversations_replies(self, call: ApiCall) -> JSON:
        channel = self.member_channel(call.params)
        ts = param_str(call.params, "ts", "thread_not_found")
        try:
            thread = self.ws.thread(channel, ts)
        except FakeSlackError:
            raise FakeSlackError("thread_not_found") from None
        return paged(thread, call.params)

    async def conversations_history(self, call: ApiCall) -> JSON:
        channel = self.member_channel(call.params)
        newest_first = list(reversed(self.ws.top_level(channel)))
        return paged(newest_first, call.params)

    async def reactions_add(self, call: ApiCall) -> JSON:
        channel = self.member_channel(call.params)
        message = self.ws.find(channel, param_str(call.params, "timestamp", "message_not_found"))
        name = param_str(call.params, "name", "invalid_name").strip(":")
        reactions: list[JSON] = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            reactions.append(reaction)
        if self.ws.identity.bot_user_id in reaction["users"]:
            raise FakeSlackError("already_reacted")
        reaction["users"].append(self.ws.identity.bot_user_id)
        reaction["count"] += 1
        await self.ws.notify()
        return {}


def paged(messages: list[JSON], params: JSON) -> JSON:
    """oldest/latest (exclusive) and limit, as conversations.history/replies apply them;
    messages' metadata only with include_all_metadata, as Slack gives it."""
    try:
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        limit = int(params.get("limit") or 100)
    except ValueError:
        raise FakeSlackError("invalid_arguments", "oldest/latest/limit must be numbers") from None
    matching = [m for m in messages if oldest < float(m["ts"]) < latest]
    selected = copy.deepcopy(matching[:limit])
    if not param_flag(params, "include_all_metadata"):
        for message in selected:
            message.pop("metadata", None)
    return {
        "messages": selected,
        "has_more": len(matching) > limit,
        "response_metadata": {"next_cursor": ""},
    }


def parse_metadata(value: object) -> JSON:
    """Message metadata is stored as an object; form bodies carry it as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise FakeSlackError("invalid_metadata_format") from None
    if not isinstance(value, dict) or "event_type" not in value:
        raise FakeSlackError("invalid_metadata_format", "needs event_type and event_payload")
    return value
