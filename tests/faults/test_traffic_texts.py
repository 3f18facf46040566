"""The fault tests' own ground: the traffic's texts route as planned with the real model
(their tokens change nothing), the employees' replies pass the reply check, and the fakes'
time-window faults open and close."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio

from bot.serve import serve_app
from bot.settings import Settings
from bot.triage_command import Triage
from handoff.guard.check import ReplyGuard
from handoff.guard.words import Lexicon
from nlu.rasa.client import RasaClient
from playground.app import SLACK_BOT_TOKEN, Playground
from playground.fake_slack.api import Faults
from playground.fake_telegram.faults import FaultInjector
from tests.faults.traffic import DATA, FACTUAL, REPLIES, UPSET, script

DETROIT = ZoneInfo("America/Detroit")
CUSTOMERS = 12  # as many as any fault test starts


@pytest_asyncio.fixture(loop_scope="session")
async def triage(rasa_url: str) -> AsyncIterator[Triage]:
    rasa = RasaClient(rasa_url)
    yield Triage(Settings(_env_file=None, data_dir=DATA), rasa)  # type: ignore[call-arg]
    await rasa.aclose()


@pytest.mark.rasa
async def test_every_text_routes_as_planned_with_any_token(triage: Triage) -> None:
    """Factual questions are answered, with their marker in the answer; the others go to a
    person; whatever the customer's and the message's number in the token."""
    texts = [(q, marker) for q, marker in FACTUAL] + [(text, None) for text in UPSET]
    markers = [marker for _, marker in FACTUAL]
    wrong = []
    for customer in range(CUSTOMERS):
        for i, (text, marker) in enumerate(texts):
            tokened = f"{text} #c{customer}-m{1 + (customer + i) % 8}"
            reply = await triage.run(tokened, name="Avery", now=datetime.now(DETROIT))
            if marker is None and reply.decision.route != "handoff":
                wrong.append(f"{tokened!r}: {reply.decision.route}, not handed off")
            elif marker is not None and marker not in (reply.answer or ""):
                wrong.append(f"{tokened!r}: {reply.decision} {reply.answer!r}")
            elif marker is not None and [m for m in markers if m in (reply.answer or "")] != [
                marker
            ]:
                wrong.append(f"{tokened!r}: the answer has another's marker: {reply.answer!r}")
    assert not wrong, "\n".join(wrong)


def test_scripts_mix_questions_and_handoffs_with_distinct_markers() -> None:
    for customer in range(CUSTOMERS):
        plan = script(customer, 6, random.Random(customer))
        markers = [m.marker for m in plan if m.marker]
        assert len(set(markers)) == len(markers), plan
        assert (customer % 3 == 0) == all(m.marker for m in plan), plan
        assert [m.token for m in plan] == [f"#c{customer}-m{n}" for n in range(1, 7)]


def test_markers_are_in_one_answer_each() -> None:
    """The checker knows which question a bot answer answers by its marker alone."""
    markers = [marker for _, marker in FACTUAL]
    assert len(set(markers)) == len(markers)
    for marker in markers:
        assert not any(marker in other for other in markers if other != marker)


def test_employee_replies_pass_the_reply_check() -> None:
    guard = ReplyGuard(Lexicon.from_dir(DATA))
    for n, text in enumerate(REPLIES):
        reply = f"{text} #c11-r{n + 1}"
        assert guard.check(reply, customer_upset=True) == (), reply


async def test_slack_fault_window_fails_every_call_until_it_ends() -> None:
    faults = Faults()
    faults.add_window("chat.postMessage", status=500, seconds=0.3)
    assert faults.take("chat.update") is None
    first, second = faults.take("chat.postMessage"), faults.take("chat.postMessage")
    assert first is not None
    assert second is not None
    assert first.status == 500
    await asyncio.sleep(0.35)
    assert faults.take("chat.postMessage") is None


async def test_telegram_fault_window_answers_429_with_retry_after_until_it_ends() -> None:
    faults = FaultInjector()
    faults.add_window("sendMessage", status=429, seconds=0.3, retry_after=2)
    errors = [faults.take("sendMessage") for _ in range(3)]
    assert all(e is not None and e.retry_after == 2 for e in errors)
    assert faults.take("getUpdates") is None
    await asyncio.sleep(0.35)
    assert faults.take("sendMessage") is None
    assert len(faults) == 0


async def test_fake_slack_fail_for_reaches_the_web_api() -> None:
    pg = Playground.for_business(DATA)
    pg.slack.fail_for("*", status=429, seconds=0.5, retry_after=3)
    async with serve_app(pg.app()) as url, httpx.AsyncClient(base_url=url) as http:
        headers = {"Authorization": f"Bearer {SLACK_BOT_TOKEN}"}
        limited = await http.post("/slack/api/auth.test", headers=headers)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "3"
        await asyncio.sleep(0.55)
        assert (await http.post("/slack/api/auth.test", headers=headers)).json()["ok"]
    await pg.slack.aclose()
    await pg.telegram.aclose()
