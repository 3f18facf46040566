"""Forged rating presses: callback data is the customer's to write.

A Telegram client can send any callback data on any of the bot's messages, so
``rate:<conversation id>:1`` may come for a conversation still open, handed back to the
bot, or someone else's. Only the conversation's own customer rates it, after it was
resolved and asked for, once; anything else is answered briefly and not counted (no
rating in the transcript, no low-score alert in Slack).
"""

from __future__ import annotations

import copy
import secrets

import pytest
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from handoff.texts.ratings import NOT_ON_FILE, NOT_RATEABLE
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


def _forge_press(pg: Playground, chat_id: int, message: JSON, data: str) -> str:
    """A callback query with ``data`` on one of the bot's messages, whatever its buttons
    (the fake's customer API presses only real buttons; a modified client does not)."""
    state = pg.telegram.state
    found = state.chats[chat_id].find(message["message_id"])
    assert found is not None
    query_id = str(secrets.randbits(62))
    state.callback_queries[query_id] = {
        "chat_id": chat_id,
        "message_id": message["message_id"],
        "data": data,
        "answered": False,
        # Where the bot's words about this press will start (see _answer).
        "bot_messages_before": len(pg.telegram.bot_messages(chat_id)),
    }
    query = {
        "id": query_id,
        "from": copy.deepcopy(state.chats[chat_id].user),
        "message": copy.deepcopy(found.api),
        "chat_instance": str(chat_id * 7919 % 2**63),
        "data": data,
    }
    state.queue_update("callback_query", query)
    return query_id


async def _answer(pg: Playground, query_id: str) -> str | None:
    """The press is answered as it comes in (bot/telegram/presses.py); what the bot says
    about it follows as a message."""

    async def answered() -> bool:
        return any(a["callback_query_id"] == query_id for a in pg.telegram.callback_answers)

    await eventually(answered, within=10.0)
    query = pg.telegram.state.callback_queries[query_id]
    told = await pg.telegram.wait_for_bot_message(
        query["chat_id"], after=query["bot_messages_before"]
    )
    return text_of(told)


async def test_forged_ratings_are_answered_and_not_counted(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    store = ConversationStore(redis)
    # Alex's conversation is open, with Aisha; Sam's was resolved and asked for a rating.
    alex, sam = 7311, 7312
    alex_card, _ = await hand_off(pg, alex, first_name="Alex")
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, alex_card["ts"], "take_over")).ok
    intro = await pg.telegram.wait_for_bot_message(alex, is_intro)
    alex_conv = await conversation(store, alex)
    sam_card, _ = await hand_off(pg, sam, first_name="Sam")
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, sam_card["ts"], "take_over")).ok
    await pg.telegram.wait_for_bot_message(sam, is_intro)
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, sam_card["ts"], "resolve")).ok
    question = await pg.telegram.wait_for_bot_message(
        sam, lambda m: text_of(m).startswith("How did")
    )
    sam_conv = await conversation(store, sam)

    # Alex rates their own open conversation 1, then Sam's.
    own_open = _forge_press(pg, alex, intro, f"rate:{alex_conv.id}:1")
    assert await _answer(pg, own_open) == NOT_RATEABLE
    not_theirs = _forge_press(pg, alex, intro, f"rate:{sam_conv.id}:1")
    assert await _answer(pg, not_theirs) == NOT_ON_FILE
    # Handed back to the bot: closed, but never resolved nor asked for a rating.
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, alex_card["ts"], "back_to_bot")).ok
    await settled(worker)
    handed_back = _forge_press(pg, alex, intro, f"rate:{alex_conv.id}:2")
    assert await _answer(pg, handed_back) == NOT_RATEABLE
    await settled(worker)

    for conv in (alex_conv, sam_conv):
        assert not [e for e in await store.transcript(conv.id) if e.kind == "rating"]
    for card in (alex_card, sam_card):
        thread = pg.slack.thread(RIVERSIDE_DESK, card["ts"])
        assert not any("rated this conversation" in str(m) for m in thread)
    assert not any("sorry we let you down" in text_of(m) for m in pg.telegram.bot_messages(alex))

    # Sam's own rating, asked for, still counts.
    await pg.telegram.customer_presses(sam, question["message_id"], f"rate:{sam_conv.id}:5")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "rated this conversation 5/5" in str(m), thread_ts=sam_card["ts"]
    )
    ratings = [e for e in await store.transcript(sam_conv.id) if e.kind == "rating"]
    assert [e.detail["rating"] for e in ratings] == [5]
