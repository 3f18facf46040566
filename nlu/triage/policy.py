"""The triage policy: answer now, or hand the conversation to a person. Pure code.

The bot answers only when every condition holds; anything else goes to a person
with the reason recorded. When in doubt, hand off: a wrong or cheerful answer to
an upset customer is the worst outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from nlu.facts.intents import FACTUAL_INTENTS
from nlu.rasa.result import NluResult
from nlu.triage.complaints import personal_matter
from nlu.triage.smalltalk import (
    NEUTRAL_ACK_INTENT,
    is_acknowledgement,
    is_acknowledgement_in_another_language,
)

SMALLTALK_INTENTS = frozenset({"greet", "thanks", "goodbye", "acknowledge"})
# NEUTRAL_ACK_INTENT ("👍" to "¡gracias!") is not a Rasa intent: only the rule in decide().
ACKNOWLEDGE_INTENT = "acknowledge"
ENGLISH = "en"
# The message only names a store (e.g. answering "which store?"): it becomes the home store.
STORE_CHOICE_INTENT = "inform_store"
# Intents that always need a person, and the reason recorded for each.
PERSON_INTENTS: dict[str, str] = {
    "human_request": "human_request",
    "sensitive": "sensitive",
    "complaint": "emotional",
    "order_problem": "complex",
    "refund_request": "complex",
    "damaged_item": "complex",
    "billing_issue": "complex",
    "personal_request": "complex",  # hold, reserve, call back, change an order
    "out_of_scope": "complex",
    "multi_question": "complex",
}
# A runner-up this likely to be one of these means the message also complains or
# asks for something a person must handle, so one confident factual intent is not enough.
_MIXED_RUNNER_UP = 0.2

Route = Literal["answer", "handoff"]
Reason = Literal[
    "answer",
    "smalltalk",
    "store_choice",
    "emotional",
    "sensitive",
    "complex",
    "human_request",
    "low_confidence",
    "stale_answer",
    "nlu_unavailable",
    "media",
    "paused",
    "flood",  # more messages a minute than the bot triages one by one (handoff/flows/flood.py)
    "language",  # written in a language other than English: someone who speaks it
]


@dataclass(frozen=True)
class Thresholds:
    min_confidence: float = 0.6
    min_margin: float = 0.15
    negative_sentiment: float = -0.3


@dataclass(frozen=True)
class Decision:
    route: Route
    reason: Reason
    intent: str | None = None
    confidence: float = 0.0
    sentiment: float = 0.0
    store_id: str | None = None
    detail: str = ""
    nlu: dict[str, Any] = field(default_factory=dict)

    def as_json(self, answer: str | None = None) -> dict[str, Any]:
        return {
            "route": self.route,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "sentiment": round(self.sentiment, 3),
            "answer": answer,
        }


def handoff(reason: Reason, nlu: NluResult | None = None, detail: str = "") -> Decision:
    if nlu is None:
        return Decision("handoff", reason, detail=detail)
    return Decision(
        "handoff",
        reason,
        intent=nlu.intent,
        confidence=nlu.confidence,
        sentiment=nlu.sentiment,
        detail=detail,
        nlu=nlu.summary(),
    )


def classify(nlu: NluResult, thresholds: Thresholds) -> Decision:
    """Decide from the NLU result alone; the caller still checks the stored answer.

    An ``answer`` decision here means "answer if a current fact exists"; the
    caller turns a missing or stale fact into ``handoff("stale_answer")``.
    """
    negative = nlu.sentiment <= thresholds.negative_sentiment or nlu.sentiment_label == "negative"
    if nlu.intent == "sensitive":
        return handoff("sensitive", nlu)
    if negative:
        return handoff("emotional", nlu, f"sentiment {nlu.sentiment:+.2f}")
    if is_acknowledgement(nlu.text):
        # "ok", "k", "👍": the classifier may be unsure of two letters; it asks nothing.
        sure = nlu.intent in SMALLTALK_INTENTS and nlu.confidence >= thresholds.min_confidence
        return Decision(
            "answer",
            "smalltalk",
            intent=nlu.intent if sure else ACKNOWLEDGE_INTENT,
            confidence=nlu.confidence,
            sentiment=nlu.sentiment,
            detail=f"an acknowledgement (the model said {nlu.intent!r})",
            nlu=nlu.summary(),
        )
    if nlu.intent in PERSON_INTENTS:
        return handoff(_as_reason(PERSON_INTENTS[nlu.intent]), nlu)
    # A complaint, request or sensitive matter worded as a factual question: never a stock
    # fact, however confident the classifier is (nlu/triage/complaints.py).
    if matter := personal_matter(nlu.text):
        return handoff("sensitive" if matter.kind == "sensitive" else "complex", nlu, matter.detail)
    answerable = FACTUAL_INTENTS | SMALLTALK_INTENTS | {STORE_CHOICE_INTENT}
    if nlu.intent not in answerable:
        return handoff("complex", nlu, f"intent {nlu.intent!r} is not one the bot answers")
    if nlu.confidence < thresholds.min_confidence:
        return handoff("low_confidence", nlu, f"confidence {nlu.confidence:.2f}")
    if nlu.margin < thresholds.min_margin:
        return handoff("low_confidence", nlu, f"margin {nlu.margin:.2f} over the runner-up")
    if nlu.intent in FACTUAL_INTENTS and asks_more_than_one(nlu):
        return handoff("complex", nlu, "the message asks more than one thing")
    reason: Reason = "answer"
    if nlu.intent in SMALLTALK_INTENTS:
        reason = "smalltalk"
    elif nlu.intent == STORE_CHOICE_INTENT:
        reason = "store_choice"
    return Decision(
        "answer",
        reason,
        intent=nlu.intent,
        confidence=nlu.confidence,
        sentiment=nlu.sentiment,
        nlu=nlu.summary(),
    )


# Split after a run of sentence ends ("??", "?!", "..."), never inside one.
_SENTENCE_SPLIT = re.compile(r"(?<=[?!.\n])(?![?!.\n])\s*")
_QUESTION_START = re.compile(
    r"^(?:what|when|where|how|do|does|did|is|are|can|could|will|would|which|who|any)\b",
    re.IGNORECASE,
)
_JOINED_ASK = re.compile(r"\b(?:and|also|plus|as well as)\b|&", re.IGNORECASE)


def asks_more_than_one(nlu: NluResult) -> bool:
    """Two questions, or a question that also complains: a person should handle it."""
    questions = [
        s
        for s in _SENTENCE_SPLIT.split(nlu.text)
        if any(c.isalpha() for c in s)
        and (s.rstrip().endswith("?") or _QUESTION_START.match(s.strip()))
    ]
    if len(questions) >= 2:
        return True
    runner_up = nlu.runner_up
    if runner_up is None or runner_up.confidence < _MIXED_RUNNER_UP:
        return False
    if runner_up.name in PERSON_INTENTS:
        return True
    return runner_up.name in FACTUAL_INTENTS and bool(_JOINED_ASK.search(nlu.text))


def _as_reason(value: str) -> Reason:
    reasons: dict[str, Reason] = {
        "emotional": "emotional",
        "sensitive": "sensitive",
        "complex": "complex",
        "human_request": "human_request",
    }
    return reasons[value]


# Looks up the current answer for an intent; None when it is missing or stale.
AnswerLookup = Callable[[str], "str | None"]


# Reasons that say more than "another language" about why a person is needed.
_KEEPS_REASON = frozenset({"sensitive", "emotional", "human_request"})


def decide(
    nlu: NluResult,
    thresholds: Thresholds,
    lookup: AnswerLookup,
    language_code: str | None = None,
) -> tuple[Decision, str | None]:
    """The full policy: ``classify``, then require a current stored answer.

    ``language_code`` is the language the message is written in (nlu/triage/language.py,
    which weighs Telegram's ``language_code`` too); None or "en" for English. The bot
    answers in English only, so any other language goes to a person (who speaks it:
    handoff/core/routing.py), keeping a more telling reason such as "sensitive".
    """
    decision = classify(nlu, thresholds)
    foreign = bool(language_code) and language_code != ENGLISH
    if foreign and decision.reason not in _KEEPS_REASON:
        if is_acknowledgement_in_another_language(nlu.text):
            # "¡gracias!": a thumbs-up needs no translation and no one's time.
            ack = Decision(
                "answer",
                "smalltalk",
                intent=NEUTRAL_ACK_INTENT,
                confidence=nlu.confidence,
                sentiment=nlu.sentiment,
                detail=f"an acknowledgement in {language_code!r}",
                nlu=nlu.summary(),
            )
            return ack, None
        return handoff("language", nlu, f"written in {language_code!r}"), None
    if decision.route == "handoff" or decision.intent not in FACTUAL_INTENTS:
        return decision, None
    answer = lookup(decision.intent)
    if answer is None:
        return handoff("stale_answer", nlu, "no current answer for this store"), None
    return decision, answer
