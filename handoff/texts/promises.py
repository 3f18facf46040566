"""What the customer is told while they wait for a person. Pure: no I/O.

Only what we can keep: a waiting time is quoted from the store's measured response
times (the median of recent claims), and only once there are enough of them; out of
hours the customer is told when the store opens rather than "soon".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nlu.facts.stores import StoreDirectory

MIN_MEASUREMENTS = 5


@dataclass(frozen=True)
class Holding:
    first_name: str | None
    employee_name: str | None  # who will reply; None: "one of our team"
    store_name: str | None
    typical_wait: float | None = None  # seconds, from typical_wait(); None: say nothing numeric
    opens_at: datetime | None = None  # store-local; set when the store is closed now
    now: datetime | None = None  # store-local; needed with opens_at to say "tomorrow"


def typical_wait(measured: Sequence[float]) -> float | None:
    """The median handoff-to-claim time, or None with too few measurements to be honest."""
    if len(measured) < MIN_MEASUREMENTS:
        return None
    return float(statistics.median(measured))


def holding_message(h: Holding) -> str:
    thanks = f"Thank you, {h.first_name}." if h.first_name else "Thank you."
    who = h.employee_name or "one of our team"
    if h.opens_at is not None and h.now is not None:
        store = f"our {h.store_name} store" if h.store_name else "the store"
        opens = f"{_day(h.opens_at, h.now)} at {_clock(h.opens_at)}"
        return (
            f"{thanks} {store[0].upper()}{store[1:]} is closed at the moment and opens "
            f"{opens}. I've passed your message to {who}, who will pick it up then and "
            "reply to you here."
        )
    where = f" at our {h.store_name} store" if h.store_name else ""
    text = f"{thanks} I've passed your message to {who}{where}, who will reply to you here"
    if h.typical_wait is None:
        return f"{text} as soon as they can."
    return f"{text}. Recently, replies have typically taken {_duration(h.typical_wait)}."


def _day(opens_at: datetime, now: datetime) -> str:
    # Calendar days in the store's timezone, so DST changes don't shift "tomorrow".
    days = (opens_at.date() - now.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return f"on {opens_at.strftime('%A')}"
    return f"on {opens_at.strftime('%A, %B')} {opens_at.day}"


def _clock(t: datetime) -> str:
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def _duration(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))  # round up: better early than late
    if minutes == 1:
        return "about a minute"
    if minutes < 90:
        return f"about {minutes} minutes"
    hours = math.ceil(minutes / 60)
    return f"about {hours} hours"


def response_seconds(
    store_id: str, *, handed_off: datetime, claimed: datetime, stores: StoreDirectory
) -> float | None:
    """How long the store took to respond, counted from when it was open.

    None for a claim before the store opened: it says nothing about opening hours,
    which is all the quoted waiting time is about.
    """
    start = handed_off
    if not stores.is_open(store_id, handed_off):
        start = stores.next_opening(store_id, handed_off)
    if claimed < start:
        return None
    return (claimed - start).total_seconds()
