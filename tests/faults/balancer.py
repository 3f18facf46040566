"""A round-robin load balancer in front of several workers, as in a deployment with many:
each request (a Telegram webhook update, a Slack event or click) goes to the next worker."""

from __future__ import annotations

from collections import Counter

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "content-encoding"}


class RoundRobin:
    def __init__(self) -> None:
        self.targets: list[str] = []  # base URLs of the workers, e.g. http://127.0.0.1:8080
        self.served: Counter[str] = Counter()  # requests forwarded to each target
        self._next = 0
        self._http = httpx.AsyncClient(timeout=30.0, trust_env=False)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])])

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _forward(self, request: Request) -> Response:
        if not self.targets:
            return Response("no worker", status_code=503)
        target = self.targets[self._next % len(self.targets)]
        self._next += 1
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            answer = await self._http.request(
                request.method,
                f"{target}{request.url.path}",
                params=request.query_params,
                content=await request.body(),
                headers=headers,
            )
        except httpx.HTTPError:
            return Response("worker unreachable", status_code=502)
        self.served[target] += 1
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
        return Response(answer.content, status_code=answer.status_code, headers=kept)
