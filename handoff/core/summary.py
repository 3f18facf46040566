"""One summary row per conversation, folded from its transcript events: pure, no I/O.

The row holds what the list, the filters and the metrics need (store, people, status,
reasons, the moments of handoff / claim / first reply / resolution, sentiment, rating,
flags), so none of them has to read 50,000 transcripts.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from handoff.core.state import Conversation, Event

# VADER's usual cut-off: a compound score at or below this reads as negative.
NEGATIVE = -0.05
POSITIVE = 0.05
LONG_WAIT_SECONDS = 15 * 60
LOW_RATING = 2

# Flags a supervisor should look at.
WRONG = "wrong_answer"  # a bot answer marked wrong by an employee or supervisor
RISKY = "risky"  # a bot answer marked risky, or a guard finding
LOW = "low_rating"
LONG_WAIT = "long_wait"
NEGATIVE_BOT = "negative_bot"  # the bot answered a negative message
FLAGS = (WRONG, RISKY, LOW, LONG_WAIT, NEGATIVE_BOT)
STICKY = (WRONG, RISKY, NEGATIVE_BOT)  # kept once seen; the others follow the numbers

# Events whose text supervisors search: what customers and employees wrote.
TEXT_KINDS = ("customer_message", "employee_reply", "note", "edit")
_WORD = re.compile(r"\w+")
_STOP = frozenset(
    ("a", "an", "and", "are", "at", "be", "but", "by", "for", "from", "i", "if", "in", "is",
     "it", "me", "my", "of", "on", "or", "so", "that", "the", "this", "to", "was", "we",
     "with", "you", "your")
)  # fmt: skip
MAX_WORDS = 200


@dataclass(frozen=True)
class Row:
    id: str
    chat_id: str = ""  # the customer's address (handoff/core/addresses.py)
    opened: float = 0.0
    last: float = 0.0
    store: str | None = None
    status: str = "bot"
    reason: str | None = None  # the first handoff's reason
    reasons: tuple[str, ...] = ()
    handoff_at: float | None = None
    claimed_at: float | None = None
    claimed_by: str | None = None
    first_reply_at: float | None = None
    resolved_at: float | None = None
    employees: tuple[str, ...] = ()  # Slack ids of everyone who claimed or wrote
    min_sentiment: float | None = None
    rating: int | None = None
    customer_messages: int = 0
    bot_answers: int = 0
    human_replies: int = 0
    marks: tuple[str, ...] = ()  # sticky flags

    @property
    def time_to_human(self) -> float | None:
        return _since(self.handoff_at, self.claimed_at)

    @property
    def first_reply(self) -> float | None:
        return _since(self.handoff_at, self.first_reply_at)

    @property
    def resolution(self) -> float | None:
        return _since(self.handoff_at, self.resolved_at)

    @property
    def bot_only(self) -> bool:
        return self.handoff_at is None and self.bot_answers > 0

    @property
    def sentiment(self) -> str | None:
        if self.min_sentiment is None:
            return None
        if self.min_sentiment <= NEGATIVE:
            return "negative"
        return "positive" if self.min_sentiment >= POSITIVE else "neutral"

    @property
    def flags(self) -> tuple[str, ...]:
        found = set(self.marks)
        if self.rating is not None and self.rating <= LOW_RATING:
            found.add(LOW)
        if (self.time_to_human or 0) > LONG_WAIT_SECONDS:
            found.add(LONG_WAIT)
        return tuple(f for f in FLAGS if f in found)

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items() if v not in (None, (), 0, 0.0, "")}
        data["id"] = self.id
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Row:
        data: dict[str, Any] = json.loads(raw)
        values = dict(_DEFAULTS)
        values.update(
            (k, tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in _DEFAULTS
        )
        if "chat_id" in data:  # rows written before addresses were strings hold a number
            values["chat_id"] = str(data["chat_id"])
        # Metrics read up to 50,000 rows per page: fill the frozen instance directly rather
        # than through __init__'s per-field object.__setattr__ (about three times faster).
        row = object.__new__(cls)
        row.__dict__.update(values)
        return row


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Row)}


def _since(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else max(0.0, end - start)


def _add(items: tuple[str, ...], item: str | None) -> tuple[str, ...]:
    return items if item is None or item in items else (*items, item)


def with_conversation(row: Row, conv: Conversation) -> Row:
    """The conversation's saved state: who, where, and its status."""
    return replace(
        row,
        chat_id=conv.chat_id,
        opened=conv.opened_at,
        last=max(row.last, conv.opened_at),
        store=conv.store_id or row.store,
        status=conv.status.value,
        reason=row.reason or conv.handoff_reason,
        reasons=_add(row.reasons, conv.handoff_reason),
        employees=_add(row.employees, conv.owner),
    )


def with_event(row: Row, event: Event) -> Row:
    row = replace(row, last=max(row.last, event.at), opened=row.opened or event.at)
    kind, detail = event.kind, event.detail
    sentiment = _sentiment(detail)
    if sentiment is not None:
        low = sentiment if row.min_sentiment is None else min(row.min_sentiment, sentiment)
        row = replace(row, min_sentiment=low)
    if kind == "customer_message":
        return replace(row, customer_messages=row.customer_messages + 1)
    if kind == "bot_answer":
        row = replace(row, bot_answers=row.bot_answers + 1)
        if sentiment is not None and sentiment <= NEGATIVE:
            row = replace(row, marks=_add(row.marks, NEGATIVE_BOT))
        return row
    if kind == "handoff":
        return replace(
            row,
            handoff_at=row.handoff_at or event.at,
            reason=row.reason or event.reason,
            reasons=_add(row.reasons, event.reason),
        )
    if kind == "claim":
        if row.claimed_at is None:
            row = replace(row, claimed_at=event.at, claimed_by=event.by)
        return replace(row, employees=_add(row.employees, event.by))
    if kind == "employee_reply":
        return replace(
            row,
            first_reply_at=row.first_reply_at or event.at,
            employees=_add(row.employees, event.by),
            human_replies=row.human_replies + 1,
        )
    if kind == "resolve":
        return replace(row, resolved_at=event.at)
    if kind == "rating":
        return _with_rating(row, detail.get("rating"))
    if kind == "marked_wrong":
        return replace(row, marks=_add(row.marks, WRONG))
    if kind == "marked_risky" or kind.startswith("guard"):
        return replace(row, marks=_add(row.marks, RISKY))
    return row


def _with_rating(row: Row, value: object) -> Row:
    if isinstance(value, int | float | str) and str(value).strip().isdigit():
        rating = int(str(value).strip())
        if 1 <= rating <= 5:
            return replace(row, rating=rating)
    return row


def _sentiment(detail: dict[str, Any]) -> float | None:
    nlu = detail.get("nlu")
    value = nlu.get("sentiment") if isinstance(nlu, dict) else None
    return float(value) if isinstance(value, int | float) else None


def event_words(event: Event) -> set[str]:
    """The words of an event that text search finds (lower-case, no stop words)."""
    if event.kind not in TEXT_KINDS:
        return set()
    texts = [event.detail.get("text"), event.detail.get("previous")]
    return words(" ".join(t for t in texts if isinstance(t, str)))


def words(text: str) -> set[str]:
    found: set[str] = set()
    for word in _WORD.findall(text.casefold()):
        if 2 <= len(word) <= 40 and word not in _STOP:
            found.add(word)
            if len(found) >= MAX_WORDS:
                break
    return found
