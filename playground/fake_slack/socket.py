"""Socket Mode: apps.connections.open tickets, the WebSocket endpoint, envelopes and acks.

The app (slack_sdk's SocketModeClient) connects with a one-time ticket, gets `hello`, then
receives envelopes and must ack each with {"envelope_id": ...} (optionally with a payload).
Protocol-level ping/pong is answered by the ASGI server's WebSocket implementation.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

from playground.fake_slack.delivery import Attempt, Delivery
from playground.fake_slack.payloads import EVENTS_API, SLASH_COMMANDS
from playground.fake_slack.state import JSON


class SocketConnection:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.pending: dict[str, asyncio.Future[JSON]] = {}
        self.closed = False

    def on_text(self, text: str) -> None:
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            return  # real Slack ignores garbage from the client too
        if not isinstance(message, dict):
            return
        future = self.pending.get(str(message.get("envelope_id")))
        if future is not None and not future.done():
            future.set_result(message)

    def close(self) -> None:
        self.closed = True
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("socket closed"))


class SocketHub:
    def __init__(
        self,
        app_id: str,
        *,
        ack_timeout: float,
        max_retries: int,
        on_change: Callable[[], Awaitable[None]],
    ) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self.on_change = on_change
        self.connections: list[SocketConnection] = []
        self._tickets: set[str] = set()

    @property
    def connected(self) -> bool:
        return any(not c.closed for c in self.connections)

    def issue_url(self, base_url: str) -> str:
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        ws_base = "ws" + base_url.removeprefix("http")  # http→ws, https→wss
        return f"{ws_base}/socket?ticket={ticket}&app_id={self.app_id}"

    async def endpoint(self, websocket: WebSocket) -> None:
        ticket = websocket.query_params.get("ticket", "")
        if ticket not in self._tickets:
            await websocket.close(code=1008)  # before accept: the handshake is refused (403)
            return
        self._tickets.discard(ticket)
        await websocket.accept()
        connection = SocketConnection(websocket)
        await websocket.send_json(self._hello())
        self.connections.append(connection)
        await self.on_change()
        try:
            await self._read(connection)
        finally:
            connection.close()
            self.connections.remove(connection)
            await self.on_change()

    async def _read(self, connection: SocketConnection) -> None:
        while True:
            message = await connection.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None and message.get("bytes") is not None:
                text = message["bytes"].decode("utf-8", "replace")
            if text:
                connection.on_text(text)

    def _hello(self) -> JSON:
        return {
            "type": "hello",
            "num_connections": len(self.connections) + 1,
            "debug_info": {
                "host": "applink-fake-tandem",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    async def deliver(self, delivery: Delivery) -> None:
        """Send the envelope to the newest connection; Events API deliveries are re-sent."""
        delivery.mode = "socket"
        envelope_id = str(uuid.uuid4())
        tries = 1 + (self.max_retries if delivery.kind == EVENTS_API else 0)
        used: list[SocketConnection] = []
        try:
            for retry_num in range(tries):
                connection = self._current()
                if connection is None:
                    delivery.attempts.append(Attempt(retry_num, None, 0.0, "no_connection"))
                    return
                used.append(connection)
                ack = await self._attempt(connection, delivery, envelope_id, retry_num)
                if ack is not None:
                    payload = ack.get("payload")
                    delivery.response = payload if isinstance(payload, dict) else None
                    return
        finally:
            for connection in used:  # nobody will wait for a late ack any more
                connection.pending.pop(envelope_id, None)

    def _current(self) -> SocketConnection | None:
        live = [c for c in self.connections if not c.closed]
        return live[-1] if live else None

    async def _attempt(
        self, connection: SocketConnection, delivery: Delivery, envelope_id: str, retry_num: int
    ) -> JSON | None:
        envelope = {
            "envelope_id": envelope_id,
            "type": delivery.kind,
            "payload": delivery.payload,
            "accepts_response_payload": delivery.kind == SLASH_COMMANDS,
            "retry_attempt": retry_num,
            "retry_reason": "timeout" if retry_num else "",
        }
        # a late ack for an earlier attempt of the same envelope still counts
        future = connection.pending.setdefault(
            envelope_id, asyncio.get_running_loop().create_future()
        )
        started = time.monotonic()
        try:
            await connection.websocket.send_json(envelope)
            ack = await asyncio.wait_for(asyncio.shield(future), self.ack_timeout)
        except TimeoutError:
            delivery.attempts.append(
                Attempt(retry_num, None, time.monotonic() - started, "timeout")
            )
            return None
        except (OSError, RuntimeError, WebSocketDisconnect) as error:  # closed under us
            connection.closed = True
            elapsed = time.monotonic() - started
            delivery.attempts.append(
                Attempt(retry_num, None, elapsed, f"connection_closed: {error}")
            )
            return None
        delivery.attempts.append(Attempt(retry_num, 200, time.monotonic() - started))
        return ack
