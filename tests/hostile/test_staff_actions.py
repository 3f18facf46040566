"""Staff actions from Slack users outside the directory, and from the wrong employee.

Anyone in the workspace can click a card's buttons, reply in its thread or type
`/tandem`; only the staff rule (handoff/core/staff.py) decides what happens. A refusal
changes nothing, is told privately to whoever tried, and lands in the audit log without
what anyone wrote.
"""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from handoff.core.state import Status
from handoff.flows.staff import REFUSED
from handoff.storage.records.audit import AuditLog, AuditRecord
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    LUIS,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    settled,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

OUTSIDER = "U0STRANGER1"  # a member of the workspace, not in data/employees.yml


async def _refusals(redis: Redis, by: str) -> list[AuditRecord]:
    return [r for r in await AuditLog(redis).recent(500) if r.action == REFUSED and r.by == by]


async def test_someone_outside_the_directory_cannot_close_a_waiting_conversation(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 7301
    card, _ = await hand_off(pg, chat)
    pg.slack.add_user(OUTSIDER, "stranger", real_name="A Stranger")  # joins every channel
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    before = len(pg.telegram.bot_messages(chat))
    earlier = len(pg.slack.ephemerals(OUTSIDER))

    for action in ("back_to_bot", "resolve", "pass_on"):
        assert (await pg.slack.user_clicks(OUTSIDER, RIVERSIDE_DESK, card["ts"], action)).ok
    secret = "My card number is 4111 1111 1111 1111"
    await pg.slack.user_posts(OUTSIDER, RIVERSIDE_DESK, secret, thread_ts=card["ts"])

    async def all_told() -> bool:
        return len(pg.slack.ephemerals(OUTSIDER)) >= earlier + 4

    await eventually(all_told, within=10.0)
    await settled(worker)
    told = [e["text"] for e in pg.slack.ephemerals(OUTSIDER)[earlier:]]
    assert all("directory" in t for t in told), told
    # Nothing changed: still waiting, nobody told the customer anything, nothing sent on.
    after = await conversation(store, chat)
    assert (after.id, after.status, after.owner) == (conv.id, Status.PENDING, None)
    assert len(pg.telegram.bot_messages(chat)) == before
    # Each refusal is audited: who, which action, why, which conversation; never the text.
    refused = await _refusals(redis, f"slack:{OUTSIDER}")
    assert sorted(r.detail["act"] for r in refused) == [
        "back_to_bot",
        "pass_on",
        "reply",
        "resolve",
    ]
    assert {r.detail["conversation"] for r in refused} == {conv.id}
    assert {r.detail["reason"] for r in refused} == {"not_in_directory"}
    assert all("4111" not in str(r.detail) for r in refused)
    # The desk still works for the team.
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")).ok
    await pg.telegram.wait_for_bot_message(chat, is_intro, after=before)


async def test_an_employee_cannot_close_a_colleagues_conversation_and_the_refusal_is_audited(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 7302
    card, _ = await hand_off(pg, chat)
    assert (await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")).ok
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    store = ConversationStore(redis)
    conv = await conversation(store, chat)

    assert (await pg.slack.user_clicks(LUIS, RIVERSIDE_DESK, card["ts"], "resolve")).ok
    told = await pg.slack.wait_for_ephemeral(LUIS, lambda e: "resolve it" in e["text"])
    assert told["text"] == "Aisha has this conversation; only they can resolve it."
    await settled(worker)
    assert (await conversation(store, chat)).status is Status.HUMAN
    assert not any(text_of(m).startswith("How did") for m in pg.telegram.bot_messages(chat))
    [refusal] = [r for r in await _refusals(redis, "luis-ortega") if r.detail["act"] == "resolve"]
    assert refusal.detail == {"act": "resolve", "reason": "owned_by_other", "conversation": conv.id}


async def test_slash_commands_from_outside_the_directory_are_refused_and_audited(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 7303
    await hand_off(pg, chat)
    conv = await conversation(ConversationStore(redis), chat)
    pg.slack.add_user(OUTSIDER, "stranger", real_name="A Stranger")

    delivery = await pg.slack.user_runs_command(
        OUTSIDER, RIVERSIDE_DESK, "/tandem", f"note {conv.id} owes us money"
    )
    assert delivery.ok
    assert "directory" in str(delivery.response)
    assert "notes" not in await ConversationStore(redis).customer(str(chat))
    [refusal] = await _refusals(redis, f"slack:{OUTSIDER}")
    assert refusal.detail == {"act": "command", "reason": "not_in_directory"}
