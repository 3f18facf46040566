"""The foundation loop, end to end: real PTB and bolt workers, real Valkey and Rasa,
against the playground's fake Telegram and Slack servers."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import choose_store, text_of

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

RIVERSIDE_DESK = "C0RIVERSIDE"
AISHA = "U0AISHA01"  # Riverside's supervisor, on shift on Tuesdays at 11:00
LUIS = "U0LUIS01"


async def test_factual_question_is_answered_with_the_stores_fact(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    await pg.telegram.customer_sends(
        501, "what are your hours at riverside on saturday?", first_name="Alex"
    )
    answer = await pg.telegram.wait_for_bot_message(501)
    assert "Riverside" in text_of(answer)
    assert "7 am" in text_of(answer)
    assert "Alex" in text_of(answer)
    assert not pg.slack.messages(RIVERSIDE_DESK)  # nobody was bothered

    store = ConversationStore(redis)
    conv = await store.current("501")
    assert conv is not None

    async def answered() -> bool:
        kinds = [e.kind for e in await store.transcript(conv.id)]
        return kinds == ["customer_message", "bot_answer"]

    await eventually(answered)


async def test_upset_customer_goes_to_a_named_local_employee_and_gets_their_reply(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 502
    await choose_store(pg, chat, "riverside", "Alex")

    await pg.telegram.customer_sends(
        chat,
        "This is ridiculous, my order never arrived and nobody answers the phone!",
        first_name="Alex",
    )
    holding = await pg.telegram.wait_for_bot_message(chat, lambda m: "Aisha" in text_of(m))
    assert "Riverside" in text_of(holding)
    card = await pg.slack.wait_for_message(RIVERSIDE_DESK)
    blocks = str(card.get("blocks"))
    assert "Alex" in blocks
    assert f"<@{AISHA}>" in blocks  # the named on-shift employee is mentioned
    assert "upset customer" in blocks or "needs a person" in blocks

    # While nobody owns it, an employee's reply stays internal, with a private hint.
    await pg.slack.user_posts(LUIS, RIVERSIDE_DESK, "on it?", thread_ts=card["ts"])
    await pg.slack.wait_for_ephemeral(LUIS, lambda e: "Take over" in str(e))

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    intro = await pg.telegram.wait_for_bot_message(chat, lambda m: "this is Aisha" in text_of(m))
    assert "Riverside" in text_of(intro)

    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_posts(
        AISHA,
        RIVERSIDE_DESK,
        "I'm sorry, Alex. Let me look up your order now.",
        thread_ts=card["ts"],
    )
    reply = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "look up your order" in text_of(m), after=before
    )
    assert text_of(reply).startswith("<b>Aisha</b> · Riverside\n")  # sent with parse_mode HTML
    assert all("on it?" not in text_of(m) for m in pg.telegram.bot_messages(chat))

    # The bot stays silent while a person has the conversation; the message goes to the thread.
    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_sends(chat, "what are your hours?", first_name="Alex")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "what are your hours?" in text_of(m), thread_ts=card["ts"]
    )
    assert len(pg.telegram.bot_messages(chat)) == before


async def test_conversation_survives_a_worker_restart(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 503
    await choose_store(pg, chat, "riverside", "Sam")
    await pg.telegram.customer_sends(
        chat, "I want to speak to a real person please", first_name="Sam"
    )
    card = await pg.slack.wait_for_message(RIVERSIDE_DESK)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "this is Aisha" in text_of(m))

    await worker.stop()
    await start_worker()

    await pg.telegram.customer_sends(chat, "are you still there?", first_name="Sam")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "are you still there?" in text_of(m), thread_ts=card["ts"]
    )
    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "Yes, still here.", thread_ts=card["ts"])
    reply = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "still here" in text_of(m), after=before
    )
    assert "Aisha" in text_of(reply)


async def test_the_command_menu_is_set_at_start(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    menus = pg.telegram.calls_to("setMyCommands")
    assert menus, "the worker did not set the command menu"
    commands = [c["command"] for c in menus[-1]["commands"]]
    assert commands == ["start", "store", "profile", "forget", "help"]
