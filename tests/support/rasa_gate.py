"""A stand-in address for the Rasa server that a test can take down: it forwards to the
real Rasa server until ``stop()``, after which the address refuses connections."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.serve import serve_app


class RasaGate:
    def __init__(self, rasa_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=rasa_url, timeout=10)
        self.app = Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])])
        self._stack = AsyncExitStack()
        self.url = ""

    async def _forward(self, request: Request) -> Response:
        upstream = await self.http.request(
            request.method,
            request.url.path,
            content=await request.body(),
            headers={"content-type": request.headers.get("content-type", "application/json")},
        )
        return Response(
            upstream.content, upstream.status_code, media_type=upstream.headers.get("content-type")
        )

    async def start(self) -> str:
        self.url = await self._stack.enter_async_context(serve_app(self.app))
        return self.url

    async def stop(self) -> None:
        await self._stack.aclose()

    async def aclose(self) -> None:
        await self.stop()
        await self.http.aclose()
