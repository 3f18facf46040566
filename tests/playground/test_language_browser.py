"""A customer who writes in Spanish, in a real (headless Debian) Chromium on the playground.

Tuesday 11:45 at Riverside: Aisha (English, Arabic, Bengali) and Luis (English, Spanish)
are both on shift, and Aisha, first in the directory, would get an English handoff. The
customer types a Spanish question in the page's Telegram pane: the worker (a real one,
with the real Rasa server, on the playground's fakes) hands it to a person, the card in
Riverside's channel offers it to Luis by name and shows the language, and the customer
reads in Spanish who will reply. The language is kept in the profile until /forget
erases it. Screenshot: /tmp/shots/language.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from redis.asyncio import Redis

from handoff.core.state import Status
from handoff.storage.records.erasure import Eraser
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import (
    Clock,
    StartWorker,
    clock,
    playground,
    slack_mode,
    start_worker,
)
from tests.e2e.desk_helpers import LUIS, RIVERSIDE_DESK, choose_store, conversation, settled

__all__ = ["clock", "playground", "slack_mode", "start_worker"]  # the e2e fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/shots/language.png")
QUESTION = "hola, ¿a qué hora abren mañana? necesito comprar pintura"
HOLDING = (
    "Gracias, Alex. He pasado su mensaje a Luis, de nuestra tienda Riverside, que le "
    "responderá aquí lo antes posible."
)


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def test_a_spanish_message_goes_to_a_spanish_speaker_and_is_answered_in_spanish(
    playground: tuple[Playground, str],
    start_worker: StartWorker,
    redis: Redis,
    clock: Clock,
    chromium: str,
) -> None:
    pg, url = playground
    clock.advance(45 * 60)  # Tuesday 11:45: Luis's shift has begun, Aisha's goes on
    worker = await start_worker()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            headless=True,
        )
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            await page.goto(url)
            chat_id = int(await page.input_value("#tg-customer"))
            await choose_store(pg, chat_id, "riverside", "Alex")  # the page's customer

            # --- the customer writes in Spanish through the page's Telegram pane ------------
            await page.fill("#tg-text", QUESTION)
            await page.press("#tg-text", "Enter")
            told = page.locator("#tg-messages .msg.bot", has_text="He pasado su mensaje")
            await expect(told.locator("p")).to_have_text(HOLDING, timeout=20_000)

            # --- the card in Riverside's channel: offered to Luis, in Spanish ---------------
            await page.locator(f'[data-focus="{RIVERSIDE_DESK}"]').click()
            card = page.locator("#sl-messages .sl-msg", has_text="Alex needs a person").last
            await expect(card).to_contain_text("language Spanish (es), in their messages")
            await expect(card).to_contain_text("writes in another language")
            offered = card.locator(".mention", has_text="Luis")
            await expect(offered).to_be_visible()
            await expect(card).to_contain_text("Offered to:")
            await card.scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=True, animations="disabled")
            assert problems == []
        finally:
            await browser.close()

    await settled(worker)
    conv = await conversation(ConversationStore(redis), chat_id)
    assert conv.status is Status.PENDING
    assert conv.offered_to == LUIS  # not Aisha, who would have been first in English
    assert conv.handoff_reason == "language"
    store = ConversationStore(redis)
    assert (await store.customer(str(chat_id)))["writes_in"] == "es"
    # /forget's erasure (handoff/flows/memory.py) takes the recorded language with the rest.
    await Eraser.of(store).erase_customer(str(chat_id), by="customer")
    assert await store.customer(str(chat_id)) == {}
