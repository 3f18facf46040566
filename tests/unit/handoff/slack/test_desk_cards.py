"""A card Slack refuses is sent smaller, so the thread exists for the posts that follow.
Against the strict fake Slack, which refuses blocks as Slack does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.serve import serve_app
from handoff.core.state import ThreadRef
from handoff.errors import SlackUnavailable
from handoff.slack.desk import SlackDesk
from handoff.texts.bidi import visible
from playground.fake_slack.server import FakeSlack

TOKEN = "xoxb-desk"
DESK = "C0DESK"
Block = dict[str, Any]


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, SlackDesk]]:
    fake = FakeSlack(bot_token=TOKEN, signing_secret="s", channels={DESK: "desk"})
    async with serve_app(fake.app) as url:
        yield fake, SlackDesk(AsyncWebClient(token=TOKEN, base_url=f"{url}/api/"))
    await fake.aclose()


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_a_refused_card_is_posted_minimal(slack: tuple[FakeSlack, SlackDesk]) -> None:
    fake, desk = slack
    refused = [
        {"type": "header", "text": {"type": "plain_text", "text": "Alex needs a person"}},
        section("*Alex*"),
        section("w" * 3500),  # over Slack's 3,000: invalid_blocks
        {"type": "actions", "elements": [_button("Take over")]},
    ]
    response = await desk._card("chat_postMessage", refused, channel=DESK, text="Alex")
    [posted] = fake.messages(DESK)
    assert posted["ts"] == response["ts"]
    assert [b["type"] for b in posted["blocks"]] == ["header", "section", "section", "actions"]
    assert len(posted["blocks"][2]["text"]["text"]) <= 500
    # The thread goes on.
    await desk.post_status(ThreadRef(DESK, posted["ts"]), "Aisha took over the conversation.")
    assert len(fake.thread(DESK, posted["ts"])) == 2


async def test_text_alone_when_even_the_minimal_card_is_refused(
    slack: tuple[FakeSlack, SlackDesk],
) -> None:
    fake, desk = slack
    refused = [{"type": "header", "text": {"type": "mrkdwn", "text": "*not plain*"}}]
    await desk._card("chat_postMessage", refused, channel=DESK, text="Alex needs a person")
    [posted] = fake.messages(DESK)
    assert posted["text"] == "Alex needs a person"
    assert "blocks" not in posted


async def test_other_refusals_are_not_retried_smaller(slack: tuple[FakeSlack, SlackDesk]) -> None:
    fake, desk = slack
    with pytest.raises(SlackUnavailable, match="channel_not_found"):
        await desk._card("chat_postMessage", [section("x")], channel="C0NONE", text="x")
    assert [m for m, _ in fake.calls if m == "chat.postMessage"] == ["chat.postMessage"]


def _button(label: str) -> Block:
    return {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": label}}


async def test_a_message_too_long_for_one_post_continues_in_the_thread(
    slack: tuple[FakeSlack, SlackDesk],
) -> None:
    """4,096 format characters show as 32,768 characters of marks: more than Slack takes
    in one message's blocks, so the words go on in the next posts, every one of them."""
    fake, desk = slack
    card = await desk.client.chat_postMessage(channel=DESK, text="card")
    thread = ThreadRef(DESK, card["ts"])
    ts = await desk.post_customer_message(thread, "Alex", "\u202e" * 4096, mark="job-1")
    replies = fake.thread(DESK, card["ts"])[1:]
    assert replies[0]["ts"] == ts
    assert len(replies) > 1
    shown = "".join(
        b["text"]["text"] for m in replies for b in m["blocks"] if b["type"] == "section"
    )
    assert shown == visible("Alex: " + "\u202e" * 4096)
    jobs = [m["metadata"]["event_payload"]["job"] for m in replies]
    assert jobs == ["job-1"] + [f"job-1:{n}" for n in range(1, len(replies))]
