"""Ratings, end to end: asked after the goodbye, recorded once, a warm invitation to share
for 4-5, the store's supervisor alerted for 1-2, and a comment the customer chose to add."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from redis.asyncio import Redis

from bot.worker import Worker
from handoff.core.state import Event, Status
from handoff.storage.store import ConversationStore
from handoff.texts.ratings import ALREADY_RATED, COMMENT_THANKS
from playground.app import Playground
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    LUIS,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    settled,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

RIVERSIDE_REVIEW = (
    "https://search.google.com/local/writereview?placeid=ChIJMMRiverside2250Jefferson"
)


def _buttons(message: JSON) -> list[list[JSON]]:
    return list((message.get("reply_markup") or {}).get("inline_keyboard", []))


def _is_question(message: JSON) -> bool:
    return text_of(message).startswith("How did") and bool(_buttons(message))


async def _resolved(pg: Playground, chat: int, helper: str) -> tuple[JSON, JSON]:
    """Handed off, taken over by `helper` and resolved; returns the card and the rating
    question the customer got."""
    card, _ = await hand_off(pg, chat)
    for action in ("take_over", "resolve"):
        assert (await pg.slack.user_clicks(helper, RIVERSIDE_DESK, card["ts"], action)).ok
        if action == "take_over":
            await pg.telegram.wait_for_bot_message(chat, is_intro)
    question = await pg.telegram.wait_for_bot_message(chat, _is_question)
    return card, question


async def _ratings(store: ConversationStore, chat: int) -> list[Event]:
    conv = await conversation(store, chat)
    return [e for e in await store.transcript(conv.id) if e.kind == "rating"]


async def test_a_5_thanks_the_employee_by_name_and_invites_a_review_and_a_share(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 6101
    card, question = await _resolved(pg, chat, AISHA)
    store = ConversationStore(redis)
    conv = await conversation(store, chat)

    goodbye = pg.telegram.bot_messages(chat)[-2]
    assert "Aisha has left the chat" in text_of(goodbye)  # the question comes after it
    assert text_of(question) == "How did Aisha do? Tap a number: 1 is poor, 5 is excellent."
    [row] = _buttons(question)
    assert [b["callback_data"] for b in row] == [f"rate:{conv.id}:{n}" for n in range(1, 6)]

    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_presses(chat, question["message_id"], f"rate:{conv.id}:5")
    thanks = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Thank you, Alex" in text_of(m), after=before
    )
    assert text_of(thanks).startswith("Thank you, Alex! I'll pass that on to Aisha.")
    links = {b["text"]: b.get("url") for row in _buttons(thanks) for b in row}
    assert links["Review Riverside"] == RIVERSIDE_REVIEW
    share = urlsplit(links["Tell a friend"] or "")
    assert (share.netloc, share.path) == ("t.me", "/share/url")
    assert parse_qs(share.query)["url"] == ["https://t.me/maple_main_bot"]
    assert "Maple & Main Hardware" in parse_qs(share.query)["text"][0]
    assert "Add a comment" in links

    [rating] = await _ratings(store, chat)
    assert (rating.by, rating.detail["rating"], rating.detail["score"]) == ("customer", 5, 5)
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: m["text"] == "Alex rated this conversation 5/5.",
        thread_ts=card["ts"],
    )  # fmt: skip
    # Once counted, the numbers are gone from the question.
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: m["message_id"] == question["message_id"] and not _buttons(m)
    )


async def test_a_rating_counts_once_and_a_second_press_is_answered_politely(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 6102
    card, question = await _resolved(pg, chat, AISHA)
    conv = await conversation(ConversationStore(redis), chat)

    # Both presses are queued before the worker sees the first one.
    await pg.telegram.customer_presses(chat, question["message_id"], f"rate:{conv.id}:4")
    second = await pg.telegram.customer_presses(chat, question["message_id"], f"rate:{conv.id}:1")

    async def answered() -> bool:
        return any(a["callback_query_id"] == second for a in pg.telegram.callback_answers)

    await eventually(answered)
    await settled(worker)
    # Answered as it came in (bot/telegram/presses.py); the bot's words follow as a message.
    [answer] = [a for a in pg.telegram.callback_answers if a["callback_query_id"] == second]
    assert answer["text"] is None
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m) == ALREADY_RATED)
    [rating] = await _ratings(ConversationStore(redis), chat)
    assert rating.detail["rating"] == 4
    thread = pg.slack.thread(RIVERSIDE_DESK, card["ts"])
    assert not any("1/5" in m["text"] for m in thread)
    thanked = [m for m in pg.telegram.bot_messages(chat) if "pass that on" in text_of(m)]
    assert len(thanked) == 1


async def test_a_1_alerts_the_stores_supervisor_with_the_transcript_and_reopens_nothing(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker: Worker = await start_worker()
    chat = 6103
    card, question = await _resolved(pg, chat, LUIS)  # Riverside's supervisor is Aisha
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    cards_before = len(pg.slack.messages(RIVERSIDE_DESK, top_level=True))

    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_presses(chat, question["message_id"], f"rate:{conv.id}:1")
    sorry = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "sorry" in text_of(m), after=before
    )
    assert "A supervisor will read this conversation" in text_of(sorry)
    labels = [b["text"] for row in _buttons(sorry) for b in row]
    assert labels == ["Add a comment"]  # no review invitation after a bad experience

    alert = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "rated this conversation 1/5" in m["text"], thread_ts=card["ts"]
    )
    assert alert["text"].startswith(f"<@{AISHA}> Alex rated this conversation 1/5.")
    assert f"{worker.http_url}/review/c/{conv.id}" in alert["text"]
    after = await conversation(store, chat)
    assert (after.id, after.status) == (conv.id, Status.RESOLVED)
    assert len(pg.slack.messages(RIVERSIDE_DESK, top_level=True)) == cards_before


async def test_a_comment_is_taken_only_after_the_customer_asks_to_add_one(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 6104
    card, question = await _resolved(pg, chat, AISHA)
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    await pg.telegram.customer_presses(chat, question["message_id"], f"rate:{conv.id}:3")
    thanks = await pg.telegram.wait_for_bot_message(chat, lambda m: "get better" in text_of(m))
    assert text_of(thanks) == "Thank you, Alex, that helps us get better."
    assert [b["text"] for row in _buttons(thanks) for b in row] == ["Add a comment"]

    await pg.telegram.customer_presses(chat, thanks["message_id"], f"rcomment:{conv.id}")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "write your comment" in text_of(m))
    comment = "The parking behind the store was hard to find"
    await pg.telegram.customer_sends(chat, comment)
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m) == COMMENT_THANKS)

    events = await store.transcript(conv.id)
    [taken] = [e for e in events if e.kind == "rating_comment"]
    assert (taken.by, taken.detail["text"]) == ("customer", comment)
    assert not any(e.kind == "customer_message" and e.detail["text"] == comment for e in events)
    assert (await conversation(store, chat)).id == conv.id  # no new conversation, no triage
    posted = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "hard to find" in str(m.get("blocks")), thread_ts=card["ts"]
    )
    assert "comment on their rating" in str(posted["blocks"])

    # The capture is spent: the next message is a question like any other.
    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_sends(chat, "what time does Riverside close today?")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Riverside" in text_of(m), after=before)
    assert (await conversation(store, chat)).id != conv.id
    assert len([e for e in await store.transcript(conv.id) if e.kind == "rating_comment"]) == 1
