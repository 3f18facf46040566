"""What the customer reads when asked to rate a conversation, and the buttons. Pure.

Callback data (Telegram allows 64 bytes): ``rate:<conversation id>:<1-5>`` and
``rcomment:<conversation id>``, the button that arms comment capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from handoff.core.ports import Button, ButtonRow

RATE = "rate:"
COMMENT = "rcomment:"
SCORES = range(1, 6)
COMMENT_WINDOW_SECONDS = 10 * 60


@dataclass(frozen=True)
class RatingPress:
    conversation_id: str
    score: int


def parse_rate(data: str) -> RatingPress | None:
    """``rate:c12:5`` → (c12, 5); anything malformed or out of range → None."""
    conv_id, sep, score = data.removeprefix(RATE).rpartition(":")
    if not data.startswith(RATE) or not sep or not conv_id or not score.isdigit():
        return None
    value = int(score)
    return RatingPress(conv_id, value) if value in SCORES else None


def rating_question(person: str | None) -> str:
    who = person or "our team"
    return f"How did {who} do? Tap a number: 1 is poor, 5 is excellent."


def rating_buttons(conversation_id: str) -> list[ButtonRow]:
    return [[Button(str(n), f"{RATE}{conversation_id}:{n}") for n in SCORES]]


def comment_button(conversation_id: str) -> Button:
    return Button("Add a comment", COMMENT + conversation_id)


def share_url(bot_username: str, business: str) -> str:
    """Telegram's share link: the customer picks a chat and sends a link to the bot."""
    text = f"{business} answers on Telegram, and a real person from the store helps when needed."
    return "https://t.me/share/url?" + urlencode(
        {"url": f"https://t.me/{bot_username}", "text": text}, quote_via=quote
    )


def thanks(score: int, first_name: str | None, person: str | None) -> str:
    hello = f", {first_name}" if first_name else ""
    if score >= 4:
        told = f"I'll pass that on to {person}." if person else "I'll pass that on to our team."
        return (
            f"Thank you{hello}! {told} If you have a moment, a short review or a word to a "
            "friend helps other people find us."
        )
    if score == 3:
        return f"Thank you{hello}, that helps us get better."
    return (
        f"Thank you for telling us{hello}, and I'm sorry we let you down. A supervisor will "
        "read this conversation. If you still need help, just write here."
    )


def promotion_buttons(
    review_link: str, store_name: str | None, bot_username: str, business: str
) -> list[ButtonRow]:
    where = f"Review {store_name}" if store_name else "Write a review"
    return [
        Button(where, url=review_link),
        Button("Tell a friend", url=share_url(bot_username, business)),
    ]


def comment_prompt(minutes: int = COMMENT_WINDOW_SECONDS // 60) -> str:
    return (
        f"Please write your comment in your next message (within {minutes} minutes). "
        "It goes with your rating to our team."
    )


COMMENT_THANKS = (
    "Thank you, I've added that to your rating. If you meant to ask something, just write again."
)
ALREADY_RATED = "You have already rated this conversation. Thank you!"
ALREADY_COMMENTED = "You have already added a comment to this rating. Thank you!"
NOT_ON_FILE = "That conversation is no longer on file."
RATE_FIRST = "Please choose a rating first."
NOT_RATEABLE = "This conversation can be rated once it is finished. Thank you!"


def staff_line(customer: str, score: int) -> str:
    """Posted in the conversation's Slack thread: the person who helped sees how it went."""
    return f"{customer} rated this conversation {score}/5."


def low_rating_alert(customer: str, score: int, transcript_url: str) -> str:
    return (
        f"{customer} rated this conversation {score}/5. Please read it and decide whether to "
        f"follow up: {transcript_url}"
    )


def transcript_url(review_base: str, conversation_id: str) -> str:
    """The dashboard's page of one conversation (handoff/review/views/conversation.py)."""
    return f"{review_base.rstrip('/')}/review/c/{conversation_id}"
