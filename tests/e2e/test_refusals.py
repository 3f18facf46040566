"""What Telegram refuses is never lost silently, and what it would refuse is not sent so:
a blocked customer's refusal told in the thread, the transcript and /metrics, and nobody
offered the conversation until they write; a press answered at once while the chat's queue
is full; a 12,000×400 image delivered as a document; a sign-in page instead of a file
refused with a notice; unknown commands answered with the help. Real PTB and bolt workers
on the strict fake Telegram and Slack, real Valkey and Rasa."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.telegram.app import HELP
from bot.telegram.presses import ALREADY_DONE
from bot.worker import Worker
from handoff.core.refusals import EVENT
from handoff.core.state import Event, Status
from handoff.storage.store import ConversationStore
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
from tests.e2e.test_media_and_edits import PDF, png

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

BLOCKED = "Not delivered: the customer has blocked the bot."
TIMEOUT = 120.0  # the default OFFER_TIMEOUT_SECONDS


async def _owned_by_aisha(pg: Playground, chat: int, name: str) -> JSON:
    card, _ = await hand_off(pg, chat, first_name=name)
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")).ok
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    return card


async def _events(store: ConversationStore, chat: int, kind: str) -> list[Event]:
    conv = await conversation(store, chat)
    return [e for e in await store.transcript(conv.id) if e.kind == kind]


def _refused(worker: Worker, reason: str) -> float:
    value = worker.metrics.registry.get_sample_value(
        "tandem_refused_sends_total", {"channel": "tg", "reason": reason}
    )
    return value or 0.0


async def test_a_blocked_customers_refusal_is_told_in_the_thread_and_counted(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    store, chat = ConversationStore(redis), 9101
    card = await _owned_by_aisha(pg, chat, "Priya")
    before = len(pg.telegram.bot_messages(chat))

    pg.telegram.refuse_chat(chat, "blocked")
    await pg.slack.user_posts(
        AISHA, RIVERSIDE_DESK, "Your parcel is at the depot & ready", thread_ts=card["ts"]
    )
    told = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: BLOCKED in text_of(m), thread_ts=card["ts"]
    )
    assert "Your parcel is at the depot &amp; ready" in text_of(told)  # Slack's encoding
    assert len(pg.telegram.bot_messages(chat)) == before  # nothing reached the chat
    [refusal] = await _events(store, chat, EVENT)
    assert refusal.reason == "blocked"
    assert refusal.detail["text"].endswith("Your parcel is at the depot & ready")
    assert _refused(worker, "blocked") == 1.0
    # Given up once, not retried: later sends of the lane go on (and are refused too).
    await settled(worker)
    assert _refused(worker, "blocked") == 1.0

    # The customer comes back (writing unblocks the bot): the next reply arrives.
    await pg.telegram.customer_sends(chat, "Sorry, I had blocked you by mistake")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "blocked you by mistake" in text_of(m), thread_ts=card["ts"]
    )
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "No problem!", thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "No problem!" in text_of(m))


async def test_nobody_is_offered_a_blocked_customer_until_they_write(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    worker = await start_worker()
    store, chat = ConversationStore(redis), 9102
    card, _ = await hand_off(pg, chat, first_name="Omar")
    conv = await conversation(store, chat)
    assert conv.status is Status.PENDING
    assert worker.queues is not None

    # A send to the customer (a bot notice, say) is refused: they blocked the bot.
    pg.telegram.refuse_chat(chat, "blocked")
    body = {"kind": "text", "chat_id": chat, "html": "Still looking for someone", "buttons": []}
    await worker.queues.outbox.put(f"tg:{chat}", body)
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: BLOCKED in text_of(m), thread_ts=card["ts"]
    )
    assert worker.timers is not None

    clock.advance(TIMEOUT)  # the offer expires: the ladder holds
    await worker.timers.run_due()
    await settled(worker)
    assert await _events(store, chat, "offer") == []
    held = await conversation(store, chat)
    assert held.offered_to == conv.offered_to
    assert held.expires_at == pytest.approx(clock.now + TIMEOUT)

    await pg.telegram.customer_sends(chat, "Hello? Anyone there?", first_name="Omar")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "Anyone there" in text_of(m), thread_ts=card["ts"]
    )
    clock.advance(TIMEOUT)  # now it climbs again
    await worker.timers.run_due()
    await settled(worker)
    [offer] = await _events(store, chat, "offer")  # the next rung, whichever it is now
    assert offer.detail["stage"] in ("person", "channel", "supervisor")


async def test_a_press_is_answered_at_once_while_the_chats_queue_is_full(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    assert worker.queues is not None
    chat = 9103
    await pg.telegram.customer_sends(chat, "/start", first_name="Lena")
    welcome = await pg.telegram.wait_for_bot_message(chat, lambda m: bool(m.get("reply_markup")))
    await settled(worker)

    for n in range(40):  # forty questions ahead of the press, each parsed by Rasa
        await pg.telegram.customer_sends(chat, f"When do you open on day {n}?")
    query = await pg.telegram.customer_presses(chat, welcome["message_id"], "store:riverside")

    waiting: list[int] = []

    async def answered() -> bool:
        if any(a["callback_query_id"] == query for a in pg.telegram.callback_answers):
            waiting.append(await worker.queues.inbox_lanes.depth())  # type: ignore[union-attr]
            return True
        return False

    await eventually(answered, within=5.0)
    [answer] = [a for a in pg.telegram.callback_answers if a["callback_query_id"] == query]
    assert answer["text"] is None
    assert answer["answered_after"] < pg.telegram.state.callback_deadline
    assert waiting[0] > 0, "the press was answered only once the queue had drained"

    # The work still happens, once, in its turn; pressing again is "already done".
    chosen = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "is now your store" in text_of(m), timeout=60.0
    )
    again = await pg.telegram.customer_presses(chat, welcome["message_id"], "store:riverside")

    async def answered_again() -> bool:
        return any(a["callback_query_id"] == again for a in pg.telegram.callback_answers)

    await eventually(answered_again)
    [second] = [a for a in pg.telegram.callback_answers if a["callback_query_id"] == again]
    assert second["text"] == ALREADY_DONE
    await settled(worker, within=60.0)
    chosen_all = [m for m in pg.telegram.bot_messages(chat) if "is now your store" in text_of(m)]
    assert [m["message_id"] for m in chosen_all] == [chosen["message_id"]]


async def test_a_12000_by_400_image_is_delivered_as_a_document(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 9104
    card = await _owned_by_aisha(pg, chat, "Hugo")
    before = len(pg.telegram.bot_messages(chat))
    panorama = png(12_000, 400, (90, 140, 200))
    await pg.slack.user_uploads(
        AISHA, RIVERSIDE_DESK, card["ts"], panorama, "shelf-panorama.png", "image/png",
        text="The whole shelf, left to right.",
    )  # fmt: skip
    got = await pg.telegram.wait_for_bot_message(chat, lambda m: "document" in m, after=before)
    assert got["document"]["file_name"] == "shelf-panorama.png"
    assert got["caption"] == "<b>Aisha</b> · Riverside\nThe whole shelf, left to right."
    assert pg.telegram.file_bytes(got["document"]["file_id"]) == panorama
    assert not [m for m in pg.telegram.bot_messages(chat)[before:] if "photo" in m]
    tried = [
        c
        for c in pg.telegram.calls
        if c.method == "sendPhoto" and "whole shelf" in str(c.params.get("caption"))
    ]
    assert tried == []  # not even tried as a photo: Telegram would refuse it


async def test_a_sign_in_page_instead_of_a_file_is_refused_with_a_notice(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 9105
    card = await _owned_by_aisha(pg, chat, "Ines")
    before = len(pg.telegram.bot_messages(chat))
    pg.slack._files.break_download("receipt-9105.pdf", "login_page")
    await pg.slack.user_uploads(
        AISHA, RIVERSIDE_DESK, card["ts"], PDF, "receipt-9105.pdf", "application/pdf",
        text="Here is your receipt.",
    )  # fmt: skip
    notice = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "not sent to the customer" in text_of(m), thread_ts=card["ts"]
    )
    assert text_of(notice) == (
        "receipt-9105.pdf: not sent to the customer (Slack answered with a sign-in page "
        "instead of the file). Share it again, or a link."
    )
    words = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Here is your receipt." in text_of(m), after=before
    )
    assert "document" not in words
    await asyncio.sleep(0.2)
    assert not [m for m in pg.telegram.bot_messages(chat) if "document" in m]


async def test_unknown_commands_get_the_help_and_the_menu_is_registered(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 9106
    menu = [
        c["command"] for c in pg.telegram.state.commands[next(iter(pg.telegram.state.commands))]
    ]
    assert menu == ["start", "store", "profile", "forget", "help"]
    for n, (command, reply) in enumerate([
        ("/strat", f"Sorry, I don't know the command /strat.\n\n{HELP}"),
        ("/start@OtherBot", f"Sorry, I don't know the command /start@OtherBot.\n\n{HELP}"),
        ("/help", HELP),
    ]):  # fmt: skip
        await pg.telegram.customer_sends(chat, command, first_name="Noor")
        got = await pg.telegram.wait_for_bot_message(chat, after=n)
        assert got["text"] == reply
    assert "/forget – Erase what we remember about you" in HELP
