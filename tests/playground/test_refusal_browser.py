"""A refused staff action as the employee sees it, in a real Chromium on the playground page.

Someone in the workspace who is not in data/employees.yml clicks *Resolve* on a waiting
customer's card: the worker (a real one, on the playground's fakes) refuses it, and the
page shows the private answer saying why, to that person only. Screenshot:
/tmp/shots/refusal.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from redis.asyncio import Redis

from handoff.core.state import Status
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker, clock, playground, slack_mode, start_worker
from tests.e2e.desk_helpers import RIVERSIDE_DESK, conversation, hand_off, settled

__all__ = ["clock", "playground", "slack_mode", "start_worker"]  # the e2e fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/shots/refusal.png")
OUTSIDER = "U0VISITOR9"
REFUSAL = (
    "Only people in the Tandem employee directory can resolve conversations. "
    "Ask a supervisor to add you if you should."
)


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


async def test_an_outsider_clicking_resolve_is_told_why_privately(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, chromium: str
) -> None:
    pg, url = playground
    worker = await start_worker()
    pg.slack.add_user(OUTSIDER, "visitor", real_name="Vera Visitor")
    chat = 7401
    await hand_off(pg, chat, first_name="Zora")
    store = ConversationStore(redis)
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
            await page.select_option("#sl-user", OUTSIDER)
            await page.locator(f'[data-focus="{RIVERSIDE_DESK}"]').click()
            channel = page.locator("#sl-messages")
            card = channel.locator(".sl-msg", has_text="Zora needs a person").last
            await card.get_by_role("button", name="Resolve").click()

            refusal = channel.locator(".ephemeral", has_text=REFUSAL)
            await expect(refusal).to_be_visible(timeout=15_000)
            await expect(refusal).to_contain_text("Only visible to you")
            await refusal.scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=True, animations="disabled")
            assert problems == []
        finally:
            await browser.close()
    # Nothing changed: the customer still waits for a person.
    await settled(worker)
    assert (await conversation(store, chat)).status is Status.PENDING
    assert [e["text"] for e in pg.slack.ephemerals(OUTSIDER)][-1] == REFUSAL
