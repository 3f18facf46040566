"""A Slack post is made once even when Slack fails after posting: Slack has no idempotency
key, so each post carries its outbox job's id as metadata, and a job tried before looks
for its post before it posts again (handoff/slack/outbox.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from handoff.slack.desk import POST_EVENT
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker
from tests.e2e.desk_helpers import JSON, RIVERSIDE_DESK, conversation, hand_off, settled

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

ORDER_QUESTION = "My order 4471 still has not arrived, what is going on?"


def showing(text: str) -> Callable[[JSON], bool]:
    return lambda message: text in str(message.get("blocks"))


async def test_posts_slack_made_but_answered_500_are_not_made_again(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 6301
    # The card: Slack posts it, then answers 500 (its answer lost on the way back).
    pg.slack.fail_next("chat.postMessage", status=500, after=True)
    card, _ = await hand_off(pg, chat)
    await settled(worker)
    cards = [m for m in pg.slack.messages(RIVERSIDE_DESK, top_level=True) if "Alex" in str(m)]
    assert cards == [card]
    assert card["metadata"]["event_type"] == POST_EVENT
    conv = await conversation(ConversationStore(redis), chat)
    assert conv.thread is not None
    assert conv.thread.ts == card["ts"]  # the one it found

    # A message into the thread: the same, and then one that Slack refused before posting.
    for text, after in ((ORDER_QUESTION, True), ("It was due on Monday.", False)):
        pg.slack.fail_next("chat.postMessage", status=500, after=after)
        await pg.telegram.customer_sends(chat, text)
        await pg.slack.wait_for_message(RIVERSIDE_DESK, showing(text), thread_ts=card["ts"])
        await settled(worker)  # the try that failed has been tried again

    thread = pg.slack.thread(RIVERSIDE_DESK, card["ts"])
    said = [str(m.get("blocks")) for m in thread[1:]]
    [question] = [i for i, s in enumerate(said) if ORDER_QUESTION in s]
    [due] = [i for i, s in enumerate(said) if "It was due on Monday." in s]
    assert question < due  # once each, in order
