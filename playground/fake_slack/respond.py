"""response_url: where the app answers a click or a command, and what Slack does with it.

`replace_original` / `delete_original` act on the message the click came from;
otherwise the answer becomes a new message: ephemeral to the user (Slack's default) or,
with response_type "in_channel", visible to everyone. Immediate HTTP/ack responses to
slash commands follow the same rules.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from playground.fake_slack.api import param_flag
from playground.fake_slack.methods import Methods
from playground.fake_slack.payloads import message_changed_event, message_deleted_event
from playground.fake_slack.state import JSON, FakeSlackError


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response_url's answers go: the channel/user and the original message, if any."""

    channel: str
    user: str
    message_ts: str | None = None
    thread_ts: str | None = None
    is_ephemeral: bool = False


class ResponseUrls:
    def __init__(self, methods: Methods) -> None:
        self.methods = methods
        self.ws = methods.ws
        self.targets: dict[str, ResponseTarget] = {}
        self.posts: list[JSON] = []

    def issue(self, base_url: str, target: ResponseTarget) -> str:
        token = secrets.token_urlsafe(16)
        self.targets[token] = target
        return f"{base_url}/_fake/respond/{token}"

    async def endpoint(self, request: Request) -> Response:
        target = self.targets.get(request.path_params["token"])
        if target is None:
            return JSONResponse({"ok": False, "error": "expired_url"}, status_code=404)
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError:
            return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
        self.posts.append({"url": str(request.url), "target": vars(target), "body": body})
        try:
            await self.apply(target, body)
        except FakeSlackError as error:
            return JSONResponse({"ok": False, "error": error.code}, status_code=400)
        return JSONResponse({"ok": True})

    async def apply(self, target: ResponseTarget, body: JSON) -> None:
        if param_flag(body, "delete_original") and target.message_ts:
            await self._delete_original(target)
        elif param_flag(body, "replace_original") and target.message_ts:
            await self._replace_original(target, body)
        elif body.get("response_type") == "in_channel":
            channel = self.ws.channel(target.channel)
            thread_ts = body.get("thread_ts") or target.thread_ts
            await self.methods.post_as_bot(channel, self.methods.content(body), thread_ts)
        else:
            await self._post_ephemeral(target, body)

    async def _post_ephemeral(self, target: ResponseTarget, body: JSON) -> None:
        ephemeral = {**self.methods.bot_fields(), **self.methods.content(body)}
        ephemeral.update(channel=target.channel, recipient=target.user)
        thread_ts = body.get("thread_ts") or target.thread_ts
        if thread_ts:
            ephemeral["thread_ts"] = thread_ts
        await self.ws.add_ephemeral(ephemeral)

    async def _replace_original(self, target: ResponseTarget, body: JSON) -> None:
        # the whole message is replaced: a text-only answer drops the old blocks (buttons)
        content = {"blocks": None, "attachments": None, **self.methods.content(body)}
        if target.is_ephemeral:
            original = self._ephemeral(target)
            original.update({k: v for k, v in content.items() if v is not None})
            for key in [k for k, v in content.items() if v is None]:
                original.pop(key, None)
            await self.ws.notify()
            return
        channel = self.ws.channel(target.channel)
        message, previous = await self.ws.update(
            channel, str(target.message_ts), content, self.ws.identity.bot_user_id
        )
        self.methods.echo(message_changed_event(channel, message, previous))

    async def _delete_original(self, target: ResponseTarget) -> None:
        if target.is_ephemeral:
            self.ws.ephemerals.remove(self._ephemeral(target))
            await self.ws.notify()
            return
        channel = self.ws.channel(target.channel)
        deleted = await self.ws.delete(channel, str(target.message_ts))
        self.methods.echo(message_deleted_event(channel, deleted, f"{time.time():.6f}"))

    def _ephemeral(self, target: ResponseTarget) -> JSON:
        for ephemeral in self.ws.ephemerals:
            if ephemeral["ts"] == target.message_ts and ephemeral.get("recipient") == target.user:
                return ephemeral
        raise FakeSlackError("message_not_found")
