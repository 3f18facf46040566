"""A refused send, as people see it, in a real Chromium: the customer blocked the bot, the
employee replies on the playground page, and the thread shows it was not delivered; the
supervisor's conversation page flags it. Screenshots: /tmp/shots/refused-send.png and
/tmp/shots/refused-send-dashboard.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker, clock, playground, slack_mode, start_worker
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, conversation, hand_off, is_intro

__all__ = ["clock", "playground", "slack_mode", "start_worker"]  # the e2e fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
NOT_DELIVERED = "Not delivered: the customer has blocked the bot."


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(CHROMIUM)


async def test_a_reply_to_a_customer_who_blocked_the_bot_shows_as_not_delivered(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, chromium: str
) -> None:
    pg, url = playground
    worker = await start_worker()
    assert worker.review_login is not None, "the playground's supervisor login"
    chat = 7501
    card, _ = await hand_off(pg, chat, first_name="Zed")
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")).ok
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    pg.telegram.refuse_chat(chat, "blocked")  # Zed blocks the bot
    conv = await conversation(ConversationStore(redis), chat)

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
            await page.select_option("#sl-user", AISHA)
            await page.locator(f'[data-focus="{RIVERSIDE_DESK}"]').click()
            channel = page.locator("#sl-messages")
            thread = channel.locator(".sl-msg", has_text="Zed needs a person").last
            await thread.locator('[data-focus="thread"]').click()
            await page.fill("#sl-text", "Your order is ready for pick-up, Zed.")
            await page.press("#sl-text", "Enter")

            refused = channel.locator(".sl-reply", has_text=NOT_DELIVERED)
            await expect(refused).to_be_visible(timeout=20_000)
            await expect(refused).to_contain_text("Your order is ready for pick-up, Zed.")
            await refused.scroll_into_view_if_needed()
            await page.screenshot(
                path=str(SHOTS / "refused-send.png"), full_page=True, animations="disabled"
            )

            # The supervisor's conversation page flags it.
            name, password = worker.review_login
            await page.goto(f"{worker.http_url}/review/c/{conv.id}")
            await page.fill("input[name=name]", name)
            await page.fill("input[name=password]", password)
            async with page.expect_navigation():
                await page.click("button[type=submit]")
            await page.goto(f"{worker.http_url}/review/c/{conv.id}")
            await expect(page.locator("#flag-undelivered")).to_have_text("1 not delivered")
            await expect(page.locator("#flag-unreachable")).to_be_visible()
            await expect(page.locator("#refusals")).to_contain_text(
                "the customer has blocked the bot"
            )
            await page.screenshot(
                path=str(SHOTS / "refused-send-dashboard.png"),
                full_page=True,
                animations="disabled",
            )
            assert problems == []
        finally:
            await browser.close()
