"""The Telegram channel as a worker wires it: PTB's bot and application, the queued sends
and their sender, the inbox, and long polling or the webhook. bot/channels.py lists it."""

from __future__ import annotations

from contextlib import AsyncExitStack

from bot.serve import Endpoint
from bot.telegram.app import (
    TgApp,
    build_application,
    build_bot,
    initialize,
    register_unknown_commands,
)
from bot.telegram.care import register_care
from bot.telegram.channel import NAME, TelegramChannel
from bot.telegram.inbox import TelegramInbox, UpdateRunner, poll_into
from bot.telegram.metrics import CountingRateLimiter, count_telegram_updates
from bot.telegram.outbox import QueuedCustomers, TelegramSender, refusal_listener
from bot.telegram.unsupported import register_unsupported
from bot.telegram.webhook import TelegramWebhook
from handoff.flows.context import Context
from handoff.flows.customer import CustomerFlow
from handoff.flows.refusals import Refusals
from handoff.metrics import Metrics
from handoff.queues.outbox import CustomerOutbox
from handoff.queues.periodic import background
from handoff.queues.wiring import Queues


class TelegramWiring:
    name = NAME  # in customers' addresses, lanes and seen marks
    label = "telegram"  # in /readyz

    def __init__(
        self,
        token: str,
        api: str,
        *,
        sends_per_second: int,
        metrics: Metrics,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        self.bot = build_bot(token, api, max_sends_per_second=sends_per_second)
        if isinstance(self.bot.rate_limiter, CountingRateLimiter):
            self.bot.rate_limiter.metrics = metrics
        self.metrics = metrics
        self.channel = TelegramChannel(self.bot)
        self.sends_per_second = sends_per_second  # shared by every worker (in Redis)
        # The webhook's endpoint exists before the application (the HTTP server starts first).
        self.webhook = TelegramWebhook(webhook_url, webhook_secret or "") if webhook_url else None
        self.app: TgApp | None = None

    @property
    def http_endpoint(self) -> Endpoint | None:
        """``POST /telegram/webhook`` in webhook mode (bot/telegram/webhook.py)."""
        return self.webhook.endpoint if self.webhook else None

    @property
    def running(self) -> bool:
        return self.app is not None and self.app.running

    def connect(self, queues: Queues) -> CustomerOutbox:
        """The flows' queued sends, and the sender of this channel's lanes."""
        sender = TelegramSender(
            queues.outbox, self.channel, bot_sends_per_second=self.sends_per_second
        )
        queues.outbox_router.add(self.name, sender.deliver)
        return QueuedCustomers(queues.outbox, self.channel)

    async def start(
        self,
        stack: AsyncExitStack,
        ctx: Context,
        queues: Queues,
        *,
        review_base: str,
        retention_days: int,
    ) -> None:
        """PTB's application with Tandem's handlers, running updates from the inbox."""
        flow = CustomerFlow(ctx)
        self.app = app = build_application(self.bot, flow, ctx.stores)
        count_telegram_updates(app, self.metrics)
        # Ratings, /profile and /forget (bot/telegram/care.py).
        register_care(app, ctx, review_base=review_base, retention_days=retention_days)
        register_unsupported(app, ctx)  # stickers, locations...: a polite answer
        register_unknown_commands(app, flow)  # last: a command nobody took gets the help
        queues.inbox_router.add(self.name, UpdateRunner(app).deliver)
        # A send Telegram refuses for good is told in the thread, the dashboard, /metrics.
        queues.outbox_pump.on_give_up(refusal_listener(Refusals(ctx)))
        await initialize(app)
        stack.push_async_callback(app.shutdown)
        await app.start()
        stack.push_async_callback(app.stop)

    async def receive(self, stack: AsyncExitStack, queues: Queues) -> None:
        """Updates into the inbox: Telegram posts them (webhook) or we poll."""
        assert self.app is not None, "start() first"
        inbox = TelegramInbox(queues.inbox_lanes, wake=queues.inbox_pump.wake, bot=self.bot)
        if self.webhook is not None:
            # The webhook stays set when this worker stops: the others serve it.
            await self.webhook.attach(self.app, inbox)
        else:
            poll = background(poll_into(self.app, inbox), "telegram-poll")
            await stack.enter_async_context(poll)
