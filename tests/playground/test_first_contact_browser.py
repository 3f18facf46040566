"""First contact as a person lives it, in a real (headless Debian) Chromium against a worker,
the real Rasa and Valkey: the issue's three messages reach an on-shift Riverside employee by
name, the page shows the newest message after each send and after the intro photo, "You are"
follows the card, Resolve asks before leaving a question unanswered, and a customer with no
store anywhere is asked which store with buttons. Screenshots: /tmp/shots/first-contact.png,
/tmp/shots/which-store.png, and /tmp/shots/readme-playground.png (the card at Riverside,
offered to Aisha, beside the customer's chat), from which docs/screenshots/playground.png is
copied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from nlu.facts.stores import StoreDirectory
from playground.app import Playground
from tests.e2e.conftest import DATA, StartWorker, clock, playground, slack_mode, start_worker
from tests.e2e.desk_helpers import AISHA, conversation

__all__ = ["clock", "playground", "slack_mode", "start_worker"]  # the e2e fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
# The README's picture (docs/screenshots/playground.png) is copied from this one by hand:
# a test run leaves the repository as it found it.
README_SHOT = SHOTS / "readme-playground.png"
THREE = (
    "what time does Riverside close today?",
    "Is Riverside open on Christmas Day?",
    "my order never arrived and I'm really annoyed",
)
REPLY = "I'm sorry, Alex. I found your order: it left our Riverside store this morning."
FOLLOW_UP = "thanks, when will it arrive?"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def _page_as(browser_page: Page, url: str, chat: int, name: str) -> None:
    """The page with its own customer, so other tests' chats do not show in this one."""
    customers = json.dumps([{"id": chat, "name": name}])
    await browser_page.add_init_script(
        f"localStorage.setItem('tandem.playground.customers', {json.dumps(customers)})"
    )
    await browser_page.goto(url)


async def _newest_in_view(page: Page) -> None:
    """The chat's last message is inside the chat's visible box (as Telegram shows it)."""
    in_view = """() => {
        const list = document.getElementById('tg-messages');
        const last = list.lastElementChild;
        if (!last) return false;
        const box = list.getBoundingClientRect(), item = last.getBoundingClientRect();
        return item.bottom <= box.bottom + 2 && item.bottom > box.top;
    }"""
    await page.wait_for_function(in_view, timeout=5000)


async def _send(page: Page, text: str) -> None:
    await page.fill("#tg-text", text)
    await page.press("#tg-text", "Enter")
    mine = page.locator("#tg-messages .msg.me").last
    await expect(mine).to_contain_text(text, timeout=20000)
    await _newest_in_view(page)


def _card(page: Page, conv_id: str) -> Locator:
    return page.locator("#sl-messages > li.sl-msg").filter(has_text=conv_id)


async def test_the_three_messages_reach_riverside_and_resolve_asks_first(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, chromium: str
) -> None:
    _, url = playground
    await start_worker()
    chat = 7190001
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the browser starts
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            # A short window: the chat overflows, so "in view" means something.
            page = await browser.new_page(viewport={"width": 1440, "height": 760})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            await _page_as(page, url, chat, "Alex")
            tg = page.locator("#tg-messages")

            for text in THREE[:2]:
                await _send(page, text)
                answer = tg.locator(".msg.bot").last
                await expect(answer).to_contain_text("Riverside", timeout=20000)
                await _newest_in_view(page)
            await _send(page, THREE[2])
            await expect(tg).to_contain_text("passed your message to Aisha", timeout=20000)
            await expect(tg.locator(".msg.bot").last).to_contain_text("Riverside")

            conv = await conversation(ConversationStore(redis), chat)
            assert conv.store_id == "riverside"
            card = _card(page, conv.id)
            # The Slack pane follows the card to #riverside-desk, as Aisha, its person.
            await expect(card).to_contain_text(
                "asked about Riverside in this conversation", timeout=20000
            )
            await expect(card).to_contain_text("Offered to: @Aisha")
            await expect(page.locator("#sl-user")).to_have_value(AISHA)
            await expect(page.locator("#sl-channels [aria-current=true]")).to_contain_text(
                "riverside"
            )
            assert (await card.inner_text()).count("sentiment") == 1  # each fact once
            await page.screenshot(path=str(README_SHOT), animations="disabled")

            await card.get_by_role("button", name="Take over").click()
            intro = tg.locator(".msg.bot").last
            await expect(intro).to_contain_text("Hello, this is Aisha", timeout=20000)
            photo = intro.locator("img.photo")
            await expect(photo).to_have_count(1)
            await page.wait_for_function(
                "() => [...document.querySelectorAll('#tg-messages img.photo')]"
                ".every((img) => img.complete && img.naturalWidth > 0)"
            )
            await _newest_in_view(page)  # after the photo loaded

            await expect(page.locator("#sl-text")).to_be_enabled()
            await page.fill("#sl-text", REPLY)
            await page.press("#sl-text", "Enter")
            await expect(tg.locator(".msg.bot").last).to_contain_text("left our Riverside store")
            await _newest_in_view(page)
            await _send(page, FOLLOW_UP)
            await expect(card).to_contain_text(FOLLOW_UP, timeout=20000)

            await card.get_by_role("button", name="Resolve").click()
            ask = page.locator("#sl-messages li.ephemeral").filter(has_text="is unanswered")
            await expect(ask).to_contain_text(
                f"Alex's last message is unanswered: '{FOLLOW_UP}' Resolve anyway?",
                timeout=20000,
            )
            await expect(tg.locator(".msg.bot").last).not_to_contain_text("has left")
            await ask.get_by_role("button", name="Resolve anyway").click()
            await expect(tg).to_contain_text("Aisha has left the chat", timeout=20000)
            await expect(tg).to_contain_text("How did Aisha do?", timeout=20000)
            await _newest_in_view(page)
            await expect(page.locator("#sl-text")).to_be_disabled()  # it let go of the thread
            await page.screenshot(path=str(SHOTS / "first-contact.png"), animations="disabled")
            assert not problems, problems
        finally:
            await browser.close()


