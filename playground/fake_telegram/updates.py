"""Update queue of the fake Telegram: long polling (getUpdates) and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Update types the real server sends when allowed_updates is empty or was never set.
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Pauses between webhook attempts; after the last one the update stays queued until the next
# activity (a new update or setWebhook) triggers another round.
WEBHOOK_RETRY_DELAYS = (0.05, 0.25, 1.0)


class Notifier:
    """Wakes every waiter on any state change; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, probe: Callable[[], T | None], within: float) -> T | None:
        """Returns the first non-None result of `probe`, or None after `within` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while (found := probe()) is None:
                    await self._event.wait()
                return found
        return probe()


class UpdateQueue:
    """Pending updates, in order, until a getUpdates offset or a webhook delivery confirms them."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self.allowed_updates: list[str] = []
        # Bumped by every getUpdates call; an older long poll still waiting gets 409.
        self.poll_generation = 0

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if not self.allows(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        self._notifier.notify()
        return update

    def push_raw(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Queues ``fields`` as one update, unchecked, with the next update_id (tests of
        malformed input: the real server never sends such updates)."""
        update = {**fields, "update_id": self._next_id}
        self._next_id += 1
        self._pending.append(update)
        self._notifier.notify()
        return update

    def allows(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _DEFAULT_EXCLUDED

    def confirm(self, offset: int) -> None:
        """Applies getUpdates' offset: positive confirms older ids, negative keeps the tail."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def peek(self, limit: int) -> list[dict[str, Any]]:
        # Drop updates queued before allowed_updates changed, as the real server eventually does.
        self._pending = [u for u in self._pending if self.allows(_kind(u))]
        return self._pending[:limit]

    def remove(self, update: dict[str, Any]) -> None:
        with contextlib.suppress(ValueError):
            self._pending.remove(update)

    def clear(self) -> None:
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._pending)


def _kind(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")  # "": a raw, empty update


class WebhookDelivery:
    """POSTs queued updates to the webhook URL, one at a time and in order."""

    def __init__(self, queue: UpdateQueue) -> None:
        self._queue = queue
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.ip_address: str | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def configure(self, url: str, secret_token: str | None) -> None:
        self.url = url
        self.secret_token = secret_token
        self.last_error_date = self.last_error_message = None

    def kick(self) -> None:
        """Starts a delivery round (needs a running loop; a no-op without a webhook)."""
        if not self.url:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="fake-telegram-webhook"
            )
        self._wake.set()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def info(self) -> dict[str, Any]:
        """The Bot API `WebhookInfo` object."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self.ip_address:
                info["ip_address"] = self.ip_address
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        if self._queue.allowed_updates:
            info["allowed_updates"] = list(self._queue.allowed_updates)
        return info

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await self._drain(client)

    async def _drain(self, client: httpx.AsyncClient) -> None:
        while self.url and (batch := self._queue.peek(1)):
            if not await self._deliver(client, batch[0]):
                return  # kept queued; retried on the next kick
            self._queue.remove(batch[0])

    async def _deliver(self, client: httpx.AsyncClient, update: dict[str, Any]) -> bool:
        for delay in (*WEBHOOK_RETRY_DELAYS, None):
            error = await self._post(client, update)
            if error is None:
                return True
            self.last_error_date, self.last_error_message = int(time.time()), error
            logger.warning("webhook delivery of update %s failed: %s", update["update_id"], error)
            if delay is None or not self.url:
                return False
            await asyncio.sleep(delay)
        return False

    async def _post(self, client: httpx.AsyncClient, update: dict[str, Any]) -> str | None:
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        try:
            response = await client.post(self.url, json=update, headers=headers)
        except httpx.HTTPError as err:
            return f"Connection failed: {err.__class__.__name__}"
        if response.is_success:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
