"""Replies the guard holds back, in Redis until Send anyway or Edit (handoff/flows/guard.py).

Keys (handoff/storage/families.py): ``guard:held:{id}``, the held reply as JSON, and
``guard:answered:{id}``, what the first click on it was told; both with a TTL. The id
travels in the buttons' value.
"""

from __future__ import annotations

import json
from typing import Any

from handoff.storage.store import ConversationStore


class GuardHolds:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.keys = store.keys

    async def hold(self, hold_id: str, held: dict[str, Any], seconds: int) -> None:
        await self.redis.set(self.keys.held(hold_id), json.dumps(held), ex=seconds)

    async def peek(self, hold_id: str) -> dict[str, Any] | None:
        raw = await self.redis.get(self.keys.held(hold_id))
        return dict(json.loads(raw)) if raw else None

    async def take(self, hold_id: str) -> bool:
        """Drop the hold; False when it was gone already (a double click, another worker)."""
        return bool(await self.redis.delete(self.keys.held(hold_id)))

    async def answer(self, hold_id: str, text: str, seconds: int) -> None:
        await self.redis.set(self.keys.held_answer(hold_id), text, ex=seconds)

    async def answered(self, hold_id: str) -> str | None:
        answer = await self.redis.get(self.keys.held_answer(hold_id))
        return answer.decode() if isinstance(answer, bytes) else answer
