"""The worker's two Redis queues, wired: the inbox (updates and events in) and the outbox
(sends out). Each has lanes in Redis (handoff/queues/lanes.py), a pump that works them
(handoff/queues/pump.py) and a router from a lane's kind to its handler."""

from __future__ import annotations

from redis.asyncio import Redis

from handoff.queues.lanes import Lanes
from handoff.queues.outbox import Outbox
from handoff.queues.pump import LanePump, LaneRouter, QueueObserver
from handoff.storage.store import ConversationStore

# Lanes worked at once by one worker. A send may wait out a chat's pace (about a second),
# so the outbox keeps many lanes going; the inbox is bounded by Rasa and Redis.
OUTBOX_CONCURRENCY = 256
INBOX_CONCURRENCY = 64
# A numbered send is kept from repeating for this long: retries come within minutes.
OUTBOX_ONCE_SECONDS = 3600


class Queues:
    def __init__(
        self, redis: Redis, store: ConversationStore, observer: QueueObserver | None = None
    ) -> None:
        self.inbox_lanes = Lanes(redis, prefix=store.prefix, name="in")
        self.outbox_lanes = Lanes(
            redis, prefix=store.prefix, name="out", once_seconds=OUTBOX_ONCE_SECONDS
        )
        self.inbox_router, self.outbox_router = LaneRouter(), LaneRouter()
        self.inbox_pump = LanePump(
            self.inbox_lanes,
            self.inbox_router,
            name="inbox",
            concurrency=INBOX_CONCURRENCY,
            observer=observer,
        )
        self.outbox_pump = LanePump(
            self.outbox_lanes,
            self.outbox_router,
            name="outbox",
            concurrency=OUTBOX_CONCURRENCY,
            observer=observer,
        )
        self.outbox = Outbox(self.outbox_lanes, wake=self.outbox_pump.wake)

    async def idle(self) -> bool:
        """Nothing waiting in or out, nothing in hand (for tests and benchmarks)."""
        return await self.inbox_pump.idle() and await self.outbox_pump.idle()
