"""Replies to greetings, thanks, goodbyes and acknowledgements: short, friendly, never
pretending to be a person.

An acknowledgement ("ok", "k", "cool", "👍", "got it") answers the bot; it asks nothing,
so it gets a short varied reply and never a person's time. ``is_acknowledgement`` is the
rule behind the ``acknowledge`` intent: a whole message made only of such words is one,
however unsure the classifier is about two letters.
"""

from __future__ import annotations

import re

_ACK_WORDS = (
    r"ok(?:ay|ey|ie|i)?|k+|kk|cool|perfect|great|nice|good|fine|sure|right|alright|all right"
    r"|got it|gotcha|noted|understood|makes sense|fair enough|sounds good|will do|i see"
    r"|ah|oh|mm+|hmm+|yep|yup|yes|yeah|ya|lovely|brill(?:iant)?|awesome|excellent|fab"
    r"|righto|right-o|roger(?: that)?|okey[ -]?dokey|ok(?:ay)? then|alright then|ta"
    r"|sweet|super|no worries|no problem|np|good to know|that'?s fine|thanks?|thx|ty|tysm"
    r"|thank you|cheers|much appreciated|appreciate it"
)
_ACK_EMOJI = "👍👌🙏🙂😊😀👏✅💯🆗"
_ACKNOWLEDGEMENT = re.compile(
    rf"^(?:(?:{_ACK_WORDS})\b|[{_ACK_EMOJI}\ufe0f\U0001f3fb-\U0001f3ff])"
    rf"(?:[\s,.!]*(?:(?:{_ACK_WORDS})\b|[{_ACK_EMOJI}\ufe0f\U0001f3fb-\U0001f3ff]))*[\s,.!]*$",
    re.IGNORECASE,
)
# Thanks and OKs in the languages our team speaks: answered with a thumbs-up, which needs
# no translation, rather than taking a Spanish speaker's time for "¡gracias!".
_OTHER_ACKS = re.compile(
    r"^(?:(?:muchas |mil )?gracias|vale|ok gracias|perfecto|de acuerdo|merci(?: beaucoup)?"
    r"|d'accord|danke(?: schön| sehr)?|alles klar|dzięki|dziękuję(?: bardzo)?|dobrze"
    r"|شكرا|شكرًا|شكراً|حسنا|حسنًا|谢谢(?:你|您)?|好的|多谢|धन्यवाद|ठीक है|ধন্যবাদ|நன்றி"
    r"|ẹ ṣeun|e se)(?:[\s,.!¡]*(?:[{emoji}\ufe0f\U0001f3fb-\U0001f3ff]))*[\s,.!。！]*$".replace(
        "{emoji}", "👍👌🙏🙂😊😀👏✅💯🆗"
    ),
    re.IGNORECASE,
)
NEUTRAL_ACK_INTENT = "acknowledge_any_language"
_ACK_REPLIES = (
    "Glad that helps.",
    "Great. If anything else comes up, just write here.",
    "👍",
    "Happy to help.",
    "Any time.",
)


def is_acknowledgement(text: str) -> bool:
    """The whole message only acknowledges: "ok", "k", "cool", "👍", "got it, thanks"."""
    return bool(_ACKNOWLEDGEMENT.match(text.strip()))


def is_acknowledgement_in_another_language(text: str) -> bool:
    """ "¡gracias!", "merci", "谢谢", "好的": thanks or OK in a language the team speaks."""
    return bool(_OTHER_ACKS.match(text.strip().lstrip("¡")))


def smalltalk_reply(intent: str, *, first_name: str | None, business: str, seed: int = 0) -> str:
    name = f", {first_name}" if first_name else ""
    if intent == NEUTRAL_ACK_INTENT:
        return "👍"
    if intent == "acknowledge":
        return _ACK_REPLIES[seed % len(_ACK_REPLIES)]
    if intent == "thanks":
        return f"You're welcome{name}. If anything else comes up, just write here."
    if intent == "goodbye":
        return f"Thanks for getting in touch{name}. Have a good day."
    return (
        f"Hello{name}, this is the {business} assistant. I can help with opening hours, "
        "directions, parking, returns, delivery and our services, or tell me what you need "
        "and one of our team will pick it up."
    )


def store_chosen_reply(store_name: str) -> str:
    return (
        f"Thank you. {store_name} is now your store; I'll answer with its details and its "
        "team will help you when you need a person. You can change it with /store."
    )
