"""The customer channels a worker serves, each a folder of bot/ (bot/telegram/) with a
wiring that fits ``ChannelWiring``. Serving another channel is its folder and one more line
in ``customer_channels``; the flows reach every channel through one router
(handoff/queues/customers.py), by the channel's name in customers' addresses."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Protocol

from bot.endpoints import Endpoints
from bot.serve import Endpoint
from bot.settings import Settings
from bot.telegram.wiring import TelegramWiring
from handoff.flows.context import Context
from handoff.metrics import Metrics
from handoff.queues.customers import CustomerChannels
from handoff.queues.outbox import CustomerOutbox
from handoff.queues.wiring import Queues


class ChannelWiring(Protocol):
    name: str  # in customers' addresses, lanes and seen marks (handoff/core/addresses.py)
    label: str  # in /readyz

    @property
    def http_endpoint(self) -> Endpoint | None: ...

    @property
    def running(self) -> bool: ...

    def connect(self, queues: Queues) -> CustomerOutbox:
        """Its queued sends for the flows; registers the sender of its outbox lanes."""
        ...

    async def start(
        self,
        stack: AsyncExitStack,
        ctx: Context,
        queues: Queues,
        *,
        review_base: str,
        retention_days: int,
    ) -> None:
        """Ready to handle what arrives (registers its inbox lanes' runner)."""
        ...

    async def receive(self, stack: AsyncExitStack, queues: Queues) -> None:
        """Start taking messages in, once the inbox runs."""
        ...


def customer_channels(s: Settings, e: Endpoints, metrics: Metrics) -> list[ChannelWiring]:
    return [
        TelegramWiring(
            e.telegram_token,
            e.telegram_api,
            sends_per_second=s.telegram_max_sends_per_second,
            metrics=metrics,
            webhook_url=e.telegram_webhook_url,
            webhook_secret=e.telegram_webhook_secret,
        ),
    ]


def connect_all(channels: Sequence[ChannelWiring], queues: Queues) -> CustomerChannels:
    return CustomerChannels({channel.name: channel.connect(queues) for channel in channels})
