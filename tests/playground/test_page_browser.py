"""The playground page in a real (headless Debian) Chromium against the served fakes.

Plays the customer and the employee through the page, and checks that hostile text from
either side (a bot message with <script>, a customer's <!channel> in a Slack card) renders
as text: no dialog, no element created.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import ConsoleMessage, Dialog, async_playwright, expect
from slack_sdk.web.async_client import AsyncWebClient

from bot.serve import serve_app
from handoff.core.ports import HandoffCard, TranscriptLine
from handoff.slack.blocks import card_blocks, card_text, customer_message_blocks
from playground.app import DEFAULT_CHANNEL, SLACK_BOT_TOKEN, TELEGRAM_TOKEN, Playground

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).resolve().parents[2] / "data"
SCREENSHOT = Path("/tmp/playground.png")
EVIL_BOT_TEXT = (
    "<b>Maria</b> · Downtown\n<script>alert(1)</script> &lt;kept&gt; <img src=x onerror=alert(2)>"
)
EVIL_CUSTOMER = "<!channel> wake up <b>now</b>"


@pytest_asyncio.fixture(loop_scope="session")
async def served() -> AsyncIterator[tuple[Playground, str]]:
    pg = Playground.for_business(DATA)
    async with serve_app(pg.app()) as url:
        yield pg, url
    await pg.telegram.aclose()
    await pg.slack.aclose()


async def eventually(probe: Callable[[], Any], what: str) -> Any:
    """Whatever truthy value `probe` returns within about ten seconds."""
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


def evil_card() -> HandoffCard:
    return HandoffCard(
        conversation_id="conv-1",
        customer_name="<!channel> Alex",
        store_name="Downtown",
        language="en",
        past_conversations=0,
        notes=(),
        reason="emotional",
        reason_detail="",
        nlu={"intent": "complaint", "confidence": 0.91},
        recent=(TranscriptLine("customer", EVIL_CUSTOMER),),
        status="pending",
        offered_to="U0MARIA01",
    )


async def test_customer_and_employee_panes(served: tuple[Playground, str], chromium: str) -> None:
    pg, url = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            headless=True,
        )
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            dialogs: list[str] = []
            problems: list[str] = []

            async def on_dialog(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                await dialog.dismiss()

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    problems.append(message.text)

            page.on("dialog", on_dialog)
            page.on("console", on_console)
            page.on("pageerror", lambda error: problems.append(str(error)))
            await page.goto(url)

            # --- the customer writes through the left pane --------------------------------------
            chat_id = int(await page.input_value("#tg-customer"))
            await page.fill("#tg-text", "what time does Riverside close today?")
            await page.press("#tg-text", "Enter")
            sent = await eventually(
                lambda: pg.telegram.messages(chat_id), "the customer's message reaches the fake"
            )
            assert sent[0]["text"] == "what time does Riverside close today?"
            assert sent[0]["from"]["first_name"] == "Alex"
            await expect(page.locator("#tg-messages .msg.me")).to_contain_text("Riverside close")

            # --- a bot message with markup: only <b> survives ------------------------------------
            keyboard = {"inline_keyboard": [[{"text": "Downtown", "callback_data": "store:dt"}]]}
            async with httpx.AsyncClient(base_url=f"{url}/telegram") as bot_api:
                answer = await bot_api.post(
                    f"/bot{TELEGRAM_TOKEN}/sendMessage",
                    json={
                        "chat_id": chat_id,
                        "text": EVIL_BOT_TEXT,
                        "parse_mode": "HTML",
                        "reply_markup": keyboard,
                    },
                )
            assert answer.json()["ok"] is True
            bot = page.locator("#tg-messages .msg.bot")
            await expect(bot).to_contain_text("<script>alert(1)</script> <kept> <img src=x")
            await expect(bot.locator("b")).to_have_text("Maria")
            assert await page.locator("#tg-messages script, #tg-messages img").count() == 0
            await bot.get_by_role("button", name="Downtown").click()
            await eventually(
                lambda: pg.telegram.state.callback_queries, "the press reaches the fake"
            )

            # --- a hand-off card whose customer text tries to ping everyone ----------------------
            slack = AsyncWebClient(token=SLACK_BOT_TOKEN, base_url=f"{url}/slack/api/")
            card = evil_card()
            posted = await slack.chat_postMessage(
                channel=DEFAULT_CHANNEL, text=card_text(card), blocks=card_blocks(card)
            )
            ts = posted["ts"]
            fallback, blocks = customer_message_blocks("<!channel> Alex", EVIL_CUSTOMER)
            await slack.chat_postMessage(
                channel=DEFAULT_CHANNEL, thread_ts=ts, text=fallback, blocks=blocks
            )
            await slack.chat_postEphemeral(
                channel=DEFAULT_CHANNEL, user="U0MARIA01", thread_ts=ts, text="Only *you* see this"
            )
            channel = page.locator("#sl-messages")
            await expect(channel.locator(".sl-header")).to_have_text(
                "<!channel> Alex needs a person"
            )
            await expect(channel.locator(".sl-reply").first).to_contain_text(EVIL_CUSTOMER)
            await expect(channel).to_contain_text("Offered to: @Maria, please take over or pass.")
            await expect(channel.locator(".ephemeral")).to_contain_text("Only you see this")
            mentions = await channel.locator(".mention").all_inner_texts()
            assert mentions == ["@Maria"], "only the real mention becomes a mention"
            assert await channel.locator("script, img").count() == 0
            assert await channel.locator("b", has_text="now").count() == 0

            # --- the employee clicks and replies in the thread ------------------------------------
            await page.select_option("#sl-user", "U0DARNELL1")
            await channel.get_by_role("button", name="Take over").click()
            clicked = await eventually(
                lambda: [d for d in pg.slack.deliveries if d.kind == "interactive"],
                "the click reaches the fake",
            )
            assert clicked[0].payload["user"]["id"] == "U0DARNELL1"
            assert clicked[0].payload["actions"][0]["action_id"] == "take_over"
            await page.fill("#sl-text", "Hi Alex, Darnell here. Let me look into it.")
            await page.press("#sl-text", "Enter")
            reply = await eventually(
                lambda: [
                    m for m in pg.slack.thread(DEFAULT_CHANNEL, ts) if m.get("user") == "U0DARNELL1"
                ],
                "the employee's reply reaches the thread",
            )
            assert reply[0]["text"].startswith("Hi Alex, Darnell here.")
            await expect(channel.locator(".sl-reply")).to_have_count(
                2
            )  # Maria's ephemeral is hidden

            await page.screenshot(path=str(SCREENSHOT), full_page=True, animations="disabled")
            assert dialogs == []
            assert problems == []
        finally:
            await browser.close()
