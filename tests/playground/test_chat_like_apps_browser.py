"""The playground's panes behave as the real apps do, in a real (headless Debian) Chromium
against the served fakes (no worker): bare URLs in the Telegram pane are links, as Telegram's
clients make them, and every time is the business's, whatever the browser's own zone is."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import async_playwright, expect

from bot.serve import serve_app
from nlu.facts.stores import StoreDirectory
from playground.app import TELEGRAM_TOKEN, Playground

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).resolve().parents[2] / "data"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
CHAT = 7190101


@pytest_asyncio.fixture(loop_scope="session")
async def served() -> AsyncIterator[tuple[Playground, str]]:
    pg = Playground.for_business(DATA)
    async with serve_app(pg.app()) as url:
        yield pg, url
    await pg.telegram.aclose()
    await pg.slack.aclose()


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def test_bare_urls_are_links_and_times_are_the_business_s(
    served: tuple[Playground, str], chromium: str
) -> None:
    pg, url = served
    zone = ZoneInfo(StoreDirectory.load(DATA / "stores.yml").business.timezone)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            # The browser lives in Tokyo; the business does not.
            context = await browser.new_context(locale="en-US", timezone_id="Asia/Tokyo")
            page = await context.new_page()
            customers = json.dumps(json.dumps([{"id": CHAT, "name": "Alex"}]))
            await page.add_init_script(
                f"localStorage.setItem('tandem.playground.customers', {customers})"
            )
            await page.goto(url)
            await page.fill("#tg-text", "my receipt is at www.example.com/r/42, see it?")
            await page.press("#tg-text", "Enter")
            mine = page.locator("#tg-messages .msg.me").last
            await expect(mine.locator("a")).to_have_text("www.example.com/r/42")
            assert await mine.locator("a").get_attribute("href") == "https://www.example.com/r/42"

            async with httpx.AsyncClient(base_url=f"{url}/telegram") as bot_api:
                for body in (
                    {"text": "Track it at https://maple-main.example/orders/42."},
                    {
                        "text": "Or <b>here</b>: https://maple-main.example/o/7",
                        "parse_mode": "HTML",
                    },
                ):
                    sent = await bot_api.post(
                        f"/bot{TELEGRAM_TOKEN}/sendMessage", json={"chat_id": CHAT, **body}
                    )
                    assert sent.json()["ok"] is True
            bots = page.locator("#tg-messages .msg.bot")
            await expect(bots).to_have_count(2)
            plain, html = bots.nth(0).locator("a"), bots.nth(1).locator("a")
            assert await plain.get_attribute("href") == "https://maple-main.example/orders/42"
            await expect(plain).to_have_text("https://maple-main.example/orders/42")  # no "."
            assert await html.get_attribute("href") == "https://maple-main.example/o/7"
            await expect(bots.nth(1).locator("b")).to_have_text("here")

            last = pg.telegram.bot_messages(CHAT)[-1]
            local = datetime.fromtimestamp(last["date"], tz=zone).strftime("%I:%M %p")
            await expect(bots.nth(1).locator(".meta")).to_have_text(local)
            tokyo = datetime.fromtimestamp(last["date"], tz=ZoneInfo("Asia/Tokyo"))
            assert tokyo.strftime("%I:%M %p") != local  # the check can tell the two apart
        finally:
            await browser.close()
