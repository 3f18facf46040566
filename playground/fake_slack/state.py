"""In-memory Slack workspace for the fake: users, channels, threaded messages, ephemerals, files.

Every mutation is async so it can wake waiters on one asyncio.Condition; tests and the
playground wait on that instead of polling.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

JSON = dict[str, Any]
T = TypeVar("T")

MAX_TEXT_LENGTH = 40_000  # chat.postMessage truncates/refuses beyond this


class FakeSlackError(Exception):
    """Bad input: `code` is the Slack error code the Web API would answer with."""

    def __init__(self, code: str, detail: str = "", *, messages: list[str] | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        # The detail Slack gives in response_metadata.messages, each prefixed "[ERROR] ".
        self.messages = list(messages or [])

    def response(self) -> JSON:
        """The Web API's answer to this error."""
        answer: JSON = {"ok": False, "error": self.code}
        if self.messages:
            answer["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return answer


@dataclass(frozen=True)
class Identity:
    """Who the workspace and the installed Tandem app are."""

    team_id: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    verification_token: str


@dataclass
class Channel:
    id: str
    name: str
    created: int
    members: set[str]
    messages: list[JSON] = field(default_factory=list)  # top-level and replies, in ts order

    def info(self, bot_user_id: str) -> JSON:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_archived": False,
            "is_general": False,
            "is_member": bot_user_id in self.members,
            "created": self.created,
            "creator": bot_user_id,
            "num_members": len(self.members),
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    mimetype: str
    data: bytes
    user: str
    created: int
    channel: str | None = None
    thread_ts: str | None = None
    share_ts: str | None = None

    def to_json(self, base_url: str) -> JSON:
        private = f"{base_url}/files/{self.id}/{self.name}"
        shares: JSON = {}
        if self.channel and self.share_ts:
            share: JSON = {"ts": self.share_ts, "channel_name": "", "reply_count": 0}
            if self.thread_ts:
                share["thread_ts"] = self.thread_ts
            shares = {"public": {self.channel: [share]}}
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title,
            "mimetype": self.mimetype,
            "filetype": self.name.rsplit(".", 1)[-1] if "." in self.name else "binary",
            "user": self.user,
            "size": len(self.data),
            "mode": "hosted",
            "is_external": False,
            "is_public": True,
            "url_private": private,
            "url_private_download": f"{base_url}/files/{self.id}/download/{self.name}",
            "permalink": f"{base_url}/files/{self.id}/{self.name}",
            "channels": [self.channel] if self.channel else [],
            "shares": shares,
        }


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


