"""Where the SDKs let us count without touching the flows: PTB's rate limiter and update
handlers, slack_sdk's retry handlers, and a bolt middleware. Definitions: handoff/metrics.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from handoff.metrics import Metrics

JSONDict = dict[str, Any]
_Result = bool | JSONDict | list[JSONDict]
TELEGRAM_SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class CountingRateLimiter(AIORateLimiter):
    """PTB's limiter, which retries on Telegram's retry_after; each extra attempt counts
    as a retry and each delivered send as a message out. ``metrics`` is set by the worker."""

    metrics: Metrics | None = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        attempts = 0

        async def counted(*a: Any, **kw: Any) -> _Result:
            nonlocal attempts
            attempts += 1
            if attempts > 1 and self.metrics is not None:
                self.metrics.retried("telegram", "retry_after")
            return await callback(*a, **kw)

        result = await super().process_request(
            counted, args, kwargs, endpoint, data, rate_limit_args
        )
        if self.metrics is not None and endpoint in TELEGRAM_SENDS:
            self.metrics.sent("telegram", endpoint)
        return result


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


def count_telegram_updates(
    app: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics
) -> None:
    """A handler in its own early group sees every update and lets it pass on."""

    async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        metrics.received("telegram")

    app.add_handler(TypeHandler(Update, seen), group=-100)


def count_slack_requests(app: AsyncApp, metrics: Metrics) -> None:
    """Every verified request bolt accepts: events, button clicks, slash commands."""

    async def seen(body: dict[str, Any], next_: Callable[[], Awaitable[Any]]) -> Any:
        kind = body.get("type") or ("command" if "command" in body else "other")
        metrics.received(f"slack_{kind}")
        return await next_()

    app.use(seen)
