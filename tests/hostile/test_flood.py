"""A customer flooding the bot: one notice a minute, nothing dropped, a person takes over."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from redis.asyncio import Redis

from handoff.flows.flood import FLOOD_NOTICE, FloodGate
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import Clock, StartWorker, eventually
from tests.e2e.desk_helpers import RIVERSIDE_DESK, choose_store, text_of

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

LIMIT = 5
HOURS = "what are your hours at riverside on saturday?"


def _notices(pg: Playground, chat: int) -> int:
    return sum(text_of(m) == FLOOD_NOTICE for m in pg.telegram.bot_messages(chat))


async def test_a_flood_gets_one_notice_per_minute_and_every_message_reaches_a_person(
    playground: tuple[Playground, str],
    start_worker: StartWorker,
    redis: Redis,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CUSTOMER_RATE_LIMIT_PER_MINUTE", str(LIMIT))
    pg, _ = playground
    await start_worker()
    chat = 7401
    await choose_store(pg, chat, "riverside", "Alex")
    for i in range(LIMIT):  # within the limit: each question answered by the bot
        await pg.telegram.customer_sends(chat, f"{HOURS} ({i})", first_name="Alex")
    extra = [f"hello?? are you there {i}" for i in range(4)]
    for text in extra:
        await pg.telegram.customer_sends(chat, text, first_name="Alex")

    # One notice; the bot stops answering one by one and hands the chat to a person.
    await pg.telegram.wait_for_bot_message(chat, lambda m: text_of(m) == FLOOD_NOTICE)
    card = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "many messages at once" in str(m.get("blocks"))
    )
    for text in extra[1:]:  # the first is on the card; the rest follow into the thread
        await pg.slack.wait_for_message(RIVERSIDE_DESK, _shows(text), thread_ts=card["ts"])
    assert extra[0] in str(card["blocks"])
    assert _notices(pg, chat) == 1

    store = ConversationStore(redis)
    conv = await store.current(str(chat))
    assert conv is not None
    assert conv.handoff_reason == "flood"

    async def all_recorded() -> bool:
        said = [
            e.detail.get("text")
            for e in await store.transcript(conv.id)
            if e.kind == "customer_message"
        ]
        answered = [e for e in await store.transcript(conv.id) if e.kind == "bot_answer"]
        return said[-4:] == extra and len(said) == LIMIT + len(extra) and len(answered) == LIMIT

    await eventually(all_recorded)

    # The next minute is a new window: its own flood gets its own single notice.
    clock.advance(60)
    for i in range(LIMIT + 3):
        await pg.telegram.customer_sends(chat, f"still waiting {i}", first_name="Alex")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "still waiting 7" in str(m.get("blocks")), thread_ts=card["ts"]
    )
    await eventually(lambda: _async(_notices(pg, chat) == 2))
    await asyncio.sleep(0.3)
    assert _notices(pg, chat) == 2


def _shows(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: text in str(message.get("blocks"))


async def _async(value: bool) -> bool:
    return value


async def _count(gate: FloodGate, redis: Redis, chat_id: int) -> int:
    """One message counted, as the message's first round trip counts it."""
    async with redis.pipeline(transaction=False) as pipe:
        make = gate.counting(str(chat_id))(pipe)
        return int(await make(await pipe.execute()))


async def test_workers_share_one_count_per_customer_and_window(redis: Redis) -> None:
    """Two workers (two gates on one Redis) counting at once never hand out a count twice."""
    now = [1_800_000_000.0]
    ctx: Any = SimpleNamespace(store=ConversationStore(redis), now=lambda: now[0])
    one, two = FloodGate(ctx), FloodGate(ctx)
    counts = await asyncio.gather(*(_count(g, redis, 42) for g in [one, two] * 15))
    assert sorted(counts) == list(range(1, 31))
    assert await _count(one, redis, 43) == 1  # another customer counts apart
    now[0] += 60
    assert await _count(two, redis, 42) == 1  # a new minute starts again
    ttl = await redis.ttl(f"tandem:flood:42:{int(now[0] // 60)}")
    assert 0 < ttl <= 120  # counters expire; nothing grows without bound
