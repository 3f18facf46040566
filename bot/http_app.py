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

from handoff.metrics import CONTENT_TYPE, Metrics
from handoff.slack.gate import SlackGate

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]
Endpoint = Callable[[Request], Awaitable[Response]]


def build_http_app(
    slack: AsyncApp | None,
    ready: ReadyCheck,
    review: ASGIApp | None = None,
    telegram: Endpoint | None = None,
    slack_signing_secret: str = "",
    metrics: Metrics | None = None,
) -> Starlette:
    """``telegram``: the Telegram webhook endpoint (webhook mode, bot/telegram/webhook.py);
    Slack's events pass the gate in handoff/slack/gate.py before bolt sees them."""
    routes: list[BaseRoute] = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", _readyz(ready), methods=["GET"]),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", _metrics(metrics), methods=["GET"]))
    if telegram is not None:
        routes.append(Route("/telegram/webhook", telegram, methods=["POST"]))
    if slack is not None:
        gate = SlackGate(AsyncSlackRequestHandler(slack), slack_signing_secret)
        routes.append(Route("/slack/events", gate.endpoint, methods=["POST"]))
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


def _metrics(metrics: Metrics) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return Response(await metrics.render(), media_type=CONTENT_TYPE)

    return endpoint
