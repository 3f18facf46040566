"""The outbox: every message to a customer or into Slack waits in Redis until it is sent.

The flows still call ``CustomerChannel`` and ``Desk`` (handoff/core/ports.py); the queued
adapters (bot/telegram/outbox.py, handoff/slack/outbox.py) put a job into a lane instead
of calling the service, and the outbox pump (handoff/queues/pump.py) sends it. So a
flow never fails because Slack or Telegram is down, and nothing it said is lost.

Lanes: ``{channel}:{sender id}`` for a customer's chat (``tg:{chat id}`` on Telegram),
``slack:{conversation_id}`` for its thread; each lane is sent in order by one worker at a
time.

A Slack post whose ts a flow needs later (the thread's card, a customer's message that
may be edited) is not sent yet when the flow goes on. The flow gets a stand-in,
``q:{job id}``, and the sender records the real channel and ts under that name once it
has posted; later jobs of the lane (always after it) are sent to the real one.

Handling an update again (after a worker died, or Redis failed halfway) must not send
its messages twice. While the inbox runs an update, ``effects_of(update key)`` numbers
the update's sends; each is put once under ``{key}:{n}``, so a second run that takes the
same path queues nothing new, and gets the first run's stand-ins back.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import count
from typing import Any, Protocol

from redis.asyncio.client import Pipeline

from handoff.core.addresses import channel_of, sender_of
from handoff.core.ports import CustomerChannel, Desk, Signature
from handoff.core.state import ThreadRef
from handoff.queues.lanes import Lanes
from handoff.storage.store import Extra

QUEUED_PREFIX = "q:"
# Stand-ins resolve for as long as a customer may still edit a message (message_map).
RESOLVED_KEEP_SECONDS = 30 * 24 * 3600


_effects: ContextVar[tuple[str, Iterator[int]] | None] = ContextVar("effects", default=None)


@contextlib.contextmanager
def effects_of(key: str) -> Iterator[None]:
    """Number the sends made while handling one inbound update or event (see above)."""
    token = _effects.set((key, count(1)))
    try:
        yield
    finally:
        _effects.reset(token)


# The Slack ts of the employee reply being sent: the customer's channel keeps which of its
# messages carry it (handoff/storage/message_map.py ``DeskReplies``), so an edit or
# deletion in Slack reaches them. Set around the desk's handling of a reply.
_replying: ContextVar[str | None] = ContextVar("replying", default=None)


@contextlib.contextmanager
def replying(slack_ts: str) -> Iterator[None]:
    """Signed sends made inside are the employee reply ``slack_ts``'s."""
    token = _replying.set(slack_ts)
    try:
        yield
    finally:
        _replying.reset(token)


def reply_ref() -> str | None:
    """The Slack ts of the reply being sent (see ``replying``), or None."""
    return _replying.get()


def _next_effect() -> str | None:
    current = _effects.get()
    return None if current is None else f"{current[0]}:{next(current[1])}"


def customer_lane(chat_id: str) -> str:
    """A customer's lane is named by their channel: ``tg:{chat id}`` on Telegram."""
    return f"{channel_of(chat_id)}:{sender_of(chat_id)}"


def slack_lane(conversation_id: str) -> str:
    return f"slack:{conversation_id}"


def is_queued(ts: str) -> bool:
    return ts.startswith(QUEUED_PREFIX)


@dataclass(frozen=True)
class Staged:
    """A put waiting for a save: its ``Extra``, and the stand-in ts of its job."""

    queue: Callable[[Pipeline], Callable[[], None]]
    ts: str


class Outbox:
    def __init__(self, lanes: Lanes, *, wake: Callable[[], None] = lambda: None) -> None:
        self.lanes = lanes
        self.redis = lanes.redis
        self.wake = wake  # the local pump's wake(), so a send does not wait for a poll

    async def put(self, lane: str, body: dict[str, Any], *, blob: bytes | None = None) -> str:
        put = await self.lanes.put(lane, body, now=time.time(), blob=blob, once=_next_effect())
        if put.fresh:
            self.wake()
        return put.job_id

    def put_with_save(self, lane: str, body: dict[str, Any]) -> Staged:
        """``put`` as part of the caller's save (an ``Extra`` of ``ConversationStore.save``):
        the job exists if and only if the save's transaction runs, and the pump is woken
        after it. The ``once`` key is taken now, in order among the update's other sends.
        Its stand-in ts (``put_for_ts``) is known at once: the save that puts the job also
        marks the update handled, so no earlier job can hold the ``once`` key."""
        once, now = _next_effect(), time.time()
        job_id = self.lanes.job_id(once, now)

        def queue(pipe: Pipeline) -> Callable[[], None]:
            self.lanes.put_in(pipe, lane, body, now=now, once=once, job_id=job_id)
            return self.wake

        return Staged(queue, QUEUED_PREFIX + job_id)

    async def put_for_ts(self, lane: str, body: dict[str, Any]) -> str:
        """Queue a Slack post whose ts is needed later; returns its stand-in ts."""
        return QUEUED_PREFIX + await self.put(lane, body)

    async def record_posted(self, job_id: str, thread: ThreadRef) -> None:
        """The sender posted the job: its stand-in now stands for this channel and ts."""
        await self.redis.set(
            self.lanes.key("posted", job_id),
            json.dumps([thread.channel, thread.ts]),
            ex=RESOLVED_KEEP_SECONDS,
        )

    async def resolve(self, channel: str, ts: str) -> ThreadRef | None:
        """The real channel and ts of a stand-in (None: its post never happened)."""
        if not is_queued(ts):
            return ThreadRef(channel, ts)
        raw = await self.redis.get(self.lanes.key("posted", ts.removeprefix(QUEUED_PREFIX)))
        if raw is None:
            return None
        real_channel, real_ts = json.loads(raw)
        return ThreadRef(str(real_channel), str(real_ts))


class CustomerOutbox(CustomerChannel, Protocol):
    """The channel as the flows see it: queued sends, and one staged into a save."""

    def send_text_with_save(self, chat_id: str, text: str) -> Extra:
        """``send_text`` (unsigned, no buttons) as an ``extra`` of the flow's save: the
        message goes out if and only if the save's transaction runs."""
        ...

    async def edit_reply(
        self, chat_id: str, slack_ts: str, text: str, signature: Signature, *, caption: bool
    ) -> None:
        """Show an employee's edited reply instead of what the customer got for ``slack_ts``
        (``caption``: the words went with a file)."""
        ...

    async def withdraw_reply(
        self, chat_id: str, slack_ts: str, notice: str, signature: Signature, *, delete: bool
    ) -> None:
        """An employee deleted a reply: delete the customer's messages of ``slack_ts`` when
        ``delete`` (and the channel still allows it), else send ``notice``."""
        ...


class DeskOutbox(Desk, Protocol):
    """The desk as the flows see it: queued posts, and one staged into a save."""

    def post_customer_message_with_save(
        self, thread: ThreadRef, conversation_id: str, customer_name: str, text: str
    ) -> tuple[str, Extra]:
        """``post_customer_message`` into the conversation's thread as an ``extra`` of the
        flow's save: posted if and only if the save's transaction runs. Returns the
        post's ts and the extra."""
        ...
