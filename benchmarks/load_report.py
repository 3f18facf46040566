"""The load benchmark's arithmetic and its table: percentiles of samples, quantiles of
Prometheus histograms (as ``histogram_quantile`` computes them), and the rows of figures
with their targets. The helpers are pure, tested in tests/unit/benchmarks/test_load_report.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client.parser import text_string_to_metric_families

if TYPE_CHECKING:
    from benchmarks.load_customers import Results
    from benchmarks.load_harness import Direct, Snapshot
    from benchmarks.load_tracker import Tally

# (upper bound in seconds, cumulative count), sorted, the last bound +Inf.
Buckets = list[tuple[float, float]]


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks; NaN when empty."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def p50_p90_p99(samples: Sequence[float]) -> tuple[float, float, float]:
    return percentile(samples, 50), percentile(samples, 90), percentile(samples, 99)


def histogram_quantile(buckets: Buckets, q: float) -> float:
    """The q-quantile (0-1) of a cumulative histogram, linear inside the bucket it falls in,
    the lowest bucket starting at 0; in the +Inf bucket: the highest finite bound. NaN when
    empty. The error is at most the width of that bucket."""
    if not buckets or buckets[-1][1] <= 0:
        return math.nan
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank and count > below:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = (bound if not math.isinf(bound) else lower), count
    return lower


def histograms(metrics_text: str) -> dict[str, Buckets]:
    """Every histogram of a /metrics page, by name plus its labels other than ``le``
    (``name{label="value"}``), as cumulative buckets."""
    found: dict[str, dict[float, float]] = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.type != "histogram":
            continue
        for sample in family.samples:
            if not sample.name.endswith("_bucket"):
                continue
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()) if k != "le")
            key = family.name + (f"{{{labels}}}" if labels else "")
            found.setdefault(key, {})[float(sample.labels["le"])] = sample.value
    return {key: sorted(buckets.items()) for key, buckets in found.items()}


def counters(metrics_text: str, name: str) -> dict[str, float]:
    """A counter of a /metrics page by the value of its one label (``""`` without one)."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name == name and family.type == "counter":
            for sample in family.samples:
                if sample.name == f"{name}_total":
                    found[next(iter(sample.labels.values()), "")] = sample.value
    return found


def minus(after: Buckets, before: Buckets | None) -> Buckets:
    """What a histogram gathered between two scrapes."""
    earlier = dict(before or [])
    return [(bound, count - earlier.get(bound, 0.0)) for bound, count in after]


def merged(*parts: Buckets) -> Buckets:
    """The sum of histograms with the same bounds (e.g. one per label value)."""
    total: dict[float, float] = {}
    for part in parts:
        for bound, count in part:
            total[bound] = total.get(bound, 0.0) + count
    return sorted(total.items())


def count(buckets: Buckets) -> int:
    return int(buckets[-1][1]) if buckets else 0


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def latency_cell(p50: float, p90: float, p99: float) -> str:
    return f"p50 {ms(p50)}, p90 {ms(p90)}, p99 {ms(p99)}"


@dataclass(frozen=True)
class Row:
    name: str
    value: str
    target: str = ""
    passed: bool | None = None  # None: information, no target

    @property
    def verdict(self) -> str:
        return "" if self.passed is None else "PASS" if self.passed else "MISS"


def table(rows: Sequence[Row]) -> str:
    """Rows as a plain-text table: figure, value, target, verdict."""
    head = Row("figure", "value", "target")
    widths = [
        max(len(r.name) for r in (head, *rows)),
        max(len(r.value) for r in (head, *rows)),
        max(len(r.target) for r in (head, *rows)),
    ]

    def line(r: Row, verdict: str) -> str:
        cells = (r.name.ljust(widths[0]), r.value.ljust(widths[1]), r.target.ljust(widths[2]))
        return ("  ".join(cells) + "  " + verdict).rstrip()

    rule = "-" * (sum(widths) + 4 + 2 + 4)
    return "\n".join([line(head, "verdict"), rule, *(line(r, r.verdict) for r in rows)])


OWN = "tandem_customer_message_own_seconds"
KB = 1024


@dataclass
class Phase:
    """Customers run `concurrency` at a time: what they did, what became of it, and the
    worker and Redis read before and after."""

    concurrency: int
    think: float
    results: Results
    tally: Tally
    seconds: float
    before: Snapshot
    after: Snapshot

    @property
    def done(self) -> int:
        return sum(1 for m in self.results.sent if m.outcome_at is not None)

    def gathered(self, name: str) -> Buckets:
        """A histogram of the worker's /metrics, as it grew during the phase."""
        h0, h1 = histograms(self.before.metrics), histograms(self.after.metrics)
        return minus(h1[name], h0.get(name)) if name in h1 else []

    def counted(self, name: str) -> dict[str, int]:
        """A labelled counter of the worker's /metrics, as it grew during the phase."""
        c0, c1 = counters(self.before.metrics, name), counters(self.after.metrics, name)
        return {label: int(value - c0.get(label, 0.0)) for label, value in sorted(c1.items())}

    def own(self, nlu: str | None = None) -> tuple[float, float, float]:
        labels = [nlu] if nlu else ["parsed", "not_parsed"]
        return quantiles(merged(*(self.gathered(f'{OWN}{{nlu="{n}"}}') for n in labels)))

    def cpu_ms(self) -> str:
        worker = (self.after.cpu - self.before.cpu) / max(self.done, 1)
        bench = (self.after.bench_cpu - self.before.bench_cpu) / max(self.done, 1)
        return f"{ms(worker)} (the fakes and customers: {ms(bench)})"


