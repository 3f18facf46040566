"""/metrics (per-store and per-employee counts) is not open to whoever reaches the port:
a bearer token, or a loopback listener not reached through a proxy, or its own port."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from bot.http_app import MetricsAccess, build_http_app, build_metrics_app, loopback
from handoff.metrics import Metrics

TOKEN = "s3cret-metrics-token-0123"


async def _ready() -> dict[str, str]:
    return {"redis": "ok"}


async def _get(app: Starlette, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.66", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://tandem.test") as http:
        return await http.get("/metrics", headers=headers)


async def test_metrics_are_not_served_on_the_main_port_by_default() -> None:
    metrics = Metrics()
    metrics.received("telegram")
    response = await _get(build_http_app(None, _ready, metrics=metrics))
    assert response.status_code == 404
    assert "tandem_messages_in_total" not in response.text


async def test_with_a_token_only_its_bearer_reads_the_metrics() -> None:
    app = build_http_app(None, _ready, metrics=Metrics(), metrics_access=MetricsAccess(TOKEN))
    assert (await _get(app)).status_code == 401
    assert (await _get(app, authorization="Bearer wrong")).status_code == 401
    granted = await _get(app, authorization=f"Bearer {TOKEN}")
    assert granted.status_code == 200
    assert "tandem_" in granted.text


async def test_an_open_loopback_listener_refuses_what_came_through_a_proxy() -> None:
    app = build_http_app(None, _ready, metrics=Metrics(), metrics_access=MetricsAccess(open=True))
    assert (await _get(app)).status_code == 200
    assert (await _get(app, **{"x-forwarded-for": "203.0.113.9"})).status_code == 404
    only = build_metrics_app(Metrics(), MetricsAccess(open=True))
    assert (await _get(only)).status_code == 200


def test_only_loopback_hosts_count_as_private() -> None:
    assert [loopback(h) for h in ("127.0.0.1", "::1", "localhost")] == [True] * 3
    assert [loopback(h) for h in ("0.0.0.0", "10.0.0.5", "example.com")] == [False] * 3
