"""What employees read from the conversation service is written in the desk's markup, Slack's
mrkdwn (``*bold*``, ``_italic_``); text from elsewhere is escaped into it here. Pure."""

from __future__ import annotations


def escape_mrkdwn(text: str) -> str:
    """Slack's own escaping: the three control characters become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
