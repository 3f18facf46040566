"""Routing deliveries to the app: Socket Mode if connected, else the HTTP Request URL.

Socket Mode wins, as for a Slack app with Socket Mode turned on. Echoes of the bot's own
messages run in the background so the Web API call that caused them is not held up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from playground.fake_slack.delivery import Delivery, HttpDeliverer
from playground.fake_slack.payloads import EVENTS_API, event_callback
from playground.fake_slack.socket import SocketHub
from playground.fake_slack.state import JSON, Identity


class Dispatcher:
    def __init__(
        self,
        identity: Identity,
        http: HttpDeliverer,
        socket: SocketHub,
        *,
        on_change: Callable[[], Awaitable[None]],
        echo_bot_messages: bool,
    ) -> None:
        self.identity = identity
        self.http = http
        self.socket = socket
        self.on_change = on_change
        self.echo_bot_messages = echo_bot_messages
        self.request_url: str | None = None
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def has_app(self) -> bool:
        return self.socket.connected or bool(self.request_url)

    async def deliver(self, kind: str, payload: JSON) -> Delivery:
        delivery = Delivery(kind, payload)
        self.deliveries.append(delivery)  # listed while in flight, attempts fill in
        if self.socket.connected:
            await self.socket.deliver(delivery)
        elif self.request_url:
            await self.http.deliver(self.request_url, delivery)
        await self.on_change()
        return delivery

    async def deliver_event(self, event: JSON) -> Delivery:
        return await self.deliver(EVENTS_API, event_callback(self.identity, event))

    def echo(self, event: JSON) -> None:
        """Slack sends the bot's own messages to the app too (bolt drops them)."""
        if self.echo_bot_messages and self.has_app:
            self._spawn(self.deliver_event(event))

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
