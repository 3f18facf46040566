"""The reply-quality guard, end to end: a careless owner's reply is held back with what was
found until Send anyway (delivered once) or Edit (dropped); a clean reply goes straight
through with no extra Slack call."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from handoff.core.state import Event
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
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CARELESS = "Hi Alex, u will recieve the refund by Friday."


async def _owned_by_aisha(pg: Playground, chat: int, **hand_off_args: str) -> JSON:
    card, _ = await hand_off(pg, chat, **hand_off_args)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    return card


async def _held(pg: Playground, marker: str) -> JSON:
    """Aisha's private "not sent yet" message about the reply containing `marker`."""
    return await pg.slack.wait_for_ephemeral(
        AISHA, lambda e: "not been sent" in e["text"] and marker in e["text"]
    )


def _received(pg: Playground, chat: int, words: str) -> list[JSON]:
    return [m for m in pg.telegram.bot_messages(chat) if words in text_of(m)]


async def _guard_events(store: ConversationStore, chat: int) -> list[Event]:
    conv = await conversation(store, chat)
    return [e for e in await store.transcript(conv.id) if e.kind == "guard"]


async def test_a_careless_reply_waits_for_send_anyway_and_is_delivered_once(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 761
    card = await _owned_by_aisha(pg, chat)

    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, CARELESS, thread_ts=card["ts"])
    held = await _held(pg, "recieve → receive")
    assert "u → you" in held["text"]
    assert held["thread_ts"] == card["ts"]
    buttons = [
        e["action_id"] for b in held["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["guard_send_anyway", "guard_edit"]
    store = ConversationStore(redis)
    [event] = await _guard_events(store, chat)
    assert event.reason == "held"
    assert event.detail["sent_anyway"] is False
    assert {f["kind"] for f in event.detail["findings"]} == {"spelling", "text_speak"}
    assert not _received(pg, chat, "recieve")

    # Two clicks racing (a double click, or two workers): the customer gets it once.
    await asyncio.gather(
        pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, held["ts"], "guard_send_anyway"),
        pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, held["ts"], "guard_send_anyway"),
    )
    await pg.telegram.wait_for_bot_message(chat, lambda m: "recieve the refund" in text_of(m))
    await pg.slack.wait_for_ephemeral(
        AISHA, lambda e: e["ts"] == held["ts"] and "Sent" in e["text"]
    )
    await pg.slack.drain()
    assert len(_received(pg, chat, "recieve the refund")) == 1
    events = await _guard_events(store, chat)
    assert [(e.reason, e.detail["sent_anyway"]) for e in events] == [
        ("held", False),
        ("sent_anyway", True),
    ]
    conv = await conversation(store, chat)
    replies = [e for e in await store.transcript(conv.id) if e.kind == "employee_reply"]
    assert [e.detail["text"] for e in replies] == [CARELESS]


async def test_edit_drops_the_held_reply_and_the_corrected_one_goes_through(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 762
    card = await _owned_by_aisha(pg, chat)

    shouted = "THAT IS NOT WHAT WE AGREED"
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, shouted, thread_ts=card["ts"])
    held = await _held(pg, "capitals")
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, held["ts"], "guard_edit")
    dropped = await pg.slack.wait_for_ephemeral(
        AISHA, lambda e: e["ts"] == held["ts"] and "Not sent" in e["text"]
    )
    assert not dropped.get("blocks")  # the buttons are gone

    fixed = "I'm sorry, Alex, that is not what we agreed. I'll fix it today."
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, fixed, thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "fix it today" in text_of(m))
    assert not _received(pg, chat, "WE AGREED")
    events = await _guard_events(ConversationStore(redis), chat)
    assert [(e.reason, e.detail["sent_anyway"]) for e in events] == [
        ("held", False),
        ("edited", False),
    ]


async def test_a_clean_reply_goes_straight_through_without_an_extra_slack_call(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 763
    card = await _owned_by_aisha(pg, chat)
    # Taking over ends with the card's refresh; only then count the calls.
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: m["ts"] == card["ts"] and "*With:*" in str(m["blocks"])
    )
    await pg.slack.drain()
    calls_before, ephemerals_before = len(pg.slack.calls), len(pg.slack.ephemerals(AISHA))

    clean = "Thanks for waiting, Alex. Your Weber grill is ready at our Riverside counter."
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, clean, thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Weber grill is ready" in text_of(m))
    await pg.slack.drain()
    assert len(pg.slack.ephemerals(AISHA)) == ephemerals_before
    assert [method for method, _ in pg.slack.calls[calls_before:]] == []
    assert await _guard_events(ConversationStore(redis), chat) == []


async def test_a_one_word_reply_to_an_upset_customer_is_held(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 764
    upset = "My order never arrived and I'm really annoyed, this is the third time!"
    card = await _owned_by_aisha(pg, chat, text=upset)
    assert (await conversation(ConversationStore(redis), chat)).handoff_reason == "emotional"

    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "Noted.", thread_ts=card["ts"])
    held = await _held(pg, "upset customer")
    assert "Spelling" not in held["text"]
    assert not _received(pg, chat, "Noted")


async def test_send_anyway_after_handing_back_sends_nothing(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 765
    card = await _owned_by_aisha(pg, chat)
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "thx, idk yet", thread_ts=card["ts"])
    held = await _held(pg, "idk")
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "back_to_bot")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "has left" in text_of(m))

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, held["ts"], "guard_send_anyway")
    await pg.slack.wait_for_ephemeral(
        AISHA, lambda e: e["ts"] == held["ts"] and "no longer have" in e["text"]
    )
    assert not _received(pg, chat, "idk")
    store = ConversationStore(redis)
    await eventually(lambda: _last_guard_is(store, chat, "not_sent"))


async def _last_guard_is(store: ConversationStore, chat: int, reason: str) -> bool:
    events = await _guard_events(store, chat)
    return bool(events) and events[-1].reason == reason
