"""What an employee reads before leaving a customer's question unanswered. Pure.

Resolve and Back to bot ask first when the customer's last message came after the
owner's last reply: the question quotes it, in the desk's markup (mrkdwn), escaped.
"""

from __future__ import annotations

from handoff.texts.bidi import visible
from handoff.texts.desk import escape_mrkdwn

QUOTE_LIMIT = 300  # the quote stays one glance; the thread has the whole message

CONFIRM_LABELS = {"resolve": "Resolve anyway", "back_to_bot": "Back to bot anyway"}
CANCEL_LABEL = "Cancel"
_ASK = {"resolve": "Resolve anyway?", "back_to_bot": "Hand it back to the bot anyway?"}


def quote(text: str) -> str:
    """The customer's words as the question shows them: clipped, marks visible, escaped."""
    text = " ".join(visible(text).split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1] + "…"
    return escape_mrkdwn(text)


def unanswered_question(customer_name: str, text: str, act: str) -> str:
    """ "Alex's last message is unanswered: 'thanks, when will it arrive?' Resolve anyway?" """
    name = escape_mrkdwn(visible(customer_name))
    return f"{name}'s last message is unanswered: '{quote(text)}' {_ASK[act]}"


def cancelled() -> str:
    return "Nothing changed: the conversation is still yours to answer."
