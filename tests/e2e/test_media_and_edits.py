"""Files both ways and customers' edits, end to end: real PTB and bolt workers against the
fake Telegram and Slack servers (which keep every file's bytes), real Valkey and Rasa."""

from __future__ import annotations

import struct
import zlib

import pytest
from redis.asyncio import Redis

from handoff.core.media import MAX_FILE_BYTES
from handoff.core.state import Event
from handoff.storage.store import ConversationStore
from playground.app import Playground
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    LUIS,
    RIVERSIDE_DESK,
    choose_store,
    conversation,
    hand_off,
    is_intro,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

PDF = b"%PDF-1.4\n% a receipt\n" + bytes(range(256)) * 8


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real, tiny PNG (the fake Telegram reads image headers, as Telegram does)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def _owned_by_aisha(pg: Playground, chat: int) -> JSON:
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    return card


async def _events(store: ConversationStore, chat: int, kind: str) -> list[Event]:
    conv = await conversation(store, chat)
    return [e for e in await store.transcript(conv.id) if e.kind == kind]


def _file_share(message: JSON) -> bool:
    return message.get("subtype") == "file_share"


async def test_photo_to_the_bot_hands_off_and_the_file_lands_in_the_new_thread(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 801
    await choose_store(pg, chat, "riverside", "Alex")
    photo = png(40, 30, (200, 120, 40))
    await pg.telegram.customer_sends_photo(chat, photo, caption="the hinge snapped like this")

    await pg.telegram.wait_for_bot_message(chat, lambda m: "passed your message" in text_of(m))
    card = await pg.slack.wait_for_message(RIVERSIDE_DESK, lambda m: "sent a file" in str(m))
    shared = await pg.slack.wait_for_message(RIVERSIDE_DESK, _file_share, thread_ts=card["ts"])
    assert "Alex: the hinge snapped like this" in shared["text"]
    (file,) = shared["files"]
    assert pg.slack.files[file["id"]].data == photo
    assert file["name"].endswith(".png")

    store = ConversationStore(redis)
    (handoff,) = await _events(store, chat, "handoff")
    assert handoff.reason == "media"
    assert [e.detail["size"] for e in await _events(store, chat, "customer_file")] == [len(photo)]


async def test_document_and_voice_note_reach_the_owners_thread_intact(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 802
    card = await _owned_by_aisha(pg, chat)

    await pg.telegram.customer_sends_document(
        chat, PDF, "receipt.pdf", "application/pdf", caption="my receipt"
    )
    voice = b"OggS" + bytes(2000)
    await pg.telegram.customer_sends_voice(chat, voice, duration=4)

    document = await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: _file_share(m) and m["files"][0]["name"] == "receipt.pdf",
        thread_ts=card["ts"],
    )
    assert "Alex: my receipt" in document["text"]
    assert pg.slack.files[document["files"][0]["id"]].data == PDF
    note = await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: _file_share(m) and "voice note" in m["text"],
        thread_ts=card["ts"],
    )
    assert pg.slack.files[note["files"][0]["id"]].data == voice


