"""Invisible format characters in people's words, made visible where a person reads them. Pure.

A customer's (or an employee's) text can carry Unicode format characters (category Cf):
bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069), the
direction marks (U+200E, U+200F, U+061C), zero-width characters and the like. Shown as
they are, an override reverses what an employee or supervisor reads ("order 4471" shown
as "order 1744", a link or a name turned round), and a zero-width character makes two
different order numbers look the same.

The one rule, applied to text shown in Slack, on the dashboard and in its exports (the
stored transcript keeps the original): each such character is replaced by a visible mark
``[U+202E]``. The mark holds no character that Slack's mrkdwn, HTML or CSV treat
specially, so it can be applied before or after their escaping, and applying it twice
changes nothing. Two exceptions keep ordinary writing whole: the joiners U+200C and
U+200D between two non-ASCII characters that are not format characters themselves
(Persian words, emoji sequences such as a family), and an emoji tag sequence (the flags
of England, Scotland and Wales: U+1F3F4, tag characters, U+E007F).
"""

from __future__ import annotations

import re
import unicodedata

_JOINERS = frozenset("\u200c\u200d")
_EMOJI_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def mark(char: str) -> str:
    """The visible stand-in of one format character."""
    return f"[U+{ord(char):04X}]"


def visible(text: str) -> str:
    """``text`` with every invisible format character shown as a mark (see the module)."""
    if text.isascii():  # every format character lies above U+007F
        return text
    shown: list[str] = []
    last = 0
    for sequence in _EMOJI_TAG_SEQUENCE.finditer(text):
        shown.append(_marked(text, last, sequence.start()))
        shown.append(sequence.group())
        last = sequence.end()
    shown.append(_marked(text, last, len(text)))
    return "".join(shown)


def _marked(text: str, start: int, end: int) -> str:
    out: list[str] = []
    for i in range(start, end):
        char = text[i]
        if _format(char) and not _joining(text, i, start, end):
            out.append(mark(char))
        else:
            out.append(char)
    return "".join(out)


def _format(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char) == "Cf"


def _joining(text: str, i: int, start: int, end: int) -> bool:
    """A joiner between two non-ASCII characters that are not format characters."""
    if text[i] not in _JOINERS or i == start or i + 1 >= end:
        return False
    before, after = text[i - 1], text[i + 1]
    return all(not c.isascii() and not _format(c) for c in (before, after))
