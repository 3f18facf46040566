"""The inbox's and outbox's Prometheus metrics, on the worker's own registry
(handoff/metrics.py)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class QueueMetrics:
    """Implements ``lane_pump.QueueObserver``: jobs done, retried and given up; depth."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.jobs = Counter(
            "tandem_queue_jobs",
            "Inbox and outbox jobs by outcome (done, retry, dead)",
            ["queue", "outcome"],
            registry=registry,
        )
        self.waiting = Gauge(
            "tandem_queue_depth",
            "Jobs waiting in the inbox and outbox",
            ["queue"],
            registry=registry,
        )

    def outcome(self, queue: str, outcome: str) -> None:
        self.jobs.labels(queue, outcome).inc()

    def depth(self, queue: str, jobs: int) -> None:
        self.waiting.labels(queue).set(jobs)
