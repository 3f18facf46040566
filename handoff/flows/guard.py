"""Holding back an owner's reply the guard finds fault with, until Send anyway or Edit.

A clean reply costs no extra round trip: the check is pure, and the customer's mood is
looked up only for an empty or one-word reply. A held reply waits in Redis, with a TTL
(handoff/storage/live/guard_holds.py); the id travels in the buttons' value. Every outcome is
a ``guard`` event in the transcript, for supervisors. Only the reply's author, still in
the directory, may press Send anyway or Edit (the staff rule, handoff/core/staff.py); Send
anyway delivers only while they own the conversation.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from handoff.core.messages import EmployeeMessage
from handoff.core.ports import Choice
from handoff.core.staff import NOT_AUTHOR, Act
from handoff.core.state import Conversation, Event, ThreadRef, may_reply
from handoff.flows.context import Context
from handoff.flows.staff import StaffCheck
from handoff.guard.check import Finding, ReplyGuard, describe
from handoff.guard.words import Lexicon
from handoff.storage.live.guard_holds import GuardHolds
from handoff.texts.desk import escape_mrkdwn
from nlu.facts.directory import Employee

log = logging.getLogger(__name__)

ACTION_SEND_ANYWAY = "guard_send_anyway"
ACTION_EDIT = "guard_edit"
HOLD_TTL_SECONDS = 3600
UPSET_REASONS = frozenset({"emotional", "sensitive"})
_MOOD_EVENTS = 30  # how far back the transcript is read for the customer's last sentiment

EXPIRED = "This held reply has expired or was already handled. Post it again if it still matters."
NOT_YOURS = NOT_AUTHOR

Deliver = Callable[[Conversation, "EmployeeMessage", Employee], Awaitable[None]]


@dataclass(frozen=True)
class Held:
    id: str
    conversation_id: str
    chat_id: str
    channel: str
    thread_ts: str
    user: str
    text: str
    ts: str
    findings: list[dict[str, Any]]


class GuardFlow:
    def __init__(self, ctx: Context, deliver: Deliver, staff: StaffCheck | None = None) -> None:
        self.ctx = ctx
        self.deliver = deliver
        self.staff = staff or StaffCheck(ctx)
        self.guard = ReplyGuard(Lexicon.from_dir(ctx.employees.source.parent))
        self.holds = GuardHolds(ctx.store)

    async def _answered(self, hold_id: str) -> str:
        """A click on a hold already dealt with gets the answer the first click got."""
        return await self.holds.answered(hold_id) or EXPIRED

    async def _answer(self, hold_id: str, text: str) -> str:
        await self.holds.answer(hold_id, text, HOLD_TTL_SECONDS)
        return text

    async def screen(self, conv: Conversation, msg: EmployeeMessage, employee: Employee) -> bool:
        """True when the reply is held back (the caller then sends nothing)."""
        upset = self.guard.is_terse(msg.text) and await self._customer_upset(conv)
        findings = self.guard.check(msg.text, customer_upset=upset)
        if not findings:
            return False
        held = Held(
            id=secrets.token_urlsafe(12),
            conversation_id=conv.id,
            chat_id=conv.chat_id,
            channel=msg.thread.channel,
            thread_ts=msg.thread.ts,
            user=msg.user,
            text=msg.text,
            ts=msg.ts,
            findings=[f.as_dict() for f in findings],
        )
        await self.holds.hold(held.id, asdict(held), HOLD_TTL_SECONDS)
        await self._record(held, "held", sent_anyway=False, text=msg.text)
        await self.ctx.desk.ask_employee(
            msg.thread,
            msg.user,
            _question(findings),
            (
                Choice("Send anyway", ACTION_SEND_ANYWAY, held.id, "danger"),
                Choice("Edit", ACTION_EDIT, held.id, "primary"),
            ),
        )
        log.info(
            "reply held by the guard",
            extra={"conversation": conv.id, "kinds": [f.kind for f in findings]},
        )
        return True

    async def send_anyway(self, hold_id: str, user: str) -> str:
        """Deliver the held reply as written; the answer replaces the private message."""
        held = await self._peek(hold_id)
        if held is None:
            return await self._answered(hold_id)
        if refused := await self.staff.refusal(Act.SEND_HELD, user, author=held.user):
            return refused.text
        ctx = self.ctx
        async with ctx.store.chat_lock(held.chat_id):
            if not await self.holds.take(hold_id):
                return await self._answered(hold_id)  # a double click, or another worker
            conv = await ctx.store.get(held.conversation_id)
            employee = ctx.employees.by_slack_id(user)
            if conv is None or employee is None or not may_reply(conv, user):
                await self._record(held, "not_sent", sent_anyway=False)
                return await self._answer(
                    hold_id, "You no longer have this conversation, so the held reply was not sent."
                )
            await self.deliver(conv, _message(held), employee)
            await self._record(held, "sent_anyway", sent_anyway=True)
            return await self._answer(hold_id, "Sent to the customer as you wrote it.")

    async def edit(self, hold_id: str, user: str) -> str:
        held = await self._peek(hold_id)
        if held is None:
            return await self._answered(hold_id)
        if refused := await self.staff.refusal(Act.DROP_HELD, user, author=held.user):
            return refused.text
        async with self.ctx.store.chat_lock(held.chat_id):
            if not await self.holds.take(hold_id):
                return await self._answered(hold_id)
            await self._record(held, "edited", sent_anyway=False)
            return await self._answer(
                hold_id,
                "Not sent. Post the corrected reply in the thread; "
                "it is checked again before it reaches the customer.",
            )

    async def _peek(self, hold_id: str) -> Held | None:
        held = await self.holds.peek(hold_id)
        return Held(**held) if held is not None else None

    async def _record(
        self, held: Held, outcome: str, *, sent_anyway: bool, text: str | None = None
    ) -> None:
        detail: dict[str, Any] = {
            "findings": held.findings,
            "sent_anyway": sent_anyway,
            "hold": held.id,
            "ts": held.ts,
        }
        if text is not None:
            detail["text"] = text  # once, when held: supervisors see what was caught
        await self.ctx.store.append(
            held.conversation_id, Event("guard", self.ctx.now(), held.user, outcome, detail)
        )

    async def _customer_upset(self, conv: Conversation) -> bool:
        """Upset by the handoff's reason, or by the last sentiment the transcript records."""
        if conv.handoff_reason in UPSET_REASONS:
            return True
        for event in reversed(await self.ctx.store.transcript(conv.id, last=_MOOD_EVENTS)):
            score = _sentiment(event.detail)
            if score is not None:
                return score <= self.ctx.thresholds.negative_sentiment
        return False


def _sentiment(detail: dict[str, Any]) -> float | None:
    nlu = detail.get("nlu")
    value = detail.get("sentiment", nlu.get("sentiment") if isinstance(nlu, dict) else None)
    return float(value) if isinstance(value, int | float) else None


def _question(findings: tuple[Finding, ...]) -> str:
    lines = "\n".join(f"• {escape_mrkdwn(line)}" for line in describe(findings))
    return (
        "*Your reply has not been sent to the customer yet.* The reply check found:\n"
        f"{lines}\n*Send anyway* sends it as written; *Edit* drops it so you can post "
        "a corrected reply."
    )


def _message(held: Held) -> EmployeeMessage:
    return EmployeeMessage(
        event_id=f"guard:{held.id}",
        thread=ThreadRef(held.channel, held.thread_ts),
        user=held.user,
        text=held.text,
        ts=held.ts,
    )
