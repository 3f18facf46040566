"""Run any ASGI app with uvicorn inside the current event loop (the worker, tests, the
playground).

A client's address comes from ``X-Forwarded-For`` only when the direct peer is one of
``forwarded_allow_ips`` (uvicorn's meaning: addresses, networks, or ``*``); by default
no peer is trusted, so no client can choose the address the dashboard limits and audits.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Literal

import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

# One route's handler, as the worker's HTTP app mounts it (a channel's webhook, /metrics).
Endpoint = Callable[[Request], Awaitable[Response]]


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that reports startup and leaves process concerns to its host."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()
        self.startup_failed = False

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        except SystemExit:  # uvicorn exits the process when lifespan startup fails
            self.startup_failed = self.should_exit = True
        finally:
            self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # signals belong to whoever runs the event loop, not to this server


@contextlib.asynccontextmanager
async def serve_app(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    lifespan: Literal["auto", "on", "off"] = "on",
    graceful_shutdown_timeout: int = 5,
    ws: Literal["none", "auto", "websockets-sansio", "wsproto"] = "none",
    forwarded_allow_ips: str | None = None,
) -> AsyncIterator[str]:
    """Serves `app` until the block exits; yields its base URL, e.g. "http://127.0.0.1:54321".

    The socket is bound before uvicorn starts, so port 0 picks a free port that is known here.
    On exit, requests still running get `graceful_shutdown_timeout` seconds before cancellation.
    WebSockets are off by default (uvicorn's legacy websockets backend warns on import).
    `forwarded_allow_ips`: the proxies whose X-Forwarded-For/-Proto are believed (None: none;
    uvicorn's own default, and its FORWARDED_ALLOW_IPS variable, would trust 127.0.0.1).
    """
    sock = _bind(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        ws=ws,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or "",
        timeout_graceful_shutdown=graceful_shutdown_timeout,
    )
    server = _EmbeddedServer(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]), name=f"uvicorn {host}:{port}")
    try:
        await _wait_ready(server, serving)
        bound_host, bound_port = sock.getsockname()[:2]
        yield f"http://{_url_host(bound_host)}:{bound_port}"
    finally:
        server.should_exit = True
        try:
            await serving
        finally:
            sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


async def _wait_ready(server: _EmbeddedServer, serving: asyncio.Task[None]) -> None:
    ready = asyncio.ensure_future(server.ready.wait())
    try:
        await asyncio.wait({ready, serving}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ready
    if serving.done():
        serving.result()  # re-raises a failure to load the app
    if server.startup_failed or serving.done():
        raise RuntimeError("the ASGI app failed to start (see the lifespan error logged above)")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
