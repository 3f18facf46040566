"""The local playground: the fake Telegram and Slack servers plus the page showing both sides.

``tandem run`` serves it when no tokens are set; the worker then talks to these
stand-ins through the real PTB and slack_sdk, exactly as it would to the real services.
The playground imports nothing of the bot: it names where a worker connects in plain
values (``WorkerEndpoints``), from which ``bot.runtime`` builds the worker's ``Endpoints``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from starlette.applications import Starlette
from starlette.routing import Mount

from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from playground.fake_slack.server import FakeSlack
from playground.fake_telegram.server import FakeTelegram
from playground.page import page_routes

# Tokens of the right shape; they only ever reach the local fakes.
TELEGRAM_TOKEN = "5550001234:PLAYGROUND-local-only-not-a-secret"
SLACK_BOT_TOKEN = "xoxb-playground-local-only"
SLACK_APP_TOKEN = "xapp-playground-local-only"
DEFAULT_CHANNEL = "C0HANDOFF"


class WorkerEndpoints(TypedDict):
    """The fields of ``bot.worker.Endpoints``, for a worker that uses the playground."""

    redis_url: str
    rasa_url: str
    telegram_token: str
    telegram_api: str
    slack_token: str
    slack_api: str
    slack_channel: str
    slack_signing_secret: str | None
    slack_app_token: str | None
    telegram_webhook_url: str | None
    telegram_webhook_secret: str | None


@dataclass
class Playground:
    telegram: FakeTelegram
    slack: FakeSlack
    signing_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    # What the page shows as the business does: times in its timezone (playground.json).
    page_settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_business(cls, data_dir: Path) -> Playground:
        stores = StoreDirectory.load(data_dir / "stores.yml")
        employees = EmployeeDirectory.load(data_dir / "employees.yml", stores)
        channels = {DEFAULT_CHANNEL: "handoff"}
        for store in stores:
            if store.slack_channel:
                channels[store.slack_channel] = f"{store.id}-desk"
        users = [
            {
                "id": e.slack_user_id,
                "name": e.id,
                "real_name": e.full_name,
                "profile": {"display_name": e.name, "real_name": e.full_name},
            }
            for e in employees
        ]
        secret = secrets.token_hex(16)
        slack = FakeSlack(
            bot_token=SLACK_BOT_TOKEN,
            app_token=SLACK_APP_TOKEN,
            signing_secret=secret,
            channels=channels,
            users=users,
        )
        shown = {"business": stores.business_name, "timezone": stores.business.timezone}
        return cls(FakeTelegram(TELEGRAM_TOKEN), slack, secret, shown)

    def endpoints(
        self,
        url: str,
        *,
        redis_url: str,
        rasa_url: str,
        socket_mode: bool = False,
        telegram_webhook_url: str | None = None,
        telegram_webhook_secret: str | None = None,
    ) -> WorkerEndpoints:
        """Where a worker connects to reach this playground served at ``url``.

        Socket Mode: the app token and no signing secret, as a real deployment has.
        """
        return WorkerEndpoints(
            redis_url=redis_url,
            rasa_url=rasa_url,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api=f"{url}/telegram",
            slack_token=SLACK_BOT_TOKEN,
            slack_api=f"{url}/slack/api/",
            slack_channel=DEFAULT_CHANNEL,
            slack_signing_secret=None if socket_mode else self.signing_secret,
            slack_app_token=SLACK_APP_TOKEN if socket_mode else None,
            telegram_webhook_url=telegram_webhook_url,
            telegram_webhook_secret=telegram_webhook_secret,
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Mount("/telegram", app=self.telegram.app),
                Mount("/slack", app=self.slack.app),
                *page_routes(self.page_settings),
            ]
        )
