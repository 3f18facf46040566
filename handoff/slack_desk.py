"""Posting to Slack: the outbound half of the Slack adapter (implements ``Desk``)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import SlackUnavailable
from bot.metrics import Metrics
from handoff import slack_files
from handoff.media import SharedFile
from handoff.ports import Choice, HandoffCard
from handoff.slack_blocks import (
    card_blocks,
    card_text,
    choice_blocks,
    customer_message_blocks,
    escape_mrkdwn,
    fit_message_text,
)
from handoff.state import ThreadRef


class SlackDesk:
    def __init__(self, client: AsyncWebClient, metrics: Metrics | None = None) -> None:
        self.client = client
        self.metrics = metrics or Metrics()

    async def open_thread(self, channel: str, card: HandoffCard) -> ThreadRef:
        try:
            response = await self.client.chat_postMessage(
                channel=channel, text=card_text(card), blocks=card_blocks(card)
            )
        except (SlackApiError, SlackClientError) as exc:
            raise SlackUnavailable(f"chat.postMessage to {channel} failed: {exc}") from exc
        self.metrics.sent("slack", "chat_postMessage")
        return ThreadRef(str(response["channel"]), str(response["ts"]))

    async def refresh_card(self, thread: ThreadRef, card: HandoffCard) -> None:
        await self._call(
            "chat_update",
            channel=thread.channel,
            ts=thread.ts,
            text=card_text(card),
            blocks=card_blocks(card),
        )

    async def post_customer_message(
        self, thread: ThreadRef, customer_name: str, text: str
    ) -> str | None:
        fallback, blocks = customer_message_blocks(customer_name, text)
        try:
            response = await self.client.chat_postMessage(
                channel=thread.channel, thread_ts=thread.ts, text=fallback, blocks=blocks
            )
        except (SlackApiError, SlackClientError) as exc:
            raise SlackUnavailable(f"Slack chat_postMessage failed: {exc}") from exc
        self.metrics.sent("slack", "chat_postMessage")
        ts = response.get("ts")
        return str(ts) if ts else None

    async def update_customer_message(
        self, thread: ThreadRef, ts: str, customer_name: str, text: str
    ) -> None:
        fallback, blocks = customer_message_blocks(customer_name, text)
        await self._call("chat_update", channel=thread.channel, ts=ts, text=fallback, blocks=blocks)

    async def upload_file(
        self, thread: ThreadRef, data: bytes, file_name: str, comment: str
    ) -> None:
        await slack_files.upload(self.client, thread, data, file_name, escape_mrkdwn(comment))
        self.metrics.sent("slack", "files_upload_v2")

    async def download_file(self, file: SharedFile) -> bytes:
        return await slack_files.download(self.client, file)

    async def post_status(self, thread: ThreadRef, text: str) -> None:
        await self._call(
            "chat_postMessage",
            channel=thread.channel,
            thread_ts=thread.ts,
            text=escape_mrkdwn(text),
        )

    async def tell_employee(self, thread: ThreadRef, user: str, text: str) -> None:
        await self._call(
            "chat_postEphemeral", channel=thread.channel, user=user, thread_ts=thread.ts, text=text
        )

    async def ask_employee(
        self, thread: ThreadRef, user: str, text: str, choices: Sequence[Choice]
    ) -> None:
        await self._call(
            "chat_postEphemeral",
            channel=thread.channel,
            user=user,
            thread_ts=thread.ts,
            text=text,
            blocks=choice_blocks(text, choices),
        )

    async def post_alert(self, thread: ThreadRef, mentions: Sequence[str], text: str) -> None:
        # Only the mentions are raw mrkdwn; the text is escaped like any status line.
        pings = " ".join("<!here>" if m == "here" else f"<@{m}>" for m in mentions)
        await self._call(
            "chat_postMessage",
            channel=thread.channel,
            thread_ts=thread.ts,
            text=f"{pings} {escape_mrkdwn(text)}".strip(),
        )

    async def _call(self, method: str, **kwargs: object) -> None:
        if isinstance(text := kwargs.get("text"), str):  # e.g. a status quoting huge words
            kwargs["text"] = fit_message_text(text)
        try:
            await getattr(self.client, method)(**kwargs)
        except (SlackApiError, SlackClientError) as exc:
            raise SlackUnavailable(f"Slack {method} failed: {exc}") from exc
        if method != "chat_update":  # an update changes a message, it sends none
            self.metrics.sent("slack", method)
