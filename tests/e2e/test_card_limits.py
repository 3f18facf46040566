"""A card from a long conversation stays within Slack's Block Kit limits and posts; the
thread's next post goes out after it. The fake Slack refuses blocks as Slack does
(playground/fake_slack/blockkit.py), so an untrimmed card would strand the thread."""

from __future__ import annotations

import pytest

from handoff.slack.card_budget import TEXT_BUDGET, text_size
from playground.app import Playground
from playground.fake_slack.blockkit import check_blocks
from tests.e2e.conftest import StartWorker
from tests.e2e.desk_helpers import ASK_FOR_A_PERSON, RIVERSIDE_DESK, choose_store, settled

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

WORDS = "my order of garden chairs arrived broken and the courier left it in the rain "


async def test_a_card_from_fifty_long_messages_posts_and_the_thread_goes_on(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 1602
    await choose_store(pg, chat, "riverside", "Robin")
    for n in range(50):
        long = f"({n}) " + WORDS * 45  # about 3,500 characters, under Telegram's 4,096
        await pg.telegram.customer_sends(chat, long, first_name="Robin")
    await pg.telegram.customer_sends(chat, ASK_FOR_A_PERSON, first_name="Robin")

    card = await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: m.get("thread_ts") in (None, m["ts"]) and "Robin" in str(m.get("blocks")),
        timeout=60,
    )
    check_blocks(card["blocks"])  # what Slack took, by Slack's rules
    assert text_size(card["blocks"]) <= TEXT_BUDGET
    texts = " ".join(str(b.get("text", {}).get("text", "")) for b in card["blocks"])
    assert "Recent messages" in texts
    assert "garden chairs" in texts
    assert any(b["type"] == "actions" for b in card["blocks"])  # it can still be taken

    await pg.telegram.customer_sends(chat, "Also, the table is missing.", first_name="Robin")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: "the table is missing" in str(m.get("text")),
        thread_ts=card["ts"],
        timeout=30,
    )
    await settled(worker, within=30)
