"""Shared steps of the desk tests: a customer of a store handed off to the store's Slack desk."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.worker import Worker
from handoff.core.state import Conversation
from handoff.storage.store import ConversationStore
from playground.app import Playground

RIVERSIDE_DESK = "C0RIVERSIDE"
AISHA = "U0AISHA01"  # Riverside's supervisor, on shift on Tuesdays 07:00-15:30
LUIS = "U0LUIS01"  # Riverside, on shift on Tuesdays 11:30-20:00
ASK_FOR_A_PERSON = "I want to speak to a real person please"

JSON = dict[str, Any]


async def settled(worker: Worker, *, within: float = 10.0) -> None:
    """Every update handled and every send made: sends wait in the outbox, so a test that
    counts what arrived waits for the worker's queues to empty first."""
    assert worker.queues is not None
    deadline = asyncio.get_running_loop().time() + within
    while not await worker.queues.idle():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the worker's queues did not empty within {within}s")
        await asyncio.sleep(0.02)


def text_of(message: JSON) -> str:
    """What the customer reads: a text message's text or a photo's caption."""
    return str(message.get("text") or message.get("caption") or "")


def is_intro(message: JSON) -> bool:
    return "Hello, this is" in text_of(message)


async def choose_store(pg: Playground, chat_id: int, store: str, first_name: str) -> None:
    await pg.telegram.customer_sends(chat_id, "/start", first_name=first_name)
    welcome = await pg.telegram.wait_for_bot_message(chat_id, lambda m: bool(m.get("reply_markup")))
    await pg.telegram.customer_presses(chat_id, welcome["message_id"], f"store:{store}")
    await pg.telegram.wait_for_bot_message(chat_id, lambda m: "is now your store" in text_of(m))


async def hand_off(
    pg: Playground,
    chat_id: int,
    *,
    first_name: str = "Alex",
    store: str = "riverside",
    channel: str = RIVERSIDE_DESK,
    text: str = ASK_FOR_A_PERSON,
) -> tuple[JSON, JSON]:
    """The customer asks for a person; returns the card in the desk channel and the
    customer's holding message ("I've passed your message to …")."""
    await choose_store(pg, chat_id, store, first_name)
    before = len(pg.telegram.bot_messages(chat_id))
    await pg.telegram.customer_sends(chat_id, text, first_name=first_name)
    holding = await pg.telegram.wait_for_bot_message(
        chat_id, lambda m: "passed your message" in text_of(m), after=before
    )
    card = await pg.slack.wait_for_message(
        channel,
        lambda m: m.get("thread_ts") in (None, m["ts"]) and first_name in str(m.get("blocks")),
    )
    return card, holding


async def conversation(redis_store: ConversationStore, chat_id: int) -> Conversation:
    conv = await redis_store.current(str(chat_id))
    assert conv is not None, f"no conversation for chat {chat_id}"
    return conv
