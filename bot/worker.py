"""One Tandem worker: Telegram in and out, Slack in and out, Redis, Rasa.

Workers hold no state of their own; any number can share one Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.http_app import build_http_app
from bot.metrics_hooks import (
    CountingRateLimiter,
    count_slack_requests,
    count_slack_retries,
    count_telegram_updates,
)
from bot.queues import Queues
from bot.readiness import Readiness
from bot.serve import serve_app
from bot.settings import Settings
from bot.telegram.app import TgApp, build_application, build_bot, initialize
from bot.telegram.care import register_care
from bot.telegram.channel import TelegramChannel
from bot.telegram.inbox import TelegramInbox, UpdateRunner, poll_into
from bot.telegram.outbox import QueuedCustomers, TelegramSender
from bot.telegram.unsupported import register_unsupported
from bot.telegram.webhook import TelegramWebhook
from handoff.flows.context import Context
from handoff.flows.customer import CustomerFlow
from handoff.flows.desk import DeskFlow
from handoff.flows.offers import offer_timer_loop
from handoff.metrics import Metrics
from handoff.queues.metrics import QueueMetrics
from handoff.queues.periodic import background
from handoff.queues.timers import TimerLoop
from handoff.review.wiring import build_review, retention_running
from handoff.slack.app import SlackListeners, build_slack_app, build_web_client, check_token
from handoff.slack.desk import SlackDesk
from handoff.slack.inbox import EventRunner, SlackInbox
from handoff.slack.outbox import QueuedDesk, SlackSender
from handoff.storage import word_index
from handoff.storage.redis_url import connect_redis
from handoff.storage.store import ConversationStore
from nlu.facts.answers import AnswerBook
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.rasa.client import RasaClient
from nlu.triage.policy import Thresholds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoints:
    """Where this worker connects: the real services, or the playground's stand-ins."""

    redis_url: str
    rasa_url: str
    telegram_token: str
    telegram_api: str
    slack_token: str
    slack_api: str
    slack_channel: str
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # Telegram webhook mode (bot/telegram/webhook.py); unset: long polling.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None


