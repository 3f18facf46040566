"""The handoff desk in Slack, end to end: who may claim, who may speak to the customer,
what stays internal, and what the customer's words can (not) do in the channel."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from handoff.core.state import Status
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import Clock, StartWorker, eventually
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

NAMES = {AISHA: "Aisha", LUIS: "Luis"}


async def _take_over(pg: Playground, chat: int, card: JSON, user: str = AISHA) -> None:
    await pg.slack.user_clicks(user, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)


async def _card_now(pg: Playground, card: JSON, predicate: Any) -> JSON:
    """The card (the thread's parent) once an update makes `predicate` true."""
    return await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: m["ts"] == card["ts"] and predicate(m)
    )


def _actions(card: JSON) -> list[str]:
    return [
        element["action_id"]
        for block in card.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def test_two_simultaneous_clicks_make_exactly_one_owner(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 701
    card, _ = await hand_off(pg, chat)

    clicks = await asyncio.gather(
        pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over"),
        pg.slack.user_clicks(LUIS, RIVERSIDE_DESK, card["ts"], "take_over"),
    )
    assert all(click.ok for click in clicks)
    store = ConversationStore(redis)
    await eventually(lambda: _owned(store, chat))
    owner = (await conversation(store, chat)).owner
    assert owner in (AISHA, LUIS)
    loser = LUIS if owner == AISHA else AISHA

    # The loser's click waits for the winner's under the chat lock, so once the loser is
    # told, everything the winner's claim does has been done.
    await pg.slack.wait_for_ephemeral(
        loser, lambda e: e["text"] == f"{NAMES[owner]} has this conversation."
    )
    await settled(worker)
    intros = [m for m in pg.telegram.bot_messages(chat) if is_intro(m)]
    assert len(intros) == 1
    assert f"this is {NAMES[owner]}" in text_of(intros[0])
    assert await store.open_counts() == {owner: 1}
    took_over = [m for m in pg.slack.thread(RIVERSIDE_DESK, card["ts"]) if "took over" in m["text"]]
    assert len(took_over) == 1
    assert not pg.slack.ephemerals(owner)


async def _owned(store: ConversationStore, chat: int) -> bool:
    return (await conversation(store, chat)).status is Status.HUMAN


async def test_someone_outside_the_directory_cannot_claim(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 702
    card, _ = await hand_off(pg, chat)
    pg.slack.add_user("U0GUEST01", "guest", real_name="A Guest")  # joins every channel

    await pg.slack.user_clicks("U0GUEST01", RIVERSIDE_DESK, card["ts"], "take_over")
    told = await pg.slack.wait_for_ephemeral("U0GUEST01")
    assert "directory" in told["text"]
    conv = await conversation(ConversationStore(redis), chat)
    assert (conv.status, conv.owner) == (Status.PENDING, None)
    assert not any(is_intro(m) for m in pg.telegram.bot_messages(chat))


async def test_owner_notes_stay_internal_and_are_in_the_transcript(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 703
    card, _ = await hand_off(pg, chat)
    await _take_over(pg, chat, card)
    store = ConversationStore(redis)
    conv = await conversation(store, chat)

    note = "Note: order 4471 was left at the wrong door, check the driver photo"
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, note, thread_ts=card["ts"])

    async def noted() -> bool:
        events = await store.transcript(conv.id)
        return any(e.kind == "note" and e.detail.get("text") == note for e in events)

    await eventually(noted)
    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "I found your parcel.", thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: "found your parcel" in text_of(m), after=before
    )
    assert all("4471" not in text_of(m) for m in pg.telegram.bot_messages(chat))
    [event] = [e for e in await store.transcript(conv.id) if e.kind == "note"]
    assert (event.by, event.reason) == (AISHA, "marked as a note")


async def test_a_non_owners_reply_stays_internal_with_a_private_hint(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 704
    card, _ = await hand_off(pg, chat)
    await _take_over(pg, chat, card)

    await pg.slack.user_posts(LUIS, RIVERSIDE_DESK, "I can do the refund", thread_ts=card["ts"])
    hint = await pg.slack.wait_for_ephemeral(LUIS)
    assert "Aisha has this conversation" in hint["text"]
    assert "take over" in hint["text"].lower()
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    notes = [e for e in await store.transcript(conv.id) if e.kind == "note"]
    assert [(e.by, e.reason, e.detail["text"]) for e in notes] == [
        (LUIS, "not the owner", "I can do the refund")
    ]
    assert all("refund" not in text_of(m) for m in pg.telegram.bot_messages(chat))
    assert conv.owner == AISHA


async def test_customer_text_cannot_ping_or_format_in_slack(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 705
    sneaky = "hey <!channel> <@U0LUIS01> *bold* & <https://evil.example|click>"
    card, _ = await hand_off(pg, chat, text=f"I want a real person now {sneaky}")
    # On the card the customer's words are plain text; mrkdwn parts carry no raw markup.
    for block in card["blocks"]:
        text = block.get("text") or {}
        if text.get("type") == "mrkdwn":
            assert "<!channel>" not in text["text"]
            assert "<@U0LUIS01>" not in text["text"]  # only Aisha is mentioned, by Tandem
    assert sneaky in str(card["blocks"])  # in a plain_text block, shown as typed

    await pg.telegram.customer_sends(chat, sneaky, first_name="Alex")
    posted = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "evil.example" in m["text"], thread_ts=card["ts"]
    )
    assert posted["text"] == (
        "Alex: hey &lt;!channel&gt; &lt;@U0LUIS01&gt; *bold* &amp; "
        "&lt;https://evil.example|click&gt;"
    )
    [block] = posted["blocks"]
    assert block["text"] == {"type": "plain_text", "text": f"Alex: {sneaky}", "emoji": False}


@pytest.mark.parametrize(
    ("hours_later", "employee", "name"),
    [(0, AISHA, "Aisha"), (5, LUIS, "Luis")],  # Tuesday 11:00 and 16:00, when Aisha has left
)
async def test_routed_to_the_named_on_shift_employee_of_the_home_store(
    playground: tuple[Playground, str],
    start_worker: StartWorker,
    clock: Clock,
    redis: Redis,
    hours_later: int,
    employee: str,
    name: str,
) -> None:
    pg, _ = playground
    clock.advance(hours_later * 3600)
    await start_worker()
    chat = 706
    card, holding = await hand_off(pg, chat)
    assert f"<@{employee}>" in str(card["blocks"])
    assert f"passed your message to {name} at our Riverside store" in text_of(holding)
    assert (await conversation(ConversationStore(redis), chat)).offered_to == employee


async def test_back_to_bot_lets_the_bot_answer_again(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 707
    card, _ = await hand_off(pg, chat)
    await _take_over(pg, chat, card)

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "back_to_bot")
    left = await pg.telegram.wait_for_bot_message(chat, lambda m: "has left" in text_of(m))
    assert "Aisha" in text_of(left)
    await _card_now(pg, card, lambda m: "Back with the bot" in str(m["blocks"]))
    store = ConversationStore(redis)
    await eventually(lambda: _status_is(store, chat, Status.BOT))

    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_sends(chat, "what are your hours on saturday?", first_name="Alex")
    answer = await pg.telegram.wait_for_bot_message(chat, after=before)
    assert "7 am" in text_of(answer)
    assert await store.open_counts() == {AISHA: 0}


async def test_resolve_closes_the_conversation_and_the_card_says_so(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 708
    card, _ = await hand_off(pg, chat)
    await _take_over(pg, chat, card)

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "resolve")
    resolved = await _card_now(pg, card, lambda m: "Resolved" in str(m["blocks"]))
    assert _actions(resolved) == []  # nothing left to click on a closed conversation
    left = await pg.telegram.wait_for_bot_message(chat, lambda m: "has left" in text_of(m))
    assert "Aisha" in text_of(left)
    await eventually(lambda: _status_is(ConversationStore(redis), chat, Status.RESOLVED))


async def _status_is(store: ConversationStore, chat: int, status: Status) -> bool:
    return (await conversation(store, chat)).status is status
