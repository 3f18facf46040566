"""The conversation's topic and follow-up detection (nlu.triage.topic)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nlu.triage.topic import (
    FOLLOW_UP_SECONDS,
    Topic,
    follow_up_intent,
    is_elliptical,
    new_topic,
    without_lead,
)

NOW = datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("America/Detroit"))
ASKED = Topic("ask_hours", "riverside", date(2026, 12, 25), NOW, greeted=True)


def test_a_topic_is_fresh_for_a_few_minutes_only() -> None:
    assert ASKED.fresh(NOW + timedelta(seconds=FOLLOW_UP_SECONDS))
    assert not ASKED.fresh(NOW + timedelta(seconds=FOLLOW_UP_SECONDS + 1))
    assert not ASKED.fresh(NOW - timedelta(seconds=1))  # a clock gone backwards


def test_round_trips_through_a_dict_and_refuses_a_naive_time() -> None:
    assert Topic.from_dict(ASKED.to_dict()) == ASKED
    naive = ASKED.to_dict() | {"asked_at": "2026-12-05T10:00:00"}
    with pytest.raises(ValueError, match="UTC offset"):
        Topic.from_dict(naive)


def test_after_keeps_the_store_and_greeting_and_takes_the_new_day() -> None:
    later = NOW + timedelta(minutes=2)
    nxt = ASKED.after(intent=None, store_id=None, day=None, now=later, greeted=False)
    assert nxt == Topic("ask_hours", "riverside", None, later, greeted=True)
    first = new_topic(NOW).after(intent="ask_parking", store_id="downtown", day=None, now=NOW,
                                 greeted=True)  # fmt: skip
    assert (first.intent, first.store_id, first.greeted) == ("ask_parking", "downtown", True)


@pytest.mark.parametrize(
    ("text", "leftover", "expected"),
    [
        ("and tomorrow?", "and", "ask_hours"),
        ("what about Downtown?", "what about", "ask_hours"),
        ("how about the day after?", "how about", "ask_hours"),
        ("and parking there?", "and parking there", None),  # a new subject: the NLU reads it
        ("tomorrow?", "", None),  # not elliptical: a question of its own
        ("and can you hold a ladder for me until saturday please", "and can you hold", None),
    ],
)
def test_a_follow_up_repeats_the_previous_question(
    text: str, leftover: str, expected: str | None
) -> None:
    assert follow_up_intent(text, ASKED, leftover, names_store=False) == expected


def test_no_follow_up_without_a_previous_question() -> None:
    assert follow_up_intent("and tomorrow?", None, "and", names_store=False) is None
    assert follow_up_intent("and tomorrow?", new_topic(NOW), "and", names_store=False) is None


def test_store_words_only_count_with_a_store_name() -> None:
    """ "what about the Riverside store?" is the last question for Riverside; "and the
    location?" asks something new."""
    leftover = "what about the store"
    assert follow_up_intent("what about the Riverside store?", ASKED, leftover,
                            names_store=True) == "ask_hours"  # fmt: skip
    assert (
        follow_up_intent("and the location?", ASKED, "and the location", names_store=False) is None
    )


def test_without_lead_leaves_the_question() -> None:
    assert without_lead("and parking there?") == "parking there?"
    assert without_lead("What about the returns policy") == "the returns policy"
    assert without_lead("andover hours") == "andover hours"


def test_elliptical_is_short_and_leans_on_what_came_before() -> None:
    assert is_elliptical("And on Sunday?")
    assert is_elliptical("what about riverside")
    assert not is_elliptical("are you open tomorrow?")
    assert not is_elliptical("and another thing, my order from last week never came at all")
