"""The README's quick start, clicked through in a real (headless Debian) Chromium against a
worker, the real Rasa and Valkey: the bot answers the hours, the upset message reaches a
card in the Slack pane, the employee takes it over and replies, the reply reaches the
customer, and Resolve asks the customer for a rating. (The README's picture is taken by
tests/playground/test_first_contact_browser.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from playground.app import Playground
from tests.e2e.conftest import (  # noqa: F401 - the fixtures this test uses
    StartWorker,
    clock,
    playground,
    slack_mode,
    start_worker,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/shots/playground-quickstart.png")
REPLY = "Hi Alex, Aisha here. I'm looking into your order now."


async def test_the_quick_start_works_as_the_readme_says(
    playground: tuple[Playground, str],  # noqa: F811
    start_worker: StartWorker,  # noqa: F811
) -> None:
    if not CHROMIUM.exists():  # noqa: ASYNC240 - one stat before the test
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    _, url = playground
    await start_worker()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            headless=True,
        )
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            await page.goto(url)
            chat = page.locator("#tg-messages")
            await page.click("[data-sample='what time does Riverside close today?']")
            await expect(chat.locator(".msg.bot").first).to_contain_text("Riverside", timeout=20000)

            await page.click('[data-sample="my order never arrived and I\'m really annoyed"]')
            await expect(chat).to_contain_text("passed your message", timeout=20000)
            # Riverside's desk: the store the customer asked about (the pane follows the card).
            slack = page.locator("#sl-messages")
            await expect(slack.locator(".sl-header")).to_contain_text("needs a person")

            await slack.get_by_role("button", name="Take over").click()
            await expect(chat).to_contain_text("Hello, this is Aisha", timeout=20000)
            # The composer replies in the newest hand-off's thread unless another is picked.
            await expect(page.locator("#sl-text")).to_be_enabled()
            await page.fill("#sl-text", REPLY)
            await page.press("#sl-text", "Enter")
            await expect(chat).to_contain_text("I'm looking into your order now", timeout=20000)
            await slack.get_by_role("button", name="Resolve").first.click()
            await expect(chat).to_contain_text("How did Aisha do?", timeout=20000)
            await page.screenshot(path=str(SCREENSHOT), animations="disabled")
        finally:
            await browser.close()
