"""Telegram webhook mode: Telegram POSTs updates to ``/telegram/webhook`` on any worker.

Set ``TELEGRAM_WEBHOOK_URL`` (and ``TELEGRAM_WEBHOOK_SECRET``) to use it instead of long
polling, e.g. several workers behind a load balancer. The endpoint is public, so every
request must carry the secret in ``X-Telegram-Bot-Api-Secret-Token`` (compared in constant
time; 403 otherwise). Each update is kept in the Redis inbox (bot/telegram/inbox.py)
before the 200, so handlers run as in polling mode; if Redis cannot keep it, a 503 makes
Telegram send it again.
A malformed update is answered 200 and dropped (bot/telegram/updates.py): anything else
makes Telegram redeliver it forever, holding back every later update.
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Update
from telegram.error import TelegramError

from bot.errors import TelegramUnavailable
from bot.settings import WEBHOOK_SECRET_RE
from bot.telegram.app import TgApp
from bot.telegram.inbox import TelegramInbox
from bot.telegram.updates import parse_update
from handoff.http_body import read_capped
from handoff.queues.pump import TRANSIENT

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# Real updates are a few KB; a body larger than this is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024


class TelegramWebhook:
    """The endpoint exists before PTB's application (the HTTP server starts first);
    until ``attach`` it answers 503, which Telegram retries."""

    def __init__(self, url: str, secret: str) -> None:
        if not WEBHOOK_SECRET_RE.match(secret):
            raise ValueError("the webhook secret must be 1-256 of A-Z, a-z, 0-9, _ and -")
        self.url = url
        self._secret = secret.encode()
        self._app: TgApp | None = None
        self._inbox: TelegramInbox | None = None

    async def attach(self, app: TgApp, inbox: TelegramInbox) -> None:
        """Start receiving: tell Telegram where to post, with the secret."""
        self._app, self._inbox = app, inbox
        try:
            await app.bot.set_webhook(
                self.url, secret_token=self._secret.decode(), allowed_updates=Update.ALL_TYPES
            )
        except TelegramError as exc:
            raise TelegramUnavailable(f"TELEGRAM_WEBHOOK_URL: setWebhook failed: {exc}") from exc
        log.info("telegram webhook set")

    async def endpoint(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return _error(403, "forbidden")
        app, inbox = self._app, self._inbox
        if app is None or inbox is None or not app.running:
            return _error(503, "not ready")
        body = await read_capped(request, MAX_BODY_BYTES)
        if body is None:
            return _error(413, "too large")
        try:
            raw = json.loads(body)
        except ValueError:
            return _error(400, "not JSON")
        update = parse_update(raw, app.bot)  # None: malformed, logged, acknowledged
        if update is not None:
            try:
                await inbox.put(update)
            except TRANSIENT as exc:
                log.warning(
                    "update not kept; Telegram will retry", extra={"error": type(exc).__name__}
                )
                return _error(503, "not kept")
        return JSONResponse({"ok": True})


def _error(status: int, text: str) -> Response:
    return JSONResponse({"ok": False, "error": text}, status_code=status)
