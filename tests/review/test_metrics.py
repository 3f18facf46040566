"""Metrics math (handoff/review/metrics.py): percentiles, shares, per-group figures."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.core.summary import Row
from handoff.review.metrics import percentile, report, share, stats


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([float(i) for i in range(1, 11)], 0.9) == pytest.approx(9.1)
    assert percentile([10.0, 20.0, 30.0], 0.5) == 20.0


def test_share_of_nothing_is_unknown_not_zero() -> None:
    assert share(0, 0) is None
    assert share(1, 4) == 0.25


def handed(ttl: float, reply: float | None, store: str = "downtown", **kw: Any) -> Row:
    return Row(
        "c", store=store, customer_messages=1, handoff_at=100.0, claimed_at=100.0 + ttl,
        claimed_by="U0MARIA01", first_reply_at=None if reply is None else 100.0 + reply, **kw,
    )  # fmt: skip


def test_stats_over_a_mix_of_bot_and_human_conversations() -> None:
    rows = [
        Row("b1", store="riverside", customer_messages=1, bot_answers=1),
        Row("b2", store="riverside", customer_messages=2, bot_answers=2),
        Row("empty"),  # opened, nothing asked: not counted
        handed(60, 120, rating=5),
        handed(600, 4000, rating=2),
        handed(30, None),  # never answered: counts against the reply shares
    ]
    s = stats(rows)
    assert s.conversations == 5
    assert s.handed_off == 3
    assert s.bot_only == pytest.approx(2 / 5)
    assert s.time_to_human.median == 60
    assert s.time_to_human.p90 == pytest.approx(492)
    assert s.first_reply.median == pytest.approx(2060)
    assert s.first_reply.count == 2
    assert s.within_5_min == pytest.approx(1 / 3)
    assert s.within_1_h == pytest.approx(1 / 3)
    assert s.rating == 3.5
    assert s.ratings == 2
    assert s.resolution.median is None

    r = report(rows)
    assert set(r.stores) == {"(no store)", "downtown", "riverside"}
    assert r.stores["riverside"].bot_only == 1.0
    assert r.stores["downtown"].bot_only == 0.0
    assert list(r.employees) == ["U0MARIA01"]
    assert r.employees["U0MARIA01"].handed_off == 3
