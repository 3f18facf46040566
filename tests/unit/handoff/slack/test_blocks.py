"""Block Kit rendering (handoff.slack.blocks): customer text can neither ping nor format,
each status shows its buttons, and nothing breaks Slack's size limits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from handoff.core.ports import HandoffCard, TranscriptLine
from handoff.slack.blocks import (
    ACTION_BACK_TO_BOT,
    ACTION_PASS,
    ACTION_RESOLVE,
    ACTION_TAKE_OVER,
    card_blocks,
    card_text,
    customer_message_blocks,
    plain,
)
from handoff.slack.card_budget import TEXT_BUDGET, text_size

SNEAKY = "<!channel> <@U0LUIS01> <https://evil.example|x> & *bold*"
TEXT_LIMIT = 3000  # Slack's limit for any text object
HEADER_LIMIT = 150  # Slack's limit for a header's text
TELEGRAM_MAX = 4096  # the longest message a customer can send


def card(**changes: Any) -> HandoffCard:
    base = HandoffCard(
        conversation_id="c9",
        customer_name="Alex Smith",
        store_name="Riverside",
        language="en",
        past_conversations=2,
        notes=("prefers email",),
        reason="emotional",
        reason_detail="negative sentiment",
        nlu={"intent": "order_status", "confidence": 0.91, "sentiment": -0.62},
        recent=(TranscriptLine("customer", "where is my order?"),),
        status="pending",
        offered_to="U0AISHA01",
    )
    return replace(base, **changes)


def text_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every Block Kit text object anywhere in the blocks."""
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def actions(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_customer_controlled_fields_cannot_ping_from_the_card() -> None:
    blocks = card_blocks(
        card(
            customer_name=SNEAKY,
            language=SNEAKY,
            reason_detail=SNEAKY,
            notes=(SNEAKY,),
            recent=(TranscriptLine("customer", SNEAKY),),
        )
    )
    for obj in text_objects(blocks):
        if obj["type"] == "mrkdwn":
            assert "<!channel>" not in obj["text"]
            assert "<@U0LUIS01>" not in obj["text"]  # Tandem mentions only the offeree
            assert "<https://evil" not in obj["text"]
    # Shown exactly as typed where it is plain text.
    plain_texts = [o["text"] for o in text_objects(blocks) if o["type"] == "plain_text"]
    assert f"{SNEAKY} needs a person" in plain_texts
    assert any(f"customer: {SNEAKY}" in t for t in plain_texts)
    assert "&lt;!channel&gt;" in card_text(card(customer_name=SNEAKY))
    assert "<!channel>" not in card_text(card(customer_name=SNEAKY))


def test_plain_text_never_renders_emoji_codes_or_is_empty() -> None:
    assert plain(":tada:") == {"type": "plain_text", "text": ":tada:", "emoji": False}
    assert plain("")["text"] == " "  # Slack rejects an empty text object


def test_customer_message_is_escaped_fallback_plus_plain_text() -> None:
    fallback, blocks = customer_message_blocks("Alex", SNEAKY)
    assert fallback == (
        "Alex: &lt;!channel&gt; &lt;@U0LUIS01&gt; &lt;https://evil.example|x&gt; &amp; *bold*"
    )
    assert blocks == [
        {
            "type": "section",
            "text": {"type": "plain_text", "text": f"Alex: {SNEAKY}", "emoji": False},
        }
    ]


def test_a_long_customer_message_is_split_not_cut() -> None:
    words = " ".join(f"word{i}" for i in range(2000))[:TELEGRAM_MAX]
    _, blocks = customer_message_blocks("Alex", words)
    texts = [b["text"]["text"] for b in blocks]
    assert len(texts) == 2
    assert all(len(t) <= TEXT_LIMIT for t in texts)
    assert "".join(texts) == f"Alex: {words}"
    assert texts[0].endswith(" ")  # split between words where it can be

    _, unbroken = customer_message_blocks("Alex", "x" * TELEGRAM_MAX)
    assert "".join(b["text"]["text"] for b in unbroken) == "Alex: " + "x" * TELEGRAM_MAX
    assert all(len(b["text"]["text"]) <= TEXT_LIMIT for b in unbroken)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", [ACTION_TAKE_OVER, ACTION_PASS, ACTION_BACK_TO_BOT, ACTION_RESOLVE]),
        ("human", [ACTION_BACK_TO_BOT, ACTION_RESOLVE]),
        ("bot", []),  # the next handoff opens a new thread; nothing here to claim
        ("resolved", []),
    ],
)
def test_buttons_per_status(status: str, expected: list[str]) -> None:
    blocks = card_blocks(card(status=status, owner="U0AISHA01" if status == "human" else None))
    assert actions(blocks) == expected
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert all(b["value"] == "c9" for b in buttons)  # every button names its conversation
    primary = [b["action_id"] for b in buttons if b.get("style") == "primary"]
    assert primary == ([ACTION_TAKE_OVER] if ACTION_TAKE_OVER in expected else [])
    assert all(b["type"] != "actions" or b["elements"] for b in blocks)


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"status": "pending"}, "*Offered to:* <@U0AISHA01>, please take over or pass."),
        ({"status": "pending", "offered_to": None}, "*Offered to:* everyone here"),
        ({"status": "human", "owner": "U0LUIS01"}, "*With:* <@U0LUIS01>"),
        ({"status": "resolved"}, "*Resolved.*"),
        ({"status": "bot"}, "*Back with the bot.*"),
    ],
)
def test_status_line_mentions_the_right_person(changes: dict[str, Any], line: str) -> None:
    mrkdwn = [
        o["text"] for o in text_objects(card_blocks(card(**changes))) if o["type"] == "mrkdwn"
    ]
    assert any(t.startswith(line) for t in mrkdwn)


