"""An employee edits and deletes their own thread reply in the playground's Slack pane, in a
real (headless Debian) Chromium against a worker: the fake Slack sends the product Slack's
real ``message_changed`` / ``message_deleted`` events, and the customer's chat changes.
Screenshot: /tmp/shots/edit-delete.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from playground.app import Playground
from tests.e2e.conftest import StartWorker, clock, playground, slack_mode, start_worker
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, hand_off, is_intro, text_of

__all__ = ["clock", "playground", "slack_mode", "start_worker"]  # the e2e fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
FIRST = "Your order ships on Fridya."
FIXED = "Your order ships on Friday."
SECOND = "Ignore this one, wrong customer."


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def test_an_employee_edits_and_deletes_a_reply_and_the_customer_s_chat_follows(
    playground: tuple[Playground, str], start_worker: StartWorker, chromium: str
) -> None:
    pg, url = playground
    await start_worker()
    chat = 7190201
    card, _ = await hand_off(pg, chat, first_name="Tess")
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the browser starts
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            customers = json.dumps(json.dumps([{"id": chat, "name": "Tess"}]))
            await page.add_init_script(
                f"localStorage.setItem('tandem.playground.customers', {customers})"
            )
            await page.goto(url)
            await page.locator("#sl-channels button", has_text="riverside").click()
            await page.select_option("#sl-user", AISHA)
            thread = page.locator("#sl-messages > li.sl-msg").filter(has_text="Tess needs a person")
            await thread.locator("button[data-focus=thread]").click()  # reply in its thread
            await expect(page.locator("#sl-target")).to_contain_text("Tess needs a person")
            tg = page.locator("#tg-messages")
            for text in (FIRST, SECOND):
                await page.fill("#sl-text", text)
                await page.press("#sl-text", "Enter")
                await expect(tg.locator(".msg.bot").last).to_contain_text(text, timeout=20000)

            first = thread.locator(".sl-reply").filter(has_text=FIRST)
            await first.get_by_role("button", name="Edit").click()
            editor = thread.locator("input.sl-edit")
            await expect(editor).to_have_value(FIRST)
            await editor.fill(FIXED)
            await editor.press("Enter")
            edited = tg.locator(".msg.bot").filter(has_text=FIXED)
            await expect(edited).to_have_count(1, timeout=20000)
            await expect(edited.locator(".meta")).to_contain_text("edited")
            await expect(tg).not_to_contain_text(FIRST)

            second = thread.locator(".sl-reply").filter(has_text=SECOND)
            await second.get_by_role("button", name="Delete").click()
            await expect(second).to_contain_text("Delete this message?")  # as Slack asks
            await second.locator("button.danger", has_text="Delete").click()
            await expect(tg).not_to_contain_text(SECOND, timeout=20000)
            await expect(tg).not_to_contain_text("deleted")  # Telegram leaves no trace
            await expect(thread.locator(".sl-reply").filter(has_text=SECOND)).to_have_count(0)
            await page.screenshot(path=str(SHOTS / "edit-delete.png"), animations="disabled")
        finally:
            await browser.close()

    said = [text_of(m) for m in pg.telegram.bot_messages(chat) if not m.get("deleted")]
    assert any(FIXED in t for t in said)
    assert not any(FIRST in t or SECOND in t for t in said)
