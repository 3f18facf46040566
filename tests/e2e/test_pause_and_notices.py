"""`/tandem` end to end: supervisors pause the bot and post notices from Slack, every worker
applies them, each change is audited; employees add notes that the next card shows."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from handoff.storage.records.audit import AuditLog
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    LUIS,
    RIVERSIDE_DESK,
    choose_store,
    conversation,
    hand_off,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

HOURS_QUESTION = "what time does the store close today?"


async def _tandem(pg: Playground, user: str, text: str, expect: str) -> JSON:
    """Run `/tandem text` as `user`; returns the private answer containing `expect`."""
    delivery = await pg.slack.user_runs_command(user, RIVERSIDE_DESK, "/tandem", text)
    assert delivery.ok
    return await pg.slack.wait_for_ephemeral(
        user, lambda e: expect in e["text"] and "thread_ts" not in e
    )


async def _ask(pg: Playground, chat: int, text: str, store: str, name: str) -> JSON:
    await choose_store(pg, chat, store, name)
    before = len(pg.telegram.bot_messages(chat))
    await pg.telegram.customer_sends(chat, text, first_name=name)
    return await pg.telegram.wait_for_bot_message(chat, after=before)


async def test_a_pause_sends_every_message_to_a_person_until_resume(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    await _tandem(pg, AISHA, 'pause riverside 2h "flooding"', "paused for Riverside until")

    answer = await _ask(pg, 781, HOURS_QUESTION, "riverside", "Rosa")
    assert "automatic assistant is switched off" in text_of(answer)
    assert "passed your message" in text_of(answer)
    assert "flooding" not in text_of(answer)  # the reason is for the team
    store = ConversationStore(redis)
    assert (await conversation(store, 781)).handoff_reason == "paused"
    card = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "Rosa" in str(m.get("blocks")) and "bot paused" in str(m)
    )
    assert "flooding" in str(card["blocks"])

    other_store = await _ask(pg, 782, HOURS_QUESTION, "downtown", "Sam")
    assert "Downtown" in text_of(other_store)
    assert "switched off" not in text_of(other_store)

    [paused] = [r for r in await AuditLog(redis).recent() if r.action == "bot_paused"]
    assert paused.by == "aisha-rahman"
    assert paused.detail["store"] == "riverside"
    assert paused.detail["why"] == "flooding"
    assert paused.detail["until"] == "Tue Nov 24 13:00"

    await _tandem(pg, AISHA, "resume riverside", "answers again for Riverside")
    after = await _ask(pg, 783, HOURS_QUESTION, "riverside", "Ola")
    assert "Riverside" in text_of(after)
    assert "switched off" not in text_of(after)
    assert [r.action for r in await AuditLog(redis).recent()][:1] == ["bot_resumed"]


async def test_pausing_all_stores_and_resuming_everything(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    await _tandem(pg, AISHA, 'pause all 30m "system check"', "paused for all stores")
    answer = await _ask(pg, 784, HOURS_QUESTION, "downtown", "Ben")
    assert "automatic assistant is switched off" in text_of(answer)

    await _tandem(pg, AISHA, "resume", "answers again for all stores")
    again = await _ask(pg, 785, HOURS_QUESTION, "downtown", "Kim")
    assert "switched off" not in text_of(again)
    assert "Downtown" in text_of(again)


async def test_only_supervisors_pause_and_only_directory_employees_use_tandem(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    refused = await _tandem(pg, LUIS, 'pause riverside 2h "lunch"', "Only supervisors")
    assert "Aisha" in refused["text"]  # who to ask instead
    pg.slack.add_user("U0VISITOR1", "visitor", real_name="A Visitor")
    await _tandem(pg, "U0VISITOR1", "notices", "employee directory")
    await _tandem(pg, AISHA, 'pause riverside 2 hours "x"', "Usage")
    await _tandem(pg, AISHA, 'pause riverside 2x "x"', "Bad duration")
    await _tandem(pg, AISHA, 'pause atlantis 2h "x"', "Unknown store")

    answer = await _ask(pg, 786, HOURS_QUESTION, "riverside", "Lee")
    assert "switched off" not in text_of(answer)
    assert "Riverside" in text_of(answer)
    assert not [r for r in await AuditLog(redis).recent() if r.action == "bot_paused"]


async def test_a_notice_from_slack_changes_the_hours_answer_until_removed(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    posted = await _tandem(
        pg,
        AISHA,
        "notice river “Riverside is closed today due to flooding.” until 18:00 intents hours",
        "is live for Riverside until Tue Nov 24 18:00",
    )
    assert "slack-" in posted["text"]
    answer = await _ask(pg, 787, HOURS_QUESTION, "riverside", "Ana")
    assert "closed today due to flooding" in text_of(answer)
    listed = await _tandem(pg, LUIS, "notices", "Notices in force")
    [notice_id] = [w.strip("`") for w in listed["text"].split() if w.startswith("`slack-")]
    assert "questions about hours" in listed["text"]
    [added] = [r for r in await AuditLog(redis).recent() if r.action == "notice_added"]
    assert (added.by, added.detail["notice"], added.detail["store"]) == (
        "aisha-rahman",
        notice_id,
        "riverside",
    )

    await _tandem(pg, AISHA, f"notice remove {notice_id}", "removed")
    normal = await _ask(pg, 788, HOURS_QUESTION, "riverside", "Eve")
    assert "flooding" not in text_of(normal)
    assert "Riverside" in text_of(normal)


async def test_a_note_added_with_the_command_shows_on_the_next_card(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 789
    card, _ = await hand_off(pg, chat, first_name="Noor")
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    assert f"`{conv.id}`" in str(card["blocks"])  # the id to type is on the card

    await _tandem(pg, LUIS, f"note {conv.id} prefers morning deliveries", "Noted on Noor")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: m["ts"] == card["ts"] and "morning deliveries" in str(m)
    )
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "back_to_bot")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "back to the assistant" in text_of(m))

    await pg.telegram.customer_sends(chat, "I need a person again please", first_name="Noor")
    second = await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: m["ts"] != card["ts"] and "Noor" in str(m.get("blocks")) and "Notes" in str(m),
    )
    assert "prefers morning deliveries" in str(second["blocks"])
    events = await store.transcript(conv.id)
    assert [(e.by, e.detail["text"]) for e in events if e.kind == "profile_note"] == [
        (LUIS, "prefers morning deliveries")
    ]
    [noted] = [r for r in await AuditLog(redis).recent() if r.action == "profile_note"]
    assert (noted.by, noted.detail["conversation"]) == ("luis-ortega", conv.id)
    assert "morning" not in str(noted.detail)  # the audit log never holds what was written
