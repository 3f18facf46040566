"""What the waiting customer is told (handoff.texts.promises): measured, honest, calm."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handoff.texts.promises import Holding, holding_message, response_seconds, typical_wait
from nlu.facts.stores import StoreDirectory

DATA = Path(__file__).resolve().parents[4] / "data"
DET = ZoneInfo("America/Detroit")


@pytest.fixture(scope="module")
def stores() -> StoreDirectory:
    return StoreDirectory.load(DATA / "stores.yml")


def closed_message(stores: StoreDirectory, store_id: str, now: datetime) -> str:
    assert not stores.is_open(store_id, now)
    return holding_message(
        Holding(
            "Alex",
            "Maria",
            stores.get(store_id).name,
            opens_at=stores.next_opening(store_id, now),
            now=stores.local(now),
        )
    )


def test_no_waiting_time_is_quoted_from_too_few_measurements() -> None:
    assert typical_wait([]) is None
    assert typical_wait([60, 120, 180, 240]) is None
    assert typical_wait([60, 600, 120, 180, 240]) == 180  # the median, not the mean
    text = holding_message(Holding("Alex", "Aisha", "Riverside", typical_wait=None))
    assert text == (
        "Thank you, Alex. I've passed your message to Aisha at our Riverside store, "
        "who will reply to you here as soon as they can."
    )
    assert not re.search(r"\d", text)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (20, "about a minute"),
        (200, "about 4 minutes"),  # rounded up: better early than late
        (45 * 60, "about 45 minutes"),
        (3 * 3600, "about 3 hours"),
    ],
)
def test_the_measured_median_is_quoted(seconds: float, said: str) -> None:
    text = holding_message(Holding(None, None, "Riverside", typical_wait=seconds))
    assert text.startswith("Thank you. I've passed your message to one of our team at our ")
    assert text.endswith(f"Recently, replies have typically taken {said}.")


def test_without_a_store_nothing_is_invented() -> None:
    text = holding_message(Holding("Sam", None, None))
    assert text == (
        "Thank you, Sam. I've passed your message to one of our team, "
        "who will reply to you here as soon as they can."
    )


@pytest.mark.parametrize(
    ("store", "now", "opens"),
    [
        ("downtown", datetime(2026, 11, 29, 14, 0, tzinfo=DET), "tomorrow at 7 am"),  # Sunday
        ("downtown", datetime(2026, 11, 24, 5, 30, tzinfo=DET), "today at 7 am"),  # early
        ("downtown", datetime(2026, 11, 24, 19, 0, tzinfo=DET), "tomorrow at 7 am"),  # closing
        ("downtown", datetime(2026, 11, 25, 20, 0, tzinfo=DET), "on Friday at 7 am"),  # holiday
        ("downtown", datetime(2026, 11, 28, 18, 30, tzinfo=DET), "on Monday at 7 am"),
        # Spring forward: Sunday 14 March 2027 opens at 9 am local, not 10 am.
        ("riverside", datetime(2027, 3, 13, 21, 0, tzinfo=DET), "tomorrow at 9 am"),
        # Fall back: the night of 31 October 2026 is 25 hours long.
        ("riverside", datetime(2026, 10, 31, 23, 30, tzinfo=DET), "tomorrow at 9 am"),
    ],
)
def test_out_of_hours_says_when_the_store_opens(
    stores: StoreDirectory, store: str, now: datetime, opens: str
) -> None:
    text = closed_message(stores, store, now)
    name = stores.get(store).name
    assert text == (
        f"Thank you, Alex. Our {name} store is closed at the moment and opens {opens}. "
        "I've passed your message to Maria, who will pick it up then and reply to you here."
    )


def test_a_long_closure_names_the_date(stores: StoreDirectory) -> None:
    opens_at = datetime(2026, 12, 7, 7, 0, tzinfo=DET)
    now = datetime(2026, 11, 29, 14, 0, tzinfo=DET)
    text = holding_message(Holding(None, None, "Downtown", opens_at=opens_at, now=now))
    assert "opens on Monday, December 7 at 7 am" in text
    assert "one of our team, who will pick it up then" in text


def test_no_exclamation_marks_anywhere(stores: StoreDirectory) -> None:
    texts = [
        holding_message(Holding("Alex", "Aisha", "Riverside", typical_wait=300)),
        holding_message(Holding(None, None, None)),
        closed_message(stores, "downtown", datetime(2026, 11, 29, 14, 0, tzinfo=DET)),
    ]
    assert all("!" not in t for t in texts)


def test_response_time_counts_only_opening_hours(stores: StoreDirectory) -> None:
    open_at = datetime(2026, 11, 24, 11, 0, tzinfo=DET)
    claimed = datetime(2026, 11, 24, 11, 3, tzinfo=DET)
    assert response_seconds("downtown", handed_off=open_at, claimed=claimed, stores=stores) == 180
    sunday = datetime(2026, 11, 29, 14, 0, tzinfo=DET)
    monday = datetime(2026, 11, 30, 7, 5, tzinfo=DET)
    assert response_seconds("downtown", handed_off=sunday, claimed=monday, stores=stores) == 300
    night_claim = datetime(2026, 11, 29, 15, 0, tzinfo=DET)
    assert response_seconds("downtown", handed_off=sunday, claimed=night_claim, stores=stores) is (
        None
    )
