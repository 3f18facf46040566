"""Response-time and satisfaction figures over summary rows: pure functions.

Times are measured from the handoff, because that is when the customer started waiting
for a person: time to a human (handoff → claim), first human reply (handoff → first
reply that reached the customer) and resolution (handoff → resolve).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from handoff.core.summary import Row

FIVE_MINUTES = 5 * 60
ONE_HOUR = 3600


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Spread:
    median: float | None
    p90: float | None
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(percentile(values, 0.5), percentile(values, 0.9), len(values))


@dataclass(frozen=True)
class Stats:
    conversations: int
    bot_only: float | None  # share answered by the bot alone
    handed_off: int
    time_to_human: Spread
    first_reply: Spread
    resolution: Spread
    within_5_min: float | None  # share of handoffs with a human reply within 5 minutes
    within_1_h: float | None
    rating: float | None
    ratings: int


def stats(rows: Iterable[Row]) -> Stats:
    total = bot_only = 0
    handed: list[Row] = []
    ratings: list[int] = []
    for row in rows:
        if row.customer_messages == 0 and row.handoff_at is None:
            continue  # opened, nothing asked yet
        total += 1
        bot_only += row.bot_only
        if row.handoff_at is not None:
            handed.append(row)
        if row.rating is not None:
            ratings.append(row.rating)
    first = [r.first_reply for r in handed if r.first_reply is not None]
    return Stats(
        conversations=total,
        bot_only=share(bot_only, total),
        handed_off=len(handed),
        time_to_human=Spread.of([r.time_to_human for r in handed if r.time_to_human is not None]),
        first_reply=Spread.of(first),
        resolution=Spread.of([r.resolution for r in handed if r.resolution is not None]),
        within_5_min=share(sum(f <= FIVE_MINUTES for f in first), len(handed)),
        within_1_h=share(sum(f <= ONE_HOUR for f in first), len(handed)),
        rating=sum(ratings) / len(ratings) if ratings else None,
        ratings=len(ratings),
    )


@dataclass(frozen=True)
class Report:
    overall: Stats
    stores: dict[str, Stats]
    employees: dict[str, Stats]  # by Slack id: the conversations each one took over


def report(rows: Iterable[Row]) -> Report:
    everything: list[Row] = []
    by_store: dict[str, list[Row]] = defaultdict(list)
    by_employee: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        everything.append(row)
        by_store[row.store or "(no store)"].append(row)
        if row.claimed_by:
            by_employee[row.claimed_by].append(row)
    return Report(
        overall=stats(everything),
        stores={k: stats(v) for k, v in sorted(by_store.items())},
        employees={k: stats(v) for k, v in sorted(by_employee.items())},
    )
