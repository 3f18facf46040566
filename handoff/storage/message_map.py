"""Which conversation each customer message belongs to, and its post in the Slack thread.

An edit arrives with only the Telegram message id; this finds the conversation to record
it in and the Slack message to update. One hash per chat, ``tandem:tgmsg:{chat_id}``
(handoff/storage/families.py):
message id -> "conversation id" or "conversation id, space, Slack ts". It keeps the
chat's latest ``KEEP_MESSAGES`` messages, for ``KEEP_SECONDS`` after the chat's last one.
Maps written before it (one hash per message, ``tgmsg:{chat_id}:{message_id}``) are
still read.

The other direction, ``DeskReplies``: an employee's reply (its Slack ts) -> the messages
the customer got for it (ids on their channel, each a text or a file's caption, and when
it was sent), so an edit or deletion in Slack can change them. One hash per chat,
``tandem:deskmsg:{chat_id}``: ts -> JSON list. Written by the channel's sender once it has
sent (one lane per chat: never two writers of a chat at once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from handoff.storage.keys import Keys
from handoff.storage.store import ConversationStore, Extra

# Customers rarely edit old messages; an edit of one the map no longer has is recorded
# in the current conversation instead, and the Slack post stays as it was.
KEEP_SECONDS = 30 * 24 * 3600
KEEP_MESSAGES = 1000

# KEYS[1] the chat's map. ARGV: message id, value, seconds to keep, messages to keep,
# '1' to leave an entry already there (one without a Slack post never replaces one with).
_RECORD = """
redis.call(ARGV[5] == '1' and 'HSETNX' or 'HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local over = redis.call('HLEN', KEYS[1]) - tonumber(ARGV[4])
if over > 0 then
  local ids = redis.call('HKEYS', KEYS[1])
  table.sort(ids, function(a, b) return tonumber(a) < tonumber(b) end)
  for i = 1, over do redis.call('HDEL', KEYS[1], ids[i]) end
end
"""


@dataclass(frozen=True)
class Posted:
    conversation_id: str
    slack_ts: str | None  # None: shown on the card or as a file, not as its own post


class MessageMap:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.keys = store.keys

    def _key(self, chat_id: str) -> str:
        return self.keys.message_map(chat_id)

    def entry(
        self, chat_id: str, message_id: int, conversation_id: str, slack_ts: str | None = None
    ) -> Extra:
        """Queue the message's entry into a transaction (e.g. the message's save)."""
        value = f"{conversation_id} {slack_ts}" if slack_ts else conversation_id
        args = (message_id, value, KEEP_SECONDS, KEEP_MESSAGES, "0" if slack_ts else "1")

        def queue(pipe: Pipeline) -> None:
            pipe.eval(_RECORD, 1, self._key(chat_id), *args)

        return queue

    async def record(
        self, chat_id: str, message_id: int, conversation_id: str, slack_ts: str | None = None
    ) -> None:
        """An entry on its own round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            self.entry(chat_id, message_id, conversation_id, slack_ts)(pipe)
            await pipe.execute()

    async def find(self, chat_id: str, message_id: int) -> Posted | None:
        raw = await self.redis.hget(self._key(chat_id), str(message_id))
        if raw is not None:
            conv, _, ts = _text(raw).partition(" ")
            return Posted(conv, ts or None)
        old = await self.redis.hgetall(self.keys.old_message_map(chat_id, message_id))
        fields = {_text(k): _text(v) for k, v in old.items()}
        return Posted(fields["conv"], fields.get("ts")) if "conv" in fields else None


@dataclass(frozen=True)
class Delivered:
    """One message the customer got for an employee's reply."""

    message_id: int
    kind: str  # "text", or "caption" (a file's caption)
    sent_at: float


class DeskReplies:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys

    async def find(self, chat_id: str, ts: str) -> list[Delivered]:
        raw = await self.redis.hget(self.keys.desk_map(chat_id), ts)
        if raw is None:
            return []
        return [Delivered(int(m), str(k), float(at)) for m, k, at in json.loads(_text(raw))]

    async def add(self, chat_id: str, ts: str, sent: Delivered) -> None:
        await self.set(chat_id, ts, [*await self.find(chat_id, ts), sent])

    async def set(self, chat_id: str, ts: str, messages: list[Delivered]) -> None:
        """The reply's messages now (none: the entry goes)."""
        key = self.keys.desk_map(chat_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            if messages:
                rows = [[m.message_id, m.kind, m.sent_at] for m in messages]
                pipe.hset(key, ts, json.dumps(rows))
                pipe.expire(key, KEEP_SECONDS)
            else:
                pipe.hdel(key, ts)
            await pipe.execute()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
