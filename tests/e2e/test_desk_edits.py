"""An employee's edit or deletion in Slack reaches the customer's Telegram chat, end to end:
real PTB and bolt workers against the fake Slack (which sends ``message_changed`` and
``message_deleted`` as Slack does) and the fake Telegram (editMessageText, deleteMessage
and its 48-hour limit), real Valkey and Rasa. The transcript keeps every version."""

from __future__ import annotations

import re
from typing import Any

import pytest
from redis.asyncio import Redis

from handoff.core.state import Event
from handoff.storage.store import ConversationStore
from playground.app import Playground
from playground.fake_slack.edits import user_deletes
from playground.fake_telegram.editing import age_message
from tests.e2e.conftest import Clock, StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    settled,
    text_of,
)
from tests.e2e.test_media_and_edits import png

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

HOURS = 3600.0


async def _owned_by_aisha(pg: Playground, chat: int) -> JSON:
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    return card


async def _reply(pg: Playground, chat: int, card: JSON, text: str) -> tuple[JSON, JSON]:
    """Aisha replies in the thread; returns her Slack post and the customer's message."""
    before = len(pg.telegram.bot_messages(chat))
    post = await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, text, thread_ts=card["ts"])
    got = await pg.telegram.wait_for_bot_message(chat, lambda m: text in text_of(m), after=before)
    return post, got


def _plain(text: str) -> str:
    """What the customer reads of an HTML message: the tags are formatting."""
    return re.sub(r"<[^>]+>", "", text)


def _message(pg: Playground, chat: int, message_id: int) -> dict[str, Any]:
    [found] = [m for m in pg.telegram.bot_messages(chat) if m["message_id"] == message_id]
    return found


async def _events(store: ConversationStore, chat: int, *kinds: str) -> list[Event]:
    conv = await conversation(store, chat)
    return [e for e in await store.transcript(conv.id) if e.kind in kinds]


async def test_an_employees_edit_changes_the_customers_message_and_keeps_both_versions(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 9401
    card = await _owned_by_aisha(pg, chat)
    post, got = await _reply(pg, chat, card, "Your parcel ships on Monday.")
    count = len(pg.telegram.bot_messages(chat))

    await pg.slack.user_edits(AISHA, RIVERSIDE_DESK, post["ts"], "Your parcel ships on Tuesday.")

    await pg.telegram.wait_for_bot_message(
        chat, lambda m: m["message_id"] == got["message_id"] and "Tuesday" in text_of(m)
    )
    await settled(worker)
    edited = _message(pg, chat, got["message_id"])
    assert _plain(text_of(edited)) == "Aisha · Riverside\nYour parcel ships on Tuesday."
    assert [e["method"] for e in edited["edits"]] == ["editMessageText"]
    assert len(pg.telegram.bot_messages(chat)) == count  # edited in place, nothing new sent
    store = ConversationStore(redis)
    reply, edit = await _events(store, chat, "employee_reply", "edit")
    assert reply.detail["text"] == "Your parcel ships on Monday."
    assert (edit.by, edit.detail["previous"], edit.detail["text"]) == (
        AISHA,
        "Your parcel ships on Monday.",
        "Your parcel ships on Tuesday.",
    )

    # Editing it again edits the same message again; the transcript gets a third version.
    await pg.slack.user_edits(AISHA, RIVERSIDE_DESK, post["ts"], "Your parcel ships on Wednesday.")
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: m["message_id"] == got["message_id"] and "Wednesday" in text_of(m)
    )
    edits = await _events(store, chat, "edit")
    assert [e.detail["previous"] for e in edits] == [
        "Your parcel ships on Monday.",
        "Your parcel ships on Tuesday.",
    ]


async def test_an_edit_the_guard_finds_fault_with_waits_for_send_anyway(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 9402
    card = await _owned_by_aisha(pg, chat)
    post, got = await _reply(pg, chat, card, "The refund reaches you by Friday.")

    careless = "Hi Alex, u will recieve the refund by Friday."
    await pg.slack.user_edits(AISHA, RIVERSIDE_DESK, post["ts"], careless)
    held = await pg.slack.wait_for_ephemeral(AISHA, lambda e: "recieve → receive" in e["text"])
    await settled(worker)
    assert text_of(_message(pg, chat, got["message_id"])).endswith("by Friday.")
    assert "recieve" not in text_of(_message(pg, chat, got["message_id"]))

    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, held["ts"], "guard_send_anyway")
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: m["message_id"] == got["message_id"] and "recieve" in text_of(m)
    )
    await settled(worker)
    assert sum("refund" in text_of(m) for m in pg.telegram.bot_messages(chat)) == 1
    [edit] = await _events(ConversationStore(redis), chat, "edit")
    assert edit.detail["text"] == careless


