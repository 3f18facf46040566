"""A right-to-left override from a customer (or an employee) cannot turn round what an
employee reads in Slack or a supervisor reads on the dashboard: every invisible format
character is shown as a mark there (handoff/texts/bidi.py), while the transcript in Redis
keeps what was written."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from handoff.review.accounts import Accounts
from handoff.review.app import build_review_app
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import Clock, StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    ASK_FOR_A_PERSON,
    RIVERSIDE_DESK,
    choose_store,
    conversation,
    settled,
)
from tests.review import conftest as review

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

NAME = "Ri\u202eta"  # shown as "atiR" when the override is obeyed
NAME_SHOWN = "Ri[U+202E]ta"
ORDER = "order \u202e1744\u202c never came"  # reads "order 4471 never came"
ORDER_SHOWN = "order [U+202E]1744[U+202C] never came"
NOTE = "note: refund \u2066\u202e001$\u202c\u2069 approved"
NOTE_SHOWN = "note: refund [U+2066][U+202E]001$[U+202C][U+2069] approved"


def hidden(text: str) -> list[str]:
    """The invisible format characters left in ``text``."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"]


def everything(message: dict[str, Any]) -> str:
    return json.dumps([message.get("text"), message.get("blocks")], ensure_ascii=False)


async def _handed_off(pg: Playground, chat: int) -> dict[str, Any]:
    """The customer named NAME asks for a person about ORDER; returns the card."""
    await choose_store(pg, chat, "riverside", NAME)
    await pg.telegram.customer_sends(chat, f"{ASK_FOR_A_PERSON}, my {ORDER}", first_name=NAME)
    return await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: m.get("thread_ts") in (None, m["ts"]) and "1744" in everything(m),
    )


async def test_the_card_and_the_thread_show_the_override_as_a_mark(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 761
    card = await _handed_off(pg, chat)
    assert hidden(everything(card)) == []
    assert NAME_SHOWN in card["text"]
    assert NAME_SHOWN in everything(card)
    assert ORDER_SHOWN in everything(card)

    await pg.telegram.customer_sends(chat, f"still waiting, {ORDER}", first_name=NAME)
    posted = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "still waiting" in m["text"], thread_ts=card["ts"]
    )
    assert posted["text"] == f"{NAME_SHOWN}: still waiting, {ORDER_SHOWN}"
    [block] = posted["blocks"]
    assert block["text"]["text"] == f"{NAME_SHOWN}: still waiting, {ORDER_SHOWN}"
    await settled(worker)
    for message in pg.slack.messages(RIVERSIDE_DESK):
        assert hidden(everything(message)) == [], message

    # What was written is on record as written.
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    said = [e.detail.get("text") for e in await store.transcript(conv.id)]
    assert f"still waiting, {ORDER}" in said
    assert (await store.customer(str(chat)))["first_name"] == NAME


async def test_the_dashboard_and_its_exports_show_the_override_as_a_mark(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 762
    card = await _handed_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, NOTE, thread_ts=card["ts"])
    store = ConversationStore(redis)
    conv = await conversation(store, chat)

    async def noted() -> bool:
        return any(e.kind == "note" for e in await store.transcript(conv.id))

    await eventually(noted)
    await settled(worker)

    accounts = Accounts({"alice": review._HASH})
    app = review.worker_app(build_review_app(review.config(store, review.Clock(clock()), accounts)))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://review.test") as client:
        assert (await review.login(client)).status_code == 303
        page = (await client.get(f"/review/c/{conv.id}")).text
        printable = (await client.get(f"/review/c/{conv.id}/print")).text
        listing = (await client.get("/review/")).text
        exported = (await client.get("/review/export.csv")).text
        lines = (await client.get("/review/export.jsonl")).text

    for html in (page, printable):
        assert hidden(html) == []
        assert ORDER_SHOWN in html
        assert NAME_SHOWN in html
        assert NOTE_SHOWN in html
    assert hidden(listing) == []
    assert NAME_SHOWN in listing
    [row] = [r for r in csv.DictReader(io.StringIO(exported)) if r["conversation"] == conv.id]
    assert row["customer"] == NAME_SHOWN
    assert hidden(exported) == []
    [record] = [
        json.loads(x) for x in lines.splitlines() if json.loads(x)["conversation"] == conv.id
    ]
    assert record["customer"] == NAME_SHOWN
    assert hidden(lines) == []

    # The transcript keeps the original words.
    said = [e.detail.get("text") for e in await store.transcript(conv.id)]
    assert f"{ASK_FOR_A_PERSON}, my {ORDER}" in said
    assert NOTE in said
