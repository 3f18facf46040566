"""Meeting the person, end to end: the intro with their photo, the goodbye, and a returning
customer offered to the person who helped them last (within 24 hours)."""

from __future__ import annotations

from datetime import datetime

import pytest
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import DATA, DETROIT, Clock, StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    LUIS,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

JENNA = "U0JENNA01"  # Northgate; has no photo in the directory yet
UPSET = "This is ridiculous, my order never arrived and nobody answers the phone!"
HOUR = 3600.0


async def _click(pg: Playground, user: str, card: JSON, action: str) -> None:
    delivery = await pg.slack.user_clicks(user, RIVERSIDE_DESK, card["ts"], action)
    assert delivery.ok


async def test_the_intro_comes_with_the_employees_photo(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 901
    card, _ = await hand_off(pg, chat)
    await _click(pg, AISHA, card, "take_over")

    intro = await pg.telegram.wait_for_bot_message(chat, is_intro)
    assert intro["caption"].startswith("Hello, this is Aisha from our Riverside store.")
    sent = pg.telegram.file_bytes(intro["photo"][-1]["file_id"])
    assert sent == (DATA / "photos" / "aisha-rahman.jpg").read_bytes()


async def test_the_intro_is_text_when_there_is_no_photo(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 902
    card, _ = await hand_off(pg, chat)
    await _click(pg, JENNA, card, "take_over")

    intro = await pg.telegram.wait_for_bot_message(chat, is_intro)
    assert "this is Jenna from our Northgate store" in intro["text"]
    assert "photo" not in intro


async def test_goodbye_on_back_to_bot_and_on_resolve(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 903
    card, _ = await hand_off(pg, chat)
    await _click(pg, AISHA, card, "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)

    await _click(pg, AISHA, card, "back_to_bot")
    back = await pg.telegram.wait_for_bot_message(chat, lambda m: "left the chat" in text_of(m))
    assert text_of(back) == (
        "Aisha has left the chat; the assistant is back if you need anything else."
    )

    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_sends(chat, "actually, I need a person again please")
    card2 = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: m.get("thread_ts") in (None, m["ts"]) and m["ts"] != card["ts"]
    )
    await _click(pg, AISHA, card2, "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro, after=before)
    await _click(pg, AISHA, card2, "resolve")
    bye = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "left the chat" in text_of(m), after=before
    )
    assert text_of(bye) == (
        "Aisha has left the chat. Write here any time if you need anything else."
    )


async def test_nobody_left_when_nobody_had_joined(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 904
    card, _ = await hand_off(pg, chat)
    await _click(pg, AISHA, card, "resolve")  # before anyone took it over

    bye = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "closed this conversation" in text_of(m)
    )
    assert "left" not in text_of(bye)
    assert "Aisha" not in text_of(bye)


async def _resolved_by_luis(pg: Playground, chat: int, store: ConversationStore) -> None:
    """Offered to Aisha (first in the directory), taken and resolved by Luis."""
    card, _ = await hand_off(pg, chat)
    assert (await conversation(store, chat)).offered_to == AISHA
    await _click(pg, LUIS, card, "take_over")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "this is Luis" in text_of(m))
    await _click(pg, LUIS, card, "resolve")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Luis has left" in text_of(m))


async def _offered_after_upset_message(
    pg: Playground, chat: int, store: ConversationStore, resolved: str
) -> str | None:
    await pg.telegram.customer_sends(chat, UPSET)

    async def new_conversation_offered() -> bool:
        conv = await store.current(str(chat))
        return conv is not None and conv.id != resolved and conv.thread is not None

    await eventually(new_conversation_offered)
    return (await conversation(store, chat)).offered_to


async def test_a_returning_customer_is_offered_to_their_last_helper_within_24_hours(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    clock.now = datetime(2026, 11, 24, 12, 30, tzinfo=DETROIT).timestamp()  # Tue: both on shift
    await start_worker()
    store = ConversationStore(redis)
    chat = 905
    await _resolved_by_luis(pg, chat, store)
    resolved = (await conversation(store, chat)).id

    clock.advance(2 * HOUR)
    assert await _offered_after_upset_message(pg, chat, store, resolved) == LUIS
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: "passed your message to Luis" in text_of(m)
    )


async def test_after_24_hours_a_returning_customer_is_routed_as_usual(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    clock.now = datetime(2026, 11, 23, 12, 30, tzinfo=DETROIT).timestamp()  # Mon: both on shift
    await start_worker()
    store = ConversationStore(redis)
    chat = 906
    await _resolved_by_luis(pg, chat, store)
    resolved = (await conversation(store, chat)).id

    clock.advance(25 * HOUR)  # Tuesday 13:30: Luis is on shift again, but it's too long ago
    assert await _offered_after_upset_message(pg, chat, store, resolved) == AISHA
