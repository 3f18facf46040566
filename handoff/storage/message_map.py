"""Which conversation each customer message belongs to, and its post in the Slack thread.

An edit arrives with only the Telegram message id; this finds the conversation to record
it in and the Slack message to update. One hash per chat, ``tandem:tgmsg:{chat_id}``
(handoff/storage/families.py):
message id -> "conversation id" or "conversation id, space, Slack ts". It keeps the
chat's latest ``KEEP_MESSAGES`` messages, for ``KEEP_SECONDS`` after the chat's last one.
Maps written before it (one hash per message, ``tgmsg:{chat_id}:{message_id}``) are
still read.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio.client import Pipeline

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


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
