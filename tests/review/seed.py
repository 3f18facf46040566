"""Conversations written the way the flows write them: the real store, its transitions, its
indexer. Shared by the review tests and the browser test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handoff.core.state import (
    Conversation,
    Event,
    claim,
    hand_off,
    open_conversation,
    resolve,
)
from handoff.storage.store import ConversationStore

DETROIT = ZoneInfo("America/Detroit")
# A Tuesday morning in the stores' timezone; every seeded time is relative to it.
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=DETROIT).timestamp()
MARIA = "U0MARIA01"  # Downtown
AISHA = "U0AISHA01"  # Riverside


def nlu(intent: str, sentiment: float = 0.2, confidence: float = 0.93) -> dict[str, Any]:
    return {
        "intent": intent,
        "confidence": confidence,
        "margin": 0.7,
        "sentiment": sentiment,
        "entities": [],
    }


@dataclass
class Script:
    """One conversation: who, where, when, and what happens (times are seconds after start)."""

    chat_id: int
    name: str
    store: str
    start: float = T0
    messages: list[tuple[float, str]] = field(default_factory=list)  # customer messages
    bot_answers: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    handoff: tuple[float, str, float] | None = None  # (at, reason, sentiment)
    claim: tuple[float, str] | None = None
    replies: list[tuple[float, str]] = field(default_factory=list)
    notes: list[tuple[float, str]] = field(default_factory=list)
    resolve: float | None = None
    rating: tuple[float, int] | None = None


async def seed(store: ConversationStore, script: Script) -> Conversation:
    s = script
    await store.remember(str(s.chat_id), first_name=s.name, store=s.store)
    conv = open_conversation(await store.next_conversation_id(), str(s.chat_id), s.start)
    conv = Conversation.from_dict({**conv.to_dict(), "store_id": s.store})
    await store.save(conv)
    timed: list[tuple[float, int, Any]] = []
    for i, (at, text) in enumerate(s.messages):
        timed.append(
            (
                at,
                0,
                Event(
                    "customer_message",
                    s.start + at,
                    "customer",
                    detail={"text": text, "message_id": i + 1, "media": None},
                ),
            )
        )
    for at, text, parsed in s.bot_answers:
        timed.append(
            (
                at,
                1,
                Event(
                    "bot_answer",
                    s.start + at,
                    "bot",
                    "answered",
                    {"text": text, "store_id": s.store, "nlu": parsed},
                ),
            )
        )
    for at, text in s.replies:
        timed.append(
            (
                at,
                3,
                Event(
                    "employee_reply",
                    s.start + at,
                    s.claim[1] if s.claim else "",
                    detail={"text": text, "ts": str(at)},
                ),
            )
        )
    for at, text in s.notes:
        timed.append(
            (
                at,
                3,
                Event(
                    "note", s.start + at, MARIA, "marked as a note", {"text": text, "ts": str(at)}
                ),
            )
        )
    if s.rating:
        timed.append(
            (
                s.rating[0],
                4,
                Event("rating", s.start + s.rating[0], "customer", detail={"rating": s.rating[1]}),
            )
        )
    timed.sort(key=lambda t: (t[0], t[1]))
    transitions: list[tuple[float, str]] = []
    if s.handoff:
        transitions.append((s.handoff[0], "handoff"))
    if s.claim:
        transitions.append((s.claim[0], "claim"))
    if s.resolve is not None:
        transitions.append((s.resolve, "resolve"))
    for at, _, event in timed:
        while transitions and transitions[0][0] <= at:
            conv = await _transition(store, conv, s, transitions.pop(0)[1])
        await store.append(conv.id, event)
    while transitions:
        conv = await _transition(store, conv, s, transitions.pop(0)[1])
    return conv


async def _transition(
    store: ConversationStore, conv: Conversation, s: Script, kind: str
) -> Conversation:
    if kind == "handoff":
        assert s.handoff is not None
        at, reason, sentiment = s.handoff
        t = hand_off(conv, reason=reason, offered_to=None, expires_at=None, now=s.start + at)
        assert t.event is not None
        t.event.detail.update(nlu=nlu("complaint", sentiment), explanation="seeded")
    elif kind == "claim":
        assert s.claim is not None
        t = claim(conv, employee=s.claim[1], now=s.start + s.claim[0])
    else:
        assert s.resolve is not None
        t = resolve(conv, by=s.claim[1] if s.claim else "bot", now=s.start + s.resolve)
    assert t.event is not None
    await store.append(conv.id, t.event)
    await store.save(t.conversation)
    return t.conversation
