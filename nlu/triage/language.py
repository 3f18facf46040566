"""The language a customer's message is written in, from its text and Telegram's hint. Pure.

lingua (``lingua-language-detector``) is built once per set of languages: English plus the
languages the employee directory speaks, in low-accuracy mode (trigram models only: about
20 MB and a few tens of microseconds a message, against over 200 MB in high-accuracy
mode). Low accuracy is weak on one or two words ("sure" reads as French, "thx" as
Yoruba), so a short Latin-script text only counts as another language when the detector
is nearly certain, or when the customer's Telegram ``language_code`` agrees with a close
second guess. Anything undecided is treated as English: the bot's own understanding
then decides, and hands off when it does not understand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

ENGLISH = "en"
# Fewer letters than this, or fewer words, and a Latin-script text is "short".
_SHORT_LETTERS = 12
_SHORT_WORDS = 3
# Sure enough to overrule Telegram's hint / to call a longer text another language.
_SURE_SHORT = 0.9
_SURE_LONG = 0.5
# English at least this likely: the message is English whatever else is guessed.
_ENGLISH_ENOUGH = 0.5
# English at most this likely in a longer text: not English, even if unsure which language.
_NOT_ENGLISH = 0.2
# Telegram's language agrees with the text when the detector gives it at least this.
_HINT_AGREES = 0.2
# A one- or two-word message needs this much for Telegram's hint to count ("fab" is not).
_HINT_SHORT = 0.5
# English chat shorthand, which the trigram models take for Yoruba or German ("hrs pls").
_SHORTHAND = re.compile(
    r"\b(?:pls|plz|thx|thnx|tx|ty|tysm|hrs|hr|u|ur|r|ok|okay|k|kk|tmrw|tmr|tho|btw|asap|lol|"
    r"hi|hey|yo|sat|sun|mon|tue|tues|wed|thu|thur|thurs|fri|am|pm|dm|info|w|b4|cuz|bc)\b",
    re.IGNORECASE,
)
# Common English words: a Latin-script message with enough of them (and no letter English
# does not use) is English, whatever the trigram models say about "can i pay by cheque".
# Left out: words other languages use as often ("a", "no", "on", "que"); "i", "do", "to"
# and "me" stay, as Polish and Spanish messages with them carry plenty of other words.
_ENGLISH_TEXT = """
the you your yours my mine is are was were be been can could would should will what
where when why how which who does did have has had there here this that these those
for with and or but not of it it's its i'm i've i'd we our us they them their he she
his her him if then than from into about at by any some all just get got need want
open close closed store shop hours today tomorrow tonight please thanks thank hello
hey hi order card gift points return returns parking delivery sorry help i me do to
an best want talk let check stock email contact details price prices match phone
agent person stop write buy sell cut time much many way ok okay cool perfect great
fine sure nice good awesome got yes yeah yep noted
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
# Letters English does not use; one of them is strong evidence of another language.
_FOREIGN_LETTERS = frozenset("ñáéíóúüąćęłńśźżßäöçèàâêîôûœ")


@dataclass(frozen=True)
class Detected:
    """A message's language: an ISO 639-1 code, and what decided it."""

    code: str
    source: str  # "text", "text+telegram" (the hint settled a close call) or "default"

    @property
    def english(self) -> bool:
        return self.code == ENGLISH


class LanguageGuesser:
    """Decides a message's language among English and the languages given."""

    def __init__(self, languages: Iterable[str]) -> None:
        codes = sorted({ENGLISH, *(c.split("-")[0].lower() for c in languages)})
        self.languages = tuple(codes)
        self._detector = _detector(self.languages)

    def detect(self, text: str, telegram_code: str | None = None) -> Detected:
        hint = telegram_code.split("-")[0].lower() if telegram_code else None
        text = _SHORTHAND.sub(" ", text)
        letters = [c for c in text if c.isalpha()]
        if len(letters) < 2 or self._detector is None:
            return Detected(ENGLISH, "default")  # "k", "👍", "ok thx": nothing to go on
        if text.isascii() and _wordy(text):
            # What the rules below conclude for such text whatever lingua says (no letter
            # English lacks, enough common English words): most messages stop here, cheaply.
            return Detected(ENGLISH, "text")
        values = {
            v.language.iso_code_639_1.name.lower(): v.value
            for v in self._detector.compute_language_confidence_values(text)
        }
        top = max(values, key=lambda code: values[code])
        if sum(_is_latin(c) for c in letters) * 2 < len(letters):
            return Detected(top, "text")  # a script of its own (Arabic, Chinese…) decides
        english = values.get(ENGLISH, 0.0)
        foreign = any(c.lower() in _FOREIGN_LETTERS for c in letters)
        if top == ENGLISH or english >= _ENGLISH_ENOUGH or (not foreign and _wordy(text)):
            return Detected(ENGLISH, "text")
        hinted = hint is not None and hint != ENGLISH and values.get(hint, 0.0) >= _HINT_AGREES
        short = len(letters) < _SHORT_LETTERS or len(text.split()) < _SHORT_WORDS
        hint_short = hinted and hint is not None and values[hint] >= _HINT_SHORT > english
        if values[top] < _HINT_AGREES or (short and not foreign and not hint_short):
            return Detected(ENGLISH, "default")  # "my order", "sure": too little to overrule
        if hinted and hint is not None and values[top] < _SURE_SHORT:
            return Detected(hint, "text+telegram")  # a close call the customer's app settles
        if foreign or values[top] >= _SURE_LONG or english <= _NOT_ENGLISH:
            return Detected(top, "text")
        return Detected(ENGLISH, "default")


def _wordy(text: str) -> bool:
    """At least a quarter of the words are common English ones."""
    words = re.findall(r"[a-z']+", text.lower())
    return bool(words) and sum(w in _ENGLISH_WORDS for w in words) * 4 >= len(words)


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


@lru_cache(maxsize=4)
def _detector(codes: tuple[str, ...]) -> LanguageDetector | None:
    """One detector per language set, shared by every Responder (the worker, ``triage``)."""
    known = []
    for code in codes:
        try:
            known.append(IsoCode639_1.from_str(code))
        except ValueError:
            continue  # a language lingua does not know: it cannot be detected, only hinted
    if len(known) < 2:
        return None
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*known)
    return builder.with_low_accuracy_mode().with_preloaded_language_models().build()
