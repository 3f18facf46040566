"""Formatted text as Telegram HTML: escaped once, marks kept, nothing Telegram refuses."""

from __future__ import annotations

from bot.telegram.channel import format_signed
from bot.telegram.html import render_html
from handoff.core.formatted import FormattedText, Mark, Run, plain
from handoff.core.ports import Signature


def test_escaped_exactly_once() -> None:
    text = FormattedText([Run("Tom & Jerry's <b>x</b>")])
    assert render_html(text) == "Tom &amp; Jerry's &lt;b&gt;x&lt;/b&gt;"


def test_marks_and_links() -> None:
    text = FormattedText(
        [
            Run("hi ", frozenset({Mark.BOLD, Mark.ITALIC})),
            Run("gone", frozenset({Mark.STRIKE})),
            Run(" "),
            Run("a<b", frozenset({Mark.CODE, Mark.BOLD})),
            Run(" "),
            Run("page", link='https://x.example/?a=1&b="2"'),
            Run(" "),
            Run("mail me", link="mailto:a@b.example"),
        ]
    )
    assert render_html(text) == (
        "<i><b>hi </b></i><s>gone</s> <code>a&lt;b</code> "
        '<a href="https://x.example/?a=1&amp;b=&quot;2&quot;">page</a> mail me'
    )


def test_blocks_are_one_tag_each() -> None:
    quote, pre = frozenset({Mark.QUOTE}), frozenset({Mark.PRE})
    text = FormattedText(
        [
            Run("said ", quote),
            Run("this", quote | {Mark.BOLD}),
            Run("\n"),
            Run("x < y", pre | {Mark.BOLD}),
        ]
    )
    assert render_html(text) == "<blockquote>said <b>this</b></blockquote>\n<pre>x &lt; y</pre>"


def test_signed_plain_and_formatted() -> None:
    signature = Signature("Maria", "Old Town")
    assert format_signed("a & b", signature) == "<b>Maria</b> · Old Town\na &amp; b"
    formatted = FormattedText([Run("a & "), Run("b", frozenset({Mark.BOLD}))])
    assert format_signed(formatted, signature) == "<b>Maria</b> · Old Town\na &amp; <b>b</b>"
    assert format_signed(plain("x"), None) == "x"
