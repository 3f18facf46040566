"""The worker's own HTTP endpoints: Slack's events (HTTP mode), health checks, and the
supervisors' review dashboard under ``/review``.

``/metrics`` (per-store and per-employee counts) is not for the public: with a
``METRICS_TOKEN`` it answers only ``Authorization: Bearer <token>``; without one, only
on a loopback listener and never through a proxy (a request with a forwarding header),
or on its own listener (``METRICS_PORT``, ``build_metrics_app``)."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from bot.serve import Endpoint
from handoff.metrics import CONTENT_TYPE, Metrics

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@dataclass(frozen=True)
class MetricsAccess:
    """Who may read ``/metrics`` on a listener."""

    token: str | None = field(default=None, repr=False)  # METRICS_TOKEN: a bearer token
    open: bool = False  # without a token: served at all (a loopback or metrics-only listener)


def loopback(host: str) -> bool:
    """Whether a listener on this host is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_http_app(
    slack: BaseRoute | None,
    ready: ReadyCheck,
    review: ASGIApp | None = None,
    webhooks: Mapping[str, Endpoint] | None = None,
    metrics: Metrics | None = None,
    metrics_access: MetricsAccess | None = None,
) -> Starlette:
    """``webhooks``: each customer channel's webhook endpoint by its label, served at
    ``/{label}/webhook`` (Telegram's webhook mode: bot/telegram/webhook.py);
    ``slack``: the ``/slack/events`` route (HTTP mode), whose gate checks each request before
    bolt sees it (handoff/slack/gate.py)."""
    routes: list[BaseRoute] = [
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", _readyz(ready), methods=["GET"]),
    ]
    access = metrics_access or MetricsAccess()
    if metrics is not None and (access.token or access.open):
        routes.append(Route("/metrics", _metrics(metrics, access), methods=["GET"]))
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


def build_metrics_app(metrics: Metrics, access: MetricsAccess) -> Starlette:
    """``/metrics`` alone, for its own listener (``METRICS_HOST``:``METRICS_PORT``)."""
    return Starlette(routes=[Route("/metrics", _metrics(metrics, access), methods=["GET"])])


def _metrics(metrics: Metrics, access: MetricsAccess) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if access.token:
            given = request.headers.get("authorization", "")
            expected = f"Bearer {access.token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return Response(
                    "a bearer token is required\n",
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="metrics"'},
                )
        elif any(name in request.headers for name in PROXY_HEADERS):
            return Response("not served through a proxy\n", status_code=404)
        return Response(await metrics.render(), media_type=CONTENT_TYPE)

    return endpoint
