"""``GET /readyz``: can this worker serve? Redis, each customer channel (Telegram), Rasa and
Slack, one word each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from handoff.storage.store import ConversationStore
from nlu.rasa.client import RasaClient


class Readiness:
    def __init__(
        self,
        store: ConversationStore,
        nlu: RasaClient,
        slack: Callable[[], Awaitable[str]],
        channels: Mapping[str, Callable[[], bool]],
    ) -> None:
        self.store = store
        self.nlu = nlu
        self.slack = slack  # its word, "ok" or an error's name (handoff/slack/wiring.py)
        self.channels = channels  # label -> is it running? (bot/channels.py)

    async def __call__(self) -> dict[str, str]:
        found = {"redis": await _verdict(self.store.check())}
        for label, running in self.channels.items():
            found[label] = "ok" if running() else "not running"
        found["rasa"] = await _verdict(self.nlu.check())
        found["slack"] = await self.slack()
        return found


async def _verdict(check: Awaitable[object]) -> str:
    try:
        await check
    except Exception as exc:
        return type(exc).__name__
    return "ok"
