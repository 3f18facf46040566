"""Slack's encoded text and rich_text blocks read as the person wrote them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from handoff.core.formatted import Mark, Run
from handoff.slack.mrkdwn import Names, decode_message, emojize, from_mrkdwn, from_rich_text

NAMES = Names({"U0MARIA": "Maria"}, {"C0DESK": "desk"})
BOLD, ITALIC, STRIKE, CODE = (
    frozenset({m}) for m in (Mark.BOLD, Mark.ITALIC, Mark.STRIKE, Mark.CODE)
)


@pytest.mark.parametrize(
    ("encoded", "reads"),
    [
        ("Tom &amp; Jerry's", "Tom & Jerry's"),
        ("&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>"),
        ("&amp;lt; stays an entity as typed", "&lt; stays an entity as typed"),
        ("ask <@U0MARIA> in <#C0DESK|desk>", "ask @Maria in #desk"),
        ("<#C0DESK> has it", "#desk has it"),
        ("<@U0NOBODY> knows", "@U0NOBODY knows"),
        ("see <https://shop.example/a?b=1&amp;c=2|our page>", "see our page"),
        ("<https://shop.example>", "https://shop.example"),
        ("<mailto:help@shop.example|help@shop.example>", "help@shop.example"),
        ("<!here> we close at 6", "@here we close at 6"),
        ("<!subteam^S0ABC|@managers> please", "@managers please"),
        ("<!date^1392734382^{date}|Feb 18, 2014> then", "Feb 18, 2014 then"),
        ("done :tada: :+1: :simple_smile: :thumbsup::skin-tone-3:", "done 🎉 👍 🙂 👍🏼"),
        ("at 10:30:45 :not_an_emoji:", "at 10:30:45 :not_an_emoji:"),
        ("*bold* _it_ ~gone~ `x&amp;y`", "bold it gone x&y"),
        ("2*3*4 and snake_case_name", "2*3*4 and snake_case_name"),
        ("&gt; quoted\nafter", "quoted\nafter"),
        ("```\nline <https://x.example|x>\n```", "line x\n"),
    ],
)
def test_text_reads_as_written(encoded: str, reads: str) -> None:
    assert from_mrkdwn(encoded, NAMES) == reads


def test_text_marks() -> None:
    runs = from_mrkdwn("*Hi* _there_ ~old~ `code` <https://x.example|link>", NAMES).runs
    assert runs == (
        Run("Hi", BOLD),
        Run(" "),
        Run("there", ITALIC),
        Run(" "),
        Run("old", STRIKE),
        Run(" "),
        Run("code", CODE),
        Run(" "),
        Run("link", link="https://x.example"),
    )


def test_nested_marks_and_quote() -> None:
    runs = from_mrkdwn("&gt; *_both_*", NAMES).runs
    assert runs == (Run("both", frozenset({Mark.QUOTE, Mark.BOLD, Mark.ITALIC})),)


def test_unclosed_marker_is_a_character() -> None:
    assert from_mrkdwn("5 * 3 = 15 and *half", NAMES).runs == (Run("5 * 3 = 15 and *half"),)


def _section(*elements: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": list(elements)}],
    }


def test_rich_text_reads_like_the_text_form() -> None:
    block = _section(
        {"type": "text", "text": "Tom & Jerry's "},
        {"type": "text", "text": "open", "style": {"bold": True}},
        {"type": "text", "text": " — ask "},
        {"type": "user", "user_id": "U0MARIA"},
        {"type": "text", "text": " in "},
        {"type": "channel", "channel_id": "C0DESK"},
        {"type": "text", "text": " "},
        {"type": "link", "url": "https://shop.example", "text": "here"},
        {"type": "text", "text": " "},
        {"type": "emoji", "name": "tada", "unicode": "1f389"},
    )
    text = (
        "Tom &amp; Jerry's *open* — ask <@U0MARIA> in <#C0DESK|desk>"
        " <https://shop.example|here> :tada:"
    )
    rich = from_rich_text([block], NAMES)
    assert rich == "Tom & Jerry's open — ask @Maria in #desk here 🎉"
    assert rich.runs == from_mrkdwn(text, NAMES).runs


def test_rich_text_lists_quotes_and_pre() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "Steps:\n"}]},
            {
                "type": "rich_text_list",
                "style": "ordered",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]},
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "two"}]},
                ],
            },
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "said"}]},
            {
                "type": "rich_text_preformatted",
                "elements": [{"type": "text", "text": "a :tada: b"}],
            },
        ],
    }
    text = from_rich_text([block], NAMES)
    assert text == "Steps:\n1. one\n2. two\nsaid\na :tada: b"
    assert Run("said", frozenset({Mark.QUOTE})) in text.runs
    assert Run("a :tada: b", frozenset({Mark.PRE})) in text.runs


def test_message_prefers_its_rich_text_block() -> None:
    event = {"text": "*stale*", "blocks": [_section({"type": "text", "text": "fresh"})]}
    assert decode_message(event, NAMES) == "fresh"
    assert decode_message({"text": "Tom &amp; Jerry"}, NAMES) == "Tom & Jerry"
    assert decode_message({"text": "x", "blocks": "junk"}, NAMES) == "x"


def test_odd_rich_text_is_skipped_not_fatal() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    1,
                    {"type": "text"},
                    {"type": "emoji", "unicode": "zz", "name": "tada"},
                ],
            }
        ],
    }
    assert from_rich_text([block], NAMES) == "🎉"


def test_emojize_leaves_unknown_codes() -> None:
    assert emojize(":tada::nope:") == "🎉:nope:"


def test_hostile_text_is_read_in_linear_time() -> None:
    """Openers without closers, nested markers and huge lines: no quadratic scan, no deep
    recursion (a signed event can carry 45,000 characters)."""
    openers = "a *a _b ~c " * 4000
    started = time.monotonic()
    decoded = from_mrkdwn(openers + "\n" + "*" * 10_000 + "_~*" * 5000, NAMES)
    assert time.monotonic() - started < 2.0
    assert decoded.startswith(openers + "\n")  # no style pair there: every character stays
