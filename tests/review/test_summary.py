"""Summary rows folded from transcript events (handoff/core/summary.py): pure."""

from __future__ import annotations

from handoff.core.state import Event
from handoff.core.summary import LONG_WAIT_SECONDS, Row, event_words, with_event, words
from handoff.storage.records.indexer import fold
from tests.review.seed import MARIA, nlu


def ev(kind: str, at: float, by: str = "customer", **detail: object) -> Event:
    return Event(kind, at, by, None, dict(detail))


def test_times_are_measured_from_the_first_handoff() -> None:
    events = [
        ev("customer_message", 0, text="my order never came"),
        Event("handoff", 5, "bot", "emotional", {"nlu": nlu("complaint", -0.7)}),
        ev("claim", 65, MARIA),
        ev("employee_reply", 125, MARIA, text="Hi, Maria here"),
        ev("employee_reply", 200, MARIA, text="Found it"),
        ev("resolve", 605, MARIA),
    ]
    row, found = fold(None, events, "c1")
    assert (row.time_to_human, row.first_reply, row.resolution) == (60, 120, 600)
    assert row.claimed_by == MARIA
    assert row.employees == (MARIA,)
    assert row.reason == "emotional"
    assert row.reasons == ("emotional",)
    assert row.sentiment == "negative"
    assert row.min_sentiment == -0.7
    assert row.human_replies == 2
    assert not row.bot_only
    assert {"order", "never", "came", "maria", "found"} <= found
    assert "my" not in found
    assert "hi" in found


def test_flags_follow_the_numbers_and_marks_stick() -> None:
    row = Row("c1", handoff_at=0.0, claimed_at=LONG_WAIT_SECONDS + 1.0)
    assert "long_wait" in row.flags
    assert "long_wait" not in Row("c1", handoff_at=0.0, claimed_at=LONG_WAIT_SECONDS).flags
    rated = with_event(Row("c1"), ev("rating", 10, rating=2))
    assert rated.rating == 2
    assert rated.flags == ("low_rating",)
    assert with_event(rated, ev("rating", 11, rating=5)).flags == ()
    assert with_event(Row("c1"), ev("rating", 10, rating="nine")).rating is None
    negative = with_event(Row("c1"), Event("bot_answer", 1, "bot", None, {"nlu": nlu("x", -0.2)}))
    assert negative.flags == ("negative_bot",)
    assert negative.bot_only
    wrong = with_event(negative, ev("marked_wrong", 2, "supervisor:alice", index=0))
    risky = with_event(wrong, ev("guard_finding", 3, "guard"))
    assert risky.flags == ("wrong_answer", "risky", "negative_bot")


def test_row_round_trips_through_json() -> None:
    row = Row("c9", chat_id="7", opened=1.5, store="downtown", reasons=("a", "b"), rating=4)
    assert Row.from_json(row.to_json()) == row
    assert Row.from_json('{"id": "c9", "unknown": 1}') == Row("c9")


def test_search_words_come_from_what_people_wrote() -> None:
    assert words("Where's the RIVERSIDE store? I need a 2x4!") == {
        "where", "riverside", "store", "need", "2x4",
    }  # fmt: skip
    edit = ev("edit", 1, previous="old words", text="new words")
    assert event_words(edit) == {"old", "new", "words"}
    assert event_words(ev("bot_answer", 1, "bot", text="we open at nine")) == set()
