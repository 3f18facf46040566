"""Slack message events are in Redis before Slack hears they arrived: the inbox's Slack half.

A bolt middleware takes each ``message`` event (an employee's reply in a thread, or
anything else in the channel), keeps it in the inbox once per ``event_id``, and answers
200 at once, well within Slack's three seconds. If Redis cannot keep it, the request
fails and Slack sends the event again. The inbox pump then hands each event to the
desk's listener, one thread's events in order (lane ``slack:{channel}:{thread}``).

Buttons and slash commands are not queued: the employee is looking at the screen, gets
an answer at once, and can click again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from handoff.queues.lanes import Job, Lanes
from handoff.queues.outbox import effects_of
from handoff.queues.pump import TRANSIENT, GiveUp, RetryLater
from handoff.slack.payloads import MalformedPayload, employee_message

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]


class SlackInbox:
    def __init__(self, lanes: Lanes, *, wake: Callable[[], None] = lambda: None) -> None:
        self.lanes = lanes
        self.wake = wake

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
            if employee_message(event, body) is None:  # not a reply in a thread: not ours
                return BoltResponse(status=200, body="")
        except MalformedPayload as exc:  # a bad request, not a bug: one line, no retry
            log.warning("malformed slack payload ignored", extra={"problem": str(exc)})
            return BoltResponse(status=200, body="")
        thread = event.get("thread_ts") or event.get("ts") or "-"
        event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        put = await self.lanes.put(
            f"slack:{event.get('channel')}:{thread}",
            {"body": body},
            now=time.time(),
            once=f"slack:{event_id}",
        )
        if put.fresh:
            self.wake()
        return BoltResponse(status=200, body="")


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
