"""The inbound half of the Telegram adapter: PTB's Application and its handlers."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Message, Update, WebhookInfo
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.errors import ConfigError, TelegramUnavailable
from bot.telegram.channel import NAME, address
from bot.telegram.files import attachment_of, to_customer_edit
from bot.telegram.metrics import CountingRateLimiter
from bot.telegram.request import AiohttpRequest
from bot.telegram.updates import TandemBot
from handoff.core.messages import CustomerMessage
from handoff.core.ports import Button
from handoff.flows.customer import CustomerFlow
from handoff.flows.store_question import CALLBACK as ABOUT_CALLBACK
from handoff.queues.wiring import INBOX_CONCURRENCY, OUTBOX_CONCURRENCY
from nlu.facts.stores import StoreDirectory

log = logging.getLogger(__name__)

TgApp = Application[Any, Any, Any, Any, Any, Any]

STORE_CALLBACK = "store:"
MENU = (
    BotCommand("start", "Welcome, and choose your store"),
    BotCommand("store", "Change your store"),
    BotCommand("profile", "See what we remember about you"),
    BotCommand("forget", "Erase what we remember about you"),
    BotCommand("help", "What I can do, and these commands"),
)
# The answer to /help and to any command Tandem does not know (a typo, another bot's).
HELP = "\n".join(
    [
        "Just write what you need: I answer simple questions (opening hours, directions, "
        "returns, delivery) and pass anything else to one of our team.",
        "",
        "Commands:",
        *(f"/{c.command} – {c.description}" for c in MENU),
    ]
)
MEDIA = filters.PHOTO | filters.Document.ALL | filters.VOICE | filters.AUDIO | filters.VIDEO


def build_bot(token: str, api_base_url: str, *, max_sends_per_second: int = 30) -> ExtBot[int]:
    """PTB's bot with its rate limiter: the overall pace, and Telegram's retry_after."""
    api = api_base_url.rstrip("/")
    return TandemBot(  # screens getUpdates for malformed updates (bot/telegram/updates.py)
        token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=_bot_request(),
        # getUpdates' long poll on a connection of its own, on aiohttp too (not PTB's httpx
        # default): one HTTP client stack in the worker.
        get_updates_request=AiohttpRequest(1),
        # Counts retries when metrics are on (bot/telegram/metrics.py).
        rate_limiter=CountingRateLimiter(overall_max_rate=max_sends_per_second, max_retries=5),
    )


def _bot_request() -> AiohttpRequest:
    """A connection for every queue lane that may call Telegram at once, so no send waits
    for one (PTB's AIORateLimiter paces them); the wait for one, should it come, matches
    the other 5 s timeouts (PTB's default: 1 s). A send that times out is retried by the
    outbox. aiohttp rather than PTB's HTTPXRequest: see bot/telegram/request.py."""
    return AiohttpRequest(OUTBOX_CONCURRENCY + INBOX_CONCURRENCY, pool_timeout=5.0)


def build_application(bot: ExtBot[int], flow: CustomerFlow, stores: StoreDirectory) -> TgApp:
    app = ApplicationBuilder().bot(bot).build()
    handlers = TelegramHandlers(flow, stores)
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", handlers.start, filters=private))
    app.add_handler(CommandHandler("store", handlers.ask_store, filters=private))
    app.add_handler(CommandHandler("help", handlers.help, filters=private))
    app.add_handler(CallbackQueryHandler(handlers.store_chosen, pattern=f"^{STORE_CALLBACK}"))
    app.add_handler(CallbackQueryHandler(handlers.store_about, pattern=f"^{ABOUT_CALLBACK}"))
    # Before the message handlers: they would match edits too, and drop them.
    edits = filters.UpdateType.EDITED_MESSAGE & private
    app.add_handler(MessageHandler(edits, handlers.edited))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, handlers.message))
    app.add_handler(MessageHandler(MEDIA & private, handlers.message))
    app.add_error_handler(handlers.error)
    return app


def register_unknown_commands(app: TgApp, flow: CustomerFlow) -> None:
    """Last of all handlers: a command nobody else took (``/strat``, ``/start@OtherBot``)
    gets the help, rather than silence."""
    commands = filters.COMMAND & filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(commands, TelegramHandlers(flow, flow.ctx.stores).unknown))


