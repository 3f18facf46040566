"""Hostile requests to the worker's public /slack/events, in HTTP mode.

Correctly signed but malformed events and clicks must get a 2xx or a clean 4xx, never a
500 or a listener blowing up; forged, stale and replayed requests must change nothing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from hypothesis import strategies as st

from playground.app import Playground
from playground.fake_slack.payloads import (
    EVENTS_API,
    INTERACTIVE,
    block_actions,
    event_callback,
    find_button,
    http_body,
)
from tests.e2e.conftest import StartWorker
from tests.e2e.desk_helpers import AISHA, JSON, RIVERSIDE_DESK, hand_off, is_intro, text_of
from tests.hostile.support import (
    ErrorLogs,
    explore,
    json_values,
    mutations,
    post,
    signed_headers,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

SLACK_TEXT_LIMIT = 40_000


def _message_event(pg: Playground, thread_ts: str, text: str) -> JSON:
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel": RIVERSIDE_DESK,
        "user": AISHA,
        "text": text,
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
        "channel_type": "channel",
    }
    return event_callback(pg.slack.workspace.identity, event)


def _click(pg: Playground, card: JSON, action: str) -> JSON:
    workspace = pg.slack.workspace
    channel = workspace.channel(RIVERSIDE_DESK)
    message = workspace.find(channel, card["ts"])
    return block_actions(
        workspace.identity,
        user=workspace.user(AISHA),
        channel=channel,
        message=message,
        button=find_button(message, action, None),
        response_url="http://127.0.0.1:9/unused",
        is_ephemeral=False,
    )


def _fresh_id(payload: JSON) -> JSON:
    """A new event_id per example, so Slack's dedupe does not hide what the rest would do."""
    if isinstance(payload.get("event_id"), str):
        payload["event_id"] = "Ev" + uuid.uuid4().hex[:10].upper()
    return payload


async def _take_over(pg: Playground, chat: int) -> JSON:
    card, _ = await hand_off(pg, chat)
    await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    return card


async def test_malformed_events_get_a_clean_answer_and_the_desk_keeps_working(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="http")
    url = f"{worker.http_url}/slack/events"
    chat = 7101
    card = await _take_over(pg, chat)
    threads = st.sampled_from([card["ts"], "1700000000.000100"])  # tracked, and unknown
    texts = st.sampled_from(["Checking the stock now.", "x" * 45_000]) | st.text(max_size=60)
    bases = st.builds(lambda t, x: _message_event(pg, t, x), threads, texts)
    payloads = bases.flatmap(mutations).map(_fresh_id)

    async def check(payload: JSON) -> None:
        body, content_type = http_body(EVENTS_API, payload)
        response = await post(url, body, signed_headers(pg.signing_secret, body, content_type))
        assert response.status_code < 500, (response.status_code, payload)

    with ErrorLogs() as errors:
        await explore(check, payloads, examples=40)
        await asyncio.sleep(0.5)  # event listeners run after the ack
    assert errors.records == []

    # The desk still works: the owner's next reply reaches the customer, once.
    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_posts(AISHA, RIVERSIDE_DESK, "Still with you, Alex.", thread_ts=card["ts"])
    # Every accepted example above reached the customer first, a message a second (the
    # outbox paces a chat as Telegram asks), so this one may wait its turn.
    reply = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "Still with you" in text_of(m), after=before, timeout=60.0
    )
    assert "Aisha" in text_of(reply)


async def test_malformed_clicks_and_unknown_actions_get_a_clean_answer(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="http")
    url = f"{worker.http_url}/slack/events"
    card, _ = await hand_off(pg, 7102)
    # Built once: the card changes as clicks act, and hypothesis needs fixed bases.
    clicks = [_click(pg, card, a) for a in ("take_over", "pass_on", "resolve", "back_to_bot")]
    bases = st.sampled_from(clicks)
    unknown = st.builds(
        lambda payload, action: {
            **payload,
            "actions": [{**payload["actions"][0], "action_id": action}],
        },
        bases,
        st.text(min_size=1, max_size=30) | json_values,
    )
    payloads = bases.flatmap(mutations) | unknown

    async def check(payload: JSON) -> None:
        body, content_type = http_body(INTERACTIVE, payload)
        response = await post(url, body, signed_headers(pg.signing_secret, body, content_type))
        assert response.status_code < 500, (response.status_code, payload)

    with ErrorLogs() as errors:
        await explore(check, payloads, examples=40)
        await asyncio.sleep(0.5)
    assert errors.records == []
    health = await post(f"{worker.http_url}/slack/events", b"{}", {})
    assert health.status_code == 401  # unsigned: still refused, the app is alive


async def test_forged_stale_and_replayed_requests_change_nothing(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="http")
    url = f"{worker.http_url}/slack/events"
    chat = 7103
    card = await _take_over(pg, chat)
    payload = _message_event(pg, card["ts"], "Your order ships today.")
    body, content_type = http_body(EVENTS_API, payload)
    start = len(pg.telegram.bot_messages(chat))

    forged = signed_headers("not-the-secret", body, content_type)
    stale = signed_headers(pg.signing_secret, body, content_type, at=time.time() - 6 * 60)
    future = signed_headers(pg.signing_secret, body, content_type, at=time.time() + 6 * 60)
    for headers in (forged, stale, future, {"Content-Type": content_type}):
        assert (await post(url, body, headers)).status_code == 401

    # The genuine request acts once; the same signed body again (a replay, or Slack's own
    # retry) is acknowledged and changes nothing.
    signed = signed_headers(pg.signing_secret, body, content_type)
    assert (await post(url, body, signed)).status_code == 200
    await pg.telegram.wait_for_bot_message(chat, lambda m: "ships today" in text_of(m), after=start)
    for _ in range(3):
        assert (await post(url, body, signed)).status_code == 200
    await asyncio.sleep(0.5)
    delivered = [m for m in pg.telegram.bot_messages(chat) if "ships today" in text_of(m)]
    assert len(delivered) == 1


async def test_a_4096_character_message_reaches_the_thread_whole_within_slack_limits(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 7104
    card = await _take_over(pg, chat)
    words = "Our fence panel arrived split & the <gate> hinge is missing. "
    text = (words * 80)[:4096]
    await pg.telegram.customer_sends(chat, text, first_name="Alex")
    posted = await pg.slack.wait_for_message(
        RIVERSIDE_DESK, lambda m: "fence panel" in str(m.get("blocks")), thread_ts=card["ts"]
    )
    assert_within_slack_limits(posted)
    shown = "".join(b["text"]["text"] for b in posted["blocks"] if b["type"] == "section")
    assert shown == f"Alex: {text}"  # split across blocks, nothing clipped


def assert_within_slack_limits(message: dict[str, Any]) -> None:
    """What real Slack enforces and the fake does not: 50 blocks, 3000 characters a text."""
    assert len(message["text"]) <= SLACK_TEXT_LIMIT
    assert len(message["blocks"]) <= 50
    for block in message["blocks"]:
        inner = block.get("text")
        if isinstance(inner, dict):
            assert len(inner["text"]) <= 3000
