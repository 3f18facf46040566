"""Slack message events are in Redis before Slack hears they arrived: the inbox's Slack half.

A bolt middleware takes each ``message`` event (an employee's reply in a thread, its
edit or deletion), keeps it in the inbox once per ``event_id``, and answers 200 at once,
well within Slack's three seconds. If Redis cannot keep it (down, or slower than
``PUT_SECONDS``), the event goes to the local spool (handoff/slack/spool.py) and still
gets its 200: Slack's retries end after about five minutes, an outage may last longer.
Without a spool, or when the disk fails too, the request fails and Slack sends the
event again. The inbox pump then hands each event to the desk's listener, one thread's
events in order (lane ``slack:{channel}:{thread}``).

Buttons and slash commands are not queued: the employee is looking at the screen, gets
an answer at once, and can click again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from handoff.queues.lanes import Job, Lanes
from handoff.queues.outbox import effects_of
from handoff.queues.pump import TRANSIENT, GiveUp, RetryLater
from handoff.slack.payloads import MalformedPayload, desk_change, employee_message
from handoff.slack.spool import UNREACHABLE, Spool

log = logging.getLogger(__name__)

# Slack wants its answer within 3 s: a put slower than this goes to the spool instead.
PUT_SECONDS = 1.5

Listener = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]


class SlackInbox:
    def __init__(
        self,
        lanes: Lanes,
        *,
        wake: Callable[[], None] = lambda: None,
        spool: Spool | None = None,
    ) -> None:
        self.lanes = lanes
        self.wake = wake
        self.spool = spool

    def register(self, app: AsyncApp) -> None:
        """Runs after bolt's own checks (signature, the bot's own messages)."""
        app.use(self.keep)

    async def keep(
        self, body: dict[str, Any], next_: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        event = body.get("event")
        if body.get("type") != "event_callback" or not isinstance(event, dict):
            await next_()
            return None
        if event.get("type") != "message":
            await next_()
            return None
        try:
            reply = employee_message(event, body)
            change = desk_change(event, body) if reply is None else None
        except MalformedPayload as exc:  # a bad request, not a bug: one line, no retry
            log.warning("malformed slack payload ignored", extra={"problem": str(exc)})
            return BoltResponse(status=200, body="")
        if reply is not None:
            thread = reply.thread
        elif change is not None:  # an edit or deletion goes after the reply it changes
            thread = change.thread
        else:  # not a reply in a thread, nor a change of one: not ours
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        await self._put(f"slack:{thread.channel}:{thread.ts}", {"body": body}, f"slack:{event_id}")
        return BoltResponse(status=200, body="")

    async def _put(self, lane: str, job: dict[str, Any], once: str) -> None:
        spool = self.spool
        if spool is not None and spool.pending:  # behind what waits there, in order
            await spool.add(lane, job, once)
            return
        try:
            async with asyncio.timeout(PUT_SECONDS):
                put = await self.lanes.put(lane, job, now=time.time(), once=once)
        except UNREACHABLE as exc:
            if spool is None:
                raise
            await spool.add(lane, job, once)  # a failing disk raises: Slack retries then
            log.warning("redis unavailable: slack event spooled", extra={"error": repr(exc)})
            return
        if put.fresh:
            self.wake()


class EventRunner:
    """Runs a kept event through the desk's message listener."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    async def deliver(self, job: Job) -> None:
        body = job.body["body"]
        with effects_of(f"slack:{body.get('event_id') or job.id}"):
            try:
                await self.listener(body["event"], body)
            except TRANSIENT as exc:
                raise RetryLater(f"event handler: {type(exc).__name__}") from exc
            except MalformedPayload as exc:
                raise GiveUp(f"malformed event: {exc}") from exc
