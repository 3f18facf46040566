"""Splitting an HTML message into parts Telegram accepts.

Telegram counts a message's length after parsing its entities (``&amp;`` is one character,
``<b>`` none) in UTF-16 code units, at most 4096 a message. A part is cut only between
tokens (a tag, an entity, a character), preferably after a line break, else after a
space; a tag still open at a cut is closed at the end of the part and opened again at the
start of the next, so every part is valid HTML on its own. No part is blank: Telegram
refuses an empty message, so a stretch of white space too long for a part of its own is
dropped (Telegram trims white space at a message's edges anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

TELEGRAM_TEXT_LIMIT = 4096

# A tag, an entity (named or numeric), or one character. The escaped HTML Tandem builds has
# no stray ``<``, ``>`` or ``&``; one would be taken as a character of its own.
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|.",
    re.DOTALL,
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    units: int  # UTF-16 code units in the parsed text
    text: str  # the parsed text ("" for a tag)
    tag: str = ""  # the tag's name, for a tag
    closing: bool = False


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _tokens(html: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(html):
        raw = match.group(0)
        if match.group(2):
            tokens.append(_Token(raw, 0, "", match.group(2).lower(), bool(match.group(1))))
        else:
            text = unescape(raw) if raw.startswith("&") else raw
            tokens.append(_Token(raw, utf16_units(text), text))
    return tokens


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """``text`` (escaped HTML) as parts of at most ``limit`` parsed UTF-16 units, in order."""
    if limit < 2:
        raise ValueError(f"limit must be at least 2 (one emoji), not {limit}")
    if _whole(text, limit):  # nearly every message: no need to weigh it token by token
        return [text]
    tokens = _tokens(text)
    parts: list[str] = []
    opened: list[_Token] = []  # tags open at the start of the current part
    start = 0
    while start < len(tokens):
        end = _fits(tokens, start, limit)
        cut = end if end == len(tokens) else _best_cut(tokens, start, end)
        piece = tokens[start:cut]
        if not any(t.text.strip() for t in piece):
            # Blank: nothing Telegram would show. Keep its tags, drop its white space.
            opened = _after(opened, piece)
            start = cut
            continue
        prefix = "".join(t.raw for t in opened)
        opened = _after(opened, piece)
        suffix = "".join(f"</{t.tag}>" for t in reversed(opened))
        parts.append(prefix + "".join(t.raw for t in piece) + suffix)
        start = cut
    return parts


def _whole(text: str, limit: int) -> bool:
    """Whether ``text`` is one part as it is: within the limit even unparsed (parsing only
    shortens), something to show, and its tags closed in order."""
    if utf16_units(text) > limit or not unescape(_TAG.sub("", text)).strip():
        return False
    stack: list[str] = []
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if not match.group(1):
            stack.append(name)
        elif stack and stack[-1] == name:
            stack.pop()
        else:
            return False  # a stray closing tag: the token by token way decides
    return not stack


def _fits(tokens: list[_Token], start: int, limit: int) -> int:
    """The end of the longest run of tokens from ``start`` within ``limit`` units."""
    used = 0
    for i in range(start, len(tokens)):
        used += tokens[i].units
        if used > limit:
            return max(i, start + 1)
    return len(tokens)


def _best_cut(tokens: list[_Token], start: int, end: int) -> int:
    """After the last line break before ``end``, else the last space, else at ``end`` -
    where the part before the cut shows something."""
    for separator in ("\n", " "):
        for i in range(end - 1, start - 1, -1):
            if tokens[i].text == separator:
                if any(t.text.strip() for t in tokens[start:i]):
                    return i + 1
                break
    return end


def _after(opened: list[_Token], piece: list[_Token]) -> list[_Token]:
    """The tags still open after ``piece``."""
    stack = list(opened)
    for token in piece:
        if not token.tag:
            continue
        if not token.closing:
            stack.append(token)
        elif stack and stack[-1].tag == token.tag:
            stack.pop()
    return stack
