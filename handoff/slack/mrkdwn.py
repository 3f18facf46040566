"""Slack's message encoding to channel-neutral formatted text (handoff/core/formatted.py).

A person's message arrives twice: as ``text`` in Slack's wire encoding (``&amp;`` ``&lt;``
``&gt;``, ``<https://x|label>``, ``<@U1>``, ``<#C1|name>``, ``:tada:``, ``*bold*`` ``_italic_``
``~strike~`` `` `code` ``, ```` ``` ```` blocks and ``&gt;`` quotes) and as a ``rich_text``
block (the composer's own structure, characters unescaped). ``decode_message`` reads the
block when there is one and the text otherwise; either way the result reads as the person
saw it in Slack: mentions as ``@Name``, channels as ``#name``, emoji as emoji. Pure.

https://docs.slack.dev/messaging/formatting-message-text
https://docs.slack.dev/reference/block-kit/blocks/rich-text-block
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import emoji

from handoff.core.formatted import FormattedText, Mark, Run

# Slack's own shortcodes the emoji package does not know under these names.
SLACK_ALIASES = {
    "simple_smile": "\U0001f642",
    "slightly_smiling_face": "\U0001f642",
    "thumbsup": "\U0001f44d",
    "thumbsdown": "\U0001f44e",
    "+1": "\U0001f44d",
    "-1": "\U0001f44e",
    "white_check_mark": "\u2705",
    "heavy_check_mark": "\u2714\ufe0f",
    "skin-tone-2": "\U0001f3fb",
    "skin-tone-3": "\U0001f3fc",
    "skin-tone-4": "\U0001f3fd",
    "skin-tone-5": "\U0001f3fe",
    "skin-tone-6": "\U0001f3ff",
}
BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}
_STYLE_MARKS = {"*": Mark.BOLD, "_": Mark.ITALIC, "~": Mark.STRIKE}
_RICH_STYLES = {"bold": Mark.BOLD, "italic": Mark.ITALIC, "strike": Mark.STRIKE, "code": Mark.CODE}
_SHORTCODE = re.compile(r":([a-z0-9_+\-']+):")
_FENCE = re.compile(r"```(.*?)```", re.DOTALL)
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))  # &amp; last: "&amp;lt;" is "&lt;"


@dataclass(frozen=True)
class Names:
    """Display names for the ids a message mentions (the adapter looks them up)."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def user(self, user_id: str) -> str:
        return "@" + self.users.get(user_id, user_id)

    def channel(self, channel_id: str, label: str = "") -> str:
        return "#" + (label or self.channels.get(channel_id, channel_id))


def unescape(text: str) -> str:
    """Slack escapes exactly ``&``, ``<`` and ``>``; nothing else is an entity in its text."""
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def emojize(text: str) -> str:
    """``:tada:`` to 🎉, with Slack's own aliases; an unknown shortcode stays as typed."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in SLACK_ALIASES:
            return SLACK_ALIASES[name]
        found = emoji.emojize(f":{name}:", language="alias")
        return found if found != f":{name}:" else match.group(0)

    return _SHORTCODE.sub(one, text)


def decode_message(event: Mapping[str, Any], names: Names) -> FormattedText:
    """The message as its reader sees it: from its rich_text block(s), else its text."""
    rich = [b for b in _objects(event.get("blocks")) if b.get("type") == "rich_text"]
    if rich:
        return from_rich_text(rich, names)
    text = event.get("text")
    return from_mrkdwn(text if isinstance(text, str) else "", names)


# -- the text form ---------------------------------------------------------------------------


def from_mrkdwn(text: str, names: Names) -> FormattedText:
    """Slack's encoded ``text`` (mrkdwn) as formatted text."""
    runs: list[Run] = []
    position = 0
    for fence in _FENCE.finditer(text):
        runs += _lines(text[position : fence.start()], names)
        inner = fence.group(1).removeprefix("\n")
        runs.append(Run(_flatten(inner, names), frozenset({Mark.PRE})))
        position = fence.end()
    runs += _lines(text[position:], names)
    return FormattedText(runs)


def _lines(text: str, names: Names) -> list[Run]:
    runs: list[Run] = []
    for i, line in enumerate(text.split("\n")):
        marks: frozenset[Mark] = frozenset()
        if line.startswith("&gt;"):
            line, marks = line.removeprefix("&gt;").removeprefix(" "), frozenset({Mark.QUOTE})
        if i:
            runs.append(Run("\n", marks))
        runs += _inline(line, marks, names)
    return runs


def _inline(text: str, marks: frozenset[Mark], names: Names) -> list[Run]:
    """One line: ``<...>`` references, `code` spans and the *bold* _italic_ ~strike~ pairs."""
    runs: list[Run] = []
    plain_from = i = 0
    closers = _closers(text)

    def flush(until: int) -> None:
        if until > plain_from:
            runs.append(Run(emojize(unescape(text[plain_from:until])), marks))

    while i < len(text):
        char = text[i]
        if char == "<" and (end := text.find(">", i)) != -1:
            flush(i)
            runs.append(_reference(text[i + 1 : end], marks, names))
            i = plain_from = end + 1
        elif char == "`" and (end := text.find("`", i + 1)) > i + 1:
            flush(i)
            runs.append(Run(_flatten(text[i + 1 : end], names), marks | {Mark.CODE}))
            i = plain_from = end + 1
        elif (
            char in _STYLE_MARKS
            and _STYLE_MARKS[char] not in marks  # a style inside itself is just a character
            and (end := _closer(text, i, closers)) != -1
        ):
            flush(i)
            runs += _inline(text[i + 1 : end], marks | {_STYLE_MARKS[char]}, names)
            i = plain_from = end + 1
        else:
            i += 1
    flush(len(text))
    return runs


