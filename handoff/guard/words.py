"""The guard's vocabulary: the dictionary, the store's own words, and the profanity list.

The profanity list is LDNOOBW's English list (wordlist/en.txt, CC BY 4.0, with its licence)
with Tandem's changes for a shop (wordlist/tandem.txt); it ships inside the package, so it
does not depend on ``DATA_DIR``.

Store words (product, street, store, employee and brand names) come from the business
data itself, so a new product in answers.yml or a new colleague in employees.yml is
never flagged as a misspelling; data/guard_words.yml adds what the data does not say.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, TypeAdapter
from spellchecker import SpellChecker

from nlu.facts.datafile import STRICT, load_yaml, validate

DATA_FILES = ("stores.yml", "answers.yml", "employees.yml", "notices.yml")
WORDS_FILE = "guard_words.yml"
_DATA_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_PROFANITY_TOKEN = re.compile(r"[a-z0-9@$*_.'-]+")
_EDGES = "._-*'"
_MAX_DISGUISED = 4  # symbols standing for letters in one word ("sh1t"); more is noise
WORDLIST_DIR = Path(__file__).parent / "wordlist"
# The letters a symbol stands for in a disguised word ("$h1t", "f*ck").
DISGUISE: dict[str, tuple[str, ...]] = {
    "@": ("a", "o"),
    "*": ("a", "e", "i", "o", "u", "v"),
    "4": ("a",),
    "1": ("i", "l"),
    "0": ("o",),
    "3": ("e",),
    "$": ("s",),
    "5": ("s",),
    "7": ("t",),
}


class GuardWords(BaseModel):
    """data/guard_words.yml."""

    model_config = STRICT
    words: tuple[str, ...] = ()  # accepted by the spelling check
    acronyms: tuple[str, ...] = ()  # capitals that are not shouting
    not_profanity: tuple[str, ...] = ()  # trade words the profanity list would flag


@functools.cache
def _dictionary() -> SpellChecker:
    # Distance 1 keeps suggestions fast; the check itself is a set lookup.
    return SpellChecker(distance=1)


def read_wordlist(path: Path) -> list[str]:
    """One entry a line, lower case; ``#`` comments and blank lines skipped."""
    lines = (line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@functools.cache
def _profanity() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The list's single words, its phrases, and its entries that are no words (emoji)."""
    listed = set(read_wordlist(WORDLIST_DIR / "en.txt"))
    for change in read_wordlist(WORDLIST_DIR / "tandem.txt"):
        if change[0] not in "+-":
            raise ValueError(
                f"{WORDLIST_DIR / 'tandem.txt'}: {change!r} starts with neither + nor -"
            )
        (listed.add if change[0] == "+" else listed.discard)(change[1:].strip())
    words = {w for w in listed if all(_PROFANITY_TOKEN.fullmatch(p) for p in w.split())}
    return (
        frozenset(w for w in words if " " not in w),
        frozenset(w for w in words if " " in w),
        frozenset(listed - words),
    )


class Lexicon:
    def __init__(self, words: set[str], acronyms: set[str], not_profanity: set[str]) -> None:
        self.words = frozenset(w.lower() for w in words)
        self.acronyms = frozenset(acronyms)
        self.spell = _dictionary()
        single, phrases, symbols = _profanity()
        self._disguise = DISGUISE
        allowed = {w.lower() for w in not_profanity}
        self.profane = single - allowed
        self.phrases = phrases - allowed
        self.longest_phrase = max((len(p.split()) for p in self.phrases), default=1)
        # Entries the word tokens cannot hold ("s&m", an emoji), found in the text itself.
        self.symbols = re.compile(
            "|".join(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])" for w in sorted(symbols - allowed))
            or "(?!)"
        )

    @classmethod
    def from_dir(cls, data_dir: Path) -> Lexicon:
        words: set[str] = set()
        acronyms: set[str] = set()
        for name in DATA_FILES:
            path = data_dir / name
            if path.exists():
                for word in _data_words(load_yaml(path)):
                    words.add(word)
                    if len(word) > 1 and word.isupper():
                        acronyms.add(word)
        extra = GuardWords()
        if (data_dir / WORDS_FILE).exists():
            raw = load_yaml(data_dir / WORDS_FILE) or {}
            extra = validate(data_dir / WORDS_FILE, raw, TypeAdapter(GuardWords))
        words.update(extra.words)
        acronyms.update(extra.acronyms)
        return cls(words, acronyms, set(extra.not_profanity))

    def knows(self, word: str) -> bool:
        """`word` in lower case: a store word, or in the dictionary."""
        return word in self.words or word in self.spell

    def suggest(self, word: str) -> str:
        better = self.spell.correction(word.lower())
        return f"{word} → {better}" if better and better != word.lower() else word

    def profane_words(self, text: str) -> tuple[str, ...]:
        tokens = [t.strip(_EDGES) for t in _PROFANITY_TOKEN.findall(text.lower())]
        tokens = [t for t in tokens if t]
        found = [t for t in tokens if self._profane(t)]
        found += [m.group() for m in self.symbols.finditer(text.lower())]
        for size in range(2, self.longest_phrase + 1):
            for i in range(len(tokens) - size + 1):
                phrase = " ".join(tokens[i : i + size])
                if phrase in self.phrases:
                    found.append(phrase)
        return tuple(dict.fromkeys(found))

    def _profane(self, token: str) -> bool:
        forms = {token, token.removesuffix("'s")}
        forms.update(part for part in re.split(r"[-.]", token) if part)
        return any(v in self.profane for form in forms for v in self._undisguised(form))

    def _undisguised(self, token: str) -> Iterator[str]:
        """The token, and every reading of its symbols as letters ("sh1t" → "shit")."""
        yield token
        spots = [i for i, c in enumerate(token) if c in self._disguise]
        if not spots or len(spots) > _MAX_DISGUISED:
            return
        for letters in itertools.product(*(self._disguise[token[i]] for i in spots)):
            chars = list(token)
            for i, letter in zip(spots, letters, strict=True):
                chars[i] = letter
            yield "".join(chars)


def _data_words(value: object) -> Iterator[str]:
    """Every word in a YAML document's keys and string values; hyphenated ones in parts."""
    if isinstance(value, str):
        for match in _DATA_WORD.finditer(value):
            word = match.group().replace("’", "'").strip("'-")
            yield from (p for p in (word, *word.split("-")) if p)
            if word.lower().endswith("'s"):
                yield word[:-2]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _data_words(key)
            yield from _data_words(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _data_words(item)
