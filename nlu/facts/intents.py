"""The simple factual intents: the questions data/answers.yml answers and the bot may answer
by itself (the triage policy, nlu/triage/policy.py, decides when)."""

from __future__ import annotations

# The simple factual questions the bot may answer, in a stable order for messages.
FACTUAL_INTENT_LIST: tuple[str, ...] = (
    "ask_hours",
    "ask_location",
    "ask_parking",
    "ask_returns",
    "ask_payment",
    "ask_delivery",
    "ask_pickup",
    "ask_gift_cards",
    "ask_loyalty",
    "ask_contact",
    "ask_accessibility",
    "ask_services",
    "ask_price_match",
)
FACTUAL_INTENTS = frozenset(FACTUAL_INTENT_LIST)
