"""Nobody picks it up: the offer climbs the ladder, Pass, and what the customer is promised.

Time is the fake clock's: a test advances it and runs one timer tick, never sleeps.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from redis.asyncio import Redis

from bot.worker import Worker
from handoff.core.state import Event, Status
from handoff.flows.offers import TIMER_KIND
from handoff.queues.timers import TimerStore
from handoff.storage.live.response_times import ResponseTimes
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import DETROIT, Clock, StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    conversation,
    hand_off,
    is_intro,
    settled,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

DOWNTOWN_DESK = "C0DOWNTOWN"
MARIA = "U0MARIA01"  # Downtown's supervisor; on shift Tuesdays 07:00-15:30, first in the rota
DARNELL = "U0DARNELL1"  # Downtown, on shift Tuesdays 10:30-19:00
TIMEOUT = 120.0  # the default OFFER_TIMEOUT_SECONDS


async def _tick(worker: Worker) -> None:
    assert worker.timers is not None
    await worker.timers.run_due()


async def _expire(worker: Worker, clock: Clock) -> None:
    clock.advance(TIMEOUT)
    await _tick(worker)
    await settled(worker)  # the posts and the card's update have been sent


async def _reply(pg: Playground, card: JSON, predicate: object) -> JSON:
    return await pg.slack.wait_for_message(
        DOWNTOWN_DESK,
        lambda m: m["ts"] != card["ts"] and predicate(text_of(m)),  # type: ignore[operator]
        thread_ts=card["ts"],
    )


def _card(pg: Playground, card: JSON) -> str:
    """The card as it is now (chat.update rewrites it in place)."""
    return str(next(m for m in pg.slack.messages(DOWNTOWN_DESK) if m["ts"] == card["ts"]))


async def _offers(store: ConversationStore, chat: int) -> list[Event]:
    conv = await conversation(store, chat)
    return [e for e in await store.transcript(conv.id) if e.kind == "offer"]


async def test_an_untaken_offer_goes_to_the_next_person_the_channel_then_the_supervisor(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    worker = await start_worker()
    store, chat = ConversationStore(redis), 801
    card, _ = await hand_off(pg, chat, store="downtown", channel=DOWNTOWN_DESK)
    assert f"<@{MARIA}>" in str(card["blocks"])

    await _tick(worker)  # not yet due
    assert await _offers(store, chat) == []

    await _expire(worker, clock)
    nudge = await _reply(pg, card, lambda t: "Nobody has picked this up yet" in t)
    assert text_of(nudge).startswith(f"<@{DARNELL}> ")
    assert f"<@{DARNELL}>" in _card(pg, card)

    await _expire(worker, clock)
    here = await _reply(pg, card, lambda t: t.startswith("<!here>"))
    assert "Nobody has picked this up yet" in text_of(here)
    assert "everyone here" in _card(pg, card)

    await _expire(worker, clock)
    boss = await _reply(pg, card, lambda t: t.startswith(f"<@{MARIA}>"))
    assert "Downtown supervisor" in text_of(boss)
    assert "Escalated to" in _card(pg, card)

    offers = await _offers(store, chat)
    assert [(e.reason, e.detail["offered_to"]) for e in offers] == [
        ("expired", DARNELL),
        ("channel", None),
        ("supervisor", MARIA),
    ]
    conv = await conversation(store, chat)
    assert conv.offered == (MARIA, DARNELL)
    assert conv.expires_at is None

    # The supervisor is the last rung: no timer left, nothing more is posted.
    assert await TimerStore(redis).due_at(TIMER_KIND, conv.id) is None
    posted = len(pg.slack.thread(DOWNTOWN_DESK, card["ts"]))
    await _expire(worker, clock)
    assert len(pg.slack.thread(DOWNTOWN_DESK, card["ts"])) == posted


async def test_a_claim_stops_the_ladder(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    worker = await start_worker()
    store, chat = ConversationStore(redis), 802
    card, _ = await hand_off(pg, chat, store="downtown", channel=DOWNTOWN_DESK)
    conv = await conversation(store, chat)
    assert await TimerStore(redis).due_at(TIMER_KIND, conv.id) == clock.now + TIMEOUT

    clock.advance(30)
    await pg.slack.user_clicks(DARNELL, DOWNTOWN_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)

    async def cleared() -> bool:
        return await TimerStore(redis).due_at(TIMER_KIND, conv.id) is None

    await eventually(cleared)
    await _expire(worker, clock)
    assert await _offers(store, chat) == []
    assert (await conversation(store, chat)).status is Status.HUMAN
    assert await ResponseTimes(store).recent("downtown") == [30.0]  # measured for the promise


async def test_pass_offers_it_to_the_next_person_and_only_the_offered_may_pass(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    await start_worker()
    store, chat = ConversationStore(redis), 803
    card, _ = await hand_off(pg, chat, store="downtown", channel=DOWNTOWN_DESK)

    await pg.slack.user_clicks(DARNELL, DOWNTOWN_DESK, card["ts"], "pass_on")
    await pg.slack.wait_for_ephemeral(DARNELL, lambda e: "only they can pass" in str(e))
    assert await _offers(store, chat) == []

    clock.advance(10)
    await pg.slack.user_clicks(MARIA, DOWNTOWN_DESK, card["ts"], "pass_on")
    passed = await _reply(pg, card, lambda t: "Maria passed." in t)
    assert text_of(passed).startswith(f"<@{DARNELL}> ")
    conv = await conversation(store, chat)
    assert (conv.offered_to, conv.passed_by) == (DARNELL, (MARIA,))
    assert conv.expires_at == clock.now + TIMEOUT
    assert await TimerStore(redis).due_at(TIMER_KIND, conv.id) == clock.now + TIMEOUT
    [event] = await _offers(store, chat)
    assert (event.reason, event.by, event.detail["offered_to"]) == ("pass", MARIA, DARNELL)

    await pg.slack.user_clicks(DARNELL, DOWNTOWN_DESK, card["ts"], "pass_on")
    await _reply(pg, card, lambda t: t.startswith("<!here> Darnell passed."))
    # Offered to everyone now: the supervisor is next, and Maria passed already.
    await pg.slack.user_clicks(DARNELL, DOWNTOWN_DESK, card["ts"], "pass_on")
    await _reply(pg, card, lambda t: "Nobody is left to offer it to" in t)
    reasons = [e.reason for e in await _offers(store, chat)]
    assert reasons == ["pass", "pass", "pass"]


async def test_out_of_hours_the_customer_hears_when_the_store_opens_and_who_will_answer(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    clock.now = datetime(2026, 11, 29, 14, 0, tzinfo=DETROIT).timestamp()  # Downtown: closed
    worker = await start_worker()
    store, chat = ConversationStore(redis), 804
    card, holding = await hand_off(pg, chat, store="downtown", channel=DOWNTOWN_DESK)
    assert text_of(holding) == (
        "Thank you, Alex. Our Downtown store is closed at the moment and opens tomorrow at "
        "7 am. I've passed your message to Maria, who will pick it up then and reply to you here."
    )
    conv = await conversation(store, chat)
    opening = datetime(2026, 11, 30, 7, 0, tzinfo=DETROIT).timestamp()
    assert (conv.offered_to, conv.expires_at) == (MARIA, opening + TIMEOUT)

    clock.now = opening - 3600  # an hour before opening: nobody is pinged at night
    await _tick(worker)
    assert await _offers(store, chat) == []

    clock.now = opening + TIMEOUT  # Maria did not pick it up; Darnell starts at 10:30
    await _tick(worker)
    await _reply(pg, card, lambda t: t.startswith("<!here> Nobody has picked this up yet"))


async def test_the_waiting_time_quoted_is_the_stores_measured_median(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    await start_worker()
    times = ResponseTimes(ConversationStore(redis))
    for seconds in (150.0, 200.0, 240.0, 300.0):
        await times.record("riverside", seconds)

    _, holding = await hand_off(pg, 805)
    assert text_of(holding).endswith("who will reply to you here as soon as they can.")

    await times.record("riverside", 900.0)  # five measurements: median 240 s
    _, holding = await hand_off(pg, 806, first_name="Sam")
    assert text_of(holding) == (
        "Thank you, Sam. I've passed your message to Aisha at our Riverside store, who will "
        "reply to you here. Recently, replies have typically taken about 4 minutes."
    )
    conv = await conversation(ConversationStore(redis), 806)
    assert conv.offered_to == AISHA
