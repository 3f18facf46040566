"""What the conversation is about: the last question's intent, store and day. Pure.

A ``Topic`` is kept beside the conversation (handoff/storage/live/topics.py) so the next
message can lean on it: "and tomorrow?", "what about Riverside?" and "and parking there?"
repeat the previous question for a new day, store or subject, for a few minutes
(``FOLLOW_UP_SECONDS``). It also says whether the customer was greeted already: a person
says hello once per conversation, not in every answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

FOLLOW_UP_SECONDS = 10 * 60  # how long "and tomorrow?" still means the last question

# Elliptical messages: a short "and ...?", "what about ...?", "how about ...?" or
# "same for ...?" that leans on the previous question.
_ELLIPTICAL = re.compile(
    r"^\s*(?:and|&|also|plus|ok(?:ay)?\s+and|what\s+about|how\s+about|same\s+for|"
    r"what\s+of|and\s+what\s+about|and\s+how\s+about)\b",
    re.IGNORECASE,
)
_MAX_FOLLOW_UP_WORDS = 8


@dataclass(frozen=True)
class Topic:
    intent: str | None  # the last question's intent (None: none answered yet)
    store_id: str | None  # the store it was about
    day: date | None  # the day it asked about (None: no particular day)
    asked_at: datetime  # when it was asked (timezone-aware)
    greeted: bool  # the customer has been greeted by name in this conversation

    def fresh(self, now: datetime) -> bool:
        """Whether a follow-up at ``now`` may still lean on this question."""
        return 0 <= (now - self.asked_at).total_seconds() <= FOLLOW_UP_SECONDS

    def after(
        self, *, intent: str | None, store_id: str | None, day: date | None, now: datetime,
        greeted: bool,
    ) -> Topic:  # fmt: skip
        """The topic once the next question is answered (or handed on)."""
        return replace(
            self,
            intent=intent or self.intent,
            store_id=store_id or self.store_id,
            day=day,
            asked_at=now,
            greeted=self.greeted or greeted,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "store_id": self.store_id,
            "day": self.day.isoformat() if self.day else None,
            "asked_at": self.asked_at.isoformat(),
            "greeted": self.greeted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Topic:
        asked_at = datetime.fromisoformat(str(data["asked_at"]))
        if asked_at.tzinfo is None:
            raise ValueError("a topic's asked_at must carry its UTC offset")
        day = data.get("day")
        return cls(
            intent=data.get("intent"),
            store_id=data.get("store_id"),
            day=date.fromisoformat(day) if day else None,
            asked_at=asked_at,
            greeted=bool(data.get("greeted")),
        )


def new_topic(now: datetime) -> Topic:
    """A conversation's topic before its first answer."""
    return Topic(intent=None, store_id=None, day=None, asked_at=now, greeted=False)


# Words a follow-up may have besides a day and a store: "and what about there then?"
_FILLER = frozenset(
    [
        "and",
        "also",
        "plus",
        "ok",
        "okay",
        "so",
        "what",
        "whats",
        "about",
        "how",
        "for",
        "same",
        "the",
        "on",
        "at",
        "in",
        "there",
        "then",
        "that",
        "is",
        "it",
        "too",
        "as",
        "well",
        "please",
        "pls",
        "s",
    ]
)
# ... and with a store's name: "what about the Riverside store?" ("and the location?"
# alone is a new subject).
_WITH_STORE = frozenset(["store", "shop", "branch", "location", "one"])
# The words that make a message lean on the last one, taken off before it is judged on
# its own ("and parking there?" is one question, not "and" joining two).
_LEAD = re.compile(
    r"^\s*(?:and\s+what\s+about|and\s+how\s+about|what\s+about|how\s+about|"
    r"ok(?:ay)?\s+and|and|&|also|plus)\s+",
    re.IGNORECASE,
)


def follow_up_intent(
    text: str, prior: Topic | None, leftover: str, *, names_store: bool
) -> str | None:
    """The previous question's intent, when ``text`` only changes its day or store.

    ``leftover`` is the message without its days and store names, normalized: "and
    tomorrow?" leaves "and", so it repeats the last question; "and parking there?" leaves
    "and parking there", a new subject for the NLU to read.
    """
    if prior is None or prior.intent is None or not is_elliptical(text):
        return None
    allowed = _FILLER | _WITH_STORE if names_store else _FILLER
    if any(word not in allowed for word in leftover.replace("&", " ").split()):
        return None
    return prior.intent


def without_lead(text: str) -> str:
    """'and parking there?' -> 'parking there?': the question itself."""
    return _LEAD.sub("", text, count=1)


def is_elliptical(text: str) -> bool:
    """A short message that leans on the last question ("and tomorrow?", "what about X?")."""
    return bool(_ELLIPTICAL.match(text)) and len(text.split()) <= _MAX_FOLLOW_UP_WORDS
