"""What a worker builds for Slack: web clients, bolt's app, and Slack's way in to it.

The web clients share one HTTP session; bolt's app runs the desk flow, its message events
kept in the inbox first; Slack reaches it at ``/slack/events`` (HTTP mode) or over Socket
Mode. ``/readyz``'s Slack check is here too. The SDKs' objects are held as attributes,
never subclassed; the worker (bot/worker.py) calls the few methods below and never
imports slack_sdk or bolt itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AsyncExitStack

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.routing import Route

from handoff.flows.desk import DeskFlow
from handoff.metrics import Metrics
from handoff.queues.outbox import Outbox
from handoff.queues.wiring import Queues
from handoff.slack.app import SlackListeners, build_slack_app, build_web_client, check_token
from handoff.slack.desk import SlackDesk
from handoff.slack.gate import slack_events_route
from handoff.slack.inbox import EventRunner, SlackInbox
from handoff.slack.metrics import count_slack_requests, count_slack_retries
from handoff.slack.outbox import SlackSender
from handoff.slack.spool import Spool
from handoff.storage.store import ConversationStore

# auth.test is rate limited (tier 4); a load balancer probing every few seconds reuses
# the last answer for this long.
SLACK_RECHECK_SECONDS = 30.0


class SlackClients:
    """The worker's two web clients, on one aiohttp session kept for the worker's life."""

    def __init__(
        self, client: AsyncWebClient, post_client: AsyncWebClient, metrics: Metrics
    ) -> None:
        self.client = client  # the desk's reads and direct calls, bolt's listeners
        self.post_client = post_client  # the outbox's posts
        self.metrics = metrics

    @classmethod
    async def connect(
        cls, stack: AsyncExitStack, token: str, api_url: str, metrics: Metrics
    ) -> SlackClients:
        """Checks the token (auth.test); ``stack`` closes the session."""
        session = aiohttp.ClientSession()
        stack.push_async_callback(session.close)
        client = build_web_client(token, api_url, session=session)
        await check_token(client)
        count_slack_retries(client, metrics)
        # The outbox's posts: a failed one is retried by the outbox, which looks first
        # whether Slack posted it (handoff/slack/outbox.py).
        post_client = build_web_client(token, api_url, session=session, retry_failures=False)
        count_slack_retries(post_client, metrics)
        return cls(client, post_client, metrics)

    def desk(self) -> SlackDesk:
        return SlackDesk(self.client, self.metrics)

    def sender(self, outbox: Outbox, store: ConversationStore) -> SlackSender:
        """Sends the outbox's Slack jobs (handoff/slack/outbox.py)."""
        return SlackSender(outbox, SlackDesk(self.post_client, self.metrics), store)

    def readiness(self) -> SlackReadiness:
        return SlackReadiness(self.client)

    def events(
        self,
        flow: DeskFlow,
        queues: Queues,
        *,
        signing_secret: str | None,
        spool: Spool | None = None,
    ) -> SlackEvents:
        """bolt's app: message events kept in the inbox (in ``spool`` while Redis is away:
        handoff/slack/spool.py), then run by the desk's listener."""
        app = build_slack_app(self.client, flow, signing_secret=signing_secret)
        count_slack_requests(app, self.metrics)
        SlackInbox(queues.inbox_lanes, wake=queues.inbox_pump.wake, spool=spool).register(app)
        listener = SlackListeners(flow, self.client).message
        queues.inbox_router.add("slack", EventRunner(listener).deliver)
        return SlackEvents(app, signing_secret)


class SlackEvents:
    """bolt's app, and how Slack reaches it."""

    def __init__(self, app: AsyncApp, signing_secret: str | None) -> None:
        self.app = app
        self.signing_secret = signing_secret

    def route(self) -> Route:
        """HTTP mode: ``POST /slack/events``, behind the gate (handoff/slack/gate.py)."""
        return slack_events_route(self.app, self.signing_secret or "")

    async def open_socket(self, stack: AsyncExitStack, app_token: str) -> None:
        """Socket Mode: this worker opens the connection Slack sends on; ``stack`` closes it."""
        socket = AsyncSocketModeHandler(self.app, app_token)
        await socket.connect_async()  # type: ignore[no-untyped-call]
        stack.push_async_callback(socket.close_async)


class SlackReadiness:
    """``GET /readyz``'s word for Slack: auth.test, its answer reused for a while."""

    def __init__(
        self, client: AsyncWebClient, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.monotonic = monotonic
        self.verdict = "ok"  # the worker's start-up auth.test passed
        self.checked = monotonic()

    async def __call__(self) -> str:
        if self.monotonic() - self.checked >= SLACK_RECHECK_SECONDS:
            try:
                await check_token(self.client)
            except Exception as exc:
                self.verdict = type(exc).__name__
            else:
                self.verdict = "ok"
            self.checked = self.monotonic()
        return self.verdict
