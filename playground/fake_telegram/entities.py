"""The text a customer reads of a formatted message: what Telegram's limits count.

The Bot API counts a message's 4,096 characters (a caption's 1,024) "after entities
parsing": HTML tags and Markdown marks do not count, an entity such as ``&amp;`` counts
as the one character it stands for, and a text that parses to nothing is empty.
"""

from __future__ import annotations

import re
from html import unescape

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>")
_MARKDOWN_MARKS = re.compile(r"[*_`~|]|\\(?=[^\w\s])")


def visible_text(text: str, parse_mode: str | None) -> str:
    """``text`` as shown: without markup, entities decoded."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return unescape(_TAG.sub("", text))
    if mode in ("markdown", "markdownv2"):
        return _MARKDOWN_MARKS.sub("", text)
    return text
