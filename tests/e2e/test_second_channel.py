"""A second customer channel needs no change to the flows: the real customer flow, the real
Redis store and Rasa, and an in-memory channel and desk (tests/support/collecting.py) in
place of Telegram and Slack. No PTB, no bolt.

The channel is named "web"; its customers' addresses are qualified ("web:…", handoff/core/
addresses.py), so its dedupe marks and its conversations are its own even where a sender
id is also a Telegram chat id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from handoff.core.messages import CustomerMessage
from handoff.flows.context import Context
from handoff.flows.customer import CustomerFlow
from handoff.queues.customers import CustomerChannels, UnknownChannel
from handoff.storage.store import ConversationStore
from nlu.facts.answers import AnswerBook
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.project import PROJECT_ROOT
from nlu.rasa.client import RasaClient
from tests.support.collecting import CollectingChannel, CollectingDesk

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

DATA = PROJECT_ROOT / "data"
HANDOFF_CHANNEL = "C0HANDOFF"


class Web:
    def __init__(self, ctx: Context, channel: CollectingChannel, desk: CollectingDesk) -> None:
        self.ctx, self.channel, self.desk = ctx, channel, desk
        self.flow = CustomerFlow(ctx)
        self.events = 0

    async def says(self, sender: str, text: str, *, event_id: str | None = None) -> None:
        self.events += 1
        message = CustomerMessage(
            channel="web",
            sender_id=sender,
            event_id=event_id or f"e{self.events}",
            message_id=self.events,
            text=text,
            first_name="Ada",
        )
        await self.flow.on_message(message)


@pytest_asyncio.fixture(loop_scope="session")
async def web(redis: Redis, rasa_url: str) -> AsyncIterator[Web]:
    stores = StoreDirectory.load(DATA / "stores.yml")
    channel, desk = CollectingChannel(), CollectingDesk()
    nlu = RasaClient(rasa_url)
    ctx = Context(
        store=ConversationStore(redis),
        nlu=nlu,
        customers=CustomerChannels({"web": channel}),
        desk=desk,
        stores=stores,
        answers=AnswerBook.from_dir(DATA, stores),
        employees=EmployeeDirectory.load(DATA / "employees.yml", stores),
        default_channel=HANDOFF_CHANNEL,
    )
    yield Web(ctx, channel, desk)
    await nlu.aclose()


async def test_the_bot_answers_a_web_customer_through_the_same_flow(web: Web) -> None:
    await web.says("v3f2a", "where is your riverside store?")
    riverside = web.ctx.stores.get("riverside")
    answers = web.channel.texts("web:v3f2a")
    assert len(answers) == 1
    assert riverside.address in answers[0]  # the address from data/stores.yml
    assert web.desk.cards == []


async def test_its_dedupe_marks_and_conversations_are_named_by_the_channel(
    web: Web, redis: Redis
) -> None:
    await web.says("12345", "where is your riverside store?", event_id="77")
    await web.says("12345", "where is your riverside store?", event_id="77")  # delivered twice
    assert len(web.channel.texts("web:12345")) == 1
    store = web.ctx.store
    assert await store.seen("web", "77", chat_id="web:12345")
    assert await redis.exists(store.keys.seen("web", "web:12345"))
    assert await store.current("web:12345") is not None
    assert await store.current("12345") is None  # the Telegram chat 12345 is someone else


async def test_a_handoff_reaches_the_desk_and_the_customer_is_told_on_their_channel(
    web: Web,
) -> None:
    await web.says("v9", "my order never arrived and I'm really annoyed")
    assert len(web.desk.cards) == 1
    channel, card = web.desk.cards[0]
    assert channel == HANDOFF_CHANNEL
    assert card.customer_name == "Ada"
    told = web.channel.texts("web:v9")
    assert told  # who will reply, or how long it takes: never silence
    conv = await web.ctx.store.current("web:v9")
    assert conv is not None
    assert conv.status.value == "pending"


async def test_a_channel_the_worker_does_not_serve_is_a_clear_error(web: Web) -> None:
    with pytest.raises(UnknownChannel, match="no channel 'tg' here \\(channels: web\\)"):
        await web.ctx.customers.send_text("12345", "hello")
