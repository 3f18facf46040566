"""What Slack's message composer makes of what a person types: the encoded ``text`` and the
``rich_text`` block beside it, as every message event from a person carries them.

The composer turns ``*bold*`` ``_italic_`` ``~strike~`` `` `code` `` and ```` ``` ```` blocks
into styles, ``> `` at a line's start into a quote, a URL into a link, ``[label](url)`` (its
"add link" dialog) into a labelled link, ``@name`` and ``#channel`` picked from the
autocomplete into mentions, and ``:tada:`` into an emoji. In ``text`` Slack escapes ``&``,
``<`` and ``>`` and writes references in angle brackets; in the block, characters are as
typed. https://docs.slack.dev/messaging/formatting-message-text
https://docs.slack.dev/reference/block-kit/blocks/rich-text-block
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import emoji

from playground.fake_slack.state import JSON

# Slack's own shortcodes (not in the emoji package under these names).
SLACK_EMOJI = {"simple_smile": "1f642", "thumbsup": "1f44d", "+1": "1f44d", "-1": "1f44e"}
_STYLES = {"*": "bold", "_": "italic", "~": "strike"}
_TOKEN = re.compile(
    r"(?P<label>\[(?P<label_text>[^\]\n]+)\]\((?P<label_url>https?://[^)\s]+)\))"
    r"|(?P<url>https?://[^\s<>]+[^\s<>.,;:!?)\]'\"])"
    r"|(?P<user>@[\w.\-]+)"
    r"|(?P<channel>#[\w\-]+)"
    r"|(?P<emoji>:[a-z0-9_+\-]+:)"
    r"|(?P<code>`[^`\n]+`)"
)


@dataclass(frozen=True)
class Directory:
    """Who and what the composer's autocomplete offers: name → id."""

    user_id: Callable[[str], str | None]
    channel_id: Callable[[str], str | None]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def compose(typed: str, directory: Directory) -> tuple[str, list[JSON]]:
    """(text, blocks) for a message typed as ``typed``."""
    texts: list[str] = []
    elements: list[JSON] = []
    parts = re.split(r"```\n?(.*?)```", typed, flags=re.DOTALL)
    for i, part in enumerate(parts):
        if i % 2:  # a preformatted block
            part = part.removesuffix("\n")
            texts.append(f"```{escape(part)}```")
            elements.append({"type": "rich_text_preformatted", "elements": _plain(part)})
        elif part := part.removeprefix("\n") if i else part:  # the fence's own line break
            _lines(part, directory, texts, elements)
    block = {"type": "rich_text", "block_id": secrets.token_hex(3), "elements": elements}
    return "".join(texts), [block]


def _lines(part: str, directory: Directory, texts: list[str], elements: list[JSON]) -> None:
    """Quoted lines in rich_text_quote elements, the others in rich_text_section ones."""
    for quoted, lines in _groups(part.split("\n")):
        inline: list[JSON] = []
        encoded: list[str] = []
        for n, line in enumerate(lines):
            if n:
                inline.append({"type": "text", "text": "\n"})
                encoded.append("\n")
            line_text, line_elements = _inline(line, {}, directory)
            inline += line_elements
            encoded.append(("&gt; " if quoted else "") + line_text)
        if texts and not texts[-1].endswith("\n"):
            texts.append("\n")
        texts.append("".join(encoded))
        kind = "rich_text_quote" if quoted else "rich_text_section"
        elements.append({"type": kind, "elements": _merge(inline)})


def _groups(lines: list[str]) -> list[tuple[bool, list[str]]]:
    groups: list[tuple[bool, list[str]]] = []
    for line in lines:
        quoted = line.startswith(("> ", "&gt; ")) or line in (">", "&gt;")
        body = line.split(" ", 1)[1] if quoted and " " in line else ("" if quoted else line)
        if groups and groups[-1][0] == quoted:
            groups[-1][1].append(body)
        else:
            groups.append((quoted, [body]))
    return groups


