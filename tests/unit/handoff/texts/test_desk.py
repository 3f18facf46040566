"""The desk's markup (handoff/texts/desk.py)."""

from __future__ import annotations

from handoff.texts.desk import escape_mrkdwn


def test_escape_mrkdwn_turns_control_characters_into_entities() -> None:
    assert escape_mrkdwn("a & <b> c") == "a &amp; &lt;b&gt; c"
    assert escape_mrkdwn("&lt;") == "&amp;lt;"  # an entity typed by the customer stays text
    assert escape_mrkdwn("plain") == "plain"