async def initialize(app: TgApp) -> None:
    """Connect and check the token (getMe); one clear error instead of a traceback."""
    try:
        await app.initialize()
    except InvalidToken as exc:
        raise ConfigError("TELEGRAM_BOT_TOKEN: Telegram rejected the token") from exc
    except NetworkError as exc:
        raise TelegramUnavailable(
            f"TELEGRAM_API_BASE_URL: cannot reach the Telegram Bot API ({exc})"
        ) from exc
    except TelegramError as exc:
        raise TelegramUnavailable(f"Telegram refused getMe: {exc}") from exc
    try:  # the command menu customers see; not worth failing start-up over
        await app.bot.set_my_commands(MENU)
    except TelegramError as exc:
        log.warning("could not set the command menu", extra={"error": type(exc).__name__})


class TelegramHandlers:
    def __init__(self, flow: CustomerFlow, stores: StoreDirectory) -> None:
        self.flow = flow
        self.stores = stores

    def _store_buttons(self) -> list[Button]:
        return [
            Button(self.stores.get(sid).name, data=STORE_CALLBACK + sid)
            for sid in self.stores.ids()
        ]

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        name = message.from_user.first_name
        await self.flow.ctx.customers.send_text(
            address(message.chat_id),
            f"Hello {name}, welcome to {self.stores.business_name}. Ask me about opening hours, "
            "directions, returns, delivery or our services, or tell me what you need and one "
            "of our team will help. Which store do you usually visit?",
            buttons=self._store_buttons(),
        )

    async def ask_store(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await self.flow.ctx.customers.send_text(
                address(update.effective_message.chat_id),
                "Which store is yours?",
                buttons=self._store_buttons(),
            )

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            chat = address(update.effective_message.chat_id)
            await self.flow.ctx.customers.send_text(chat, HELP)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        command = message.text.split(maxsplit=1)[0][:40]
        await self.flow.ctx.customers.send_text(
            address(message.chat_id), f"Sorry, I don't know the command {command}.\n\n{HELP}"
        )

    async def store_chosen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or update.effective_chat is None:
            return
        # The press was answered as it came in (bot/telegram/presses.py): words go as messages.
        chat = address(update.effective_chat.id)
        store_id = query.data.removeprefix(STORE_CALLBACK)
        if store_id not in self.stores.ids():
            await self.flow.ctx.customers.send_text(chat, "That store is not available any more.")
            return
        await self.flow.choose_store(chat, store_id)

    async def store_about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """ "Which store is this about?": a store's button, or "Not sure" (no store id)."""
        query = update.callback_query
        if query is None or query.data is None or update.effective_chat is None:
            return
        store_id = query.data.removeprefix(ABOUT_CALLBACK) or None  # answered at receipt
        await self.flow.stores.answer(address(update.effective_chat.id), store_id)

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        await self.flow.on_message(to_customer_message(update.update_id, message))

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.edited_message
        if message is None or not (message.text or message.caption):
            return
        await self.flow.edits.on_edit(to_customer_edit(update.update_id, message))

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "telegram update failed",
            exc_info=context.error,
            extra={"update_id": update_id, "error": type(context.error).__name__},
        )


def to_customer_message(update_id: int, message: Message) -> CustomerMessage:
    user = message.from_user
    assert user is not None
    media = next(
        (
            kind
            for kind in ("photo", "document", "voice", "audio", "video")
            if getattr(message, kind)
        ),
        None,
    )
    return CustomerMessage(
        channel=NAME,
        sender_id=str(message.chat_id),
        event_id=str(update_id),
        message_id=message.message_id,
        text=message.text or message.caption or "",
        first_name=user.first_name,
        last_name=user.last_name,
        language=user.language_code,
        media=media,
        attachment=attachment_of(message),
    )


async def build_application_for_check(token: str, api_base_url: str) -> str:
    """Checks the token with getMe; returns the bot's username."""
    bot = build_bot(token, api_base_url)
    try:
        await bot.initialize()
    except InvalidToken as exc:
        raise ConfigError("TELEGRAM_BOT_TOKEN: Telegram rejected the token") from exc
    except TelegramError as exc:
        raise TelegramUnavailable(f"TELEGRAM_API_BASE_URL: {exc}") from exc
    try:
        return bot.username
    finally:
        await bot.shutdown()


async def webhook_info(token: str, api_base_url: str) -> WebhookInfo:
    """What Telegram knows of the bot's webhook (getWebhookInfo), for ``tandem doctor``."""
    bot = build_bot(token, api_base_url)
    try:
        await bot.initialize()
        return await bot.get_webhook_info()
    except InvalidToken as exc:
        raise ConfigError("TELEGRAM_BOT_TOKEN: Telegram rejected the token") from exc
    except TelegramError as exc:
        raise TelegramUnavailable(f"TELEGRAM_API_BASE_URL: {exc}") from exc
    finally:
        await bot.shutdown()
