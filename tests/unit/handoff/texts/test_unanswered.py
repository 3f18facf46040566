"""The question before leaving a customer's message unanswered: quoted, escaped, clipped."""

from __future__ import annotations

from handoff.texts.unanswered import QUOTE_LIMIT, unanswered_question


def test_it_quotes_the_customer_s_last_message() -> None:
    said = unanswered_question("Alex", "thanks, when will it arrive?", "resolve")
    assert (
        said == "Alex's last message is unanswered: 'thanks, when will it arrive?' Resolve anyway?"
    )
    back = unanswered_question("Alex", "and the receipt?", "back_to_bot")
    assert back.endswith("'and the receipt?' Hand it back to the bot anyway?")


def test_the_customer_s_words_cannot_ping_or_format() -> None:
    said = unanswered_question("<!channel>", "<@U0AISHA01> & <https://x.test|click>", "resolve")
    assert "<" not in said
    assert ">" not in said
    assert "&lt;@U0AISHA01&gt; &amp; &lt;https://x.test|click&gt;" in said


def test_a_long_message_is_clipped_on_one_line() -> None:
    said = unanswered_question("Alex", "word\n" * 200, "resolve")
    quoted = said.removeprefix("Alex's last message is unanswered: '").removesuffix(
        "' Resolve anyway?"
    )
    assert len(quoted) == QUOTE_LIMIT
    assert quoted.endswith("…")
    assert "\n" not in quoted
