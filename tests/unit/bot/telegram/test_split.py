"""The message splitter: every part valid HTML, within Telegram's count, nothing lost."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.channel import format_signed
from bot.telegram.split import TELEGRAM_TEXT_LIMIT, split_text, utf16_units
from handoff.core.ports import Signature

# Telegram's HTML: tags, the four entities or numeric ones, and no stray <, > or &.
_TELEGRAM_HTML = re.compile(
    r"<(/?)([a-z]+)>|&(amp|lt|gt|quot|#[0-9]+);|([<>&])|([^<>&]+)", re.DOTALL
)


def parse(html: str) -> tuple[str, list[tuple[int, int]]]:
    """The text Telegram shows for ``html`` and its bold ranges; fails on invalid HTML."""
    text = ""
    bold: list[tuple[int, int]] = []
    stack: list[int] = []
    for match in _TELEGRAM_HTML.finditer(html):
        closing, tag, entity, stray, plain = match.groups()
        assert stray is None, f"stray {stray!r} in {html!r}"
        if tag:
            assert tag == "b", tag
            if closing:
                assert stack, f"</b> without <b> in {html!r}"
                bold.append((stack.pop(), len(text)))
            else:
                stack.append(len(text))
        elif entity:
            text += {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}.get(entity) or chr(
                int(entity[1:])
            )
        else:
            text += plain
    assert not stack, f"unclosed <b> in {html!r}"
    return text, bold


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: list[str] = []

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def stdlib_text(html: str) -> str:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return "".join(parser.data)


def long_blank_run(text: str, limit: int) -> bool:
    """White space that, with the emoji after it, fills a part: it cannot go without one."""
    return any(len(m.group(0)) >= limit - 1 for m in re.finditer(r"\s+", text))


# Pieces rather than characters: long words come up as often as entities and breaks.
texts = st.lists(
    st.sampled_from(["&", "<", ">", "a", "b", " ", "\n", "😀", "é", "\u200d", "x" * 30]),
    max_size=60,
).map("".join)
signatures = st.none() | st.builds(
    Signature, name=st.text(alphabet="Ann&<>😀 ", min_size=1, max_size=12), store=st.just("")
)


@settings(max_examples=400, deadline=None)
@given(text=texts, signature=signatures, limit=st.integers(min_value=2, max_value=40))
def test_parts_are_valid_within_the_limit_and_join_back(
    text: str, signature: Signature | None, limit: int
) -> None:
    html = format_signed(text, signature)
    original, original_bold = parse(html)
    parts = split_text(html, limit)
    if not original.strip():  # nothing a person could read: Telegram refuses it, so no part
        assert parts == []
        return
    shown: list[str] = []
    bold: set[int] = set()
    for part in parts:
        part_text, part_bold = parse(part)
        assert stdlib_text(part) == part_text
        assert utf16_units(part_text) <= limit
        assert part_text.strip(), f"blank part {part!r}"
        offset = sum(map(len, shown))
        bold |= {offset + i for start, end in part_bold for i in range(start, end)}
        shown.append(part_text)
    joined = "".join(shown)
    # Nothing visible is lost; white space only where a part would be blank.
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", original)
    if not long_blank_run(original, limit):
        assert original.startswith(joined)
        assert not original[len(joined) :].strip()
        # The signature's name is bold, all of it, however it was cut (white space left
        # at the very end, which Telegram trims, may go).
        shown_bold = {i for start, end in original_bold for i in range(start, end)}
        assert bold == {i for i in shown_bold if i < len(joined)}


def test_a_short_message_is_one_part_unchanged() -> None:
    html = format_signed("Fish & chips <3", Signature(name="Ann", store="Leeds"))
    assert split_text(html) == [html]


def test_cuts_after_a_line_break_then_a_space() -> None:
    assert split_text("aaaa\nbb cc", 8) == ["aaaa\n", "bb cc"]
    assert split_text("aaa bb cccc", 8) == ["aaa bb ", "cccc"]


def test_the_limit_is_telegrams_count_not_the_escaped_length() -> None:
    # 4,096 ampersands are 20,480 characters of HTML but one full message for Telegram.
    html = "&amp;" * TELEGRAM_TEXT_LIMIT
    assert split_text(html) == [html]
    # 2,049 emoji are 4,098 UTF-16 units: two parts, the second one emoji.
    parts = split_text("😀" * 2049)
    assert [len(p) for p in parts] == [2048, 1]


def test_never_cuts_an_entity_or_the_signature_tag() -> None:
    html = format_signed("&" * 10, Signature(name="Annabelle", store=""))
    parts = split_text(html, 4)
    assert parts == [
        "<b>Anna</b>",
        "<b>bell</b>",
        "<b>e</b>\n",
        "&amp;" * 4,
        "&amp;" * 4,
        "&amp;" * 2,
    ]
    assert all(p.count("&") == p.count(";") for p in parts)


def test_no_empty_parts() -> None:
    assert split_text("") == []
    assert split_text("a" * 4 + "\n" * 10, 4) == ["aaaa"]
    assert split_text("\n" * 10 + "b", 4) == ["\n\nb"]


def test_a_limit_below_one_emoji_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        split_text("a", 1)
