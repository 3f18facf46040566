"""The conversation page's timeline: each transcript event as something a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handoff.core.state import Event

LABELS = {
    "customer_message": "Customer",
    "bot_answer": "Bot answer",
    "bot_notice": "Bot notice",
    "handoff": "Handed to a person",
    "offer": "Offered",
    "claim": "Took over",
    "employee_reply": "Reply",
    "note": "Internal note",
    "hand_back": "Back to the bot",
    "resolve": "Resolved",
    "edit": "Edited",
    "withdrawn": "Withdrawn",  # an employee deleted a reply in Slack (flows/desk_edits.py)
    "rating": "Rating",
    "marked_wrong": "Marked wrong",
    "marked_risky": "Marked risky",
    "delivery_refused": "Not delivered",
    "store_chosen": "Store chosen by the customer",  # "Which store is this about?"
}
# Shown beside the text; the message body itself is ``text``.
DETAIL_FIELDS = (
    "explanation",
    "offered_to",
    "previous_owner",
    "owner",
    "media",
    "intent",
    "what",
    "unanswered",  # Resolve / Back to bot confirmed over this unanswered message
)


@dataclass
class Item:
    index: int
    kind: str
    label: str
    at: float
    by: str
    reason: str | None
    text: str | None
    internal: bool = False
    previous: str | None = None
    nlu: dict[str, Any] | None = None
    details: list[tuple[str, str]] = field(default_factory=list)
    marked_wrong: list[tuple[str, str]] = field(default_factory=list)  # (by, intent)
    answered: str | None = None  # for a bot answer: the customer message it answered


def timeline(events: list[Event]) -> list[Item]:
    items: list[Item] = []
    last_customer: str | None = None
    for index, event in enumerate(events):
        detail = event.detail
        text = detail.get("text")
        item = Item(
            index=index,
            kind=event.kind,
            label=LABELS.get(
                event.kind, "Guard finding" if event.kind.startswith("guard") else event.kind
            ),
            at=event.at,
            by=event.by,
            reason=event.reason,
            text=text if isinstance(text, str) else None,
            internal=event.kind == "note",
            previous=_str(detail.get("previous")) if event.kind == "edit" else None,
            nlu=_nlu(detail.get("nlu")),
        )
        item.details = [
            (k, str(detail[k])) for k in DETAIL_FIELDS if detail.get(k) not in (None, "")
        ]
        if event.kind == "rating":
            item.details.append(("rating", str(detail.get("rating"))))
        if event.kind == "customer_message" and item.text is not None:
            last_customer = item.text
        if event.kind == "bot_answer":
            item.answered = last_customer
        if event.kind == "marked_wrong":
            target = detail.get("index")
            if isinstance(target, int) and 0 <= target < len(items):
                items[target].marked_wrong.append((event.by, str(detail.get("intent", ""))))
        items.append(item)
    return items


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _nlu(value: object) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not value:
        return None
    shown = {k: value[k] for k in ("intent", "confidence", "margin", "sentiment") if k in value}
    entities = value.get("entities")
    if entities:
        shown["entities"] = (
            ", ".join(
                f"{e.get('entity')}={e.get('value')}" for e in entities if isinstance(e, dict)
            )
            if isinstance(entities, list)
            else str(entities)
        )
    return shown
