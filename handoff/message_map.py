"""Which conversation each customer message belongs to, and its post in the Slack thread.

An edit arrives with only the Telegram message id; this finds the conversation to record
it in and the Slack message to update. Keys: ``tandem:tgmsg:{chat_id}:{message_id}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from handoff.store import ConversationStore

# Customers rarely edit old messages; after this an edit is recorded in the current
# conversation instead, and the Slack post stays as it was.
KEEP_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Posted:
    conversation_id: str
    slack_ts: str | None  # None: shown on the card or as a file, not as its own post


class MessageMap:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.prefix = store.prefix

    def _key(self, chat_id: int, message_id: int) -> str:
        return f"{self.prefix}:tgmsg:{chat_id}:{message_id}"

    async def record(
        self, chat_id: int, message_id: int, conversation_id: str, slack_ts: str | None = None
    ) -> None:
        key = self._key(chat_id, message_id)
        fields = {"conv": conversation_id}
        if slack_ts:
            fields["ts"] = slack_ts
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=cast(Any, fields))
            pipe.expire(key, KEEP_SECONDS)
            await pipe.execute()

    async def find(self, chat_id: int, message_id: int) -> Posted | None:
        raw = await self.redis.hgetall(self._key(chat_id, message_id))
        fields = {_text(k): _text(v) for k, v in raw.items()}
        if "conv" not in fields:
            return None
        return Posted(fields["conv"], fields.get("ts"))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