async def test_a_customer_with_no_store_taps_one_and_the_offer_moves(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, chromium: str
) -> None:
    _, url = playground
    await start_worker()
    chat = 7190002
    SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - before the browser starts
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            await _page_as(page, url, chat, "Ren")
            tg = page.locator("#tg-messages")
            await _send(page, "I want to speak to a real person please")
            question = tg.locator(".msg.bot").filter(has_text="Which store is this about?")
            await expect(question).to_have_count(1, timeout=20000)
            buttons = question.locator(".kb-btn")
            names = [s.name for s in StoreDirectory.load(DATA / "stores.yml")]
            await expect(buttons).to_have_text([*names, "Not sure"])
            await _newest_in_view(page)

            conv = await conversation(ConversationStore(redis), chat)
            waiting = _card(page, conv.id)
            await page.locator("#sl-channels button", has_text="handoff").click()
            await expect(waiting).to_contain_text("has been asked which store", timeout=20000)
            await expect(waiting).to_contain_text("Offered to: everyone here")

            await question.get_by_role("button", name="Riverside").click()
            await expect(tg.locator(".msg.bot").last).to_contain_text(
                "passed your message to Aisha at our Riverside store", timeout=20000
            )
            await _newest_in_view(page)
            moved = _card(page, conv.id)  # the pane follows the offer to #riverside-desk
            await expect(page.locator("#sl-channels [aria-current=true]")).to_contain_text(
                "riverside", timeout=20000
            )
            await expect(moved).to_contain_text("Riverside: chosen by the customer")
            await expect(moved.get_by_role("button", name="Take over")).to_be_visible()
            await expect(page.locator("#sl-user")).to_have_value(AISHA)
            await page.screenshot(path=str(SHOTS / "which-store.png"), animations="disabled")

            # Back to bot asks first too, when Ren's last message is unanswered.
            await moved.get_by_role("button", name="Take over").click()
            await expect(tg.locator(".msg.bot").last).to_contain_text(
                "Hello, this is Aisha", timeout=20000
            )
            await page.fill("#sl-text", "Hi Ren, Aisha here: what can I do for you?")
            await page.press("#sl-text", "Enter")
            await expect(tg.locator(".msg.bot").last).to_contain_text("what can I do for you?")
            await _send(page, "where is my refund?")
            await expect(moved).to_contain_text("where is my refund?", timeout=20000)
            await moved.get_by_role("button", name="Back to bot").click()
            ask = page.locator("#sl-messages li.ephemeral").filter(has_text="is unanswered")
            await expect(ask).to_contain_text(
                "Ren's last message is unanswered: 'where is my refund?' "
                "Hand it back to the bot anyway?",
                timeout=20000,
            )
            await ask.get_by_role("button", name="Back to bot anyway").click()
            await expect(tg.locator(".msg.bot").last).to_contain_text(
                "the assistant is back", timeout=20000
            )
            await _newest_in_view(page)
        finally:
            await browser.close()