def _inline(line: str, style: dict[str, bool], directory: Directory) -> tuple[str, list[JSON]]:
    """One line: styled spans (recursively), then references and plain characters."""
    encoded: list[str] = []
    elements: list[JSON] = []
    plain_from = i = 0

    def flush(until: int) -> None:
        if until > plain_from:
            text, found = _references(line[plain_from:until], style, directory)
            encoded.append(text)
            elements.extend(found)

    while i < len(line):
        char = line[i]
        if char == "`" and (code_end := line.find("`", i + 1)) > i + 1:
            i = code_end + 1  # no styles inside code: _references makes it one element
            continue
        end = _closer(line, i) if char in _STYLES and _STYLES[char] not in style else -1
        if end != -1:
            flush(i)
            inner_text, inner = _inline(
                line[i + 1 : end], {**style, _STYLES[char]: True}, directory
            )
            encoded.append(f"{char}{inner_text}{char}")
            elements += inner
            i = plain_from = end + 1
        else:
            i += 1
    flush(len(line))
    return "".join(encoded), elements


def _closer(line: str, start: int) -> int:
    if start + 1 >= len(line) or line[start + 1].isspace() or (start and line[start - 1].isalnum()):
        return -1
    end = start + 1
    while (end := line.find(line[start], end + 1)) != -1:
        after = line[end + 1] if end + 1 < len(line) else " "
        if not line[end - 1].isspace() and not after.isalnum():
            return end
    return -1


def _references(text: str, style: dict[str, bool], directory: Directory) -> tuple[str, list[JSON]]:
    encoded: list[str] = []
    elements: list[JSON] = []
    position = 0
    styled = {"style": dict(style)} if style else {}
    for match in _TOKEN.finditer(text):
        found = _reference(match, directory)
        if found is None:
            continue
        if match.start() > position:
            encoded.append(escape(text[position : match.start()]))
            elements.append({"type": "text", "text": text[position : match.start()], **styled})
        wire, element = found
        encoded.append(wire)
        if element.get("type") == "text" and "code" in element.get("style", {}):
            element["style"] = {**style, "code": True}
        elif style and element["type"] != "user" and element["type"] != "channel":
            element.update(styled)
        elements.append(element)
        position = match.end()
    if position < len(text):
        encoded.append(escape(text[position:]))
        elements.append({"type": "text", "text": text[position:], **styled})
    return "".join(encoded), elements


def _reference(match: re.Match[str], directory: Directory) -> tuple[str, JSON] | None:
    """The wire form and the rich_text element of one token; None: just characters."""
    kind, token = match.lastgroup, match.group(0)
    if kind == "label":
        url, label = match.group("label_url"), match.group("label_text")
        return f"<{escape(url)}|{escape(label)}>", {"type": "link", "url": url, "text": label}
    if kind == "url":
        return f"<{escape(token)}>", {"type": "link", "url": token}
    if kind == "user" and (user_id := directory.user_id(token[1:])):
        return f"<@{user_id}>", {"type": "user", "user_id": user_id}
    if kind == "channel" and (channel_id := directory.channel_id(token[1:])):
        return f"<#{channel_id}|{token[1:]}>", {"type": "channel", "channel_id": channel_id}
    if kind == "emoji" and (code := emoji_code(token[1:-1])):
        return token, {"type": "emoji", "name": token[1:-1], "unicode": code}
    if kind == "code":
        return f"`{escape(token[1:-1])}`", {
            "type": "text",
            "text": token[1:-1],
            "style": {"code": True},
        }
    return None


def emoji_code(name: str) -> str | None:
    """Slack's ``unicode`` field for an emoji: its code points in hex, joined by "-"."""
    if name in SLACK_EMOJI:
        return SLACK_EMOJI[name]
    char = emoji.emojize(f":{name}:", language="alias")
    if char == f":{name}:":
        return None
    return "-".join(f"{ord(c):x}" for c in char if c != "\ufe0f")


def _plain(text: str) -> list[JSON]:
    return [{"type": "text", "text": text}] if text else []


def _merge(elements: list[JSON]) -> list[JSON]:
    """Neighbouring plain texts of the same style as one element, as the composer sends."""
    merged: list[JSON] = []
    for element in elements:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last["type"] == element["type"] == "text"
            and last.get("style") == element.get("style")
        ):
            last["text"] += element["text"]
        else:
            merged.append(dict(element))
    return [e for e in merged if e.get("type") != "text" or e["text"]]
