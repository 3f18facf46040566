"""Formatted text is the plain text a person reads, with its runs beside it."""

from __future__ import annotations

import json

from handoff.core.formatted import FormattedText, Mark, Run, plain


def test_is_the_plain_text() -> None:
    text = FormattedText([Run("Hi "), Run("there", frozenset({Mark.BOLD})), Run("")])
    assert text == "Hi there"
    assert isinstance(text, str)
    assert json.dumps({"text": text}) == '{"text": "Hi there"}'
    assert text.has_marks
    assert not plain("x").has_marks


def test_neighbours_with_same_marks_merge() -> None:
    bold = frozenset({Mark.BOLD})
    text = FormattedText([Run("a", bold), Run("b", bold), Run("c"), Run("d", link="https://x")])
    assert text.runs == (Run("ab", bold), Run("c"), Run("d", link="https://x"))
