"""Rating words and buttons (handoff.texts.ratings), and how buttons become Telegram keyboards."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.telegram.channel import keyboard
from handoff.core.ports import Button
from handoff.texts.ratings import (
    RatingPress,
    parse_rate,
    promotion_buttons,
    rating_buttons,
    share_url,
    thanks,
    transcript_url,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("rate:c12:5", RatingPress("c12", 5)),
        ("rate:c1:1", RatingPress("c1", 1)),
        ("rate:c12:0", None),
        ("rate:c12:6", None),
        ("rate:c12:x", None),
        ("rate::3", None),
        ("rate:c12", None),
        ("store:c12:3", None),
    ],
)
def test_parse_rate_accepts_only_a_conversation_and_1_to_5(
    data: str, expected: RatingPress | None
) -> None:
    assert parse_rate(data) == expected


def test_rating_buttons_round_trip_and_fit_telegrams_64_bytes() -> None:
    [row] = rating_buttons("c123456789012")
    assert isinstance(row, list)
    assert [parse_rate(b.data) for b in row] == [
        RatingPress("c123456789012", n) for n in range(1, 6)
    ]
    assert all(len(b.data.encode()) <= 64 for b in row)


def test_share_url_points_at_the_bot_with_a_text() -> None:
    url = urlsplit(share_url("maple_main_bot", "Maple & Main Hardware"))
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "t.me", "/share/url")
    assert query["url"] == ["https://t.me/maple_main_bot"]
    assert query["text"][0].startswith("Maple & Main Hardware answers on Telegram")


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (5, "Thank you, Sam! I'll pass that on to Aisha."),
        (4, "Thank you, Sam! I'll pass that on to Aisha."),
        (3, "Thank you, Sam, that helps us get better."),
        (2, "Thank you for telling us, Sam, and I'm sorry we let you down."),
        (1, "Thank you for telling us, Sam, and I'm sorry we let you down."),
    ],
)
def test_thanks_fit_the_score(score: int, expected: str) -> None:
    assert thanks(score, "Sam", "Aisha").startswith(expected)


def test_thanks_without_a_name_or_a_person() -> None:
    assert thanks(5, None, None).startswith("Thank you! I'll pass that on to our team.")


def test_transcript_url_is_the_dashboards_conversation_page() -> None:
    assert transcript_url("https://tandem.example/", "c7") == "https://tandem.example/review/c/c7"
    assert transcript_url("http://127.0.0.1:8080", "c7") == "http://127.0.0.1:8080/review/c/c7"


def test_keyboard_rows_and_link_buttons() -> None:
    rows = [
        *promotion_buttons("https://review.example/r", "Riverside", "bot", "Shop"),
        Button("Add a comment", "rcomment:c1"),
        *rating_buttons("c1"),
    ]
    markup = keyboard(rows).to_dict()["inline_keyboard"]
    assert [len(row) for row in markup] == [1, 1, 1, 5]
    assert markup[0][0] == {"text": "Review Riverside", "url": "https://review.example/r"}
    assert markup[1][0]["url"].startswith("https://t.me/share/url?")
    assert markup[2][0] == {"text": "Add a comment", "callback_data": "rcomment:c1"}
    assert markup[3][4] == {"text": "5", "callback_data": "rate:c1:5"}
