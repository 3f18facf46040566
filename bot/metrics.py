"""Prometheus metrics, served at ``GET /metrics`` on each worker.

Each worker owns its registry (not prometheus_client's global one), so several workers
can live in one process, as the tests run them. Flows call the small helpers below.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

# Handoff to claim: seconds to hours, since a store may be closed when a customer writes.
TIME_TO_HUMAN_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


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
        self._depth: Callable[[], Awaitable[int]] | None = None

    def received(self, source: str) -> None:
        self.messages_in.labels(source).inc()

    def sent(self, channel: str, method: str) -> None:
        self.messages_out.labels(channel, method).inc()

    def decided(self, route: str, reason: str) -> None:
        self.triage.labels(route, reason).inc()

    def retried(self, channel: str, kind: str) -> None:
        self.send_retries.labels(channel, kind).inc()

    def claimed(self, seconds: float) -> None:
        self.time_to_human.observe(max(0.0, seconds))

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
