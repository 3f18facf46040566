"""Counting Slack traffic where the SDKs let us, without touching the flows.

slack_sdk's retry handlers (retries) and a bolt middleware (requests in).
Definitions: handoff/metrics.py; Telegram's counting: bot/telegram/metrics.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from handoff.metrics import Metrics


class _CountingRetry(AsyncRetryHandler):
    """Wraps one of slack_sdk's retry handlers; counts each retry it grants."""

    def __init__(self, inner: AsyncRetryHandler, metrics: Metrics) -> None:
        super().__init__(max_retry_count=inner.max_retry_count)
        self.inner = inner
        self.metrics = metrics
        self.kind = type(inner).__name__.removeprefix("Async").removesuffix("RetryHandler")

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return await self.inner.can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        self.metrics.retried("slack", self.kind)
        await self.inner.prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


def count_slack_retries(client: AsyncWebClient, metrics: Metrics) -> None:
    client.retry_handlers = [_CountingRetry(h, metrics) for h in client.retry_handlers]


def count_slack_requests(app: AsyncApp, metrics: Metrics) -> None:
    """Every verified request bolt accepts: events, button clicks, slash commands."""

    async def seen(body: dict[str, Any], next_: Callable[[], Awaitable[Any]]) -> Any:
        kind = body.get("type") or ("command" if "command" in body else "other")
        metrics.received(f"slack_{kind}")
        return await next_()

    app.use(seen)
