"""The Slack half of the outbox: ``QueuedDesk`` queues, ``SlackSender`` sends.

``QueuedDesk`` implements ``Desk`` for the flows: every post goes into the
conversation's lane (``slack:{conversation_id}``), so a flow returns at once and a
Slack outage delays the posts instead of losing them. Downloads are not sends: they go
straight to Slack. ``SlackSender`` does each job with ``SlackDesk`` and says whether a
failure is worth retrying.

Slack has no idempotency key, so each post carries its job's id as metadata, and a job
that was taken before (``Job.taken``: a worker died mid-post, or Slack failed after
posting) first looks in its thread for that post: found, it is not posted again. The
client that sends leaves 5xx and dropped connections to the outbox (handoff/slack/wiring.py), so no
post is repeated without that look.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from handoff.core.media import SharedFile
from handoff.core.ports import Choice, Desk, HandoffCard
from handoff.core.state import ThreadRef
from handoff.errors import SlackUnavailable
from handoff.queues.codec import (
    decode_card,
    decode_choices,
    decode_thread,
    encode_card,
    encode_choices,
    encode_thread,
)
from handoff.queues.lanes import Job
from handoff.queues.outbox import QUEUED_PREFIX, Outbox, slack_lane
from handoff.queues.pump import GiveUp, RetryLater, until_recorded
from handoff.slack.desk import SlackDesk
from handoff.storage.store import ConversationStore, Extra

log = logging.getLogger(__name__)

# Slack errors that pass (or that an operator fixes, after which the posts should go).
PASSING_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "account_inactive",
        "not_in_channel",
        "channel_not_found",
    }
)


class QueuedDesk:
    def __init__(self, outbox: Outbox, store: ConversationStore, direct: Desk) -> None:
        self.outbox = outbox
        self.store = store
        self.direct = direct

    async def _put(self, thread: ThreadRef, kind: str, **fields: Any) -> None:
        lane = await self._lane(thread)
        await self.outbox.put(lane, {"kind": kind, "thread": encode_thread(thread), **fields})

    async def _lane(self, thread: ThreadRef) -> str:
        conv_id = await self.store.conversation_id_for(thread)
        return slack_lane(conv_id) if conv_id else f"slack:{thread.channel}:{thread.ts}"

    async def open_thread(self, channel: str, card: HandoffCard) -> ThreadRef:
        body = {"kind": "open_thread", "channel": channel, "card": encode_card(card)}
        return ThreadRef(
            channel, await self.outbox.put_for_ts(slack_lane(card.conversation_id), body)
        )

    async def refresh_card(self, thread: ThreadRef, card: HandoffCard) -> None:
        body = {"kind": "refresh_card", "thread": encode_thread(thread), "card": encode_card(card)}
        await self.outbox.put(slack_lane(card.conversation_id), body)

    async def post_customer_message(
        self, thread: ThreadRef, customer_name: str, text: str
    ) -> str | None:
        body = {
            "kind": "customer_message",
            "thread": encode_thread(thread),
            "name": customer_name,
            "text": text,
        }
        return await self.outbox.put_for_ts(await self._lane(thread), body)

    def post_customer_message_with_save(
        self, thread: ThreadRef, conversation_id: str, customer_name: str, text: str
    ) -> tuple[str, Extra]:
        body = {
            "kind": "customer_message",
            "thread": encode_thread(thread),
            "name": customer_name,
            "text": text,
        }
        staged = self.outbox.put_with_save(slack_lane(conversation_id), body)
        return staged.ts, staged.queue

    async def update_customer_message(
        self, thread: ThreadRef, ts: str, customer_name: str, text: str
    ) -> None:
        await self._put(thread, "customer_edit", ts=ts, name=customer_name, text=text)

    async def upload_file(
        self, thread: ThreadRef, data: bytes, file_name: str, comment: str
    ) -> None:
        lane = await self._lane(thread)
        body = {"kind": "upload", "thread": encode_thread(thread), "name": file_name}
        await self.outbox.put(lane, {**body, "comment": comment}, blob=data)

    async def download_file(self, file: SharedFile) -> bytes:
        return await self.direct.download_file(file)

    async def post_status(self, thread: ThreadRef, text: str) -> None:
        await self._put(thread, "status", text=text)

    async def tell_employee(self, thread: ThreadRef, user: str, text: str) -> None:
        await self._put(thread, "tell", user=user, text=text)

    async def ask_employee(
        self, thread: ThreadRef, user: str, text: str, choices: Sequence[Choice]
    ) -> None:
        await self._put(thread, "ask", user=user, text=text, choices=encode_choices(choices))

    async def post_alert(self, thread: ThreadRef, mentions: Sequence[str], text: str) -> None:
        await self._put(thread, "alert", mentions=list(mentions), text=text)


class SlackSender:
    def __init__(self, outbox: Outbox, desk: SlackDesk, store: ConversationStore) -> None:
        self.outbox = outbox
        self.desk = desk
        self.store = store

    async def deliver(self, job: Job) -> None:
        try:
            await self._deliver(job)
        except SlackUnavailable as exc:
            raise classify(exc.__cause__ or exc) from exc

    async def _deliver(self, job: Job) -> None:
        body, desk = job.body, self.desk
        kind = body["kind"]
        if kind == "open_thread":
            await self._open(job)
            return
        thread = await self._thread(body["thread"])
        if kind == "refresh_card":
            await desk.refresh_card(thread, decode_card(body["card"]))
        elif kind == "customer_message":
            ts = await self._posted_before(job, thread.channel, thread.ts)
            if ts is None:
                ts = await desk.post_customer_message(
                    thread, body["name"], body["text"], mark=job.id
                )
            if ts:
                posted = ThreadRef(thread.channel, ts)
                await until_recorded(lambda: self.outbox.record_posted(job.id, posted), "post")
        elif kind == "customer_edit":
            post = await self._thread([thread.channel, body["ts"]])
            await desk.update_customer_message(thread, post.ts, body["name"], body["text"])
        elif kind == "upload":
            await desk.upload_file(thread, job.blob or b"", body["name"], body["comment"])
        elif kind == "status":
            if await self._posted_before(job, thread.channel, thread.ts) is None:
                await desk.post_status(thread, body["text"], mark=job.id)
        elif kind == "tell":
            await desk.tell_employee(thread, body["user"], body["text"])
        elif kind == "ask":
            choices = decode_choices(body["choices"])
            await desk.ask_employee(thread, body["user"], body["text"], choices)
        elif kind == "alert":
            if await self._posted_before(job, thread.channel, thread.ts) is None:
                await desk.post_alert(thread, body["mentions"], body["text"], mark=job.id)
        else:
            raise GiveUp(f"unknown Slack job {kind!r}")

    async def _thread(self, raw: Sequence[str]) -> ThreadRef:
        stand_in = decode_thread(raw)
        real = await self.outbox.resolve(stand_in.channel, stand_in.ts)
        if real is None:
            raise GiveUp("the post it refers to was never made")
        return real

    async def _posted_before(self, job: Job, channel: str, thread_ts: str | None) -> str | None:
        """The ts of the job's post if a try before this one made it; None on a first try."""
        if job.taken is None:
            return None
        found = await self.desk.find_post(channel, thread_ts, job.id, job.taken)
        if found is not None:
            log.info("slack post made by an earlier try", extra={"job": job.id})
        return found

    async def _open(self, job: Job) -> None:
        card, channel = decode_card(job.body["card"]), job.body["channel"]
        ts = await self._posted_before(job, channel, None)
        if ts is None:
            thread = await self.desk.open_thread(channel, card, mark=job.id)
        else:
            thread = ThreadRef(channel, ts)
        await until_recorded(lambda: self._opened(job, card, thread), "thread opened")

    async def _opened(self, job: Job, card: HandoffCard, thread: ThreadRef) -> None:
        await self.outbox.record_posted(job.id, thread)
        await self.store.link_thread(thread, card.conversation_id)
        # The conversation names its real thread from now on (links, later posts).
        found = await self.store.get(card.conversation_id)
        if found is None:
            return
        async with self.store.chat_lock(found.chat_id):
            conv = await self.store.get(card.conversation_id)
            placeholder = conv.thread if conv is not None else None
            if conv is not None and placeholder and placeholder.ts == QUEUED_PREFIX + job.id:
                await self.store.save(replace(conv, thread=thread))


def classify(error: BaseException) -> Exception:
    """A failed Slack call: worth retrying (``RetryLater``) or never going to work."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        data = getattr(error.response, "data", None)  # text, not JSON, for a plain 5xx
        code = str(data.get("error") or "") if isinstance(data, dict) else ""
        if status == 429 or status >= 500 or code in PASSING_ERRORS:
            return RetryLater(f"Slack: {code or status}", _retry_after(error))
        return GiveUp(f"Slack refused: {code or status}")
    if isinstance(error, SlackClientError | aiohttp.ClientError | TimeoutError | OSError):
        return RetryLater(f"Slack unreachable: {type(error).__name__}")
    return RetryLater(f"Slack: {type(error).__name__}")


def _retry_after(error: SlackApiError) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name)
        if value is not None:
            try:
                return float(value[0] if isinstance(value, list) else value)
            except ValueError:
                return None
    return None