class Worker:
    def __init__(
        self, settings: Settings, endpoints: Endpoints, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.endpoints = endpoints
        self.clock = clock
        self.http_url = ""
        self.telegram: TgApp | None = None
        self.store: ConversationStore | None = None
        # The playground's made-up supervisor login (name, password), printed at start.
        self.review_login: tuple[str, str] | None = None
        self.timers: TimerLoop | None = None
        self.queues: Queues | None = None
        self.metrics = Metrics()  # this worker's own registry, served at /metrics
        self._stack = AsyncExitStack()

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        s, e, stack = self.settings, self.endpoints, self._stack
        redis = connect_redis(
            e.redis_url
        )  # also Sentinel and Cluster (handoff/storage/redis_url.py)
        stack.push_async_callback(redis.aclose)
        self.store = store = ConversationStore(redis)
        await store.check()
        await word_index.upgrade(redis, store.review.keys)  # once, from the old layout
        nlu = RasaClient(e.rasa_url)
        stack.push_async_callback(nlu.aclose)
        await nlu.check()
        metrics = self.metrics
        metrics.track_pending(
            lambda: redis.zcard(f"{store.prefix}:timers")
        )  # handoff/queues/timers.py

        stores = StoreDirectory.load(s.data_dir / "stores.yml")
        slack_http = aiohttp.ClientSession()
        stack.push_async_callback(slack_http.close)
        slack_client = build_web_client(e.slack_token, e.slack_api, session=slack_http)
        await check_token(slack_client)
        count_slack_retries(slack_client, metrics)
        # The outbox's posts: a failed one is retried by the outbox, which looks first
        # whether Slack posted it (handoff/slack/outbox.py).
        post_client = build_web_client(
            e.slack_token, e.slack_api, session=slack_http, retry_failures=False
        )
        count_slack_retries(post_client, metrics)
        bot = build_bot(
            e.telegram_token, e.telegram_api, max_sends_per_second=s.telegram_max_sends_per_second
        )
        if isinstance(bot.rate_limiter, CountingRateLimiter):
            bot.rate_limiter.metrics = metrics
        # Every send waits in the outbox until done; every update in the inbox (bot/queues.py).
        self.queues = queues = Queues(redis, store, QueueMetrics(metrics.registry))
        channel, slack_desk = TelegramChannel(bot), SlackDesk(slack_client, metrics)
        sender = SlackSender(queues.outbox, SlackDesk(post_client, metrics), store)
        bot_rate = s.telegram_max_sends_per_second  # shared by every worker (in Redis)
        telegram = TelegramSender(queues.outbox, channel, bot_sends_per_second=bot_rate)
        queues.outbox_router.add("tg", telegram.deliver)
        queues.outbox_router.add("slack", sender.deliver)
        await stack.enter_async_context(queues.outbox_pump.running())
        ctx = Context(
            store=store,
            nlu=nlu,
            customers=QueuedCustomers(queues.outbox, channel),
            desk=QueuedDesk(queues.outbox, store, slack_desk),
            stores=stores,
            answers=AnswerBook.from_dir(s.data_dir, stores),
            employees=EmployeeDirectory.load(s.data_dir / "employees.yml", stores),
            default_channel=e.slack_channel,
            thresholds=Thresholds(
                s.triage_min_confidence, s.triage_min_margin, s.triage_negative_sentiment
            ),
            offer_timeout=s.offer_timeout_seconds,
            clock=self.clock,
            rate_limit_per_minute=s.customer_rate_limit_per_minute,
            metrics=metrics,
        )
        desk_flow = DeskFlow(ctx)
        slack = build_slack_app(slack_client, desk_flow, signing_secret=e.slack_signing_secret)
        count_slack_requests(slack, metrics)
        SlackInbox(queues.inbox_lanes, wake=queues.inbox_pump.wake).register(slack)
        queues.inbox_router.add("slack", EventRunner(SlackListeners(desk_flow).message).deliver)
        review, self.review_login = build_review(s, store, ctx.stores, ctx.employees, self.clock)
        await stack.enter_async_context(retention_running(store, s.retention_days, self.clock))
        webhook = (
            TelegramWebhook(e.telegram_webhook_url, e.telegram_webhook_secret or "")
            if e.telegram_webhook_url
            else None
        )
        http = build_http_app(
            slack if e.slack_app_token is None else None,
            Readiness(store, nlu, slack_client, lambda: self.telegram),
            review=review,
            telegram=webhook.endpoint if webhook else None,
            slack_signing_secret=e.slack_signing_secret or "",
            metrics=metrics,
        )
        self.http_url = await stack.enter_async_context(serve_app(http, s.http_host, s.http_port))
        if e.slack_app_token is not None:
            socket = AsyncSocketModeHandler(slack, e.slack_app_token)
            await socket.connect_async()  # type: ignore[no-untyped-call]
            stack.push_async_callback(socket.close_async)

        self.telegram = app = build_application(bot, CustomerFlow(ctx), stores)
        count_telegram_updates(app, metrics)
        # Ratings, /profile and /forget (bot/telegram/care.py).
        review_base = str(s.review_base_url or self.http_url)
        register_care(app, ctx, review_base=review_base, retention_days=s.retention_days)
        register_unsupported(app, ctx)  # stickers, locations...: a polite answer
        queues.inbox_router.add("tg", UpdateRunner(app).deliver)
        await initialize(app)
        stack.push_async_callback(app.shutdown)
        await app.start()
        stack.push_async_callback(app.stop)
        await stack.enter_async_context(queues.inbox_pump.running())
        inbox = TelegramInbox(queues.inbox_lanes, wake=queues.inbox_pump.wake)
        if webhook is not None:
            # The webhook stays set when this worker stops: the others serve it.
            await webhook.attach(app, inbox)
        else:
            await stack.enter_async_context(background(poll_into(app, inbox), "telegram-poll"))
        # Offer expiries: every worker polls, each timer fires once (handoff/queues/timers.py).
        self.timers = await stack.enter_async_context(offer_timer_loop(ctx).running())
        log.info("worker started", extra={"http": self.http_url})

    async def stop(self) -> None:
        await self._stack.aclose()
        log.info("worker stopped")
