"""A handoff reaches the store the conversation is about: named, asked about earlier, the
home store, or the one the customer taps when nobody knows; the card says which and why."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from nlu.facts.stores import StoreDirectory
from playground.app import DEFAULT_CHANNEL, Playground
from tests.e2e.conftest import DATA, StartWorker
from tests.e2e.desk_helpers import (
    AISHA,
    ASK_FOR_A_PERSON,
    JSON,
    RIVERSIDE_DESK,
    choose_store,
    conversation,
    settled,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

DOWNTOWN_DESK = "C0DOWNTOWN"
STORE_NAMES = [s.name for s in StoreDirectory.load(DATA / "stores.yml")]  # in the file's order
UPSET = "my order never arrived and I'm really annoyed"


def _card_in(pg: Playground, channel: str, name: str) -> JSON | None:
    return next(
        (
            m
            for m in pg.slack.messages(channel)
            if m.get("thread_ts") in (None, m["ts"]) and name in str(m.get("blocks"))
        ),
        None,
    )


def _buttons(card: JSON) -> list[str]:
    return [
        str(e["action_id"])
        for b in card.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def test_a_customer_with_no_store_is_asked_and_the_offer_moves_after_the_tap(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1901
    await pg.telegram.customer_sends(chat, ASK_FOR_A_PERSON, first_name="Nora")
    question = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Which store is this about?" in text_of(m)
    )
    holding = next(m for m in pg.telegram.bot_messages(chat) if "passed your message" in text_of(m))
    assert "one of our team" in text_of(holding)  # nobody in particular yet
    rows = question["reply_markup"]["inline_keyboard"]
    labels = [b["text"] for row in rows for b in row]
    assert labels == [*STORE_NAMES, "Not sure"]

    await settled(worker)
    general = _card_in(pg, DEFAULT_CHANNEL, "Nora")
    assert general is not None, "the card waits in the general channel"
    assert "the customer has been asked which store" in str(general["blocks"])
    assert "everyone here" in str(general["blocks"])
    assert _card_in(pg, RIVERSIDE_DESK, "Nora") is None

    riverside = next(b["callback_data"] for row in rows for b in row if b["text"] == "Riverside")
    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_presses(chat, question["message_id"], riverside)
    told = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "passed your message" in text_of(m), after=before
    )
    assert "Aisha" in text_of(told)
    assert "Riverside" in text_of(told)
    await settled(worker)

    card = _card_in(pg, RIVERSIDE_DESK, "Nora")
    assert card is not None, "a new card in the store's channel"
    assert "Riverside: chosen by the customer" in str(card["blocks"])
    assert f"<@{AISHA}>" in str(card["blocks"])
    assert ASK_FOR_A_PERSON in str(card["blocks"])  # the transcript so far comes along
    assert "take_over" in _buttons(card)
    old = _card_in(pg, DEFAULT_CHANNEL, "Nora")
    assert old is not None
    assert _buttons(old) == []
    assert "Moved" in str(old["blocks"])

    conv = await conversation(ConversationStore(redis), chat)
    assert conv.store_id == "riverside"
    assert conv.store_basis == "chosen"
    assert conv.offered_to == AISHA
    assert conv.thread is not None
    assert conv.thread.channel == RIVERSIDE_DESK
    kinds = [e.kind for e in await ConversationStore(redis).transcript(conv.id)]
    assert kinds.index("handoff") < kinds.index("store_chosen") < kinds.index("offer")

    # Another button of the same question, tapped late, changes nothing.
    downtown = next(b["callback_data"] for row in rows for b in row if b["text"] == "Downtown")
    await pg.telegram.customer_presses(chat, question["message_id"], downtown)
    await pg.telegram.wait_for_bot_message(chat, lambda m: "already with our team" in text_of(m))
    assert (await conversation(ConversationStore(redis), chat)).thread == conv.thread


async def test_not_sure_leaves_it_with_everyone(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1902
    await pg.telegram.customer_sends(chat, ASK_FOR_A_PERSON, first_name="Omar")
    question = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Which store is this about?" in text_of(m)
    )
    await pg.telegram.customer_presses(chat, question["message_id"], "about:")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "whoever on our team" in text_of(m))
    await settled(worker)
    conv = await conversation(ConversationStore(redis), chat)
    assert conv.store_id is None
    assert conv.store_basis == "unsure"
    assert conv.offered_to is None
    assert conv.thread is not None
    assert conv.thread.channel == DEFAULT_CHANNEL
    card = _card_in(pg, DEFAULT_CHANNEL, "Omar")
    assert card is not None
    assert "not sure which store" in str(card["blocks"])
    assert "take_over" in _buttons(card)


async def test_the_store_named_in_the_message_beats_the_home_store(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1903
    await choose_store(pg, chat, "downtown", "Pia")
    await pg.telegram.customer_sends(
        chat, "I want to speak to a real person about the Riverside store", first_name="Pia"
    )
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Aisha" in text_of(m))
    await settled(worker)
    card = _card_in(pg, RIVERSIDE_DESK, "Pia")
    assert card is not None
    assert "Riverside: named in the message" in str(card["blocks"])
    assert not any(
        "Which store is this about?" in text_of(m) for m in pg.telegram.bot_messages(chat)
    ), "nobody asks when the store is known"


async def test_the_three_messages_reach_riverside_by_what_was_asked_before(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    """The issue's walk-through: two questions about Riverside, then an upset message
    naming no store, from a customer whose home store is Downtown."""
    pg, _ = playground
    worker = await start_worker()
    chat = 1904
    await choose_store(pg, chat, "downtown", "Quinn")
    for question in (
        "what time does Riverside close today?",
        "Is Riverside open on Christmas Day?",
    ):
        before = len(pg.telegram.bot_messages(chat))
        await pg.telegram.customer_sends(chat, question, first_name="Quinn")
        answer = await pg.telegram.wait_for_bot_message(chat, after=before)
        assert "Riverside" in text_of(answer)
    await pg.telegram.customer_sends(chat, UPSET, first_name="Quinn")
    told = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "passed your message" in text_of(m)
    )
    assert "Aisha" in text_of(told)
    assert "Riverside" in text_of(told)
    await settled(worker)
    card = _card_in(pg, RIVERSIDE_DESK, "Quinn")
    assert card is not None
    blocks = str(card["blocks"])
    assert "asked about Riverside in this conversation" in blocks
    assert f"<@{AISHA}>" in blocks
    assert _card_in(pg, DOWNTOWN_DESK, "Quinn") is None
    assert blocks.count("sentiment") == 1  # each fact once


async def test_a_tap_after_someone_took_it_over_keeps_it_with_them(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1905
    await pg.telegram.customer_sends(chat, ASK_FOR_A_PERSON, first_name="Sol")
    question = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Which store is this about?" in text_of(m)
    )
    await settled(worker)
    general = _card_in(pg, DEFAULT_CHANNEL, "Sol")
    assert general is not None
    await pg.slack.user_clicks(AISHA, DEFAULT_CHANNEL, general["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Hello, this is Aisha" in text_of(m))
    rows = question["reply_markup"]["inline_keyboard"]
    downtown = next(b["callback_data"] for row in rows for b in row if b["text"] == "Downtown")
    await pg.telegram.customer_presses(chat, question["message_id"], downtown)
    await pg.telegram.wait_for_bot_message(chat, lambda m: "already with our team" in text_of(m))
    await settled(worker)
    conv = await conversation(ConversationStore(redis), chat)
    assert conv.owner == AISHA
    assert conv.thread is not None
    assert conv.thread.channel == DEFAULT_CHANNEL  # not moved away from the person helping
    assert conv.store_id == "downtown"
    assert conv.store_basis == "chosen"
    assert _card_in(pg, DOWNTOWN_DESK, "Sol") is None
