"""The conversation state machine: pure data and transitions, no I/O.

    BOT ──hand_off──► PENDING(offered_to, expires_at) ──claim──► HUMAN(owner)
    HUMAN ──hand_back──► BOT        HUMAN ──resolve──► RESOLVED ──next message──► BOT

Every transition returns the new conversation plus the transcript event that
records who did it, when and why. Repeating a transition that already happened
(a second click by the same person, a redelivered event) is a no-op, so handlers
can be retried safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from handoff.errors import ConversationError


class Status(StrEnum):
    BOT = "bot"
    PENDING = "pending"
    HUMAN = "human"
    RESOLVED = "resolved"


class AlreadyOwned(ConversationError):
    """Someone else has the conversation; ``owner`` says who."""

    def __init__(self, owner: str) -> None:
        super().__init__(f"conversation already owned by {owner}")
        self.owner = owner


class NotAllowed(ConversationError):
    """The transition does not apply to the conversation's current state."""


@dataclass(frozen=True)
class ThreadRef:
    channel: str
    ts: str


@dataclass(frozen=True)
class Conversation:
    id: str
    chat_id: str
    status: Status
    opened_at: float
    store_id: str | None = None
    owner: str | None = None
    offered_to: str | None = None
    expires_at: float | None = None
    thread: ThreadRef | None = None
    handoff_reason: str | None = None
    passed_by: tuple[str, ...] = ()
    closed_at: float | None = None
    # The escalation ladder (handoff/core/escalation.py): its rung and everyone offered before.
    offer_stage: str | None = None
    offered: tuple[str, ...] = ()
    # Why the conversation is about its store (handoff/core/store_choice.py ``Basis``).
    store_basis: str | None = None

    @property
    def bot_may_answer(self) -> bool:
        return self.status is Status.BOT

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "chat_id": self.chat_id,
            "status": self.status.value,
            "opened_at": self.opened_at,
            "store_id": self.store_id,
            "owner": self.owner,
            "offered_to": self.offered_to,
            "expires_at": self.expires_at,
            "thread": [self.thread.channel, self.thread.ts] if self.thread else None,
            "handoff_reason": self.handoff_reason,
            "passed_by": list(self.passed_by),
            "closed_at": self.closed_at,
            "offer_stage": self.offer_stage,
            "offered": list(self.offered),
            "store_basis": self.store_basis,
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        thread = data.get("thread")
        return cls(
            id=str(data["id"]),
            chat_id=str(data["chat_id"]),
            status=Status(data["status"]),
            opened_at=float(data["opened_at"]),
            store_id=data.get("store_id"),
            owner=data.get("owner"),
            offered_to=data.get("offered_to"),
            expires_at=data.get("expires_at"),
            thread=ThreadRef(str(thread[0]), str(thread[1])) if thread else None,
            handoff_reason=data.get("handoff_reason"),
            passed_by=tuple(data.get("passed_by") or ()),
            closed_at=data.get("closed_at"),
            offer_stage=data.get("offer_stage"),
            offered=tuple(data.get("offered") or ()),
            store_basis=data.get("store_basis"),
        )


@dataclass(frozen=True)
class Event:
    """One transcript entry: what happened, who did it, when and why."""

    kind: str
    at: float
    by: str
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    conversation: Conversation
    event: Event | None  # None when the transition had already happened

    @property
    def changed(self) -> bool:
        return self.event is not None


def open_conversation(conversation_id: str, chat_id: str, now: float) -> Conversation:
    return Conversation(id=conversation_id, chat_id=chat_id, status=Status.BOT, opened_at=now)


def hand_off(
    conv: Conversation,
    *,
    reason: str,
    offered_to: str | None,
    expires_at: float | None,
    now: float,
    by: str = "bot",
) -> Transition:
    if conv.status in (Status.PENDING, Status.HUMAN):
        return Transition(conv, None)
    if conv.status is Status.RESOLVED:
        raise NotAllowed("a resolved conversation is not handed off; open a new one")
    new = replace(
        conv,
        status=Status.PENDING,
        handoff_reason=reason,
        offered_to=offered_to,
        expires_at=expires_at,
    )
    return Transition(new, Event("handoff", now, by, reason, {"offered_to": offered_to}))


def attach_thread(conv: Conversation, thread: ThreadRef) -> Conversation:
    return replace(conv, thread=thread)


def offer(
    conv: Conversation, *, to: str | None, expires_at: float | None, now: float, reason: str
) -> Transition:
    """Re-offer a pending conversation (pass or expiry); ``to=None`` offers it to everyone."""
    if conv.status is not Status.PENDING:
        raise NotAllowed(f"only a pending conversation can be offered (it is {conv.status})")
    if conv.offered_to == to and conv.expires_at == expires_at:
        return Transition(conv, None)
    passed = conv.passed_by
    if reason == "pass" and conv.offered_to and conv.offered_to not in passed:
        passed = (*passed, conv.offered_to)
    new = replace(conv, offered_to=to, expires_at=expires_at, passed_by=passed)
    return Transition(new, Event("offer", now, "tandem", reason, {"offered_to": to}))


def claim(conv: Conversation, *, employee: str, now: float) -> Transition:
    if conv.status is Status.HUMAN:
        if conv.owner == employee:
            return Transition(conv, None)
        raise AlreadyOwned(conv.owner or "someone")
    if conv.status is not Status.PENDING:
        raise NotAllowed(f"there is nothing to take over (the conversation is {conv.status})")
    new = replace(conv, status=Status.HUMAN, owner=employee, offered_to=None, expires_at=None)
    return Transition(new, Event("claim", now, employee))


def hand_back(conv: Conversation, *, by: str, now: float) -> Transition:
    if conv.status is Status.BOT:
        return Transition(conv, None)
    if conv.status is Status.RESOLVED:
        # Reopening it would release the owner a second time (their load drops twice) and
        # tell the customer again that they left; the next message opens a new one anyway.
        raise NotAllowed("the conversation is resolved")
    _require_owner_or_pending(conv, by)
    new = replace(conv, status=Status.BOT, owner=None, offered_to=None, expires_at=None)
    return Transition(new, Event("hand_back", now, by, detail={"previous_owner": conv.owner}))


def resolve(conv: Conversation, *, by: str, now: float) -> Transition:
    if conv.status is Status.RESOLVED:
        return Transition(conv, None)
    _require_owner_or_pending(conv, by)
    new = replace(conv, status=Status.RESOLVED, offered_to=None, expires_at=None, closed_at=now)
    return Transition(new, Event("resolve", now, by, detail={"owner": conv.owner}))


def may_reply(conv: Conversation, employee: str) -> bool:
    """Only the owner's thread replies reach the customer."""
    return conv.status is Status.HUMAN and conv.owner == employee


def _require_owner_or_pending(conv: Conversation, by: str) -> None:
    if conv.status is Status.HUMAN and conv.owner != by:
        raise AlreadyOwned(conv.owner or "someone")