async def test_owners_files_reach_the_customer_under_their_name(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 803
    card = await _owned_by_aisha(pg, chat)
    before = len(pg.telegram.bot_messages(chat))

    photo = png(64, 48, (30, 90, 160))
    await pg.slack.user_uploads(
        AISHA,
        RIVERSIDE_DESK,
        card["ts"],
        photo,
        "hinge.png",
        "image/png",
        text="This is the hinge you need.",
    )
    got = await pg.telegram.wait_for_bot_message(chat, lambda m: "photo" in m, after=before)
    assert got["caption"] == "<b>Aisha</b> · Riverside\nThis is the hinge you need."
    assert pg.telegram.file_bytes(got["photo"][-1]["file_id"]) == photo

    await pg.slack.user_uploads(
        AISHA, RIVERSIDE_DESK, card["ts"], PDF, "warranty.pdf", "application/pdf"
    )
    doc = await pg.telegram.wait_for_bot_message(chat, lambda m: "document" in m, after=before)
    assert doc["document"]["file_name"] == "warranty.pdf"
    assert doc["caption"].startswith("<b>Aisha</b> · Riverside")
    assert pg.telegram.file_bytes(doc["document"]["file_id"]) == PDF

    store = ConversationStore(redis)

    async def both_recorded() -> bool:
        replies = await _events(store, chat, "employee_reply")
        return [r.detail["files"][0]["name"] for r in replies] == ["hinge.png", "warranty.pdf"]

    await eventually(both_recorded)


async def test_a_non_owners_file_stays_internal(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 804
    card = await _owned_by_aisha(pg, chat)
    before = len(pg.telegram.bot_messages(chat))

    await pg.slack.user_uploads(
        LUIS,
        RIVERSIDE_DESK,
        card["ts"],
        png(8, 8, (0, 0, 0)),
        "idea.png",
        "image/png",
        text="maybe this one?",
    )
    await pg.slack.wait_for_ephemeral(LUIS, lambda e: "stayed internal" in e["text"])
    store = ConversationStore(redis)

    async def noted() -> bool:
        notes = await _events(store, chat, "note")
        return [n.detail.get("files") for n in notes] == [["idea.png"]]

    await eventually(noted)
    assert len(pg.telegram.bot_messages(chat)) == before
    assert len(pg.telegram.calls_to("sendPhoto")) == 1  # the intro only


async def test_files_over_the_limit_are_refused_politely_both_ways(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 805
    card = await _owned_by_aisha(pg, chat)
    huge = b"%PDF-1.4\n" + bytes(MAX_FILE_BYTES)

    await pg.telegram.customer_sends_document(
        chat, huge, "scan.pdf", "application/pdf", caption="the full manual"
    )
    await pg.telegram.wait_for_bot_message(chat, lambda m: "too large" in text_of(m))
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "over the 20 MB limit" in m["text"], thread_ts=card["ts"]
    )
    # The words are not lost with the file.
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "the full manual" in m["text"], thread_ts=card["ts"]
    )
    assert not pg.telegram.calls_to("getFile")  # refused from the size Telegram reported

    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_uploads(
        AISHA,
        RIVERSIDE_DESK,
        card["ts"],
        huge,
        "catalogue.pdf",
        "application/pdf",
        text="Here is the catalogue.",
    )
    told = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "too large" in text_of(m), after=before
    )
    assert "Aisha tried to send you a file" in text_of(told)
    await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Here is the catalogue." in text_of(m), after=before
    )
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: "catalogue.pdf" in m["text"] and "the customer did not get it" in m["text"],
        thread_ts=card["ts"],
    )
    assert not pg.telegram.calls_to("sendDocument")
    store = ConversationStore(redis)
    (refused,) = await _events(store, chat, "file_refused")
    assert refused.reason == "too_large"

    # The worker is still fine: the next message flows as usual.
    await pg.telegram.customer_sends(chat, "ok, I'll send a smaller one")
    await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "smaller one" in m["text"], thread_ts=card["ts"]
    )


async def test_an_edit_updates_the_slack_post_and_the_transcript_keeps_both_texts(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 806
    card = await _owned_by_aisha(pg, chat)

    sent = await pg.telegram.customer_sends(chat, "my order number is 1234")
    post = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "1234" in m["text"], thread_ts=card["ts"]
    )
    await pg.telegram.customer_edits(chat, sent["message_id"], "my order number is 1243")
    updated = await pg.slack.wait_for_message(
        RIVERSIDE_DESK,
        lambda m: m["ts"] == post["ts"] and "1243 (edited)" in m["text"],
        thread_ts=card["ts"],
    )
    assert "1243 (edited)" in str(updated["blocks"])

    store = ConversationStore(redis)

    async def recorded() -> bool:
        return bool(await _events(store, chat, "edit"))

    await eventually(recorded)
    (edit,) = await _events(store, chat, "edit")
    assert edit.detail == {
        "message_id": sent["message_id"],
        "previous": "my order number is 1234",
        "text": "my order number is 1243",
    }
    original = [
        e
        for e in await _events(store, chat, "customer_message")
        if e.detail["message_id"] == sent["message_id"]
    ]
    assert original[0].detail["text"] == "my order number is 1234"  # never rewritten


async def test_an_edit_of_a_message_the_bot_answered_is_recorded_not_answered_again(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 807
    sent = await pg.telegram.customer_sends(chat, "what are your hours at riverside on saturday?")
    await pg.telegram.wait_for_bot_message(chat, lambda m: "Riverside" in text_of(m))
    store = ConversationStore(redis)

    async def answered() -> bool:
        return bool(await _events(store, chat, "bot_answer"))

    await eventually(answered)
    await pg.telegram.customer_edits(
        chat, sent["message_id"], "what are your hours at riverside on sunday?"
    )

    async def recorded() -> bool:
        return bool(await _events(store, chat, "edit"))

    await eventually(recorded)
    (edit,) = await _events(store, chat, "edit")
    assert edit.detail["previous"] == "what are your hours at riverside on saturday?"
    assert edit.detail["text"] == "what are your hours at riverside on sunday?"
    assert len(pg.telegram.bot_messages(chat)) == 1
    assert len(await _events(store, chat, "bot_answer")) == 1
    assert not pg.slack.messages(RIVERSIDE_DESK)
