"""Both ways Slack reaches a worker: signed HTTP requests to /slack/events, and Socket Mode.

The same desk loop must work in both, and HTTP mode must refuse anything not signed with
the app's signing secret, since /slack/events is on the public internet.
"""

from __future__ import annotations

import time

import httpx
import pytest
from redis.asyncio import Redis

from handoff.core.state import Status
from handoff.storage.store import ConversationStore
from playground.app import Playground
from playground.fake_slack.delivery import slack_signature
from playground.fake_slack.payloads import INTERACTIVE, block_actions, find_button, http_body
from tests.e2e.conftest import SlackMode, StartWorker
from tests.e2e.desk_helpers import (
    AISHA,
    JSON,
    RIVERSIDE_DESK,
    conversation,
    hand_off,
    is_intro,
    text_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

# Slack shows the user an error when a click is not acknowledged within 3 s.
ACK_WITHIN = 1.0


@pytest.mark.parametrize("slack_mode", ["http", "socket"])
async def test_handoff_take_over_and_reply_in_both_modes(
    playground: tuple[Playground, str], start_worker: StartWorker, slack_mode: SlackMode
) -> None:
    pg, _ = playground
    await start_worker()
    chat = 601
    card, _ = await hand_off(pg, chat)

    click = await pg.slack.user_clicks(AISHA, RIVERSIDE_DESK, card["ts"], "take_over")
    assert click.mode == slack_mode
    assert click.ok
    assert click.elapsed is not None
    assert click.elapsed < ACK_WITHIN
    intro = await pg.telegram.wait_for_bot_message(chat, is_intro)
    assert "Aisha" in text_of(intro)

    before = len(pg.telegram.bot_messages(chat))
    await pg.slack.user_posts(
        AISHA, RIVERSIDE_DESK, "Let me check the delivery for you.", thread_ts=card["ts"]
    )
    reply = await pg.telegram.wait_for_bot_message(
        chat, lambda m: "check the delivery" in text_of(m), after=before
    )
    assert "Aisha" in text_of(reply)
    # Nothing took the other road: every event and click came the mode's own way.
    assert pg.slack.deliveries
    assert {d.mode for d in pg.slack.deliveries} == {slack_mode}
    assert all(d.ok for d in pg.slack.deliveries)


async def test_http_mode_refuses_unsigned_and_forged_requests(
    playground: tuple[Playground, str], start_worker: StartWorker, redis: Redis
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="http")
    chat = 602
    card, _ = await hand_off(pg, chat)
    body, content_type = http_body(INTERACTIVE, _take_over_payload(pg, card))
    url = f"{worker.http_url}/slack/events"
    now = str(int(time.time()))

    async with httpx.AsyncClient(trust_env=False) as http:
        unsigned = await http.post(url, content=body, headers={"Content-Type": content_type})
        forged = await http.post(
            url,
            content=body,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": now,
                "X-Slack-Signature": slack_signature("not-the-secret", now, body),
            },
        )
        assert (unsigned.status_code, forged.status_code) == (401, 401)
        store = ConversationStore(redis)
        assert (await conversation(store, chat)).status is Status.PENDING

        # The very same request, signed with the app's secret, is accepted and acts.
        signed = await http.post(
            url,
            content=body,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": now,
                "X-Slack-Signature": slack_signature(pg.signing_secret, now, body),
            },
        )
    assert signed.status_code == 200
    await pg.telegram.wait_for_bot_message(chat, is_intro)
    assert (await conversation(store, chat)).owner == AISHA


async def test_socket_mode_serves_no_events_endpoint(
    playground: tuple[Playground, str], start_worker: StartWorker
) -> None:
    pg, _ = playground
    worker = await start_worker(slack_mode="socket")
    assert pg.slack.socket_connected
    async with httpx.AsyncClient(trust_env=False) as http:
        events = await http.post(f"{worker.http_url}/slack/events", content=b"{}")
        health = await http.get(f"{worker.http_url}/healthz")
    assert health.status_code == 200
    assert events.status_code == 404  # nothing to forge: Slack's events come over the socket


def _take_over_payload(pg: Playground, card: JSON) -> JSON:
    """The block_actions payload Slack sends when Aisha clicks Take over on the card."""
    workspace = pg.slack.workspace
    channel = workspace.channel(RIVERSIDE_DESK)
    message = workspace.find(channel, card["ts"])
    return block_actions(
        workspace.identity,
        user=workspace.user(AISHA),
        channel=channel,
        message=message,
        button=find_button(message, "take_over", None),
        response_url="http://127.0.0.1:9/unused",
        is_ephemeral=False,
    )
