"""The review dashboard in a real (headless Debian) Chromium, served by the worker's HTTP
app over the session's Valkey: sign in, filter, search, open a transcript whose customer
wrote a <script>, export CSV, a forged POST is refused, the audit log searched (failed
sign-ins summed apart), sign out everywhere, and the sign-in back-off."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Dialog, async_playwright, expect

from bot.serve import serve_app
from handoff.review.accounts import Accounts
from handoff.review.app import build_review_app
from handoff.storage.store import ConversationStore
from tests.review.conftest import _HASH, PASSWORD, Clock, config, worker_app
from tests.review.seed import AISHA, MARIA, T0, Script, nlu, seed

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/review-conversation.png")
METRICS_SHOT = Path("/tmp/review-metrics.png")
AUDIT_SHOT = Path("/tmp/shots/audit.png")
BACKOFF_SHOT = Path("/tmp/shots/login-backoff.png")
EVIL = "<script>alert(1)</script> my order #4471 <img src=x onerror=alert(2)> never came"


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"the browser test needs Debian's chromium at {CHROMIUM} (see `make browsers`)")
    return str(CHROMIUM)


@pytest_asyncio.fixture(loop_scope="session")
async def served(store: ConversationStore, clock: Clock) -> AsyncIterator[str]:
    await seed(
        store,
        Script(
            101,
            "Jordan",
            "downtown",
            messages=[(0, EVIL), (240, "hello?? it's been days")],
            handoff=(2, "order_problem", -0.62),
            claim=(1100, MARIA),
            replies=[
                (1180, "Hi Jordan, Maria here. I found order 4471; it ships today."),
                (1500, "Tracking number sent by email."),
            ],
            notes=[(1150, "note: warehouse mislabeled the box")],
            resolve=1800,
            rating=(1900, 2),
        ),
    )
    await seed(
        store,
        Script(
            102,
            "Priya",
            "riverside",
            start=T0 + 600,
            messages=[(0, "what time do you close on saturday?")],
            bot_answers=[(1, "Riverside closes at 6 pm on Saturdays.", nlu("ask_hours", 0.0))],
        ),
    )
    await seed(store, Script(
        103, "Sam", "riverside", start=T0 + 1200,
        messages=[(0, "the mower I bought won't start, this is useless")],
        handoff=(1, "complaint", -0.55), claim=(90, AISHA), replies=[(150, "Let's fix that.")],
    ))  # fmt: skip
    app = worker_app(build_review_app(config(store, clock, Accounts({"alice": _HASH}))))
    async with serve_app(app) as url:
        yield url


async def test_supervisor_reviews_in_a_real_browser(served: str, chromium: str) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            headless=True,
        )
        try:
            context = await browser.new_context(
                accept_downloads=True, viewport={"width": 1360, "height": 900}
            )
            page = await context.new_page()
            dialogs: list[str] = []
            problems: list[str] = []

            async def on_dialog(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                await dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("pageerror", lambda error: problems.append(str(error)))

            # --- sign in ------------------------------------------------------------------------
            await page.goto(f"{served}/review/")
            await expect(page.locator("h1")).to_have_text("Supervisor sign-in")
            await page.fill("input[name=name]", "alice")
            await page.fill("input[name=password]", "not the password")
            await page.click("button[type=submit]")
            await expect(page.locator(".problem")).to_have_text("Wrong name or password.")
            await page.fill("input[name=name]", "alice")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            await expect(page.locator("#total")).to_have_text("3")

            # --- filter and search --------------------------------------------------------------
            await page.select_option("select[name=store]", "riverside")
            await page.click(".filters button[type=submit]")
            await expect(page.locator("#total")).to_have_text("2")
            await expect(page.locator("table.list tbody")).not_to_contain_text("Jordan")
            await page.goto(f"{served}/review/")
            await page.fill("input[name=q]", "4471")
            await page.click(".filters button[type=submit]")
            await expect(page.locator("#total")).to_have_text("1")
            await expect(page.locator("table.list tbody tr")).to_contain_text("Jordan")
            await expect(page.locator("table.list tbody tr")).to_contain_text("low rating")

            # --- the transcript, hostile text and all --------------------------------------------
            await page.click("table.list tbody tr a")
            await expect(page.locator("h1")).to_contain_text("Jordan")
            first = page.locator("#e0 .text")
            await expect(first).to_have_text(EVIL)
            assert await page.locator("main script, main img").count() == 0
            await expect(page.locator(".event.internal")).to_contain_text("internal")
            await expect(page.locator(".times")).to_contain_text("18 min")  # 1100 - 2 seconds
            await expect(page.locator(".facts .flags")).to_contain_text("long wait")
            await page.screenshot(path=str(SCREENSHOT), full_page=True, animations="disabled")

            # --- export the filtered list as CSV --------------------------------------------------
            await page.goto(f"{served}/review/?store=riverside")
            async with page.expect_download() as download_info:
                await page.click("text=CSV")
            download = await download_info.value
            assert download.suggested_filename.endswith(".csv")
            path = await download.path()
            text = await asyncio.to_thread(Path(path).read_text)
            rows = list(csv.DictReader(io.StringIO(text)))
            assert [r["customer"] for r in rows] == ["Sam", "Priya"]
            assert rows[0]["claimed_by"] == "Aisha Rahman"

            # --- metrics, as numbers and server-drawn bars ----------------------------------------
            await page.click("nav >> text=Metrics")
            await page.click("text=All time")
            await expect(page.locator("svg")).to_have_count(8)
            await expect(page.locator("table.metrics tr.overall")).to_contain_text("33%")
            await page.screenshot(path=str(METRICS_SHOT), full_page=True, animations="disabled")

            # --- a POST without the CSRF token is refused -----------------------------------------
            forged = await context.request.post(
                f"{served}/review/c/c2/wrong", form={"index": "1", "intent": "ask_hours"}
            )
            assert forged.status == 403

            # --- the audit log, searched by person and action; failed sign-ins apart -------------
            await page.click("nav >> text=Audit log")
            await expect(page.locator("h1")).to_have_text("Audit log")
            await page.fill("input[name=by]", "alice")
            await page.fill("input[name=action]", "view_transcript")
            await page.click(".filters button[type=submit]")
            found = page.locator("table.audit tbody tr")
            await expect(found).to_have_count(1)
            await expect(found).to_contain_text("view transcript")
            await expect(found).to_contain_text("alice")
            failed = page.locator("table.failed tbody tr")
            await expect(failed).to_have_count(1)  # the one wrong password above
            await expect(failed).to_contain_text("127.0.0.1")
            AUDIT_SHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(AUDIT_SHOT), full_page=True, animations="disabled")

            # --- sign out everywhere; then wrong passwords back off ------------------------------
            await page.click("text=Sign out everywhere")
            await expect(page.locator("h1")).to_have_text("Supervisor sign-in")
            await page.goto(f"{served}/review/audit")
            await expect(page.locator("h1")).to_have_text("Supervisor sign-in")
            for _ in range(6):
                await page.fill("input[name=name]", "alice")
                await page.fill("input[name=password]", "still not the password")
                await page.click("button[type=submit]")
            problem = page.locator(".problem")
            await expect(problem).to_contain_text("Too many failed sign-ins for this account")
            await expect(problem).to_contain_text("Try again in 1 minute.")
            await page.screenshot(path=str(BACKOFF_SHOT), full_page=True, animations="disabled")
            assert dialogs == []
            assert problems == []
        finally:
            await browser.close()
