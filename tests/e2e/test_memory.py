"""The customer's own memory, end to end: /profile shows every field kept, /forget erases
it after a confirmation, audited, and says honestly what was kept."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from handoff.storage.records.audit import AuditLog
from handoff.storage.store import ConversationStore
from handoff.texts.memory import FORGET_CANCELLED, FORGET_EXPIRED
from playground.app import Playground
from tests.e2e.conftest import Clock, StartWorker, eventually
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
from tests.redis_text import text

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

NOTES = "Prefers a phone call\nHas a contractor account"


async def _command(pg: Playground, chat: int, command: str, expect: str) -> JSON:
    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_sends(chat, command)
    return await pg.telegram.wait_for_bot_message(
        chat, lambda m: expect in text_of(m), after=before
    )


async def _helped_by_aisha(pg: Playground, chat: int) -> JSON:
    """A conversation taken over and resolved by Aisha; returns the card."""
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "resolve")
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m).startswith("How did"))
    return card


async def _keys_of(redis: Redis, chat: int, conv_id: str) -> list[str]:
    """Every key naming the customer or their conversation, and index entries of it."""
    found = []
    for raw in await redis.keys("*"):
        key = text(raw)
        parts = key.split(":")
        if parts[1] == "seen":
            continue  # processed update ids (dedupe), not the customer's
        if str(chat) in parts or conv_id in parts:
            found.append(key)
        elif text(await redis.type(key)) == "zset" and await redis.zscore(key, conv_id):
            found.append(f"{key} ∋ {conv_id}")
    return found


async def test_profile_shows_every_field_kept_in_plain_words(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 6201
    await _helped_by_aisha(pg, chat)
    store = ConversationStore(redis)
    await store.remember(str(chat), notes=NOTES)  # as `/tandem note` from Slack stores them

    shown = text_of(await _command(pg, chat, "/profile", "everything we keep"))
    for line in (
        "Your name, from your Telegram profile: Alex",
        "Your language, from Telegram: English (en)",
        "Your store, which you chose: Riverside",
        "– Prefers a phone call",
        "– Has a contractor account",
        "Who helped you last: Aisha, on November 24, 2026",
        "How many conversations you have started: 1",
        "The transcripts of 1 conversation",
        "erased 365 days after its last message",
        "/forget erases all of it",
    ):
        assert line in shown, line
    # The card in Slack shows the same memory to the team.
    card = pg.slack.messages(RIVERSIDE_DESK, top_level=True)[-1]
    assert "English (en)" in str(card["blocks"])


async def test_forget_erases_everything_after_confirmation_and_is_audited(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 6202
    await _helped_by_aisha(pg, chat)
    store = ConversationStore(redis)
    await store.remember(str(chat), notes=NOTES)
    conv = await conversation(store, chat)
    assert await _keys_of(redis, chat, conv.id)

    question = await _command(pg, chat, "/forget", "Shall I go ahead?")
    buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["Yes, forget me", "No, keep it"]
    await pg.telegram.customer_presses(chat, question["message_id"], buttons[0]["callback_data"])
    done = await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m).startswith("Done."))

    assert "Erased: your profile" in text_of(done)
    assert "1 conversation transcript" in text_of(done)
    assert "Kept: a record that you asked us to forget you" in text_of(done)
    await settled(worker)  # the confirmation's own update leaves the inbox
    assert await _keys_of(redis, chat, conv.id) == []
    [record] = [r for r in await AuditLog(redis).recent() if r.detail.get("customer") == str(chat)]
    assert (record.action, record.by, record.detail["count"]) == ("erase_customer", "customer", 1)
    assert set(record.detail) == {"customer", "count"}  # who and how many, never content

    after = await _command(pg, chat, "/profile", "keeps nothing")
    assert text_of(after) == "Tandem keeps nothing about you at the moment."
    assert await store.customer(str(chat)) == {}  # asking /profile stored nothing new


async def test_forget_erases_nothing_when_declined_or_confirmed_too_late(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 6203
    card, _ = await hand_off(pg, chat)  # still waiting for a person
    store = ConversationStore(redis)
    profile = await store.customer(str(chat))

    declined = await _command(pg, chat, "/forget", "Shall I go ahead?")
    await pg.telegram.customer_presses(chat, declined["message_id"], "forget:no")
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m) == FORGET_CANCELLED)
    late = await _command(pg, chat, "/forget", "Shall I go ahead?")
    yes = late["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    clock.advance(11 * 60)
    await pg.telegram.customer_presses(chat, late["message_id"], yes)
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m) == FORGET_EXPIRED)
    assert await store.customer(str(chat)) == profile
    assert (await conversation(store, chat)).thread is not None

    # Confirmed in time while the team still has it open: the thread is told why.
    fresh = await _command(pg, chat, "/forget", "Shall I go ahead?")
    yes = fresh["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await pg.telegram.customer_presses(chat, fresh["message_id"], yes)
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m).startswith("Done."))
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "asked to be forgotten" in m["text"], thread_ts=card["ts"]
    )
    assert await store.current(str(chat)) is None


async def test_profile_reply_keeps_its_place_behind_an_answer_telegram_refused(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 6204
    pg.telegram.fail_next("sendMessage", status=500)  # the answer's first try fails
    await pg.telegram.customer_sends(chat, "What time do you open on Sunday?")

    async def refused() -> bool:  # and then the chat's lane waits ~0.5 s to try again
        return not pg.telegram.state.faults

    await eventually(refused)

    await pg.telegram.customer_sends(chat, "/profile")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "everything we keep" in text_of(m))
    await settled(worker)
    answer, profile = pg.telegram.bot_messages(chat)  # each once, in the order asked
    assert "Sunday" in text_of(answer)  # the day asked, named in its answer
    assert "everything we keep" in text_of(profile)
