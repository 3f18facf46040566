"""Counting Telegram traffic where PTB lets us, without touching the flows.

PTB's rate limiter (retries and sends) and an early update handler (updates in).
Definitions: handoff/metrics.py; Slack's counting: handoff/slack/metrics.py.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

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


def count_telegram_updates(
    app: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics
) -> None:
    """A handler in its own early group sees every update and lets it pass on."""

    async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        metrics.received("telegram")

    app.add_handler(TypeHandler(Update, seen), group=-100)
