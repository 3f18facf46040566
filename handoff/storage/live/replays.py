"""Signed Slack requests already seen: a replay of one within its signature's window is found.

Slack signs ``v0:{timestamp}:{body}``; the gate (and bolt) accept a signature for five
minutes either side of its timestamp. One key per signed request (family ``signed``,
handoff/storage/families.py), named by a hash of the timestamp and signature, set once
(``SET NX``) with a TTL that outlives that window.
"""

from __future__ import annotations

import hashlib

from redis.exceptions import RedisError

from handoff.errors import RedisUnavailable
from handoff.storage.store import ConversationStore

# Slack's window is five minutes either side of the request's timestamp: a request stamped
# up to five minutes ahead stays valid for ten from now; a minute more for clock drift.
REPLAY_WINDOW_SECONDS = 11 * 60


class SignedRequests:
    def __init__(self, store: ConversationStore) -> None:
        self.redis = store.redis
        self.keys = store.keys

    async def first_time(self, timestamp: str, signature: str) -> bool:
        """True the first time this signed request is seen; False for a replay."""
        digest = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
        try:
            fresh = await self.redis.set(
                self.keys.signed(digest), "1", nx=True, ex=REPLAY_WINDOW_SECONDS
            )
        except (RedisError, OSError) as exc:
            raise RedisUnavailable(f"cannot mark a signed Slack request: {exc}") from exc
        return bool(fresh)
