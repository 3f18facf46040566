"""Triage in the running product: current facts, notices, stale answers, Rasa down."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from playground.app import DEFAULT_CHANNEL, Playground
from tests.e2e.conftest import DATA, StartWorker, eventually
from tests.e2e.desk_helpers import text_of
from tests.support.rasa_gate import RasaGate

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

RIVERSIDE_DESK = "C0RIVERSIDE"


def _with_notice(tmp_path: Path) -> Path:
    """A copy of data/ with a flood notice for Riverside on the test clock's day."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    notices = [
        {
            "id": "riverside-flood",
            "store": "riverside",
            "starts": "2026-11-24T07:00:00-05:00",
            "ends": "2026-11-24T18:00:00-05:00",
            "text": "Riverside is closed today due to flooding; Downtown and Northgate are open.",
            "intents": "all",
        }
    ]
    (data / "notices.yml").write_text(yaml.safe_dump(notices, sort_keys=False))
    return data


async def test_a_store_notice_overrides_the_normal_answer_in_its_window(
    playground: tuple[Playground, str], start_worker: StartWorker, tmp_path: Path
) -> None:
    pg, _ = playground
    await start_worker(data_dir=_with_notice(tmp_path))
    await pg.telegram.customer_sends(701, "what time does riverside open today?", first_name="Jo")
    answer = text_of(await pg.telegram.wait_for_bot_message(701))
    assert "closed today due to flooding" in answer
    assert "7 am" not in answer  # the normal hours are not advertised


async def test_an_expired_answer_is_never_sent(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    """data/answers.yml: Riverside's ask_services fact expired on 2026-11-20."""
    pg, _ = playground
    await start_worker()
    await pg.telegram.customer_sends(
        702, "do you rent out tools at the riverside store?", first_name="Kim"
    )
    card = await pg.slack.wait_for_message(RIVERSIDE_DESK)
    assert "no current answer on file" in str(card["blocks"])
    holding = text_of(await pg.telegram.wait_for_bot_message(702))
    assert "will reply to you here" in holding
    conv = await ConversationStore(redis).current("702")
    assert conv is not None
    assert conv.handoff_reason == "stale_answer"


async def test_when_rasa_is_down_the_customer_still_gets_a_reply_and_a_person(
    playground: tuple[Playground, str], start_worker: StartWorker, rasa_url: str, redis: Redis
) -> None:
    pg, _ = playground
    gate = RasaGate(rasa_url)
    try:
        await start_worker(rasa=await gate.start())
        await gate.stop()  # Rasa's address now refuses connections
        await pg.telegram.customer_sends(703, "what are your hours?", first_name="Lee")
        holding = text_of(await pg.telegram.wait_for_bot_message(703))
        assert "will reply to you here" in holding
        card = await pg.slack.wait_for_message(DEFAULT_CHANNEL, lambda m: "Lee" in text_of(m))
        assert "the language service was down" in str(card["blocks"])
        store = ConversationStore(redis)

        async def recorded() -> bool:
            conv = await store.current("703")
            if conv is None:
                return False
            kinds = [e.kind for e in await store.transcript(conv.id)]
            return conv.handoff_reason == "nlu_unavailable" and "customer_message" in kinds

        await eventually(recorded)
    finally:
        await gate.aclose()


async def test_naming_a_store_makes_it_the_home_store(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    await pg.telegram.customer_sends(704, "riverside", first_name="Max")
    reply = text_of(await pg.telegram.wait_for_bot_message(704))
    assert "Riverside is now your store" in reply
    assert (await ConversationStore(redis).customer("704")).get("store") == "riverside"
