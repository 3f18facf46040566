"""The worker's own HTTP endpoints: Slack's events (HTTP mode), health checks, and the
supervisors' review dashboard under ``/review``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]


def build_http_app(
    slack: AsyncApp | None, ready: ReadyCheck, review: ASGIApp | None = None
) -> Starlette:
    routes: list[BaseRoute] = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", _readyz(ready), methods=["GET"]),
    ]
    if slack is not None:
        handler = AsyncSlackRequestHandler(slack)

        async def slack_events(request: Request) -> Response:
            return await handler.handle(request)

        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    if review is not None:
        routes.append(Mount("/review", app=review))
    return Starlette(routes=routes)


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _readyz(ready: ReadyCheck) -> Callable[[Request], Awaitable[Response]]:
    async def readyz(request: Request) -> Response:
        checks = await ready()
        ok = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    return readyz