def quantiles(b: Buckets) -> tuple[float, float, float]:
    return histogram_quantile(b, 0.5), histogram_quantile(b, 0.9), histogram_quantile(b, 0.99)


def rows(
    load: Phase, solo: Phase, direct: list[Direct], memory: dict[str, float], telegram_rate: int
) -> list[Row]:
    t, sent = load.tally, load.results.sent
    rate = load.done / load.seconds
    rasa_rate = sum(d.calls for d in direct) / sum(d.seconds for d in direct)
    own50, _, own99 = load.own()
    cap = load.concurrency / load.think if load.think else math.inf  # the most customers send
    conversations = len({m.chat for m in sent})
    per_conv = (load.after.used_memory - load.before.used_memory) / max(conversations, 1)
    per_conv_messages = len(sent) / max(conversations, 1)
    per_twenty = per_conv * 20 / per_conv_messages
    scaled = (
        "" if per_conv_messages == 20 else f", {per_conv / KB:.1f} KB for {per_conv_messages:.0f}"
    )
    hwm = memory["VmHWM"]
    return [
        Row(
            "messages",
            f"{len(sent)} from {conversations} customers, {load.concurrency} at a time, "
            f"{load.think:.1f} s between an answer and the next: "
            f"{len(t.answered)} answered, {len(t.cards)} handed off, {len(t.thread)} in threads",
        ),
        Row(
            "throughput",
            f"{rate:.1f} msg/s = {rate / rasa_rate:.2f} x Rasa's {rasa_rate:.1f} parses/s"
            + (f" (customers offer < {cap:.0f}/s: raise --concurrency)" if cap < rasa_rate else ""),
            ">= 0.9 x Rasa",
            rate >= 0.9 * rasa_rate,
        ),
        Row("bot's Telegram sends allowed", f"{telegram_rate}/s (real Telegram: about 30/s a bot)"),
        Row("customer message -> bot answer", latency_cell(*p50_p90_p99(t.answered))),
        Row("  one at a time", latency_cell(*p50_p90_p99(solo.tally.answered))),
        Row("upset message -> card in Slack", latency_cell(*p50_p90_p99(t.cards))),
        Row("thread message -> its post", latency_cell(*p50_p90_p99(t.thread))),
        Row("employee reply -> customer", latency_cell(*p50_p90_p99(t.replies))),
        Row("take over -> introduction", latency_cell(*p50_p90_p99(load.results.take_overs))),
        Row("Tandem's own time p50", ms(own50), "<= 5 ms", own50 <= 0.005),
        Row("Tandem's own time p99", ms(own99), "<= 25 ms", own99 <= 0.025),
        Row("  parsed messages", latency_cell(*load.own("parsed"))),
        Row("  thread messages (no parse)", latency_cell(*load.own("not_parsed"))),
        Row("  one at a time", latency_cell(*solo.own())),
        Row(
            "  parses begun with the first read",
            ", ".join(f"{n} {o}" for o, n in load.counted("tandem_early_parses").items()),
        ),
        Row(
            "worker's Rasa parse",
            latency_cell(*quantiles(load.gathered("tandem_rasa_parse_seconds"))),
        ),
        Row(
            "  one at a time", latency_cell(*quantiles(solo.gathered("tandem_rasa_parse_seconds")))
        ),
        Row(
            "Rasa /model/parse direct",
            f"{direct[0].rate:.1f}/s before, {direct[-1].rate:.1f}/s after; "
            + latency_cell(*p50_p90_p99([x for d in direct for x in d.latencies])),
        ),
        Row("worker CPU per message", load.cpu_ms()),
        Row("  one at a time (idle polling included)", solo.cpu_ms()),
        Row(
            "worker peak RSS (VmHWM)",
            f"{hwm:.0f} MB (now {memory['VmRSS']:.0f} MB)",
            "<= 200 MB",
            hwm <= 200,
        ),
        Row(
            "Redis per 20-message conversation",
            f"{per_twenty / KB:.1f} KB (used_memory for data, delta / conversations{scaled})",
            "<= 10 KB",
            per_twenty <= 10 * KB,
        ),
        Row(
            "late, handed off / answered instead",
            f"{t.late} late; {t.handed_off_instead} factual handed off, "
            f"{t.answered_instead} upset answered",
        ),
        Row("lost", str(len(t.lost)), "0", not t.lost),
        Row("duplicated", str(len(t.duplicated)), "0", not t.duplicated),
    ]


def families(usage: dict[str, int], conversations: int, top: int = 8) -> str:
    """Redis bytes by key family (MEMORY USAGE summed), per conversation, biggest first."""
    total = sum(usage.values()) / max(conversations, 1) / KB
    lines = [
        f"Redis keys, MEMORY USAGE per conversation: {total:.2f} KB in all "
        f"({conversations} conversations); the biggest families:"
    ]
    for name, size in sorted(usage.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {size / max(conversations, 1) / KB:7.2f} KB  {name}")
    return "\n".join(lines)
