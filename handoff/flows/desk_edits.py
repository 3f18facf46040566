"""An employee edits or deletes a reply in Slack: the customer's chat follows.

Slack sends ``message_changed`` / ``message_deleted`` (handoff/slack/payloads.py
``desk_change``). A reply that reached the customer (an ``employee_reply`` event with
its ts) is edited there with the new text, after the reply guard checks it as it checks
a new reply; a deleted one is deleted, or, past the channel's window for deletions
(Telegram: 48 hours), the customer is told the employee withdrew it. A change of
anything that never reached the customer (a note, a held or refused reply) stays
internal. Only the message's author changes it: Slack allows no one else, and a change
reported by someone else is ignored.

The transcript is append-only, as for customer edits (handoff/flows/edits.py): an
``edit`` event with the previous text, a ``withdrawn`` event with the text withdrawn.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from handoff.core.messages import EmployeeMessage
from handoff.core.ports import Signature
from handoff.core.state import Conversation, Event, ThreadRef
from handoff.flows.context import Context
from handoff.flows.guard import Deliver, GuardFlow
from handoff.queues.outbox import replying
from nlu.facts.directory import Employee

log = logging.getLogger(__name__)

# Telegram deletes a bot's message for both sides only if sent less than 48 hours ago.
DELETE_WINDOW_SECONDS = 48 * 3600
QUOTE_CHARS = 80  # how much of a withdrawn message the notice quotes


@dataclass(frozen=True)
class DeskChange:
    """A Slack thread message changed (``text``) or deleted (``text`` None)."""

    event_id: str
    thread: ThreadRef
    user: str  # the message's author
    editor: str  # who changed it
    ts: str  # the changed message's own ts
    text: str | None


@dataclass(frozen=True)
class Reply:
    """What the customer got for a reply: its latest text, when, and whether with files."""

    text: str
    at: float
    files: bool


def delivered_reply(events: Iterable[Event], ts: str) -> Reply | None:
    """The reply ``ts`` as the customer last saw it; None if it never reached them."""
    reply: Reply | None = None
    for event in events:
        detail = event.detail
        if detail.get("ts") != ts:
            continue
        if event.kind == "employee_reply":
            reply = Reply(str(detail.get("text") or ""), event.at, bool(detail.get("files")))
        elif event.kind == "edit" and reply is not None and not event.reason:
            reply = Reply(str(detail.get("text") or ""), reply.at, reply.files)
        elif event.kind == "withdrawn":
            reply = None
    return reply


def withdrawal_notice(text: str) -> str:
    quote = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
    return f"I withdrew my earlier message “{quote}”. Please disregard it."


class DeskEdits:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def route(self, deliver: Deliver) -> Deliver:
        """The guard's delivery (Send anyway on a held reply): an edit of a reply the
        customer has is carried out as an edit; a new reply is sent, and its messages
        recorded under its ts for later changes."""

        async def send_or_edit(conv: Conversation, msg: EmployeeMessage, emp: Employee) -> None:
            reply = delivered_reply(await self.ctx.store.transcript(conv.id), msg.ts)
            if reply is not None:
                await self._edit(conv, msg.user, msg.ts, reply, msg.text, emp)
                return
            with replying(msg.ts):
                await deliver(conv, msg, emp)

        return send_or_edit

    async def on_change(self, change: DeskChange, guard: GuardFlow) -> None:
        ctx = self.ctx
        async with ctx.store.locked_thread(change.thread) as conv:
            if conv is None or await ctx.store.seen("slack", change.event_id, chat_id=conv.chat_id):
                return
            await self._apply(conv, change, guard)
            await ctx.store.mark_seen("slack", change.event_id, chat_id=conv.chat_id)

    async def _apply(self, conv: Conversation, change: DeskChange, guard: GuardFlow) -> None:
        ctx = self.ctx
        if change.editor != change.user:
            log.warning("slack change by someone else than the author ignored")
            return
        reply = delivered_reply(await ctx.store.transcript(conv.id), change.ts)
        employee = ctx.employees.by_slack_id(change.user)
        if reply is None or employee is None:  # a note, a held or refused reply
            await self._internal(conv, change)
            return
        if change.text is None:
            await self._withdraw(conv, change, reply, employee)
        elif change.text != reply.text:  # Slack also reports unfurls and thread counts
            msg = EmployeeMessage(
                change.event_id, change.thread, change.user, change.text, change.ts
            )
            if not await guard.screen(conv, msg, employee):  # held: Send anyway edits
                await self._edit(conv, change.user, change.ts, reply, change.text, employee)

    async def _edit(
        self, conv: Conversation, user: str, ts: str, reply: Reply, text: str, emp: Employee
    ) -> None:
        ctx = self.ctx
        detail = {"ts": ts, "previous": reply.text, "text": text}
        await ctx.store.append(conv.id, Event("edit", ctx.now(), user, detail=detail))
        await ctx.customers.edit_reply(
            conv.chat_id, ts, text, self._signature(emp), caption=reply.files
        )
        log.info("employee edit sent to the customer", extra={"conversation": conv.id})

    async def _withdraw(
        self, conv: Conversation, change: DeskChange, reply: Reply, employee: Employee
    ) -> None:
        ctx = self.ctx
        delete = ctx.now() - reply.at < DELETE_WINDOW_SECONDS
        detail: dict[str, Any] = {"ts": change.ts, "text": reply.text, "deleted": delete}
        await ctx.store.append(conv.id, Event("withdrawn", ctx.now(), change.user, detail=detail))
        await ctx.customers.withdraw_reply(
            conv.chat_id,
            change.ts,
            withdrawal_notice(reply.text),
            self._signature(employee),
            delete=delete,
        )
        log.info("employee reply withdrawn", extra={"conversation": conv.id, "delete": delete})

    async def _internal(self, conv: Conversation, change: DeskChange) -> None:
        """A change of what the customer never got: kept for supervisors, sent nowhere."""
        ctx = self.ctx
        kind = "withdrawn" if change.text is None else "edit"
        detail: dict[str, Any] = {"ts": change.ts, "internal": True}
        if change.text is not None:
            detail["text"] = change.text
        await ctx.store.append(conv.id, Event(kind, ctx.now(), change.user, "internal", detail))

    def _signature(self, employee: Employee) -> Signature:
        return Signature(employee.name, self.ctx.stores.get(employee.store).name)
