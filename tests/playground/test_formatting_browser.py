"""An employee's formatted reply, typed in the playground's Slack pane, as both panes show
it in a real (headless Debian) Chromium.

The page posts what the employee types; the fake Slack encodes it as Slack's composer
does; the product's Slack decoding (handoff/slack/mrkdwn.py) and Telegram rendering
(bot/telegram/html.py) turn it into the message the customer's pane shows: bold, a
labelled link, a strike and an emoji, with ``&`` and ``<b>``-looking text as typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import async_playwright, expect
from slack_sdk.web.async_client import AsyncWebClient

from bot.serve import serve_app
from bot.telegram.channel import format_signed
from handoff.core.ports import Signature
from handoff.slack.mrkdwn import Names, decode_message
from playground.app import DEFAULT_CHANNEL, SLACK_BOT_TOKEN, TELEGRAM_TOKEN, Playground

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).resolve().parents[2] / "data"
TYPED = (
    "*Good news* Tom & Jerry's <b>parcel</b> is here :tada: "
    "see [our hours](https://shop.example/hours) ~old~"
)


@pytest_asyncio.fixture(loop_scope="session")
async def served() -> AsyncIterator[tuple[Playground, str]]:
    pg = Playground.for_business(DATA)
    async with serve_app(pg.app()) as url:
        yield pg, url
    await pg.telegram.aclose()
    await pg.slack.aclose()


async def eventually(probe: Callable[[], Any], what: str) -> Any:
    for _ in range(200):
        if found := probe():
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def test_a_formatted_reply_in_both_panes(
    served: tuple[Playground, str], chromium: str
) -> None:
    pg, url = served
    slack = AsyncWebClient(token=SLACK_BOT_TOKEN, base_url=f"{url}/slack/api/")
    card = await slack.chat_postMessage(channel=DEFAULT_CHANNEL, text="Alex needs a person")
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
            await page.fill("#tg-text", "where is my parcel?")  # the chat exists from now on
            await page.press("#tg-text", "Enter")
            await eventually(lambda: pg.telegram.messages(chat_id), "the customer writes")

            # The employee replies in the card's thread, typing in the Slack pane.
            await page.select_option("#sl-user", "U0DARNELL1")
            channel = page.locator("#sl-messages")
            await channel.get_by_role("button", name="Start a thread").click()
            await page.fill("#sl-text", TYPED)
            await page.press("#sl-text", "Enter")
            [reply] = await eventually(
                lambda: [
                    m
                    for m in pg.slack.thread(DEFAULT_CHANNEL, card["ts"])
                    if m.get("user") == "U0DARNELL1"
                ],
                "the reply reaches the thread",
            )
            assert "Tom &amp; Jerry's &lt;b&gt;parcel&lt;/b&gt;" in reply["text"]
            await expect(channel.locator(".sl-reply b").first).to_have_text("Good news")

            # What the product makes of it reaches the customer's pane.
            html = format_signed(decode_message(reply, Names()), Signature("Darnell", "Riverside"))
            async with httpx.AsyncClient(base_url=f"{url}/telegram") as bot_api:
                sent = await bot_api.post(
                    f"/bot{TELEGRAM_TOKEN}/sendMessage",
                    json={"chat_id": chat_id, "text": html, "parse_mode": "HTML"},
                )
            assert sent.json()["ok"] is True, sent.text
            bot = page.locator("#tg-messages .msg.bot").last
            await expect(bot).to_contain_text("Tom & Jerry's <b>parcel</b> is here 🎉")
            await expect(bot.locator("b", has_text="Good news")).to_have_count(1)
            await expect(bot.locator("a")).to_have_text("our hours")
            assert await bot.locator("a").get_attribute("href") == "https://shop.example/hours"
            await expect(bot.locator("s")).to_have_text("old")
            assert await bot.locator("b", has_text="parcel").count() == 0
            assert problems == []
        finally:
            await browser.close()
