"""Prometheus metrics, served at ``GET /metrics`` on each worker.

Each worker owns its registry (not prometheus_client's global one), so several workers
can live in one process, as the tests run them. Flows call the small helpers below.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from nlu.rasa.timing import parse_seconds

log = logging.getLogger(__name__)

# Handoff to claim: seconds to hours, since a store may be closed when a customer writes.
TIME_TO_HUMAN_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# One customer message, and its Rasa parse: milliseconds to seconds.
MESSAGE_BUCKETS = (
    *(n / 1000 for n in (5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 500, 750)),
    *(1.0, 2.0, 5.0, 10.0),
)
# Tandem's own time per message (beyond the parse): 0.5 ms wide up to 10 ms and 1 ms wide up
# to 30 ms, so p50 and p99 read from the buckets are within 1 ms where the targets lie.
OWN_TIME_BUCKETS = (
    *(n / 2000 for n in range(1, 21)),
    *(n / 1000 for n in range(11, 31)),
    *(n / 1000 for n in (40, 50, 75, 100, 150, 250, 500)),
    *(1.0, 2.5, 5.0, 10.0),
)


class Metrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.messages_in = Counter(
            "tandem_messages_in", "Updates and events received", ["source"], registry=r
        )
        self.messages_out = Counter(
            "tandem_messages_out", "Messages sent", ["channel", "method"], registry=r
        )
        self.triage = Counter(
            "tandem_triage_decisions", "Triage decisions", ["route", "reason"], registry=r
        )
        self.send_retries = Counter(
            "tandem_send_retries",
            "Retried sends (SDK retry handling)",
            ["channel", "kind"],
            registry=r,
        )
        self.time_to_human = Histogram(
            "tandem_time_to_human_seconds",
            "Handoff to an employee's claim, wall-clock seconds",
            buckets=TIME_TO_HUMAN_BUCKETS,
            registry=r,
        )
        self.pending_timers = Gauge(
            "tandem_pending_timers", "Timers waiting in Redis (offers to expire)", registry=r
        )
        self.message_seconds = Histogram(
            "tandem_customer_message_seconds",
            "Handling one customer message, start to end, Rasa parse included",
            buckets=MESSAGE_BUCKETS,
            registry=r,
        )
        self.parse_seconds = Histogram(
            "tandem_rasa_parse_seconds",
            "Rasa /model/parse time spent on one customer message (messages that were parsed)",
            buckets=MESSAGE_BUCKETS,
            registry=r,
        )
        self.own_seconds = Histogram(
            "tandem_customer_message_own_seconds",
            "Handling one customer message minus its Rasa parse: Tandem's own time",
            ["nlu"],  # parsed | not_parsed (e.g. a message for the Slack thread)
            buckets=OWN_TIME_BUCKETS,
            registry=r,
        )
        self.early_parses = Counter(
            "tandem_early_parses",
            "Customer messages' Rasa parses by when they started: with the first read and "
            "used, dropped (a person had the chat), or late (started after the read)",
            ["outcome"],
            registry=r,
        )
        self.refused_sends = Counter(
            "tandem_refused_sends",
            "Sends to customers the channel refused for good, by reason (blocked, "
            "chat_not_found, too_long, file_refused, ...); each is told in the thread",
            ["channel", "reason"],
            registry=r,
        )
        self._depth: Callable[[], Awaitable[int]] | None = None

    def received(self, source: str) -> None:
        self.messages_in.labels(source).inc()

    def sent(self, channel: str, method: str) -> None:
        self.messages_out.labels(channel, method).inc()

    def refused(self, channel: str, reason: str) -> None:
        self.refused_sends.labels(channel, reason).inc()

    def decided(self, route: str, reason: str) -> None:
        self.triage.labels(route, reason).inc()

    def retried(self, channel: str, kind: str) -> None:
        self.send_retries.labels(channel, kind).inc()

    def early_parse(self, outcome: str) -> None:
        self.early_parses.labels(outcome).inc()

    def claimed(self, seconds: float) -> None:
        self.time_to_human.observe(max(0.0, seconds))

    def handled(self, seconds: float, parse_seconds: float) -> None:
        """One customer message took `seconds`, of which `parse_seconds` waiting for Rasa."""
        self.message_seconds.observe(seconds)
        if parse_seconds > 0:
            self.parse_seconds.observe(parse_seconds)
        nlu = "parsed" if parse_seconds > 0 else "not_parsed"
        self.own_seconds.labels(nlu).observe(max(0.0, seconds - parse_seconds))

    def track_pending(self, depth: Callable[[], Awaitable[int]]) -> None:
        """Redis is async and collectors are not: the gauge is read when /metrics is asked."""
        self._depth = depth

    async def render(self) -> bytes:
        if self._depth is not None:
            try:
                self.pending_timers.set(await self._depth())
            except Exception as exc:  # a scrape must not fail because Redis blinked
                log.warning("pending timers not read", extra={"error": type(exc).__name__})
        return generate_latest(self.registry)


class _HasMetrics(Protocol):
    metrics: Metrics


class _Flow(Protocol):
    @property
    def ctx(self) -> _HasMetrics: ...


F = TypeVar("F", bound=_Flow)
M = TypeVar("M")
R = TypeVar("R")


def timed_message(
    handler: Callable[[F, M], Awaitable[R]],
) -> Callable[[F, M], Coroutine[Any, Any, R]]:
    """Decorates a flow's customer-message handler: its whole time, its Rasa parse time and
    the difference (Tandem's own time) go into the flow's ``ctx.metrics``."""

    @functools.wraps(handler)
    async def timed(flow: F, message: M) -> R:
        token = parse_seconds.set(0.0)
        started = time.perf_counter()
        try:
            return await handler(flow, message)
        finally:
            flow.ctx.metrics.handled(time.perf_counter() - started, parse_seconds.get())
            parse_seconds.reset(token)

    return timed
