"""Hostile and extreme Telegram updates through a real polling worker.

Malformed updates are injected raw into the fake Bot API (the real one never sends them,
so its customer API refuses to): each must be confirmed and dropped, never wedge polling.
Odd Unicode and 4096-character texts must reach the Slack thread whole, unsupported kinds
get a polite answer, and a 50 MB document is refused without being downloaded.
"""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any

import pytest
from hypothesis import strategies as st

from bot.telegram.unsupported import UNSUPPORTED_REPLY
from handoff.texts.bidi import visible
from playground.app import Playground
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, hand_off, is_intro, text_of
from tests.hostile.support import ErrorLogs, explore, mutations, odd_chars, odd_text
from tests.hostile.test_slack_hostile import assert_within_slack_limits

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

JSON = dict[str, Any]
HOURS = "what are your hours at riverside on saturday?"


def _message(chat_id: int, message_id: int, **fields: Any) -> JSON:
    user = {"id": chat_id, "is_bot": False, "first_name": "Alex", "language_code": "en"}
    chat = {"id": chat_id, "type": "private", "first_name": "Alex"}
    return {
        "message_id": message_id,
        "from": user,
        "chat": chat,
        "date": int(time.time()),
        **fields,
    }


async def _answered(pg: Playground, chat_id: int) -> None:
    """A normal question still gets the bot's answer: the worker is alive and polling."""
    before = len(pg.telegram.bot_messages(chat_id))
    await pg.telegram.customer_sends(chat_id, HOURS, first_name="Alex")
    answer = await pg.telegram.wait_for_bot_message(chat_id, after=before)
    assert "Riverside" in text_of(answer)


async def test_malformed_updates_are_dropped_and_polling_goes_on(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    base = {"message": _message(7201, 1, text="Do you sell garden hoses?")}
    queue = pg.telegram.state.updates

    async def check(update: JSON) -> None:
        pg.telegram.inject_raw_update(update)

        async def confirmed() -> bool:  # getUpdates' offset moved past it
            return len(queue) == 0

        await eventually(confirmed, within=10)

    await _answered(pg, 7201)  # the chat exists on the fake, as any real sender's does

    def same_chat(update: JSON) -> bool:
        """A valid message from a chat the fake does not know would fail to be answered
        ("chat not found"), which is right but not what this test is about."""
        message = update.get("message")
        if not isinstance(message, dict):
            return True
        ids = [
            (message.get(k) or {}).get("id") if isinstance(message.get(k), dict) else None
            for k in ("chat", "from")
        ]
        return all(not isinstance(i, int) or isinstance(i, bool) or i == 7201 for i in ids)

    with ErrorLogs() as errors:
        await explore(check, mutations(base).filter(same_chat), examples=40)
        await _answered(pg, 7202)
    assert errors.records == []


async def test_odd_unicode_and_4096_character_texts_reach_the_thread_whole(
    playground: tuple[Playground, str],
    start_worker: StartWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CUSTOMER_RATE_LIMIT_PER_MINUTE", "1000")  # not a flood test
    pg, _ = playground
    await start_worker()
    chat = 7203
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    long_odd = st.text(alphabet=odd_chars, min_size=4000, max_size=4096).filter(str.strip)
    texts = odd_text | long_odd | st.just("\u202e" * 4096)
    marks = itertools.count(1)

    async def check(text: str) -> None:
        tag = f"#{next(marks)}#"  # finds this example's post among the others
        sent = f"{tag}{text}"[:4096]
        await pg.telegram.customer_sends(chat, sent, first_name="Alex")
        posted = await pg.slack.wait_for_message(
            RIVERSIDE_DESK, lambda m: tag in str(m.get("blocks")), thread_ts=card["ts"]
        )
        # Words too long for one Slack message's blocks go on in the next posts of the
        # thread, each marked with the first one's job (handoff/slack/desk.py).
        job = posted["metadata"]["event_payload"]["job"]

        def parts() -> list[dict[str, Any]]:
            def of_job(m: dict[str, Any]) -> bool:
                marked = str((m.get("metadata") or {}).get("event_payload", {}).get("job"))
                return marked == job or marked.startswith(f"{job}:")

            return [m for m in pg.slack.thread(RIVERSIDE_DESK, card["ts"]) if of_job(m)]

        def shown() -> str:
            return "".join(
                b["text"]["text"] for m in parts() for b in m["blocks"] if b["type"] == "section"
            )

        expected = visible(f"Alex: {sent}")
        await pg.slack.wait_for_message(
            RIVERSIDE_DESK, lambda _: shown() == expected, thread_ts=card["ts"]
        )
        for part in parts():
            assert_within_slack_limits(part)
        assert shown() == expected  # every character, format ones as marks

    await explore(check, texts, examples=25)


@pytest.mark.parametrize(
    "fields",
    [
        {
            "sticker": {
                "file_id": "st1",
                "file_unique_id": "u1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
        {"location": {"latitude": 42.33, "longitude": -83.05}},
        {"contact": {"phone_number": "+13135550100", "first_name": "Sam"}},
        {
            "poll": {
                "id": "p1",
                "question": "Best rake?",
                "options": [
                    {"text": "Steel", "voter_count": 0, "persistent_id": "o1"},
                    {"text": "Bamboo", "voter_count": 0, "persistent_id": "o2"},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        },
        {"dice": {"emoji": "🎲", "value": 4}},
    ],
    ids=["sticker", "location", "contact", "poll", "dice"],
)
async def test_unsupported_kinds_get_a_polite_answer(
    playground: tuple[Playground, str], start_worker: StartWorker, fields: JSON
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 7210
    await _answered(pg, chat)  # the conversation exists: the transcript records the kind
    before = len(pg.telegram.bot_messages(chat))
    # Telegram creates the chat's messages; the fake numbers them, so pick a fresh id.
    pg.telegram.inject_raw_update({"message": _message(chat, 900, **copy.deepcopy(fields))})
    reply = await pg.telegram.wait_for_bot_message(chat, after=before)
    assert text_of(reply) == UNSUPPORTED_REPLY
    await _answered(pg, chat)


async def test_a_50_mb_document_is_refused_politely_and_never_downloaded(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 7220
    await _answered(pg, chat)
    document = {
        "file_id": "never-stored",
        "file_unique_id": "u50",
        "file_name": "plans.pdf",
        "mime_type": "application/pdf",
        "file_size": 50 * 1024 * 1024,
    }
    fields = {"document": document, "caption": "the plans for my deck"}
    before = len(pg.telegram.bot_messages(chat))
    pg.telegram.inject_raw_update({"message": _message(chat, 900, **fields)})
    refusal = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "too large" in text_of(m), after=before
    )
    assert "20 MB" in text_of(refusal)
    assert pg.telegram.calls_to("getFile") == []
    await _answered(pg, 7221)
