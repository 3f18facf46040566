"""The reply-quality guard: what an employee's reply should not carry to a customer. Pure.

Checks spelling (pyspellchecker, with the store's own words accepted), text-speak,
profanity (LDNOOBW's word list), shouting, and a one-word reply to an upset
customer. Anything the customer would not read as prose is left out of the spelling
check: links, e-mail addresses, mentions, numbers, code and quoted text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

from handoff.guard.words import Lexicon

Kind = Literal["spelling", "text_speak", "profanity", "shouting", "too_short"]

# What customers read as careless; the value is what to write instead.
TEXT_SPEAK: dict[str, str] = {
    "u": "you", "r": "are", "ur": "your", "ure": "you're", "y": "why", "c": "see",
    "k": "OK", "kk": "OK", "ya": "yes", "yea": "yes", "thx": "thanks", "thnx": "thanks",
    "tx": "thanks", "ty": "thank you", "pls": "please", "plz": "please", "idk": "I don't know",
    "btw": "by the way", "lol": "(leave it out)", "omg": "(leave it out)", "brb": "one moment",
    "tho": "though", "cuz": "because", "coz": "because", "bc": "because", "b4": "before",
    "gr8": "great", "2day": "today", "2moro": "tomorrow", "tmrw": "tomorrow",
    "tmr": "tomorrow", "np": "no problem", "nvm": "never mind", "imo": "in my opinion",
    "tbh": "to be honest", "rn": "right now", "wat": "what", "wut": "what", "ppl": "people",
    "msg": "message", "gonna": "going to", "wanna": "want to", "dunno": "don't know",
}  # fmt: skip
# Single letters are text-speak only in lower case: "U-bolt", "R-13" and "Plan B" are fine.
_LOWER_ONLY = frozenset({"u", "r", "y", "c", "k"})

_SLACK_ENTITY = re.compile(r"<[^<>\n]*>")  # <@U123>, <#C1|desk>, <https://…|label>, <!here>
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|edu|gov|io|us|example)\b\S*")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_MENTION = re.compile(r"@\w[\w.-]*")
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_SENTENCE_END = frozenset('.!?:;\n•*-–—("“>')
_CONTRACTION_TAILS = frozenset({"s", "ll", "re", "ve", "d", "t", "m"})
# Shouting: at least this many all-capital words, making up at least this share of words.
SHOUT_MIN_WORDS = 3
SHOUT_SHARE = 0.5
# A capitalised word mid-sentence is taken for a name, unless most words are capitalised
# (Title Case Everywhere), where that tells nothing.
_TITLE_CASE_SHARE = 0.5


@dataclass(frozen=True)
class Finding:
    kind: Kind
    words: tuple[str, ...] = ()
    hints: tuple[str, ...] = field(default=(), compare=False)  # e.g. "recieve → receive"

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "words": list(self.words)}


@dataclass(frozen=True)
class _Token:
    text: str
    sentence_start: bool


def prose(text: str) -> str:
    """The text with what is not prose blanked out (links, mentions, code, quotes…)."""
    text = _CODE.sub(" ", text)
    text = _SLACK_ENTITY.sub(" ", text)
    text = html.unescape(text)  # Slack sends &amp; &lt; &gt;
    for pattern in (_URL, _EMAIL, _MENTION, _EMOJI, _QUOTED):
        text = pattern.sub(" ", text)
    return text


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    for match in _TOKEN.finditer(text):
        before = text[: match.start()].rstrip(" \t")
        start = not before or before[-1] in _SENTENCE_END
        word = match.group().replace("’", "'").strip("'-")
        if word:
            found.append(_Token(word, start))
    return found


def _words(tokens: list[_Token]) -> list[str]:
    return [t.text for t in tokens if not any(c.isdigit() for c in t.text)]


class ReplyGuard:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def is_terse(self, text: str) -> bool:
        """Empty or one word: only then does the customer's mood matter (and cost a lookup)."""
        return len(_words(_tokens(prose(text)))) <= 1

    def check(self, text: str, *, customer_upset: bool = False) -> tuple[Finding, ...]:
        plain = prose(text)
        tokens = _tokens(plain)
        findings = [
            self._text_speak(tokens),
            self._spelling(tokens),
            self._profanity(_SLACK_ENTITY.sub(" ", _CODE.sub(" ", html.unescape(text)))),
            self._shouting(tokens),
        ]
        if customer_upset and len(_words(tokens)) <= 1:
            findings.append(Finding("too_short", tuple(_words(tokens))))
        return tuple(f for f in findings if f is not None)

    @staticmethod
    def _text_speak(tokens: list[_Token]) -> Finding | None:
        words, hints = [], []
        for token in tokens:
            lower = token.text.lower()
            if lower in TEXT_SPEAK and (lower not in _LOWER_ONLY or token.text == lower):
                words.append(token.text)
                hints.append(f"{token.text} → {TEXT_SPEAK[lower]}")
        return Finding("text_speak", tuple(words), tuple(hints)) if words else None

    def _spelling(self, tokens: list[_Token]) -> Finding | None:
        words = _words(tokens)
        capitalised = sum(1 for w in words if w[0].isupper())
        names_are_reliable = capitalised <= _TITLE_CASE_SHARE * max(len(words), 1)
        wrong: list[str] = []
        for token in tokens:
            word = token.text
            if any(c.isdigit() for c in word) or word.lower() in TEXT_SPEAK:
                continue
            if len(word) > 1 and word.isupper():
                continue  # an acronym (PVC, GFCI); whole-message capitals are shouting
            if word[0].isupper() and not token.sentence_start and names_are_reliable:
                continue  # a name mid-sentence: a customer, a brand, a street
            if not self._known(word.lower()):
                wrong.append(word)
        if not wrong:
            return None
        unique = tuple(dict.fromkeys(wrong))
        return Finding("spelling", unique, tuple(self.lexicon.suggest(w) for w in unique))

    def _known(self, word: str) -> bool:
        lexicon = self.lexicon
        if lexicon.knows(word):
            return True
        if "-" in word:  # cut-to-size, step-free: each part must be a word
            return all(self._known(part) for part in word.split("-") if part)
        stem, _, tail = word.rpartition("'")
        return bool(stem) and tail in _CONTRACTION_TAILS and lexicon.knows(stem)

    def _profanity(self, text: str) -> Finding | None:
        found = self.lexicon.profane_words(text)
        return Finding("profanity", found) if found else None

    def _shouting(self, tokens: list[_Token]) -> Finding | None:
        words = [w for w in _words(tokens) if len(w) > 1]
        acronyms = self.lexicon.acronyms
        loud = [w for w in words if w.isupper() and w not in acronyms]
        if len(loud) >= SHOUT_MIN_WORDS and len(loud) >= SHOUT_SHARE * len(words):
            return Finding("shouting", tuple(loud[:5]))
        return None


def describe(findings: tuple[Finding, ...]) -> list[str]:
    """One line per finding, for the employee (the words are theirs, shown back to them)."""
    lines = []
    for f in findings:
        words = ", ".join(f"“{w}”" for w in f.words)
        if f.kind == "spelling":
            lines.append(f"Spelling: {', '.join(f.hints) or words}")
        elif f.kind == "text_speak":
            lines.append(f"Text-speak: {', '.join(f.hints)}")
        elif f.kind == "profanity":
            lines.append(f"Language the customer should not see: {words}")
        elif f.kind == "shouting":
            lines.append("Mostly capitals: it reads as shouting")
        else:
            lines.append(
                "Very short for an upset customer: a one-word reply can read as dismissive"
            )
    return lines
