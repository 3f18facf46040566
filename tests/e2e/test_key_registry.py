"""Every key a real run writes belongs to a family of the key registry
(handoff/storage/families.py), and erasing a customer leaves no key of theirs.

One run through the real flows touches every feature that keeps state: the bot's answers,
a handoff and its offer timer, a take-over with a measured response time, a customer's
edit, a reply the guard holds, a resolve with a rating and an armed comment, a pause and
a notice from Slack, the review dashboard (a failed login, a search, an answer marked
wrong), a retention run and a /forget. After each step every key in Redis is looked up
in the registry (the unit half of the check is tests/unit/handoff/storage/test_keys.py).
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from redis.asyncio import Redis

from bot.worker import Worker
from handoff.queues.retention import retention_loop
from handoff.review.accounts import Accounts, hash_password
from handoff.review.app import build_review_app
from handoff.review.timeline import timeline
from handoff.storage.key_family import Scope
from handoff.storage.keys import Keys
from handoff.storage.records.audit import AuditLog
from handoff.storage.records.erasure import Eraser
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import Clock, StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    RIVERSIDE_DESK,
    choose_store,
    conversation,
    hand_off,
    is_intro,
    settled,
    text_of,
)
from tests.redis_text import text
from tests.review.conftest import PASSWORD, config, csrf_of, login, worker_app
from tests.review.conftest import Clock as ReviewClock

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

HOURS = "what are your hours at riverside on saturday?"
CARELESS = "Hi Alex, u will recieve the refund by Friday."
ALEX, BEA, CAL = 9101, 9102, 9103


class Keyspace:
    """Every key seen so far, by family; the keys no family describes."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self.families: set[str] = set()
        self.unregistered: set[str] = set()

    async def look(self) -> list[str]:
        found = [text(k) async for k in self.redis.scan_iter(count=1000)]
        for key in found:
            family = self.keys.family_of(key)
            if family is None:
                self.unregistered.add(key)
            else:
                self.families.add(family.name)
        return found

    async def of_chat(self, chat_id: int) -> dict[str, str]:
        """The keys of a customer's families that name this chat: key -> family."""
        left = {}
        for key in await self.look():
            family = self.keys.family_of(key)
            named = str(chat_id) in key.split(":")
            if family is not None and family.scope is Scope.CHAT and named:
                left[key] = family.name
        return left


async def _tandem(pg: Playground, text_: str, expect: str) -> None:
    assert (await pg.slack.user_runs_command(AISHA, RIVERSIDE_DESK, "/tandem", text_)).ok
    await pg.slack.wait_for_ephemeral(AISHA, lambda e: expect in e["text"])


def _button(message: JSON, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    [data] = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    return str(data)


async def _alex_is_helped_rates_and_arms_a_comment(
    pg: Playground, worker: Worker, store: ConversationStore
) -> None:
    """Bot answer, handoff, take-over, an edit, a held reply sent anyway, resolve, a 3 and
    "Add a comment" left armed."""
    await choose_store(pg, ALEX, "riverside", "Alex")
    await pg.telegram.customer_sends(ALEX, HOURS, first_name="Alex")
    await pg.telegram.wait_for_bot_message(ALEX, lambda m: "7 am" in text_of(m))
    card, _ = await hand_off(pg, ALEX)
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")).ok
    await pg.telegram.wait_for_bot_message(ALEX, is_intro)

    sent = await pg.telegram.customer_sends(ALEX, "my order number is 1234")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "1234" in m["text"], thread_ts=card["ts"]
    )
    await pg.telegram.customer_edits(ALEX, sent["message_id"], "my order number is 1243")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "1243 (edited)" in m["text"], thread_ts=card["ts"]
    )

    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, CARELESS, thread_ts=card["ts"])
    held = await pg.slack.wait_for_ephemeral(AISHA, lambda e: "not been sent" in e["text"])
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, held["ts"], "guard_send_anyway")
    await pg.telegram.wait_for_bot_message(ALEX, lambda m: "recieve" in text_of(m))

    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "resolve")).ok
    question = await pg.telegram.wait_for_bot_message(
        ALEX, lambda m: text_of(m).startswith("How did")
    )
    conv_id = (await conversation(store, ALEX)).id
    await pg.telegram.customer_presses(ALEX, question["message_id"], f"rate:{conv_id}:3")
    thanks = await pg.telegram.wait_for_bot_message(ALEX, lambda m: "get better" in text_of(m))
    await pg.telegram.customer_presses(ALEX, thanks["message_id"], f"rcomment:{conv_id}")
    await pg.telegram.wait_for_bot_message(ALEX, lambda m: "write your comment" in text_of(m))
    await settled(worker)


