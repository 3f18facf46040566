"""Replayed Slack requests: the same signed command or click, sent again, does nothing.

Slack's signature covers the timestamp and the body and is accepted for five minutes, so
whoever sees one signed request (a proxy's log, a leaked capture) could send it again in
that window. The worker keeps a mark of each signed request it ran (handoff/storage/live/
replays.py) and answers a second one with an empty 200, without running it.
"""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from handoff.storage.store import ConversationStore
from playground.app import Playground
from playground.fake_slack.payloads import INTERACTIVE, SLASH_COMMANDS, http_body, slash_command
from tests.e2e.conftest import StartWorker, eventually
from tests.e2e.desk_helpers import AISHA, RIVERSIDE_DESK, conversation, hand_off, is_intro
from tests.hostile.support import post, signed_headers
from tests.hostile.test_slack_hostile import _click

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


async def test_a_replayed_slash_command_runs_once(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="http")
    url = f"{worker.http_url}/slack/events"
    chat = 7321
    await hand_off(pg, chat)
    store = ConversationStore(redis)
    conv = await conversation(store, chat)
    workspace = pg.slack.workspace
    payload = slash_command(
        workspace.identity,
        user=workspace.user(AISHA),
        channel=workspace.channel(RIVERSIDE_DESK),
        command="/tandem",
        text=f"note {conv.id} prefers a call after 5pm",
        response_url="http://127.0.0.1:9/unused",
    )
    body, content_type = http_body(SLASH_COMMANDS, payload)
    signed = signed_headers(pg.signing_secret, body, content_type)

    first = await post(url, body, signed)
    assert first.status_code == 200
    assert "Noted" in first.text
    for _ in range(3):  # the same signed request, within Slack's five minutes
        again = await post(url, body, signed)
        assert again.status_code == 200
        assert again.text == ""  # acknowledged, not run
    await asyncio.sleep(0.3)
    notes = (await store.customer(str(chat))).get("notes", "").split("\n")
    assert notes.count("prefers a call after 5pm") == 1
    events = [e for e in await store.transcript(conv.id) if e.kind == "profile_note"]
    assert len(events) == 1


async def test_a_replayed_click_runs_once(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="http")
    url = f"{worker.http_url}/slack/events"
    chat = 7322
    card, _ = await hand_off(pg, chat)
    body, content_type = http_body(INTERACTIVE, _click(pg, card, "take_over"))
    signed = signed_headers(pg.signing_secret, body, content_type)
    earlier = len(pg.slack.ephemerals(AISHA))

    assert (await post(url, body, signed)).status_code == 200
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    # A second click, genuinely signed, runs and answers privately ...
    fresh = signed_headers(
        pg.signing_secret, body, content_type, at=float(signed_stamp(signed)) + 1
    )
    assert (await post(url, body, fresh)).status_code == 200

    async def answered() -> bool:
        return len(pg.slack.ephemerals(AISHA)) > earlier

    await eventually(answered)
    told = pg.slack.ephemerals(AISHA)[earlier:]
    assert [e["text"] for e in told] == ["You already have this conversation."]
    # ... while the first request, sent again, does not run at all.
    for headers in (signed, fresh):
        again = await post(url, body, headers)
        assert (again.status_code, again.text) == (200, "")
    await asyncio.sleep(0.5)
    assert len(pg.slack.ephemerals(AISHA)) == earlier + 1


def signed_stamp(headers: dict[str, str]) -> str:
    return headers["X-Slack-Request-Timestamp"]
