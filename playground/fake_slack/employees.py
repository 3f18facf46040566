"""The employee side of FakeSlack: people posting, editing, uploading, clicking and running
slash commands, and waiting for what the app posts back.

A mixin so these stay methods of FakeSlack; FakeSlack provides the attributes declared here.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable

from playground.fake_slack.composer import Directory, compose
from playground.fake_slack.delivery import Delivery
from playground.fake_slack.dispatch import Dispatcher
from playground.fake_slack.files import Files
from playground.fake_slack.payloads import (
    INTERACTIVE,
    SLASH_COMMANDS,
    block_actions,
    find_button,
    message_changed_event,
    message_event,
    slash_command,
)
from playground.fake_slack.respond import ResponseTarget, ResponseUrls
from playground.fake_slack.state import (
    JSON,
    Channel,
    FakeSlackError,
    Identity,
    StoredFile,
    Workspace,
    new_id,
)

Predicate = Callable[[JSON], bool]


class EmployeeActions:
    workspace: Workspace
    base_url: str | None
    _dispatch: Dispatcher
    _files: Files
    _responses: ResponseUrls

    @property
    def identity(self) -> Identity:
        return self.workspace.identity

    @property
    def public_url(self) -> str:
        if self.base_url is None:
            raise FakeSlackError(
                "base_url_unknown",
                "set fake.base_url to where fake.app is served, or make any request to it first",
            )
        return self.base_url

    # -- waiting for the app --------------------------------------------------------------

    async def wait_for_message(
        self,
        channel: str,
        predicate: Predicate | None = None,
        *,
        thread_ts: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the spec'd API; the error lists what was posted
    ) -> JSON:
        """The first message (oldest first, already-posted ones included, so a reply that
        raced ahead of the wait is not missed) in the channel or thread matching predicate."""
        found = self.workspace.channel(channel)

        def candidates() -> list[JSON]:
            if thread_ts is None:
                return found.messages
            try:
                return self.workspace.thread(found, thread_ts)
            except FakeSlackError:  # the thread's parent may not exist yet
                return []

        def probe() -> JSON | None:
            return next((m for m in candidates() if predicate is None or predicate(m)), None)

        where = f"{found.id}" + (f" thread {thread_ts}" if thread_ts else "")
        message = await self.workspace.wait_for(
            probe, timeout, lambda: _describe(f"no matching message in {where}", candidates())
        )
        return copy.deepcopy(message)

    async def wait_for_ephemeral(
        self,
        user: str,
        predicate: Predicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - as wait_for_message
    ) -> JSON:
        def mine() -> list[JSON]:
            return [e for e in self.workspace.ephemerals if e.get("recipient") == user]

        def probe() -> JSON | None:
            return next((e for e in mine() if predicate is None or predicate(e)), None)

        ephemeral = await self.workspace.wait_for(
            probe, timeout, lambda: _describe(f"no matching ephemeral for {user}", mine())
        )
        return copy.deepcopy(ephemeral)

    # -- employees -------------------------------------------------------------------------

    async def user_posts(
        self,
        user_id: str,
        channel: str,
        text: str,
        *,
        thread_ts: str | None = None,
        blocks: list[JSON] | None = None,
    ) -> JSON:
        """A person types ``text`` and sends it: the event carries it as Slack's composer
        encodes it (composer.py). With ``blocks``, ``text`` is already in Slack's wire
        encoding and both are sent exactly as given (a documented sample, say)."""
        user, found = self._member(user_id, channel)
        if not text.strip():
            raise FakeSlackError("no_text")
        wire, rich = (text, blocks) if blocks is not None else compose(text, self._directory())
        fields = {
            "user": user["id"],
            "text": wire,
            "team": self.identity.team_id,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": rich,
        }
        message = await self.workspace.post(found, fields, thread_ts=thread_ts)
        await self._dispatch.deliver_event(message_event(found, message))
        return copy.deepcopy(message)

    async def user_edits(self, user_id: str, channel: str, ts: str, new_text: str) -> JSON:
        user, found = self._member(user_id, channel)
        if self.workspace.find(found, ts).get("user") != user["id"]:
            raise FakeSlackError("cant_update_message", "users can only edit their own messages")
        wire, rich = compose(new_text, self._directory())
        changes = {"text": wire, "blocks": rich}
        message, previous = await self.workspace.update(found, ts, changes, user["id"])
        await self._dispatch.deliver_event(message_changed_event(found, message, previous))
        return copy.deepcopy(message)

    async def user_uploads(
        self,
        user_id: str,
        channel: str,
        thread_ts: str | None,
        data: bytes,
        filename: str,
        mimetype: str,
        *,
        title: str | None = None,
        text: str = "",
    ) -> JSON:
        user, found = self._member(user_id, channel)
        base_url = self.public_url
        stored = StoredFile(
            new_id("F"), filename, title or filename, mimetype, data, user["id"], int(time.time())
        )
        await self.workspace.add_file(stored)
        author: JSON = {"user": user["id"], "team": self.identity.team_id, "display_as_bot": False}
        wire = ""
        if text.strip():  # the comment, as the composer encodes it
            wire, author["blocks"] = compose(text, self._directory())
        message = await self._files.share(
            [stored], found, author=author, text=wire, thread_ts=thread_ts, base_url=base_url
        )
        await self._dispatch.deliver_event(message_event(found, message))
        return copy.deepcopy(message)

    async def user_clicks(
        self,
        user_id: str,
        channel: str,
        message_ts: str,
        action_id: str,
        *,
        value: str | None = None,
    ) -> Delivery:
        user, found = self._member(user_id, channel)
        message, is_ephemeral = self._clickable(found, message_ts, user["id"])
        button = find_button(message, action_id, value)
        thread_ts = message.get("thread_ts")
        target = ResponseTarget(found.id, user["id"], message_ts, thread_ts, is_ephemeral)
        payload = block_actions(
            self.identity,
            user=user,
            channel=found,
            message=message,
            button=button,
            response_url=self._responses.issue(self.public_url, target),
            is_ephemeral=is_ephemeral,
        )
        return await self._dispatch.deliver(INTERACTIVE, payload)

    async def user_runs_command(
        self, user_id: str, channel: str, command: str, text: str = ""
    ) -> Delivery:
        """Deliver a slash command; an immediate answer is shown as Slack would show it."""
        user, found = self._member(user_id, channel)
        if not command.startswith("/") or " " in command:
            raise FakeSlackError("invalid_command", f"{command!r} is not a slash command")
        target = ResponseTarget(found.id, user["id"])
        payload = slash_command(
            self.identity,
            user=user,
            channel=found,
            command=command,
            text=text,
            response_url=self._responses.issue(self.public_url, target),
        )
        delivery = await self._dispatch.deliver(SLASH_COMMANDS, payload)
        if delivery.ok and delivery.response and _is_message(delivery.response):
            await self._responses.apply(target, delivery.response)
        return delivery

    # -- helpers --------------------------------------------------------------------------

    def _directory(self) -> Directory:
        """The composer's autocomplete: people by name or display name, channels by name."""

        def user_id(name: str) -> str | None:
            for user in self.workspace.users.values():
                names = (user.get("name"), user.get("profile", {}).get("display_name"))
                if name.lower() in (n.lower() for n in names if isinstance(n, str)):
                    return str(user["id"])
            return None

        def channel_id(name: str) -> str | None:
            for channel in self.workspace.channels.values():
                if channel.name.lower() == name.lower():
                    return channel.id
            return None

        return Directory(user_id, channel_id)

    def _member(self, user_id: str, channel: str) -> tuple[JSON, Channel]:
        user = self.workspace.user(user_id)
        found = self.workspace.channel(channel)
        if user["id"] not in found.members:
            raise FakeSlackError("not_in_channel", f"{user_id} is not in {found.id}")
        return user, found

    def _clickable(self, channel: Channel, ts: str, user_id: str) -> tuple[JSON, bool]:
        try:
            return self.workspace.find(channel, ts), False
        except FakeSlackError:
            for ephemeral in self.workspace.ephemerals:
                mine = ephemeral.get("recipient") == user_id and ephemeral["channel"] == channel.id
                if mine and ephemeral["ts"] == ts:
                    return ephemeral, True
            raise


def _is_message(body: JSON) -> bool:
    return bool(body.get("text") or body.get("blocks") or body.get("attachments"))


def _describe(headline: str, messages: list[JSON]) -> str:
    lines = [f"{headline}; posted so far ({len(messages)}):"]
    for m in messages:
        who = m.get("user") or m.get("bot_id") or "?"
        thread = f" thread={m['thread_ts']}" if m.get("thread_ts") not in (None, m["ts"]) else ""
        lines.append(f"  {m['ts']}{thread} {who}: {m.get('text', '')!r}")
    return "\n".join(lines)