async def _bea_meets_a_pause_and_a_notice(pg: Playground, worker: Worker) -> None:
    await _tandem(pg, 'pause riverside 2h "flooding"', "paused for Riverside until")
    await choose_store(pg, BEA, "riverside", "Bea")
    await pg.telegram.customer_sends(BEA, HOURS, first_name="Bea")
    await pg.telegram.wait_for_bot_message(BEA, lambda m: "switched off" in text_of(m))
    await _tandem(
        pg,
        "notice river “Riverside is closed today due to flooding.” until 18:00 intents hours",
        "is live for Riverside",
    )
    await settled(worker)


async def _the_review_side(store: ConversationStore, clock: Clock, redis: Redis) -> None:
    """A failed login, a search, Alex's bot answer marked wrong."""
    accounts = Accounts({"alice": hash_password(PASSWORD)})
    app = worker_app(build_review_app(config(store, ReviewClock(clock()), accounts)))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://review.test") as client:
        refused = await login(client, password="not the password")
        assert refused.status_code != 303
        assert (await login(client)).status_code == 303
        found = await client.get("/review/", params={"q": "hours", "store": "riverside"})
        assert found.status_code == 200
        conv = await conversation(store, ALEX)
        index = next(
            i
            for i, item in enumerate(timeline(await store.transcript(conv.id)))
            if item.kind == "bot_answer"
        )
        page = await client.get(f"/review/c/{conv.id}")
        marked = await client.post(
            f"/review/c/{conv.id}/wrong",
            data={"csrf": csrf_of(page.text), "index": str(index), "intent": "ask_hours"},
        )
        assert marked.status_code == 303
    assert await redis.hlen(store.keys.training) == 1


async def _a_retention_run(store: ConversationStore, clock: Clock, redis: Redis) -> None:
    loop = asyncio.create_task(retention_loop(Eraser.of(store, clock=clock), 365, clock))

    async def ran() -> bool:
        return any(r.action == "retention" for r in await AuditLog(redis).recent())

    await eventually(ran)
    loop.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loop


async def _cal_is_forgotten(pg: Playground, worker: Worker) -> None:
    await choose_store(pg, CAL, "downtown", "Cal")
    await pg.telegram.customer_sends(CAL, "what time do you open on sunday?", first_name="Cal")
    await pg.telegram.wait_for_bot_message(CAL, lambda m: "Downtown" in text_of(m))
    before = len(pg.telegram.bot_messages(CAL))
    await pg.telegram.customer_sends(CAL, "/forget")
    question = await pg.telegram.wait_for_bot_message(
        CAL, lambda m: "Shall I go ahead?" in text_of(m), after=before
    )
    await pg.telegram.customer_presses(
        CAL, question["message_id"], _button(question, "Yes, forget me")
    )
    await pg.telegram.wait_for_bot_message(CAL, lambda m: text_of(m).startswith("Done."))
    await settled(worker)


async def test_every_key_written_is_a_registered_family_and_erasure_leaves_none_of_a_customers(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    worker = await start_worker()
    store = ConversationStore(redis)
    keyspace = Keyspace(redis, store.keys)

    await _alex_is_helped_rates_and_arms_a_comment(pg, worker, store)
    await keyspace.look()
    await _bea_meets_a_pause_and_a_notice(pg, worker)
    await keyspace.look()
    await _tandem(pg, "resume riverside", "answers again for Riverside")
    await _the_review_side(store, clock, redis)
    await _a_retention_run(store, clock, redis)
    await keyspace.look()
    await _cal_is_forgotten(pg, worker)

    await keyspace.look()
    assert keyspace.unregistered == set()
    # The run did reach the features that keep state (so the check above means something).
    assert {
        *("customer", "current", "by_chat", "seen", "message_map", "flood", "rating_comment"),
        *("conv", "log", "summary", "thread", "convs", "sequence", "open", "shared_text"),
        *("index", "word", "word_layout", "last_activity", "reasons", "audit", "training"),
        *("failed_logins", "review_session", "review_user_sessions", "retention_lock"),
        *("pause", "notices", "notice_seq", "response"),
        *("timers", "held_answer", "queue_marks", "queue_posted", "queue_pace"),
    } <= keyspace.families

    # /forget: only the mark that the confirming update was handled comes back.
    assert set((await keyspace.of_chat(CAL)).values()) <= {"seen"}

    # `tandem erase --customer`: nothing of Alex's is left.
    alex = await keyspace.of_chat(ALEX)
    assert {"customer", "current", "by_chat", "rating_comment", "message_map"} <= set(alex.values())
    assert await Eraser.of(store, clock=clock).erase_customer(str(ALEX), by="dpo") == 1
    assert await keyspace.of_chat(ALEX) == {}
    assert keyspace.unregistered == set()