def test_the_header_stays_within_slacks_150_characters() -> None:
    name = "Bartholomew " * 25
    [header] = [b for b in card_blocks(card(customer_name=name)) if b["type"] == "header"]
    assert header["text"]["type"] == "plain_text"
    assert len(header["text"]["text"]) <= HEADER_LIMIT
    assert header["text"]["text"].endswith("…")
    short = card_blocks(card(customer_name="Alex"))[0]
    assert short == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Alex needs a person", "emoji": False},
    }


def test_the_longest_card_keeps_every_text_within_limits() -> None:
    recent = tuple(TranscriptLine("customer", "y" * TELEGRAM_MAX) for _ in range(8))
    notes = tuple("n" * 1000 for _ in range(5))
    blocks = card_blocks(card(recent=recent, notes=notes, customer_name="Z" * 200))
    assert all(len(o["text"]) <= TEXT_LIMIT for o in text_objects(blocks))
    assert len(blocks) <= 50  # Slack's limit of blocks in one message
    # Slack refuses blocks this long together (msg_blocks_too_long): the transcript's
    # lines are shortened to fit the budget, each still there.
    assert text_size(blocks) <= TEXT_BUDGET
    shown = "".join(o["text"] for o in text_objects(blocks) if o["type"] == "plain_text")
    assert shown.count("customer: yyy") == 8
    assert actions(blocks)[0] == ACTION_TAKE_OVER  # the buttons survive too


def test_card_shows_who_why_and_the_nlu_reading() -> None:
    mrkdwn = " ".join(o["text"] for o in text_objects(card_blocks(card())) if o["type"] == "mrkdwn")
    assert "*Alex Smith*" in mrkdwn
    assert "home store Riverside" in mrkdwn
    assert "2 past conversations" in mrkdwn
    assert "*Why:* upset customer (negative sentiment)" in mrkdwn
    assert "intent `order_status` 0.91" in mrkdwn
    assert "sentiment -0.62" in mrkdwn
    assert card_text(card()) == "Riverside: Alex Smith needs a person (upset customer)"


def test_the_sentiment_is_stated_once_when_the_reason_already_gives_it() -> None:
    upset = card(reason_detail="sentiment -0.62")
    mrkdwn = " ".join(o["text"] for o in text_objects(card_blocks(upset)) if o["type"] == "mrkdwn")
    assert mrkdwn.count("sentiment -0.62") == 1


def test_the_card_says_which_store_and_why() -> None:
    why = card(extra={"store_why": "Riverside: asked about Riverside in this conversation"})
    mrkdwn = " ".join(o["text"] for o in text_objects(card_blocks(why)) if o["type"] == "mrkdwn")
    assert "Riverside: asked about Riverside in this conversation" in mrkdwn
    assert "home store" not in mrkdwn


def test_a_card_moved_to_the_chosen_store_keeps_no_buttons() -> None:
    moved = card(extra={"store_why": "Riverside: chosen by the customer", "moved": "1"})
    blocks = card_blocks(moved)
    assert actions(blocks) == []
    mrkdwn = " ".join(o["text"] for o in text_objects(blocks) if o["type"] == "mrkdwn")
    assert "*Moved:* Riverside: chosen by the customer" in mrkdwn
