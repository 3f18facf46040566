"""A button click in Slack is acknowledged the moment it arrives, and the work runs after:
bolt answers Slack's HTTP request as soon as the listener calls ``ack()``
(handoff/slack/app.py acks first), so a slow claim never makes Slack's 3 s run out."""

from __future__ import annotations

import asyncio
import json
import time
from typing import cast
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from handoff.core.state import ThreadRef
from handoff.flows.desk import DeskFlow
from handoff.slack.app import SlackListeners
from handoff.slack.blocks import ACTION_TAKE_OVER


class _SlowDesk:
    """The desk flow's claim, held until the test lets it finish."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.done = asyncio.Event()
        self.claimed: list[tuple[ThreadRef, str]] = []

    async def take_over(self, thread: ThreadRef, user: str) -> str | None:
        await self.go.wait()
        self.claimed.append((thread, user))
        self.done.set()
        return None


async def _authorize(**_: object) -> AuthorizeResult:
    """The workspace's bot, without asking Slack's auth.test (there is no Slack here)."""
    return AuthorizeResult(
        enterprise_id=None, team_id="T0TANDEM", bot_user_id="U0BOT", bot_id="B0BOT",
        bot_token="xoxb-test",
    )  # fmt: skip


def _click() -> AsyncBoltRequest:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TANDEM"},
        "user": {"id": "U0AISHA01", "team_id": "T0TANDEM"},
        "api_app_id": "A0TANDEM",
        "token": "legacy",
        "container": {"type": "message", "channel_id": "C0RIVERSIDE", "message_ts": "1.000100"},
        "channel": {"id": "C0RIVERSIDE", "name": "riverside-desk"},
        "message": {"type": "message", "ts": "1.000100", "text": "Zed needs a person"},
        "trigger_id": "1.2.abc",
        "response_url": "https://hooks.slack.test/actions/1",
        "actions": [
            {
                "type": "button",
                "action_id": ACTION_TAKE_OVER,
                "block_id": "handoff",
                "value": "c1",
                "action_ts": "2.000200",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    return AsyncBoltRequest(
        body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}
    )


async def test_a_click_is_acknowledged_before_the_claim_is_done() -> None:
    desk = _SlowDesk()
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/"),
        signing_secret="",
        request_verification_enabled=False,
        authorize=_authorize,
    )
    app.action(ACTION_TAKE_OVER)(SlackListeners(cast(DeskFlow, desk)).take_over)

    started = time.monotonic()
    response = await asyncio.wait_for(app.async_dispatch(_click()), timeout=3.0)
    assert response.status == 200  # Slack has its answer...
    assert time.monotonic() - started < 1.0
    assert desk.claimed == []  # ...while the claim still waits

    desk.go.set()
    await asyncio.wait_for(desk.done.wait(), timeout=3.0)
    assert desk.claimed == [(ThreadRef("C0RIVERSIDE", "1.000100"), "U0AISHA01")]