async def test_an_employees_delete_removes_the_customers_message(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 9403
    card = await _owned_by_aisha(pg, chat)
    post, got = await _reply(pg, chat, card, "Your code is 4471, use it at the till.")
    count = len(pg.telegram.bot_messages(chat))

    await user_deletes(pg.slack, AISHA, RIVERSIDE_DESK, post["ts"])

    async def deleted() -> bool:
        return bool(_message(pg, chat, got["message_id"])["deleted"])

    await eventually(deleted)
    await settled(worker)
    assert len(pg.telegram.bot_messages(chat)) == count  # no notice: the message is gone
    [withdrawn] = await _events(ConversationStore(redis), chat, "withdrawn")
    assert withdrawn.by == AISHA
    assert withdrawn.detail["text"] == "Your code is 4471, use it at the till."
    assert withdrawn.detail["deleted"] is True


async def test_past_48_hours_the_customer_is_told_the_message_was_withdrawn(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis, clock: Clock
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 9404
    card = await _owned_by_aisha(pg, chat)
    first_post, first = await _reply(pg, chat, card, "Pick-up is at door 3.")
    second_post, second = await _reply(pg, chat, card, "Bring the receipt with you.")
    for message in (first, second):  # two days pass in Telegram ...
        age_message(pg.telegram.state, chat, message["message_id"], 49 * HOURS)

    # ... but not yet by Tandem's clock: it tries, Telegram refuses, the customer is told.
    before = len(pg.telegram.bot_messages(chat))
    await user_deletes(pg.slack, AISHA, RIVERSIDE_DESK, first_post["ts"])
    notice = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "withdrew" in text_of(m), after=before
    )
    assert _plain(text_of(notice)) == (
        "Aisha · Riverside\nI withdrew my earlier message “Pick-up is at door 3.”. "
        "Please disregard it."
    )
    assert not _message(pg, chat, first["message_id"])["deleted"]

    # Past the window by Tandem's clock too: the notice, without trying to delete.
    clock.advance(49 * HOURS)
    before = len(pg.telegram.bot_messages(chat))
    await user_deletes(pg.slack, AISHA, RIVERSIDE_DESK, second_post["ts"])
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Bring the receipt" in text_of(m) and "withdrew" in text_of(m), after=before
    )
    await settled(worker)
    deletes = [c for c in pg.telegram.calls if c.method == "deleteMessage"]
    assert [int(c.params["message_id"]) for c in deletes] == [first["message_id"]]
    withdrawn = await _events(ConversationStore(redis), chat, "withdrawn")
    assert [(e.detail["text"], e.detail["deleted"]) for e in withdrawn] == [
        ("Pick-up is at door 3.", True),
        ("Bring the receipt with you.", False),
    ]


async def test_an_edited_note_stays_internal(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 9405
    card = await _owned_by_aisha(pg, chat)
    store = ConversationStore(redis)
    note = await pg.slack.user_posts(
        AISHA, RIVERSIDE_DESK, "note: driver says door 3", thread_ts=card["ts"]
    )
    await eventually(lambda: _has(store, chat, "note"))
    count = len(pg.telegram.bot_messages(chat))

    await pg.slack.user_edits(AISHA, RIVERSIDE_DESK, note["ts"], "driver says door 3")
    await eventually(lambda: _has(store, chat, "edit"))
    await settled(worker)
    assert len(pg.telegram.bot_messages(chat)) == count
    assert all("door 3" not in text_of(m) for m in pg.telegram.bot_messages(chat))
    [edit] = await _events(store, chat, "edit")
    assert (edit.reason, edit.detail["internal"]) == ("internal", True)


async def _has(store: ConversationStore, chat: int, kind: str) -> bool:
    return bool(await _events(store, chat, kind))


async def test_an_edited_file_comment_changes_the_files_caption(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker()
    chat = 9406
    card = await _owned_by_aisha(pg, chat)
    before = len(pg.telegram.bot_messages(chat))
    shared = await pg.slack.user_uploads(
        AISHA,
        RIVERSIDE_DESK,
        card["ts"],
        png(16, 12, (30, 90, 160)),
        "hinge.png",
        "image/png",
        text="This is the hinge you need.",
    )
    got = await pg.telegram.wait_for_bot_message(chat, lambda m: "photo" in m, after=before)
    await settled(worker)

    await pg.slack.user_edits(AISHA, RIVERSIDE_DESK, shared["ts"], "This is the bracket you need.")
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: m["message_id"] == got["message_id"] and "bracket" in text_of(m)
    )
    await settled(worker)
    edited = _message(pg, chat, got["message_id"])
    assert _plain(text_of(edited)) == "Aisha · Riverside\nThis is the bracket you need."
    assert [e["method"] for e in edited["edits"]] == ["editMessageCaption"]
    assert "photo" in edited
    assert len(pg.telegram.bot_messages(chat)) == before + 1


async def test_a_long_reply_edited_short_keeps_one_message(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    """A reply over Telegram's 4,096 characters arrived in two parts; edited short, the
    first part shows it and the second goes."""
    pg, _ = playground
    worker = await start_worker()
    chat = 9407
    card = await _owned_by_aisha(pg, chat)
    before = len(pg.telegram.bot_messages(chat))
    long = "\n".join(f"Step {n}: unscrew panel {n} and keep its screws apart." for n in range(90))
    assert len(long) > 4096
    post = await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, long, thread_ts=card["ts"])
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Step 89" in text_of(m), after=before)
    await settled(worker)
    first, second = pg.telegram.bot_messages(chat)[before:]

    await pg.slack.user_edits(AISHA, RIVERSIDE_DESK, post["ts"], "Call me instead: 555-0142.")

    async def changed() -> bool:
        return bool(_message(pg, chat, second["message_id"])["deleted"])

    await eventually(changed)
    await settled(worker)
    assert _plain(text_of(_message(pg, chat, first["message_id"]))) == (
        "Aisha · Riverside\nCall me instead: 555-0142."
    )
    assert len(pg.telegram.bot_messages(chat)) == before + 2  # edited, and one deleted
