"""Comment captures: after "Add a comment", the chat's next text message is the comment.

One key per chat, ``rating:comment:{chat_id}`` (a customer's family in
handoff/storage/families.py, so erasure deletes it): the rated conversation's id, with a TTL.
The flow is handoff/flows/ratings.py.
"""

from __future__ import annotations

from handoff.storage.store import ConversationStore


class CommentCaptures:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.keys = store.keys

    async def arm(self, chat_id: str, conv_id: str, seconds: int) -> None:
        await self.redis.set(self.keys.rating_comment(chat_id), conv_id, ex=seconds)

    async def armed(self, chat_id: str) -> bool:
        return bool(await self.redis.exists(self.keys.rating_comment(chat_id)))

    async def take(self, chat_id: str) -> str | None:
        """The armed conversation's id, disarming it; None when none is armed."""
        raw = await self.redis.getdel(self.keys.rating_comment(chat_id))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def disarm(self, chat_id: str) -> None:
        await self.redis.delete(self.keys.rating_comment(chat_id))
