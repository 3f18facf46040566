"""Posting to Slack: the outbound half of the Slack adapter (implements ``Desk``).

A post made for an outbox job carries the job's id as message metadata (``mark``), so a
sender that cannot tell whether an earlier try reached Slack (a worker died mid-post, or
Slack answered 500 after posting) can look for it instead of posting twice (``find_post``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handoff.core.media import SharedFile
from handoff.core.ports import Choice, HandoffCard
from handoff.core.state import ThreadRef
from handoff.errors import SlackUnavailable
from handoff.metrics import Metrics
from handoff.slack import files as slack_files
from handoff.slack.blocks import (
    card_blocks,
    card_text,
    choice_blocks,
    customer_message_blocks,
    fit_message_text,
    shown,
)
from handoff.slack.card_budget import fallback_blocks, split_by_budget
from handoff.texts.bidi import visible

log = logging.getLogger(__name__)

# Slack's answers to blocks it will not show (a smaller card may pass).
BLOCK_REFUSALS = frozenset({"invalid_blocks", "msg_blocks_too_long", "invalid_blocks_format"})
POST_EVENT = "tandem_post"  # the metadata's event_type; its payload names the job
# How far back a look for an earlier post goes, before the job's first take: clocks of
# workers and Slack may differ a little. And how many messages it reads at most.
LOOK_BACK_SECONDS = 300
LOOK_AT_MOST = 1000


def post_metadata(mark: str | None) -> dict[str, Any] | None:
    return None if mark is None else {"event_type": POST_EVENT, "event_payload": {"job": mark}}


class SlackDesk:
    def __init__(self, client: AsyncWebClient, metrics: Metrics | None = None) -> None:
        self.client = client
        self.metrics = metrics or Metrics()

    async def open_thread(
        self, channel: str, card: HandoffCard, *, mark: str | None = None
    ) -> ThreadRef:
        response = await self._card(
            "chat_postMessage",
            card_blocks(card),
            channel=channel,
            text=card_text(card),
            metadata=post_metadata(mark),
        )
        self.metrics.sent("slack", "chat_postMessage")
        return ThreadRef(str(response["channel"]), str(response["ts"]))

    async def refresh_card(self, thread: ThreadRef, card: HandoffCard) -> None:
        await self._card(
            "chat_update",
            card_blocks(card),
            channel=thread.channel,
            ts=thread.ts,
            text=card_text(card),
        )

    async def _card(self, method: str, blocks: list[dict[str, Any]], **kwargs: Any) -> Any:
        """Post or update a card; if Slack still refuses its blocks, the minimal card, then
        the text alone: the thread must exist for the posts that follow (card_budget.py)."""
        for tried in (blocks, fallback_blocks(blocks), []):
            try:
                return await getattr(self.client, method)(blocks=tried, **kwargs)
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error not in BLOCK_REFUSALS or not tried:
                    raise SlackUnavailable(f"Slack {method} failed: {exc}") from exc
                log.warning("slack refused a card, sending a smaller one", extra={"error": error})
            except SlackClientError as exc:
                raise SlackUnavailable(f"Slack {method} failed: {exc}") from exc
        raise AssertionError("unreachable: the text-only card returns or raises")

    async def post_customer_message(
        self, thread: ThreadRef, customer_name: str, text: str, *, mark: str | None = None
    ) -> str | None:
        fallback, blocks = customer_message_blocks(customer_name, text)
        first, *rest = split_by_budget(blocks)  # too long for one message: continued below
        response = await self._card(
            "chat_postMessage",
            first,
            channel=thread.channel,
            thread_ts=thread.ts,
            text=fallback,
            metadata=post_metadata(mark),
        )
        self.metrics.sent("slack", "chat_postMessage")
        for n, part in enumerate(rest, start=1):
            await self._card(
                "chat_postMessage",
                part,
                channel=thread.channel,
                thread_ts=thread.ts,
                text=shown(f"{customer_name} (continued)"),
                metadata=post_metadata(f"{mark}:{n}" if mark else None),
            )
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
        # A file's name is what the employee reads first ("invoice\u202efdp.exe").
        name = visible(file_name)
        await slack_files.upload(self.client, thread, data, name, shown(comment))
        self.metrics.sent("slack", "files_upload_v2")

    async def download_file(self, file: SharedFile) -> bytes:
        return await slack_files.download(self.client, file)

    async def post_status(self, thread: ThreadRef, text: str, *, mark: str | None = None) -> None:
        await self._call(
            "chat_postMessage",
            channel=thread.channel,
            thread_ts=thread.ts,
            text=shown(text),
            metadata=post_metadata(mark),
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

    async def post_alert(
        self, thread: ThreadRef, mentions: Sequence[str], text: str, *, mark: str | None = None
    ) -> None:
        # Only the mentions are raw mrkdwn; the text is escaped like any status line.
        pings = " ".join("<!here>" if m == "here" else f"<@{m}>" for m in mentions)
        await self._call(
            "chat_postMessage",
            channel=thread.channel,
            thread_ts=thread.ts,
            text=f"{pings} {shown(text)}".strip(),
            metadata=post_metadata(mark),
        )

    async def find_post(
        self, channel: str, thread_ts: str | None, mark: str, since: float
    ) -> str | None:
        """The ts of a post carrying ``mark``, made in the thread (or, without one, at the
        top of the channel) since about ``since``; None when there is none."""
        method = "conversations_replies" if thread_ts else "conversations_history"
        where: dict[str, Any] = {"ts": thread_ts} if thread_ts else {}
        cursor, read = None, 0
        while read < LOOK_AT_MOST:
            try:
                page = await getattr(self.client, method)(
                    channel=channel,
                    oldest=f"{since - LOOK_BACK_SECONDS:.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                    **where,
                )
            except (SlackApiError, SlackClientError) as exc:
                raise SlackUnavailable(f"Slack {method} failed: {exc}") from exc
            messages = page.get("messages") or []
            for message in messages:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == POST_EVENT and payload.get("job") == mark:
                    return str(message["ts"])
            read += len(messages)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or not messages:
                return None
        return None

    async def _call(self, method: str, **kwargs: object) -> None:
        if isinstance(text := kwargs.get("text"), str):  # e.g. a status quoting huge words
            # Private answers quote people's words too: their format characters shown.
            kwargs["text"] = fit_message_text(visible(text))
        try:
            await getattr(self.client, method)(**kwargs)
        except (SlackApiError, SlackClientError) as exc:
            raise SlackUnavailable(f"Slack {method} failed: {exc}") from exc
        if method != "chat_update":  # an update changes a message, it sends none
            self.metrics.sent("slack", method)
