"""``GET /readyz``: can this worker serve? Redis, Telegram, Rasa and Slack, one word each."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.telegram.app import TgApp
from handoff.slack.app import check_token
from handoff.storage.store import ConversationStore
from nlu.rasa.client import RasaClient

# auth.test is rate limited (tier 4); a load balancer probing every few seconds reuses
# the last answer for this long.
SLACK_RECHECK_SECONDS = 30.0


class Readiness:
    def __init__(
        self,
        store: ConversationStore,
        nlu: RasaClient,
        slack: AsyncWebClient,
        telegram: Callable[[], TgApp | None],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.nlu = nlu
        self.slack = slack
        self.telegram = telegram
        self.monotonic = monotonic
        self.slack_verdict = "ok"  # the worker's start-up auth.test passed
        self.slack_checked = monotonic()

    async def __call__(self) -> dict[str, str]:
        app = self.telegram()
        return {
            "redis": await _verdict(self.store.check()),
            "telegram": "ok" if app is not None and app.running else "not running",
            "rasa": await _verdict(self.nlu.check()),
            "slack": await self._slack(),
        }

    async def _slack(self) -> str:
        if self.monotonic() - self.slack_checked >= SLACK_RECHECK_SECONDS:
            self.slack_verdict = await _verdict(check_token(self.slack))
            self.slack_checked = self.monotonic()
        return self.slack_verdict


async def _verdict(check: Awaitable[object]) -> str:
    try:
        await check
    except Exception as exc:
        return type(exc).__name__
    return "ok"