class Workspace:
    """Users, channels and messages; all returned messages are the live stored dicts."""

    def __init__(self, identity: Identity, bot_name: str = "tandem") -> None:
        self.identity = identity
        self.users: dict[str, JSON] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: list[JSON] = []
        self.files: dict[str, StoredFile] = {}
        self.changed = asyncio.Condition()
        # Called with each new message as it is stored (see FakeState.on_message).
        self.on_post: list[Callable[[Channel, JSON], None]] = []
        self._last_micros = 0
        self.users[identity.bot_user_id] = normalize_user(
            {"id": identity.bot_user_id, "name": bot_name, "is_bot": True}, identity.team_id
        )

    # -- directory -------------------------------------------------------------------------

    def add_user(self, user: JSON) -> JSON:
        stored = normalize_user(user, self.identity.team_id)
        self.users[stored["id"]] = stored
        for channel in self.channels.values():
            channel.members.add(stored["id"])
        return stored

    def add_channel(self, channel_id: str, name: str, *, bot_member: bool = True) -> Channel:
        members = {uid for uid, u in self.users.items() if not u["is_bot"]}
        if bot_member:
            members.add(self.identity.bot_user_id)
        channel = Channel(channel_id, name.lstrip("#"), int(time.time()), members)
        self.channels[channel_id] = channel
        return channel

    def channel(self, ref: str | None) -> Channel:
        """Look a channel up by id, name or #name, as chat.postMessage accepts."""
        if ref:
            if ref in self.channels:
                return self.channels[ref]
            for channel in self.channels.values():
                if channel.name == ref.lstrip("#"):
                    return channel
        raise FakeSlackError("channel_not_found", str(ref))

    def user(self, user_id: str | None) -> JSON:
        if user_id and user_id in self.users:
            return self.users[user_id]
        raise FakeSlackError("user_not_found", str(user_id))

    # -- messages --------------------------------------------------------------------------

    def next_ts(self) -> str:
        """Strictly increasing, Slack-shaped ("1732480000.000100") even within one microsecond."""
        self._last_micros = max(self._last_micros + 1, time.time_ns() // 1000)
        seconds, micros = divmod(self._last_micros, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def find(self, channel: Channel, ts: str | None) -> JSON:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        raise FakeSlackError("message_not_found", f"{channel.id}/{ts}")

    def thread(self, channel: Channel, thread_ts: str) -> list[JSON]:
        parent = self.find(channel, thread_ts)
        root = parent.get("thread_ts", parent["ts"])
        return [m for m in channel.messages if m["ts"] == root or m.get("thread_ts") == root]

    @staticmethod
    def top_level(channel: Channel) -> list[JSON]:
        return [m for m in channel.messages if is_top_level(m)]

    async def post(self, channel: Channel, message: JSON, *, thread_ts: str | None = None) -> JSON:
        """Store `message` (ts assigned here); a reply also updates its parent's thread stats."""
        stored = {"type": "message", **message, "ts": self.next_ts()}
        if thread_ts:
            parent = self._thread_root(channel, thread_ts)
            stored["thread_ts"] = parent["ts"]
            stored["parent_user_id"] = parent.get("user", "")
            _count_reply(parent, stored)
        channel.messages.append(stored)
        for listener in self.on_post:
            listener(channel, stored)
        await self.notify()
        return stored

    async def update(
        self, channel: Channel, ts: str, changes: JSON, editor: str
    ) -> tuple[JSON, JSON]:
        """Apply `changes` (None deletes a key); returns (message, previous_message)."""
        message = self.find(channel, ts)
        previous = copy.deepcopy(message)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edited"] = {"user": editor, "ts": self.next_ts()}
        await self.notify()
        return message, previous

    async def delete(self, channel: Channel, ts: str) -> JSON:
        message = self.find(channel, ts)
        channel.messages.remove(message)
        root = message.get("thread_ts")
        if root and root != ts:
            parent = next((m for m in channel.messages if m["ts"] == root), None)
            if parent is not None:
                parent["reply_count"] = max(0, parent.get("reply_count", 1) - 1)
        await self.notify()
        return message

    async def add_ephemeral(self, ephemeral: JSON) -> JSON:
        stored = {"type": "message", **ephemeral, "ts": self.next_ts()}
        self.ephemerals.append(stored)
        await self.notify()
        return stored

    async def add_file(self, stored: StoredFile) -> StoredFile:
        self.files[stored.id] = stored
        await self.notify()
        return stored

    def _thread_root(self, channel: Channel, thread_ts: str) -> JSON:
        try:
            message = self.find(channel, thread_ts)
        except FakeSlackError:
            raise FakeSlackError("thread_not_found", f"{channel.id}/{thread_ts}") from None
        root = message.get("thread_ts", message["ts"])
        return self.find(channel, root)

    # -- waiting ---------------------------------------------------------------------------

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(
        self,
        probe: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 - the timeout error must describe the workspace
        describe: Callable[[], str],
    ) -> T:
        """Wait until `probe()` returns something; on timeout say what the workspace holds."""
        async with self.changed:
            try:
                async with asyncio.timeout(timeout):
                    while (found := probe()) is None:
                        await self.changed.wait()
                    return found
            except TimeoutError:
                raise TimeoutError(describe()) from None


def is_top_level(message: JSON) -> bool:
    thread_ts = message.get("thread_ts")
    return (
        thread_ts is None
        or thread_ts == message["ts"]
        or message.get("subtype") == "thread_broadcast"
    )


def _count_reply(parent: JSON, reply: JSON) -> None:
    parent["thread_ts"] = parent["ts"]
    parent["reply_count"] = parent.get("reply_count", 0) + 1
    users = parent.setdefault("reply_users", [])
    if reply.get("user") and reply["user"] not in users:
        users.append(reply["user"])
    parent["reply_users_count"] = len(users)
    parent["latest_reply"] = reply["ts"]
    parent.setdefault("is_locked", False)


def normalize_user(user: JSON, team_id: str) -> JSON:
    """Fill a seeded user out to the users.info shape, keeping whatever the caller set."""
    if not user.get("id"):
        raise FakeSlackError("invalid_arguments", "a user needs an id")
    name = user.get("name") or user["id"].lower()
    profile = dict(user.get("profile") or {})
    real_name = user.get("real_name") or profile.get("real_name") or name
    profile.setdefault("real_name", real_name)
    profile.setdefault("display_name", name)
    profile.setdefault("image_72", f"https://avatars.invalid/{user['id']}_72.png")
    profile.setdefault("team", team_id)
    return {
        "team_id": team_id,
        "deleted": False,
        "is_bot": False,
        "is_app_user": False,
        "tz": "UTC",
        "tz_label": "Coordinated Universal Time",
        "tz_offset": 0,
        **user,
        "name": name,
        "real_name": real_name,
        "profile": profile,
    }
