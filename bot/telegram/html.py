"""Formatted text (handoff/core/formatted.py) as Telegram HTML, escaped exactly once.

Telegram's HTML style (core.telegram.org/bots/api#html-style): <b> <i> <s> <code> <pre>
<blockquote> <a href>; code and pre hold no other tags, and only web and tg:// links
become anchors (another scheme keeps its words, without the link).
"""

from __future__ import annotations

from html import escape

from handoff.core.formatted import FormattedText, Mark, Run

BLOCK_TAGS = {Mark.PRE: "pre", Mark.QUOTE: "blockquote"}
INLINE_TAGS = ((Mark.BOLD, "b"), (Mark.ITALIC, "i"), (Mark.STRIKE, "s"))
LINK_SCHEMES = ("http://", "https://", "tg://")


def render_html(text: FormattedText) -> str:
    """A quote or a preformatted block in one tag; inline marks per run."""
    html: list[str] = []
    open_block: Mark | None = None
    for run in text.runs:
        block = next((m for m in BLOCK_TAGS if m in run.marks), None)
        if block != open_block:
            if open_block is not None:
                html.append(f"</{BLOCK_TAGS[open_block]}>")
            if block is not None:
                html.append(f"<{BLOCK_TAGS[block]}>")
            open_block = block
        html.append(inline_html(run, inside_pre=block is Mark.PRE))
    if open_block is not None:
        html.append(f"</{BLOCK_TAGS[open_block]}>")
    return "".join(html)


def inline_html(run: Run, *, inside_pre: bool) -> str:
    html = escape(run.text, quote=False)
    if inside_pre:
        return html
    if Mark.CODE in run.marks:
        return f"<code>{html}</code>"
    for mark, tag in INLINE_TAGS:
        if mark in run.marks:
            html = f"<{tag}>{html}</{tag}>"
    if run.link and run.link.lower().startswith(LINK_SCHEMES):
        html = f'<a href="{escape(run.link, quote=True)}">{html}</a>'
    return html
