"""The inbound half of the Slack adapter: a bolt ``AsyncApp`` wired to the desk flow.

HTTP mode (events signed with the signing secret, behind any number of workers)
and Socket Mode (no public URL) share these listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from handoff.core.state import ThreadRef
from handoff.errors import HandoffConfigError, SlackUnavailable
from handoff.flows.desk import DeskFlow
from handoff.flows.guard import ACTION_EDIT, ACTION_SEND_ANYWAY
from handoff.queues.outbox import replying
from handoff.slack.blocks import ACTION_BACK_TO_BOT, ACTION_PASS, ACTION_RESOLVE, ACTION_TAKE_OVER
from handoff.slack.commands import TandemCommands
from handoff.slack.confirm import ConfirmButtons
from handoff.slack.gate import ReplayCheck
from handoff.slack.guard import GuardButtons
from handoff.slack.mrkdwn import Names
from handoff.slack.payloads import (
    MalformedPayload,
    changed_message,
    desk_change,
    employee_message,
    thread_and_user,
)
from handoff.slack.people import mentioned, names_for
from handoff.storage.live.replays import SignedRequests

log = logging.getLogger(__name__)


def build_web_client(
    token: str,
    api_url: str,
    *,
    session: aiohttp.ClientSession | None = None,
    retry_failures: bool = True,
) -> AsyncWebClient:
    """slack_sdk's own retry handlers: rate limits (Retry-After), 5xx and dropped connections.
    ``session``: one kept for the worker's life, so calls reuse their connections (without
    it slack_sdk opens a session, and a connection, for every call). ``retry_failures``
    False: rate limits only. A 5xx or a dropped connection may come after Slack posted,
    and the outbox's sender retries such a post only once it has looked for it."""
    handlers: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=5)]
    if retry_failures:
        handlers += [
            AsyncServerErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ]
    return AsyncWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        session=session,
        retry_handlers=handlers,
    )


async def check_token(client: AsyncWebClient) -> dict[str, Any]:
    """auth.test at start-up, so a wrong token is one clear line, not a traceback later."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        raise HandoffConfigError(
            f"SLACK_BOT_TOKEN: Slack rejected the token ({exc.response['error']})"
        ) from exc
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        # slack_sdk's async client lets aiohttp's connection errors through unwrapped.
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
    # First of our middleware: a replayed signed command or click stops here (gate.py).
    ReplayCheck(SignedRequests(flow.ctx.store)).register(app)
    SlackListeners(flow, client).register(app)
    return app


class SlackListeners:
    def __init__(self, flow: DeskFlow, client: AsyncWebClient | None = None) -> None:
        self.flow = flow
        self.client = client  # looks up the names a reply mentions (handoff/slack/people.py)

    def register(self, app: AsyncApp) -> None:
        app.event("message")(self.message)
        app.action(ACTION_TAKE_OVER)(self.take_over)
        app.action(ACTION_BACK_TO_BOT)(self.back_to_bot)
        app.action(ACTION_RESOLVE)(self.resolve)
        app.action(ACTION_PASS)(self.pass_on)
        guard = GuardButtons(self.flow.guard)  # the reply guard (guard_flow, slack_guard)
        app.action(ACTION_SEND_ANYWAY)(guard.send_anyway)
        app.action(ACTION_EDIT)(guard.edit)
        ConfirmButtons(self.flow).register(app)  # "… is unanswered: Resolve anyway?" (confirm.py)
        app.command("/tandem")(TandemCommands(self.flow.ctx).handle)  # slack_commands
        app.error(self.error)

    async def message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if desk_change(event, body) is not None:  # a reply edited or deleted (desk_edits)
            names = await self._names(changed_message(event))
            if change := desk_change(event, body, names):
                await self.flow.on_thread_change(change)
            return
        if employee_message(event, body) is None:  # not a thread reply (slack_payloads)
            return
        names = await self._names(event)
        reply = employee_message(event, body, names)  # the text as the employee wrote it
        if reply is not None:
            with replying(reply.ts):  # its messages are kept for later edits (desk_edits)
                await self.flow.on_thread_message(reply)

    async def _names(self, message: Mapping[str, Any]) -> Names:
        directory = self.flow.ctx.employees
        if self.client is not None:
            return await names_for(message, directory, self.client)
        return Names({u: e.name for u in mentioned(message)[0] if (e := directory.by_slack_id(u))})

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
        await self._answer(client, body, await self.flow.pass_on(*_thread_and_user(body)))

    async def _answer(self, client: AsyncWebClient, body: dict[str, Any], text: str | None) -> None:
        """A private answer to the employee who clicked (e.g. "Maria has this conversation")."""
        if text is None:
            return
        thread, user = _thread_and_user(body)
        try:
            await client.chat_postEphemeral(
                channel=thread.channel, user=user, thread_ts=thread.ts, text=text
            )
        except SlackApiError as exc:  # e.g. a click from a channel the bot is not in
            log.warning("private answer not shown", extra={"error": exc.response.get("error")})

    async def error(self, error: Exception, body: dict[str, Any]) -> None:
        if isinstance(error, MalformedPayload):  # a bad request, not a bug: one line
            log.warning("malformed slack payload ignored", extra={"problem": str(error)})
            return
        log.error(
            "slack listener failed",
            exc_info=error,
            extra={"event_id": body.get("event_id"), "error": type(error).__name__},
        )


def _thread_and_user(body: dict[str, Any]) -> tuple[ThreadRef, str]:
    """The card a button sits on is the thread's parent message (raises MalformedPayload)."""
    return thread_and_user(body)
