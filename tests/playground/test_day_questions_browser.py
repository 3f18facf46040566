"""Day questions as the customer sees them, in a real Chromium on the playground page.

A month before Christmas (the e2e clock: Tuesday, November 24), the customer asks whether
Riverside is open on Christmas Day: closed, with the reason, and when it reopens. Then
"and the day after?": that day's hours, without the greeting again. A real worker answers,
through the real Rasa server. Screenshot: /tmp/shots/day_questions.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from playground.app import Playground
from tests.e2e.conftest import StartWorker, clock, playground, slack_mode, start_worker

__all__ = ["clock", "playground", "slack_mode", "start_worker"]  # the e2e fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/shots/day_questions.png")


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def test_christmas_then_the_day_after(
    playground: tuple[Playground, str], start_worker: StartWorker, chromium: str
) -> None:
    _, url = playground
    await start_worker()
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
            bot = page.locator("#tg-messages .msg.bot")

            await page.fill("#tg-text", "Is Riverside open on Christmas Day?")
            await page.press("#tg-text", "Enter")
            await expect(bot).to_have_count(1, timeout=30_000)
            first = bot.nth(0)
            await expect(first).to_contain_text("Friday, December 25 (Christmas Day)")
            await expect(first).to_contain_text("Riverside is closed")
            await expect(first).to_contain_text("Riverside reopens Saturday, December 26 at 7 am")

            await page.fill("#tg-text", "and the day after?")
            await page.press("#tg-text", "Enter")
            await expect(bot).to_have_count(2, timeout=30_000)
            second = bot.nth(1)
            await expect(second).to_contain_text(
                "On Saturday, December 26 Riverside is open 7 am–8 pm."
            )
            await expect(second).not_to_contain_text("Hi ")  # greeted once, not every time

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=True, animations="disabled")
            assert problems == []
        finally:
            await browser.close()
