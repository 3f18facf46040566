"""Builds the card at the top of a conversation's Slack thread from what the store knows."""

from __future__ import annotations

from handoff.core.ports import HandoffCard, TranscriptLine
from handoff.core.state import Conversation, Event
from handoff.core.store_choice import why
from handoff.flows.context import Context
from handoff.texts.memory import card_language

RECENT_EVENTS = 8
_SPEAKING_EVENTS = {"customer_message": "customer", "bot_answer": "bot", "employee_reply": None}


async def build_card(ctx: Context, conv: Conversation) -> HandoffCard:
    profile = await ctx.store.customer(conv.chat_id)
    events = await ctx.store.transcript(conv.id, last=RECENT_EVENTS * 2)
    handoff = next((e for e in reversed(events) if e.kind == "handoff"), None)
    store_name = ctx.stores.get(conv.store_id).name if conv.store_id else None
    owner = ctx.employees.by_slack_id(conv.owner) if conv.owner else None
    notes = tuple(n for n in profile.get("notes", "").split("\n") if n)
    return HandoffCard(
        conversation_id=conv.id,
        customer_name=_customer_name(profile),
        store_name=store_name,
        language=card_language(profile),  # "Spanish (es), in their messages"
        past_conversations=max(int(profile.get("conversations", "1")) - 1, 0),
        notes=notes,
        reason=conv.handoff_reason or "",
        reason_detail=str(handoff.detail.get("explanation", "")) if handoff else "",
        nlu=dict(handoff.detail.get("nlu") or {}) if handoff else {},
        recent=tuple(_lines(ctx, events))[-RECENT_EVENTS:],
        status=conv.status.value,
        offered_to=conv.offered_to,
        owner=conv.owner,
        owner_name=owner.name if owner else None,
        extra=_extra(ctx, conv),
    )


def _extra(ctx: Context, conv: Conversation) -> dict[str, str]:
    """The offer's rung, and which store the conversation is about and why."""
    extra = {"offer_stage": conv.offer_stage} if conv.offer_stage else {}
    name = ctx.stores.get(conv.store_id).name if conv.store_id else None
    extra["store_why"] = why(conv.store_basis, lambda: name)
    return extra


def _customer_name(profile: dict[str, str]) -> str:
    return " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p) or (
        "Customer"
    )


def _lines(ctx: Context, events: list[Event]) -> list[TranscriptLine]:
    lines = []
    for event in events:
        if event.kind not in _SPEAKING_EVENTS:
            continue
        who = _SPEAKING_EVENTS[event.kind]
        if who is None:
            employee = ctx.employees.by_slack_id(event.by)
            who = employee.name if employee else event.by
        lines.append(TranscriptLine(who, str(event.detail.get("text", ""))))
    return lines
