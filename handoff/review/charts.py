"""Horizontal bar charts as plain data for an inline SVG template: no script, no library."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

LABEL_WIDTH = 170
BAR_WIDTH = 320
ROW_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown, e.g. "4 min" or "—"
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.bar_width + 90

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW_HEIGHT + 8


def bar_chart(
    title: str, values: Sequence[tuple[str, float | None]], show: Callable[[float | None], str]
) -> Chart:
    """One bar per label, scaled to the largest value; a missing value has no bar."""
    top = max((v for _, v in values if v is not None), default=0.0)
    bars = tuple(
        Bar(
            label=label[:28],
            text=show(value),
            y=i * ROW_HEIGHT + 4,
            width=round(BAR_WIDTH * value / top) if value is not None and top > 0 else 0,
        )
        for i, (label, value) in enumerate(values)
    )
    return Chart(title, bars)
