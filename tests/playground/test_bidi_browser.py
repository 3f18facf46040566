"""A right-to-left override in a customer's name and words, in a real (headless Debian)
Chromium: the playground's Slack pane and the review dashboard show it as a mark
(``[U+202E]``), so "order 4471" cannot read as "order 1744" or the other way round."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect
from redis.asyncio import Redis
from slack_sdk.web.async_client import AsyncWebClient

from bot.serve import serve_app
from handoff.core.ports import HandoffCard, TranscriptLine
from handoff.review.accounts import Accounts
from handoff.review.app import build_review_app
from handoff.slack.blocks import card_blocks, card_text, customer_message_blocks
from handoff.storage.store import ConversationStore
from playground.app import DEFAULT_CHANNEL, SLACK_BOT_TOKEN, Playground
from tests.review import conftest as review
from tests.review.seed import AISHA, T0, Script, seed

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).resolve().parents[2] / "data"
SHOTS = Path("/tmp/shots")  # Playwright makes the folder
NAME = "Ri\u202eta"
NAME_SHOWN = "Ri[U+202E]ta"
ORDER = "my order \u202e1744\u202c never came"  # reads "my order 4471 never came"
ORDER_SHOWN = "my order [U+202E]1744[U+202C] never came"


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


@pytest_asyncio.fixture(loop_scope="session")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            headless=True,
        )
        try:
            yield launched
        finally:
            await launched.close()


async def hidden_in(page: Page, selector: str) -> list[str]:
    """The invisible format characters in what the element shows."""
    text = await page.locator(selector).inner_text()
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"]


async def test_the_slack_pane_shows_the_override_as_a_mark(browser: Browser) -> None:
    pg = Playground.for_business(DATA)
    try:
        async with serve_app(pg.app()) as url:
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            await page.goto(url)
            card = HandoffCard(
                conversation_id="conv-7",
                customer_name=NAME,
                store_name="Riverside",
                language="en",
                past_conversations=0,
                notes=(),
                reason="emotional",
                reason_detail="",
                nlu={"intent": "order_problem", "confidence": 0.91},
                recent=(TranscriptLine(NAME, ORDER),),
                status="pending",
                offered_to=AISHA,
            )
            slack = AsyncWebClient(token=SLACK_BOT_TOKEN, base_url=f"{url}/slack/api/")
            posted = await slack.chat_postMessage(
                channel=DEFAULT_CHANNEL, text=card_text(card), blocks=card_blocks(card)
            )
            fallback, blocks = customer_message_blocks(NAME, f"hello?? {ORDER}")
            await slack.chat_postMessage(
                channel=DEFAULT_CHANNEL, thread_ts=posted["ts"], text=fallback, blocks=blocks
            )
            channel = page.locator("#sl-messages")
            await expect(channel.locator(".sl-header")).to_have_text(f"{NAME_SHOWN} needs a person")
            await expect(channel).to_contain_text(f"{NAME_SHOWN}: {ORDER_SHOWN}")
            await expect(channel.locator(".sl-reply").first).to_contain_text(
                f"{NAME_SHOWN}: hello?? {ORDER_SHOWN}"
            )
            assert await hidden_in(page, "#sl-messages") == []
            await page.screenshot(path=str(SHOTS / "bidi.png"), animations="disabled")
    finally:
        await pg.telegram.aclose()
        await pg.slack.aclose()


async def test_the_dashboard_shows_the_override_as_a_mark(browser: Browser, redis: Redis) -> None:
    store = ConversationStore(redis)
    conv = await seed(
        store,
        Script(
            771,
            NAME,
            "riverside",
            messages=[(0, ORDER)],
            handoff=(1, "order_problem", -0.6),
            claim=(60, AISHA),
            replies=[(90, "Sorry about that, I'm on it.")],
        ),
    )
    accounts = Accounts({"alice": review._HASH})
    app = review.worker_app(
        build_review_app(review.config(store, review.Clock(T0 + 600), accounts))
    )
    async with serve_app(app) as url:
        page = await browser.new_page(viewport={"width": 1360, "height": 900})
        await page.goto(f"{url}/review/")
        await page.fill("input[name=name]", "alice")
        await page.fill("input[name=password]", review.PASSWORD)
        await page.click("button[type=submit]")
        await expect(page.locator("table.list tbody tr")).to_contain_text(NAME_SHOWN)
        assert await hidden_in(page, "main") == []
        await page.goto(f"{url}/review/c/{conv.id}")
        await expect(page.locator("h1")).to_contain_text(NAME_SHOWN)
        await expect(page.locator("#e0 .text")).to_have_text(ORDER_SHOWN)
        await expect(page.locator("#e0 .by")).to_have_text(NAME_SHOWN)
        assert await hidden_in(page, "main") == []
        await page.screenshot(
            path=str(SHOTS / "bidi-review.png"), full_page=True, animations="disabled"
        )
