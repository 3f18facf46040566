"""The inbound half of the Slack adapter: a bolt ``AsyncApp`` wired to the desk flow.

HTTP mode (events signed with the signing secret, behind any number of workers)
and Socket Mode (no public URL) share these listeners.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import ConfigError, SlackUnavailable
from handoff.desk_flow import DeskFlow, EmployeeMessage
from handoff.media import shared_files
from handoff.offers import Offers
from handoff.slack_blocks import ACTION_BACK_TO_BOT, ACTION_PASS, ACTION_RESOLVE, ACTION_TAKE_OVER
from handoff.state import ThreadRef

log = logging.getLogger(__name__)

# Thread messages an employee writes; edits, joins and bot posts are not replies.
_REPLY_SUBTYPES = {None, "file_share", "thread_broadcast"}


def build_web_client(token: str, api_url: str) -> AsyncWebClient:
    """slack_sdk's own retry handlers: rate limits (Retry-After), 5xx and dropped connections."""
    return AsyncWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=5),
            AsyncServerErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ],
    )


async def check_token(client: AsyncWebClient) -> dict[str, Any]:
    """auth.test at start-up, so a wrong token is one clear line, not a traceback later."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(
            f"SLACK_BOT_TOKEN: Slack rejected the token ({exc.response['error']})"
        ) from exc
    except SlackClientError as exc:
        raise SlackUnavailable(f"SLACK_API_URL: cannot reach Slack ({exc})") from exc
    return dict(response.data) if isinstance(response.data, dict) else {}


def build_slack_app(
    client: AsyncWebClient, flow: DeskFlow, *, signing_secret: str | None
) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "",
        # Socket Mode has no signed HTTP requests to verify.
        request_verification_enabled=signing_secret is not None,
    )
    SlackListeners(flow).register(app)
    return app


class SlackListeners:
    def __init__(self, flow: DeskFlow) -> None:
        self.flow = flow

    def register(self, app: AsyncApp) -> None:
        app.event("message")(self.message)
        app.action(ACTION_TAKE_OVER)(self.take_over)
        app.action(ACTION_BACK_TO_BOT)(self.back_to_bot)
        app.action(ACTION_RESOLVE)(self.resolve)
        app.action(ACTION_PASS)(self.pass_on)
        app.error(self.error)

    async def message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("subtype") not in _REPLY_SUBTYPES or event.get("bot_id"):
            return
        thread_ts, user = event.get("thread_ts"), event.get("user")
        if not thread_ts or not user or thread_ts == event.get("ts"):
            return  # only replies inside a conversation's thread matter
        await self.flow.on_thread_message(
            EmployeeMessage(
                event_id=str(body.get("event_id") or f"{event['channel']}:{event['ts']}"),
                thread=ThreadRef(str(event["channel"]), str(thread_ts)),
                user=str(user),
                text=str(event.get("text") or ""),
                ts=str(event["ts"]),
                files=shared_files(event.get("files") or ()),
            )
        )

    async def take_over(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await self._answer(client, body, await self.flow.take_over(*_thread_and_user(body)))

    async def back_to_bot(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self._answer(client, body, await self.flow.give_back(*_thread_and_user(body)))

    async def resolve(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await self._answer(client, body, await self.flow.resolve(*_thread_and_user(body)))

    async def pass_on(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        offers = Offers(self.flow.ctx)
        await self._answer(client, body, await offers.pass_on(*_thread_and_user(body)))

    async def _answer(self, client: AsyncWebClient, body: dict[str, Any], text: str | None) -> None:
        """A private answer to the employee who clicked (e.g. "Maria has this conversation")."""
        if text is None:
            return
        thread, user = _thread_and_user(body)
        await client.chat_postEphemeral(
            channel=thread.channel, user=user, thread_ts=thread.ts, text=text
        )

    async def error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error(
            "slack listener failed",
            exc_info=error,
            extra={"event_id": body.get("event_id"), "error": type(error).__name__},
        )


def _thread_and_user(body: dict[str, Any]) -> tuple[ThreadRef, str]:
    """The card a button sits on is the thread's parent message."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or body["channel"]["id"]
    ts = container.get("message_ts") or body["message"]["ts"]
    return ThreadRef(str(channel), str(ts)), str(body["user"]["id"])
