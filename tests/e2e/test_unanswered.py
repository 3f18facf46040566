"""No question left behind silently: Resolve and Back to bot ask first, privately, when
the customer's last message came after the owner's last reply."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from handoff.core.state import Status
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    settled,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

QUESTION = "thanks, when will it arrive?"


async def _owned_and_asked(pg: Playground, chat: int) -> JSON:
    """Aisha took over and replied; then the customer asked again: unanswered."""
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    reply = "I'm sorry, Alex, I've found your order and it is on its way."
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, reply, thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "on its way" in text_of(m))
    await pg.telegram.customer_sends(chat, QUESTION, first_name="Alex")
    await pg.slack.wait_for_message(RIVERSIDE_DESK, lambda m: QUESTION in str(m.get("blocks")))
    return card


async def _status(redis: Redis, chat: int) -> Status:
    return (await conversation(ConversationStore(redis), chat)).status


@pytest.mark.parametrize(
    ("action", "confirm", "status", "farewell", "kind"),
    [
        ("resolve", "confirm_resolve", Status.RESOLVED, "has left the chat. Write here", "resolve"),
        ("back_to_bot", "confirm_back_to_bot", Status.BOT, "the assistant is back", "hand_back"),
    ],
)
async def test_an_unanswered_message_is_quoted_and_confirmed_before_closing(
    playground: tuple[Playground, str],
    start_worker: StartWorker,
    redis: Redis,
    action: str,
    confirm: str,
    status: Status,
    farewell: str,
    kind: str,
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1911 if action == "resolve" else 1912
    card = await _owned_and_asked(pg, chat)
    before = len(pg.telegram.bot_messages(chat))

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], action)
    question = await pg.slack.wait_for_ephemeral(AISHA, lambda e: "unanswered" in e["text"])
    assert f"Alex's last message is unanswered: '{QUESTION}'" in question["text"]
    await settled(worker)
    assert await _status(redis, chat) is Status.HUMAN  # nothing happened yet
    assert len(pg.telegram.bot_messages(chat)) == before  # the customer was told nothing

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, question["ts"], confirm)
    await pg.telegram.wait_for_bot_message(chat, lambda m: farewell in text_of(m), after=before)
    await eventually(lambda: _is(redis, chat, status))
    done = await pg.slack.wait_for_ephemeral(
        AISHA, lambda e: e["ts"] == question["ts"] and "unanswered" not in e["text"]
    )
    assert not done.get("blocks")  # the buttons are gone
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    [closed] = [e for e in await store.transcript(conv.id) if e.kind == kind]
    assert closed.detail["confirmed"] is True
    assert closed.detail["unanswered"] == QUESTION


async def _is(redis: Redis, chat: int, status: Status) -> bool:
    return await _status(redis, chat) is status


async def test_cancel_leaves_the_conversation_with_its_owner(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1913
    card = await _owned_and_asked(pg, chat)
    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "resolve")
    question = await pg.slack.wait_for_ephemeral(AISHA, lambda e: "unanswered" in e["text"])
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, question["ts"], "cancel_close")
    await pg.slack.wait_for_ephemeral(
        AISHA, lambda e: e["ts"] == question["ts"] and "Nothing changed" in e["text"]
    )
    await settled(worker)
    assert await _status(redis, chat) is Status.HUMAN
    assert len(pg.telegram.bot_messages(chat)) == before


async def test_an_answered_conversation_closes_at_once(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 1914
    card = await _owned_and_asked(pg, chat)
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "It arrives tomorrow.", thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "arrives tomorrow" in text_of(m))
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "resolve")
    await eventually(lambda: _is(redis, chat, Status.RESOLVED))
    asked = [e for e in pg.slack.ephemerals(AISHA) if e.get("thread_ts") == card["ts"]]
    assert not [e for e in asked if "unanswered" in e["text"]]
