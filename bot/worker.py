"""One Tandem worker: Telegram in and out, Slack in and out, Redis, Rasa.

Workers hold no state of their own; any number can share one Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack

from bot.channels import ChannelWiring, connect_all, customer_channels
from bot.endpoints import Endpoints
from bot.http_app import MetricsAccess, build_http_app, build_metrics_app, loopback
from bot.readiness import Readiness
from bot.serve import serve_app
from bot.settings import Settings
from handoff.flows.context import Context
from handoff.flows.desk import DeskFlow
from handoff.flows.offers import offer_timer_loop
from handoff.metrics import Metrics
from handoff.queues.metrics import QueueMetrics
from handoff.queues.timers import TimerLoop
from handoff.queues.wiring import Queues
from handoff.review.wiring import build_review, retention_running
from handoff.slack.outbox import QueuedDesk
from handoff.slack.spool import Spool, SpoolDrain
from handoff.slack.wiring import SlackClients
from handoff.storage.connection.redis_url import connect_redis
from handoff.storage.records import word_index
from handoff.storage.store import ConversationStore
from nlu.facts.answers import AnswerBook
from nlu.facts.directory import EmployeeDirectory
from nlu.facts.stores import StoreDirectory
from nlu.rasa.client import RasaClient
from nlu.triage.policy import Thresholds

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self, settings: Settings, endpoints: Endpoints, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.endpoints = endpoints
        self.clock = clock
        self.http_url = ""
        self.metrics_url = ""  # METRICS_PORT's listener, when set
        self.channels: list[ChannelWiring] = []
        self.store: ConversationStore | None = None
        # The playground's made-up supervisor login (name, password), printed at start.
        self.review_login: tuple[str, str] | None = None
        self.timers: TimerLoop | None = None
        self.queues: Queues | None = None
        self.spool_drain: SpoolDrain | None = None  # Slack events kept while Redis is away
        self.metrics = Metrics()  # this worker's own registry, served at /metrics (see below)
        self._stack = AsyncExitStack()

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        s, e, stack = self.settings, self.endpoints, self._stack
        # Also Sentinel and Cluster (handoff/storage/connection/redis_url.py).
        redis = connect_redis(e.redis_url)
        stack.push_async_callback(redis.aclose)
        self.store = store = ConversationStore(redis)
        await store.check()
        await word_index.upgrade(redis, store.review.keys)  # once, from the old layout
        nlu = RasaClient(e.rasa_url)
        stack.push_async_callback(nlu.aclose)
        await nlu.check()
        metrics = self.metrics
        metrics.track_pending(lambda: redis.zcard(store.keys.timers))  # handoff/queues/timers.py

        stores = StoreDirectory.load(s.data_dir / "stores.yml")
        # Slack's web clients, on one HTTP session (handoff/slack/wiring.py).
        slack = await SlackClients.connect(stack, e.slack_token, e.slack_api, metrics)
        # Every send waits in the outbox until done; every update in the inbox
        # (handoff/queues/wiring.py).
        self.queues = queues = Queues(redis, store, QueueMetrics(metrics.registry))
        self.channels = channels = customer_channels(s, e, metrics)  # bot/channels.py
        customers = connect_all(channels, queues)
        queues.outbox_router.add("slack", slack.sender(queues.outbox, store).deliver)
        await stack.enter_async_context(queues.outbox_pump.running())
        ctx = Context(
            store=store,
            nlu=nlu,
            customers=customers,
            desk=QueuedDesk(queues.outbox, store, slack.desk()),
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
        # Slack events wait on local disk while Redis is away (handoff/slack/spool.py).
        spool = Spool.in_dir(s.state_dir)
        stack.callback(spool.close)
        events = slack.events(
            DeskFlow(ctx), queues, signing_secret=e.slack_signing_secret, spool=spool
        )
        review, self.review_login = build_review(
            s.review_settings(), store, ctx.stores, ctx.employees, self.clock
        )
        await stack.enter_async_context(retention_running(store, s.retention_days, self.clock))
        webhooks = {c.label: c.http_endpoint for c in channels if c.http_endpoint is not None}
        running = {c.label: _running(c) for c in channels}
        token = s.metrics_token.get_secret_value() if s.metrics_token else None
        own_port = s.metrics_port
        http = build_http_app(
            events.route() if e.slack_app_token is None else None,
            Readiness(store, nlu, slack.readiness(), running),
            review=review,
            webhooks=webhooks,
            metrics=metrics,
            metrics_access=MetricsAccess(token, open=own_port is None and loopback(s.http_host)),
        )
        self.http_url = await stack.enter_async_context(
            serve_app(http, s.http_host, s.http_port, forwarded_allow_ips=s.forwarded_allow_ips)
        )
        if own_port is not None:  # /metrics on its own listener, off the public one
            self.metrics_url = await stack.enter_async_context(
                serve_app(
                    build_metrics_app(metrics, MetricsAccess(token, open=True)),
                    s.metrics_host,
                    own_port,
                    forwarded_allow_ips=s.forwarded_allow_ips,
                )
            )
        if e.slack_app_token is not None:
            await events.open_socket(stack, e.slack_app_token)

        review_base = str(s.review_base_url or self.http_url)
        for channel in channels:
            await channel.start(
                stack, ctx, queues, review_base=review_base, retention_days=s.retention_days
            )
        await stack.enter_async_context(queues.inbox_pump.running())
        drain = SpoolDrain(spool, queues.inbox_lanes, wake=queues.inbox_pump.wake)
        self.spool_drain = await stack.enter_async_context(drain.running())
        for channel in channels:
            await channel.receive(stack, queues)
        # Offer expiries: every worker polls, each timer fires once (handoff/queues/timers.py).
        self.timers = await stack.enter_async_context(offer_timer_loop(ctx).running())
        log.info("worker started", extra={"http": self.http_url})

    async def stop(self) -> None:
        await self._stack.aclose()
        log.info("worker stopped")


def _running(channel: ChannelWiring) -> Callable[[], bool]:
    return lambda: channel.running
