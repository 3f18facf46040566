"""Workers on a Redis Cluster: REDIS_URL=redis+cluster://… to a real three-master Valkey
cluster. The scenarios below are the suite's own, run again here because this module's
``redis_url`` and ``redis`` fixtures (the cluster) take the place of the session's Valkey:
locks and atomic claims, offer timers, message maps, the reply guard, pauses, ratings, and
a worker restart."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from redis.crc import key_slot

from handoff.core.state import Status
from handoff.storage.connection.redis_url import connect_redis
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e import (
    test_desk,
    test_escalation,
    test_guard,
    test_loop,
    test_media_and_edits,
    test_pause_and_notices,
    test_ratings,
)
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, conversation, hand_off, is_intro
from tests.support.valkey_cluster import running_cluster

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

# The suite's scenarios, collected here again with this module's fixtures.
test_answered = test_loop.test_factual_question_is_answered_with_the_stores_fact
test_handed_off = test_loop.test_upset_customer_goes_to_a_named_local_employee_and_gets_their_reply
test_restart = test_loop.test_conversation_survives_a_worker_restart
test_two_clicks = test_desk.test_two_simultaneous_clicks_make_exactly_one_owner
test_resolve = test_desk.test_resolve_closes_the_conversation_and_the_card_says_so
test_offer_ladder = (
    test_escalation.test_an_untaken_offer_goes_to_the_next_person_the_channel_then_the_supervisor
)
test_claim_stops_ladder = test_escalation.test_a_claim_stops_the_ladder
test_edit = (
    test_media_and_edits.test_an_edit_updates_the_slack_post_and_the_transcript_keeps_both_texts
)
test_guard_held = test_guard.test_a_careless_reply_waits_for_send_anyway_and_is_delivered_once
test_pause = test_pause_and_notices.test_a_pause_sends_every_message_to_a_person_until_resume
test_rating_once = test_ratings.test_a_rating_counts_once_and_a_second_press_is_answered_politely


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def redis_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with running_cluster(tmp_path_factory.mktemp("valkey-cluster")) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect_redis(redis_url)
    await client.flushdb()  # on every master
    yield client
    await client.aclose()


async def test_a_handoff_on_a_cluster_keeps_every_key_in_one_slot(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    await start_worker()  # two workers, one cluster
    chat = 9101
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    store = ConversationStore(redis)

    async def owned() -> bool:
        return (await conversation(store, chat)).status is Status.HUMAN

    await eventually(owned)
    assert store.prefix == "{tandem}"
    keys = sorted([k.decode() async for k in redis.scan_iter(match="*", count=1000)])
    assert f"{{tandem}}:conv:{(await conversation(store, chat)).id}" in keys
    assert all(k.startswith("{tandem}:") for k in keys), keys
    assert {key_slot(k.encode()) for k in keys} == {key_slot(b"tandem")}