def _closers(text: str) -> dict[str, list[int]]:
    """Per style character, where in ``text`` it can close a pair: after a non-space and
    not before a letter or digit. Found once per line, so no opener rescans the line."""
    found: dict[str, list[int]] = {char: [] for char in _STYLE_MARKS}
    for end, char in enumerate(text):
        after = text[end + 1] if end + 1 < len(text) else " "
        if char in found and end and not text[end - 1].isspace() and not after.isalnum():
            found[char].append(end)
    return found


def _closer(text: str, start: int, closers: dict[str, list[int]]) -> int:
    """Where the style opened at ``start`` closes, or -1: Slack wants the pair to hug words
    (``*a b*``, not ``* a*``) and to stand apart from them (``2*3*4`` is no bold)."""
    if start + 1 >= len(text) or text[start + 1].isspace():
        return -1
    if start and text[start - 1].isalnum():
        return -1
    ends = closers[text[start]]
    at = bisect_right(ends, start + 1)
    return ends[at] if at < len(ends) else -1


def _reference(inner: str, marks: frozenset[Mark], names: Names) -> Run:
    """``<...>``: a mention, a channel, a special mention or a link."""
    target, _, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        return Run(names.user(target[1:]), marks)
    if target.startswith("#"):
        return Run(names.channel(target[1:], label), marks)
    if target.startswith("!"):
        command = target[1:].split("^", 1)[0]
        if command in BROADCASTS:
            return Run(BROADCASTS[command], marks)
        return Run(label or target, marks)  # !subteam^S1|@team, !date^…|fallback
    url = unescape(target)
    if url.startswith("mailto:") and not label:
        label = url.removeprefix("mailto:")
    return Run(label or url, marks, link=url)


def _flatten(text: str, names: Names) -> str:
    """Code and preformatted text keep their characters; references read as their label."""
    return unescape(
        re.sub(r"<([^>]*)>", lambda m: _reference(m.group(1), frozenset(), names).text, text)
    )


# -- the rich_text block ---------------------------------------------------------------------


def from_rich_text(blocks: Sequence[Mapping[str, Any]], names: Names) -> FormattedText:
    """The composer's ``rich_text`` block(s) as formatted text."""
    runs: list[Run] = []
    for block in blocks:
        for element in _objects(block.get("elements")):
            if runs and not runs[-1].text.endswith("\n"):
                runs.append(Run("\n"))
            runs += _rich_element(element, names)
    while runs and runs[-1].text == "\n":  # the composer ends sections with a line break
        runs.pop()
    return FormattedText(runs)


def _rich_element(element: Mapping[str, Any], names: Names) -> list[Run]:
    kind = element.get("type")
    if kind == "rich_text_section":
        return list(_rich_inline(element.get("elements"), frozenset(), names))
    if kind in ("rich_text_preformatted", "rich_text_quote"):
        mark = Mark.PRE if kind == "rich_text_preformatted" else Mark.QUOTE
        return list(_rich_inline(element.get("elements"), frozenset({mark}), names))
    if kind == "rich_text_list":
        runs: list[Run] = []
        ordered = element.get("style") == "ordered"
        indent = "    " * _int(element.get("indent"))
        start = _int(element.get("offset"))
        for n, item in enumerate(_objects(element.get("elements")), start=start + 1):
            if runs:
                runs.append(Run("\n"))
            runs.append(Run(f"{indent}{n}. " if ordered else f"{indent}• "))
            runs += _rich_element(item, names)
        return runs
    return []


def _rich_inline(elements: object, marks: frozenset[Mark], names: Names) -> Iterator[Run]:
    for element in _objects(elements):
        style = element.get("style")
        styled = marks | {
            mark
            for name, mark in _RICH_STYLES.items()
            if isinstance(style, Mapping) and style.get(name) is True
        }
        kind = element.get("type")
        if kind == "text":
            text = _str(element.get("text"))
            yield Run(text if Mark.CODE in styled or Mark.PRE in styled else emojize(text), styled)
        elif kind == "link":
            url = _str(element.get("url"))
            yield Run(_str(element.get("text")) or url, styled, link=url or None)
        elif kind == "user":
            yield Run(names.user(_str(element.get("user_id"))), styled)
        elif kind == "channel":
            yield Run(names.channel(_str(element.get("channel_id"))), styled)
        elif kind == "usergroup":
            yield Run("@" + _str(element.get("usergroup_id")), styled)
        elif kind == "broadcast":
            yield Run(BROADCASTS.get(_str(element.get("range")), "@here"), styled)
        elif kind == "emoji":
            yield Run(_rich_emoji(element), styled)
        elif kind == "date":
            yield Run(_str(element.get("fallback")) or _str(element.get("timestamp")), styled)
        elif kind == "color":
            yield Run(_str(element.get("value")), styled)


def _rich_emoji(element: Mapping[str, Any]) -> str:
    """The emoji's own code points when Slack gives them (``"1f389"``, ``"1f44d-1f3fb"``)."""
    code = _str(element.get("unicode"))
    if code:
        try:
            return "".join(chr(int(part, 16)) for part in code.split("-"))
        except ValueError:
            pass
    return emojize(f":{_str(element.get('name'))}:")


def _objects(value: object) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
