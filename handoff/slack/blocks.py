"""Slack Block Kit for the handoff thread. Pure: text in, blocks out.

Customer text is untrusted: it is shown as ``plain_text`` and escaped in the
fallback text, so ``<!channel>`` or ``<@U…>`` from a customer can never ping
anyone or format anything in Slack; and its invisible format characters (a
right-to-left override…) are shown as marks (handoff/texts/bidi.py), so it cannot
turn round what the employee reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handoff.core.ports import Choice, HandoffCard
from handoff.slack.card_budget import NOTES_ID, fit_blocks, transcript_sections
from handoff.texts.bidi import visible
from handoff.texts.desk import escape_mrkdwn

Block = dict[str, Any]

ACTION_TAKE_OVER = "take_over"
ACTION_PASS = "pass_on"  # noqa: S105 - an action id, not a password
ACTION_BACK_TO_BOT = "back_to_bot"
ACTION_RESOLVE = "resolve"

REASON_LABELS = {
    "emotional": "upset customer",
    "sensitive": "sensitive matter",
    "complex": "needs a person",
    "human_request": "asked for a person",
    "low_confidence": "the bot was not sure",
    "stale_answer": "no current answer on file",
    "nlu_unavailable": "the language service was down",
    "media": "sent a file",
    "paused": "bot paused",
    "flood": "many messages at once",
    "language": "writes in another language",
}
_PLAIN_LIMIT = 2900  # Slack caps a text object at 3000 characters
HEADER_LIMIT = 150  # and a header block's text at 150; longer, it rejects the whole message
MESSAGE_TEXT_LIMIT = 40_000


def plain(text: str, limit: int = _PLAIN_LIMIT) -> Block:
    return {"type": "plain_text", "text": _clip(visible(text), limit) or " ", "emoji": False}


def shown(text: str) -> str:
    """Outside text inside mrkdwn: its format characters visible, its markup escaped."""
    return escape_mrkdwn(visible(text))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_message_text(text: str) -> str:
    """Slack refuses (msg_too_long) a message ``text`` over 40,000 characters."""
    return _clip(text, MESSAGE_TEXT_LIMIT)


def plain_sections(text: str) -> list[Block]:
    """Long text as several plain-text sections, so the customer's words are never cut
    (split after the marks are in, which lengthen it)."""
    text = visible(text)
    chunks = []
    while len(text) > _PLAIN_LIMIT:
        cut = text.rfind(" ", _PLAIN_LIMIT // 2, _PLAIN_LIMIT) + 1 or _PLAIN_LIMIT
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return [{"type": "section", "text": plain(chunk)} for chunk in chunks]


def card_text(card: HandoffCard) -> str:
    """The notification text (also what screen readers and old clients show)."""
    where = f"{card.store_name}: " if card.store_name else ""
    reason = REASON_LABELS.get(card.reason, card.reason)
    return shown(f"{where}{card.customer_name} needs a person ({reason})")


def card_blocks(card: HandoffCard) -> list[Block]:
    who = [f"*{shown(card.customer_name)}*"]
    if "store_why" in card.extra:  # which store, and why (handoff/core/store_choice.py)
        who.append(shown(card.extra["store_why"]))
    elif card.store_name:
        who.append(f"home store {shown(card.store_name)}")
    if card.language:
        who.append(f"language {shown(card.language)}")
    who.append(_past(card.past_conversations))
    who.append(f"`{shown(card.conversation_id)}`")  # for `/tandem note <id> …`
    reason = REASON_LABELS.get(card.reason, card.reason)
    why = f"*Why:* {shown(reason)}"
    if card.reason_detail:
        why += f" ({shown(card.reason_detail)})"
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"{card.customer_name} needs a person", HEADER_LIMIT)},
        {"type": "section", "text": {"type": "mrkdwn", "text": " · ".join(who)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": why + _nlu_line(card)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _status_line(card)}},
    ]
    if card.notes:
        notes = "\n".join(f"• {n}" for n in card.notes)
        blocks.append({"type": "section", "block_id": NOTES_ID, "text": plain(f"Notes:\n{notes}")})
    if card.recent:
        transcript = "\n".join(f"{line.who}: {line.text}" for line in card.recent)
        blocks.extend(transcript_sections(visible(f"Recent messages:\n{transcript}")))
    if buttons := _buttons(card):  # Slack rejects an actions block without elements
        blocks.append({"type": "actions", "block_id": "conversation", "elements": buttons})
    return fit_blocks(blocks)  # within Slack's limits, transcript trimmed first (card_budget)


def _past(count: int) -> str:
    if count == 0:
        return "first conversation"
    return f"{count} past conversation{'s' if count != 1 else ''}"


def _nlu_line(card: HandoffCard) -> str:
    nlu = card.nlu
    if not nlu.get("intent"):
        return ""
    parts = [f"intent `{shown(str(nlu['intent']))}` {float(str(nlu['confidence'])):.2f}"]
    if "sentiment" in nlu:
        sentiment = f"sentiment {float(str(nlu['sentiment'])):+.2f}"
        if sentiment not in card.reason_detail:  # each fact once: "Why" may have said it
            parts.append(sentiment)
    return "\n" + " · ".join(parts)


def _status_line(card: HandoffCard) -> str:
    if card.extra.get("moved"):  # the customer chose a store: its channel has the card now
        return f"*Moved:* {shown(card.extra.get('store_why', ''))}; the store's thread has it now."
    if card.status == "human" and card.owner:
        return f"*With:* <@{card.owner}>"
    if card.status == "pending":
        if card.offered_to and card.extra.get("offer_stage") == "supervisor":
            return f"*Escalated to:* <@{card.offered_to}>, the supervisor: nobody has taken it yet."
        if card.offered_to:
            return f"*Offered to:* <@{card.offered_to}>, please take over or pass."
        return "*Offered to:* everyone here, please take over."
    if card.status == "resolved":
        return "*Resolved.*"
    return "*Back with the bot.*"


def _buttons(card: HandoffCard) -> list[Block]:
    def button(label: str, action: str, style: str | None = None) -> Block:
        element: Block = {
            "type": "button",
            "text": plain(label),
            "action_id": action,
            "value": card.conversation_id,
        }
        if style:
            element["style"] = style
        return element

    if card.extra.get("moved"):
        return []  # the buttons are on the store's card
    if card.status == "pending":
        return [
            button("Take over", ACTION_TAKE_OVER, "primary"),
            button("Pass", ACTION_PASS),
            button("Back to bot", ACTION_BACK_TO_BOT),
            button("Resolve", ACTION_RESOLVE),
        ]
    if card.status == "human":
        return [button("Back to bot", ACTION_BACK_TO_BOT), button("Resolve", ACTION_RESOLVE)]
    # Handed back or resolved: the customer's next handoff opens a new thread, and a
    # conversation with the bot cannot be claimed, so this card has nothing left to click.
    return []


def choice_blocks(text: str, choices: Sequence[Choice]) -> list[Block]:
    """A private question with buttons; ``text`` is mrkdwn the caller has escaped."""
    buttons: list[Block] = []
    for choice in choices:
        button: Block = {
            "type": "button",
            "text": plain(choice.label),
            "action_id": choice.action,
            "value": choice.value,
        }
        if choice.style:
            button["style"] = choice.style
        buttons.append(button)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(visible(text), _PLAIN_LIMIT)}},
        {"type": "actions", "elements": buttons},
    ]


def customer_message_blocks(customer_name: str, text: str) -> tuple[str, list[Block]]:
    """A customer's message in the thread: escaped fallback text and plain-text blocks.
    The blocks carry every word; the fallback (notifications) is clipped, since escaping
    can grow it fivefold past Slack's 40,000-character limit."""
    fallback = shown(_clip(f"{customer_name}: {text}", _PLAIN_LIMIT))
    return fallback, plain_sections(f"{customer_name}: {text}")
