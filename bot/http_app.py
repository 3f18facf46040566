"""The worker's own HTTP endpoints: Slack's events (HTTP mode), health checks, and the
supervisors' review dashboard under ``/review``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from handoff.metrics import CONTENT_TYPE, Metrics

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]
Endpoint = Callable[[Request], Awaitable[Response]]


def build_http_app(
    slack: BaseRoute | None,
    ready: ReadyCheck,
    review: ASGIApp | None = None,
    webhooks: Mapping[str, Endpoint] | None = None,
    metrics: Metrics | None = None,
) -> Starlette:
    """``webhooks``: each customer channel's webhook endpoint by its label, served at
    ``/{label}/webhook`` (Telegram's webhook mode: bot/telegram/webhook.py);
    ``slack``: the ``/slack/events`` route (HTTP mode), whose gate checks each request before
    bolt sees it (handoff/slack/gate.py)."""
    routes: list[BaseRoute] = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", _readyz(ready), methods=["GET"]),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", _metrics(metrics), methods=["GET"]))
    for label, endpoint in (webhooks or {}).items():
        routes.append(Route(f"/{label}/webhook", endpoint, methods=["POST"]))
    if slack is not None:
        routes.append(slack)
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
