"""Complaints, requests and sensitive matters dressed as factual questions. Pure.

"Why were my loyalty points reset?" reads like ``ask_loyalty`` and "can you hold the
last two bags of grout for me?" like ``ask_hours``, but the stock fact answers neither:
the first is a problem with the customer's own account, the second asks someone to do
something, and "my mom has dementia and bought things she didn't need, can we return
them" needs a person's care whatever the intent. The classifier is trained on such
messages (data/nlu.yml); these patterns are the rule behind it, checked before the bot
answers, so a message the model still files under a factual intent goes to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["sensitive", "complaint", "request"]


@dataclass(frozen=True)
class Matter:
    kind: Kind
    detail: str  # for the card: what in the message made it a person's job


def _words(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


# Death, illness, injury, fraud: sensitive whatever is asked alongside.
_SENSITIVE = re.compile(
    r"\b"
    + _words(
        r"passed away",
        r"died",
        r"dies",
        r"dead",
        r"death",
        r"funeral",
        r"late (?:wife|husband|mother|father|mum|mom|dad|partner)",
        r"widow(?:er)?",
        r"dementia",
        r"alzheimer'?s?",
        r"memory (?:problems|loss)",
        r"terminal(?:ly)?",
        r"cancer",
        r"chemo(?:therapy)?",
        r"in (?:the )?hospital",
        r"hospitali[sz]ed",
        r"stroke",
        r"(?:seriously|very|really) (?:ill|sick)",
        r"illness",
        r"diagnosed",
        r"injur(?:y|ies|ed)",
        r"hurt (?:my|his|her|their|our)",
        r"broke (?:my|his|her) (?:arm|leg|wrist|ankle|hip)",
        r"fraud(?:ulent(?:ly)?)?",
        r"scam(?:med)?",
        r"stolen",
        r"stole",
        r"identity theft",
        r"hacked",
    )
    + r"\b",
    re.IGNORECASE,
)

# Something of the customer's own: their card, points, order, charge, item, visit.
_THEIRS = (
    r"\b(?:my|our|mine)\b[\w' -]{0,30}?\b"
    + _words(
        r"gift ?cards?",
        r"cards?",
        r"vouchers?",
        r"points",
        r"rewards?",
        r"balance",
        r"account",
        r"orders?",
        r"deliver(?:y|ies)",
        r"parcel",
        r"purchase",
        r"refund",
        r"statement",
        r"pick ?up",
        r"collection",
    )
    + r"\b"
)
# What went wrong with it.
_TROUBLE = _words(
    r"zero",
    r"\$?0(?:\.00)?\b",
    r"empty",
    r"nothing",
    r"reset",
    r"wiped",
    r"disappeared",
    r"vanished",
    r"gone",
    r"missing",
    r"lost",
    r"wrong",
    r"incorrect",
    r"never (?:came|arrived|used|got|received)",
    r"(?:did|has|have|was|is|does) ?n[o']?t \w+",
    r"won'?t \w+",
    r"not (?:working|recogni[sz]ed|accepted|showing|there|added|applied|arrived)",
    r"declined",
    r"rejected",
    r"expired",
    r"stopped",
    r"(?:went|gone) down",
    r"still",
    r"yet",
    r"cancel+ed",
    r"(?:was|been|got) (?:charged|taken)",
)
_OWN_PROBLEM = re.compile(
    rf"{_THEIRS}.*\b{_TROUBLE}|\b{_TROUBLE}.*{_THEIRS}|"
    r"\b(?:why (?:was|were|is|are|has|have|did)|how come|what(?:'s| has)? happened to)\b"
    r".*\b(?:my|i|me|we|our)\b",
    re.IGNORECASE,
)
_CHARGED = re.compile(
    r"\b(?:charged|billed|took|taken|debited)\b.*\b(?:twice|two times|double|again|too much|"
    r"more than|wrong)\b|\b(?:double|over|twice)[ -]?(?:charged|billed)\b|"
    r"\byou (?:charged|billed) me\b",
    re.IGNORECASE,
)
# Asking someone to do something for them: hold, reserve, call back, change an order.
# A question about the policy ("how long will you keep my order?") asks nothing of anyone.
_REQUEST = re.compile(
    r"^(?!\s*(?:how|what|when|where|which|why|is|are|do|does)\b).*?"
    r"\b(?:can|could|would|will) (?:you|someone|somebody|one of you|u)\b.{0,20}?\b"
    + _words(
        r"hold",
        r"reserve",
        r"put (?:\w+ ){0,6}(?:aside|by|away|back)",
        r"set (?:\w+ ){0,6}aside",
        r"keep",
        r"save",
        r"call",
        r"ring",
        r"phone",
        r"change",
        r"cancel",
        r"amend",
        r"update",
        r"move",
        r"swap",
        r"add",
        r"remove",
        r"order in",
        r"let me know",
        r"check (?:on|if|whether) my",
    )
    + r"\b|\b(?:please|pls|plz) "
    + _words(r"hold", r"reserve", r"keep", r"save", r"call", r"ring", r"put", r"set aside")
    + r"\b|\bcall(?:ed)? me back\b|\bfor me (?:until|till|til)\b",
    re.IGNORECASE,
)


def personal_matter(text: str) -> Matter | None:
    """What makes the message a person's job, or None for a plain factual question."""
    if found := _SENSITIVE.search(text):
        return Matter("sensitive", f"mentions {found.group(0).lower()!r}")
    if _CHARGED.search(text):
        return Matter("complaint", "a charge the customer disputes")
    if _OWN_PROBLEM.search(text):
        return Matter("complaint", "a problem with the customer's own card, points or order")
    if _REQUEST.search(text):
        return Matter("request", "asks us to do something for them")
    return None
