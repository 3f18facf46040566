"""`make bench`'s arithmetic: percentiles, histogram quantiles, the table, and the
reconciliation that calls a customer message answered, lost or duplicated."""

from __future__ import annotations

import math

import pytest
from prometheus_client import generate_latest

from benchmarks.load_report import (
    Row,
    counters,
    histogram_quantile,
    histograms,
    merged,
    minus,
    percentile,
    table,
)
from benchmarks.load_tracker import Kind, Reply, Sent, reconcile
from handoff.metrics import Metrics


def test_percentile_is_linear_between_closest_ranks() -> None:
    samples = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 99) == pytest.approx(99.01)
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))


def test_histogram_quantile_interpolates_inside_the_bucket() -> None:
    buckets = [(0.001, 10.0), (0.002, 30.0), (0.005, 40.0), (math.inf, 40.0)]
    assert histogram_quantile(buckets, 0.5) == pytest.approx(0.0015)  # rank 20 of 10..30
    assert histogram_quantile(buckets, 0.25) == pytest.approx(0.001)
    assert histogram_quantile(buckets, 0.99) == pytest.approx(0.002 + 0.003 * 9.6 / 10)
    assert histogram_quantile([(0.1, 1.0), (math.inf, 2.0)], 0.99) == 0.1  # in +Inf: the bound
    assert math.isnan(histogram_quantile([(math.inf, 0.0)], 0.5))


def test_worker_histograms_read_from_metrics_within_a_millisecond() -> None:
    """Own time observed by the worker, read back from its /metrics text: the buckets are
    fine enough that p50 and p99 land within 1 ms of the exact values up to 30 ms."""
    metrics = Metrics()
    before = histograms(generate_latest(metrics.registry).decode())
    own = [0.0007 * n for n in range(1, 41)]  # 0.7 .. 28 ms
    for seconds in own:
        metrics.handled(seconds + 0.010, 0.010)  # 10 ms of Rasa each
    after = histograms(generate_latest(metrics.registry).decode())
    name = 'tandem_customer_message_own_seconds{nlu="parsed"}'
    gathered = minus(after[name], before.get(name))
    assert gathered[-1][1] == len(own)
    for q in (0.5, 0.99):
        assert histogram_quantile(gathered, q) == pytest.approx(percentile(own, q * 100), abs=1e-3)
    both = merged(gathered, gathered)
    assert both[-1][1] == 2 * len(own)


def test_worker_counters_read_by_label() -> None:
    metrics = Metrics()
    for outcome in ("used", "used", "dropped"):
        metrics.early_parse(outcome)
    text = generate_latest(metrics.registry).decode()
    assert counters(text, "tandem_early_parses") == {"used": 2.0, "dropped": 1.0}
    assert counters(text, "tandem_no_such_counter") == {}


def test_table_shows_each_figure_with_target_and_verdict() -> None:
    lines = table(
        [
            Row("own time p50", "3.2 ms", "<= 5 ms", True),
            Row("lost", "2", "0", False),
            Row("x", "y"),
        ]
    ).splitlines()
    assert lines[0].split() == ["figure", "value", "target", "verdict"]
    assert lines[2].endswith("PASS")
    assert "3.2 ms" in lines[2]
    assert lines[3].endswith("MISS")
    assert lines[4].split() == ["x", "y"]


def test_reconcile_counts_answers_handoffs_threads_and_replies() -> None:
    chat = 100_000
    sent = [
        Sent(chat, 0, Kind.FACTUAL, "hours?", at=0.0, outcome_at=0.1),
        Sent(chat, 1, Kind.FACTUAL, "parking?", at=1.0, outcome_at=1.1),
        Sent(chat, 2, Kind.UPSET, "angry", at=2.0, outcome_at=2.2),
        Sent(chat, 3, Kind.THREAD, "news? (ref q100000x3)", at=3.0, outcome_at=3.1),
        Sent(chat, 4, Kind.THREAD, "hello? (ref q100000x4)", at=4.0, outcome_at=None),
    ]
    transcript = [
        (False, "hours?"),
        (True, "We open at 7"),
        (False, "parking?"),
        (True, "Free parking"),
        (True, "Free parking"),  # answered twice
        (False, "angry"),
        (True, "Passed to the team"),
        (False, "news? (ref q100000x3)"),
        (False, "hello? (ref q100000x4)"),
        (True, "Maria · Downtown\nI've checked order 10000003"),
    ]
    tally = reconcile(
        sent,
        [Reply(chat, "10000003", at=3.5, delivered_at=3.9), Reply(chat, "10000004", at=5.0)],
        {chat: transcript},
        {chat: [2.1]},
        {"q100000x3": [3.1]},
    )
    assert [round(x, 3) for x in tally.answered] == [0.1, 0.1]
    assert tally.cards == [pytest.approx(0.2)]
    assert tally.thread == [pytest.approx(0.1)]
    assert tally.replies == [pytest.approx(0.4)]
    assert tally.duplicated == ["customer 100000, message 1 (factual): 2 bot answers"]
    assert tally.lost == [
        "customer 100000, message 4 (thread)",
        "employee reply 10000004 to customer 100000",
    ]
